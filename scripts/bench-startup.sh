#!/usr/bin/env bash
# Median wall time of `llmcost estimate --tokens 10M` next to a hello-world
# Go binary built the same way on the same machine, as a ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-bin/llmcost}"
go build -trimpath -ldflags '-s -w' -o bin/hello ./internal/benchtools/hello
go run ./internal/benchtools/startup -n "${RUNS:-30}" -- bin/hello -- "$bin" estimate --tokens 10M
