#!/usr/bin/env bash
# Start-up of llmcost's commands against the stack's floor: hello world,
# stackfloor (every library llmcost links, doing nothing) and each command
# in internal/benchtools/startup/baseline.txt, interleaved, as ratios to
# stackfloor. Fails if `estimate --tokens 10M` is over 1.3x stackfloor or a
# command is more than 10% slower than before the change.
#
#   scripts/bench-startup.sh [bin/llmcost] [startup flags...]   e.g. -update, -warn, -n 50
#
# "Before the change" is llmcost built from BENCH_PREV, timed in the same
# rounds: by default HEAD if the work tree has changes, else HEAD~1.
# BENCH_PREV= (empty) compares with the ratios in baseline.txt instead.
# hello, stackfloor and the previous build are built the way `make build`
# builds llmcost. All four are then copied (cp) into one directory and run
# from there: a binary just written by the Go linker started 20-27% slower
# here than a byte-identical cp of it (how its pages sit in the page
# cache), which would swamp a 10% rule comparing binaries built at
# different times.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-bin/llmcost}"
shift || true
for t in hello stackfloor; do
	go build -trimpath -ldflags '-s -w' -o "bin/$t" "./internal/benchtools/$t"
done
go build -o bin/startup ./internal/benchtools/startup

prev=()
ref="${BENCH_PREV-auto}"
if [ "$ref" = auto ]; then
	ref=HEAD~1
	if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then ref=HEAD; fi
fi
if [ -n "$ref" ] && git rev-parse -q --verify "$ref^{commit}" >/dev/null 2>&1; then
	tmp="$(mktemp -d)"
	trap 'rm -rf "$tmp"' EXIT
	git archive "$ref" | tar -x -C "$tmp"
	echo "startup: building the previous change ($ref, $(git rev-parse --short "$ref")) to compare with"
	(cd "$tmp" && go build -trimpath -ldflags '-s -w' -o bin/llmcost ./cmd/llmcost)
	prev=(-prev "$tmp/bin/llmcost")
fi
run=bin/bench
rm -rf "$run" && mkdir -p "$run"
cp bin/hello bin/stackfloor "$run/"
cp "$bin" "$run/llmcost"
if [ ${#prev[@]} -gt 0 ]; then
	cp "${prev[1]}" "$run/llmcost-prev"
	prev=(-prev "$run/llmcost-prev")
fi
bin/startup -n "${RUNS:-30}" -hello "$run/hello" -floor "$run/stackfloor" -bin "$run/llmcost" ${prev[@]+"${prev[@]}"} "$@"
