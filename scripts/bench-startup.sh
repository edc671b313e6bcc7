#!/usr/bin/env bash
# Median wall time of `llmcost estimate --tokens 10M` next to a hello-world
# Go binary built the same way on the same machine, as a ratio.
#
# For reference it also times two floors built the same way: clifloor
# (cobra + viper only) and stackfloor (every library DESIGN.md names,
# linked and unused), and `llmcost --version` (start-up without a
# command's work). The gaps between the lines say where the time goes:
# hello -> stackfloor is package initialisation and binary size of the
# mandated stack, stackfloor -> --version is llmcost's own code and size,
# --version -> estimate is the command's work.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-bin/llmcost}"
for t in hello clifloor stackfloor; do
	go build -trimpath -ldflags '-s -w' -o "bin/$t" "./internal/benchtools/$t"
done
go run ./internal/benchtools/startup -n "${RUNS:-30}" -- bin/hello -- bin/clifloor -- bin/stackfloor -- "$bin" --version -- "$bin" estimate --tokens 10M
