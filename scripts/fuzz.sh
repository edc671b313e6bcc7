#!/usr/bin/env bash
# Runs every Fuzz* target in the module for a short time each (default 3s).
# `go test -fuzz` takes one target in one package per run, so we loop.
set -euo pipefail
fuzztime="${1:-3s}"
cd "$(dirname "$0")/.."
n=0
while IFS= read -r line; do
  file="${line%%:*}"
  name="$(sed -E 's/^func (Fuzz[A-Za-z0-9_]*).*/\1/' <<<"${line#*:}")"
  pkg="./$(dirname "$file")"
  echo "fuzz: $pkg $name ($fuzztime)"
  go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -fuzzminimizetime 1s "$pkg"
  n=$((n+1))
done < <(grep -rHE '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' --include='*_test.go' pkg cmd 2>/dev/null | sort)
echo "fuzz: $n targets passed"
