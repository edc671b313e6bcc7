#!/usr/bin/env bash
# Start-up of llmcost's commands against the stack's floor: hello world,
# stackfloor (every library llmcost links, doing nothing) and each command
# in internal/benchtools/startup/baseline.txt, interleaved, as ratios to
# stackfloor. Fails if `estimate --tokens 10M` is over 1.3x stackfloor or a
# command is more than 10% over its committed ratio.
#
#   scripts/bench-startup.sh [bin/llmcost] [startup flags...]   e.g. -update, -warn, -n 50
#
# hello and stackfloor are built the way `make build` builds llmcost.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-bin/llmcost}"
shift || true
for t in hello stackfloor; do
	go build -trimpath -ldflags '-s -w' -o "bin/$t" "./internal/benchtools/$t"
done
go build -o bin/startup ./internal/benchtools/startup
exec bin/startup -n "${RUNS:-30}" -hello bin/hello -floor bin/stackfloor -bin "$bin" "$@"
