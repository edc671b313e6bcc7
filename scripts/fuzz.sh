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
  # A run that ends in "context deadline exceeded" with no failing input is
  # the fuzz coordinator timing out a busy worker as -fuzztime ends (seen on
  # this 2-core machine under load), not a bug found: run that target once
  # more. A real failure names its input (testdata/fuzz/...) and fails as is.
  out="$(mktemp)"
  for try in 1 2; do
    if go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -fuzzminimizetime 1s "$pkg" 2>&1 | tee "$out"; then
      break
    fi
    if [ "$try" = 1 ] && grep -q 'context deadline exceeded' "$out" && ! grep -q 'testdata/fuzz/' "$out"; then
      echo "fuzz: $name: the fuzz engine timed out (no failing input); once more"
      continue
    fi
    rm -f "$out"
    exit 1
  done
  rm -f "$out"
  n=$((n+1))
done < <(grep -rHE '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' --include='*_test.go' pkg cmd 2>/dev/null | sort)
echo "fuzz: $n targets passed"
