# llmcost — make targets. `make test` is what CI runs.
GO        ?= go
BIN       ?= bin/llmcost
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X github.com/llmcost/llmcost/pkg/cli.Version=$(VERSION)
FUZZTIME  ?= 3s
# Reproducible man pages (cobra/doc stamps the date otherwise).
export SOURCE_DATE_EPOCH ?= 1764201600

.PHONY: generate all build test unit fuzz lint bench bench-startup bench-baseline docs completions clean install

all: lint test build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/llmcost

install:
	$(GO) install -trimpath -ldflags '$(LDFLAGS)' ./cmd/llmcost

# Unit, golden and end-to-end tests, then every fuzz target for $(FUZZTIME).
test: unit fuzz

unit:
	$(GO) test -count=1 ./...

fuzz:
	@scripts/fuzz.sh $(FUZZTIME)

lint:
	@out=$$(gofmt -l . ); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# Benchmarks: in-process Go benchmarks, then whole-binary start-up timing.
bench: build
	$(GO) test -run '^$$' -bench . -skip 'BenchmarkRouteVsPlain' -benchmem -count 1 ./...
	# route vs a plain client: a mean over 5 runs (one run is noisy on 2 cores)
	$(GO) test -run '^$$' -bench 'BenchmarkRouteVsPlain' -benchtime 5x ./pkg/route
	# start-up targets are reported (and fail bench-startup), but do not stop the proxy benchmark
	-@scripts/bench-startup.sh $(BIN) $(STARTUPFLAGS)
	# route --listen against Portkey's gateway in front of the same fake upstream
	# (Portkey from e2e/node: npm ci there first); a few minutes
	$(GO) run ./internal/benchtools/proxybench -llmcost $(BIN)

# Start-up only: every command in internal/benchtools/startup/baseline.txt
# against stackfloor and hello world, interleaved. Fails if `estimate` is
# over 1.3x stackfloor or a command's ratio rose >10% over the baseline
# (STARTUPFLAGS=-warn to only report).
bench-startup: build
	@scripts/bench-startup.sh $(BIN) $(STARTUPFLAGS)

# Rewrite the committed start-up ratios after an intended change; commit
# baseline.txt with that change so the diff shows what moved.
bench-baseline: build
	@scripts/bench-startup.sh $(BIN) -update $(STARTUPFLAGS)

docs:
	rm -rf man docs/cli
	$(GO) run ./internal/gendocs --man man --markdown docs/cli

# Recompile data/catalog_gen.go after editing data/**/*.yaml.
generate:
	$(GO) generate ./data

completions: build
	mkdir -p completions
	$(BIN) completion bash > completions/llmcost.bash
	$(BIN) completion zsh  > completions/_llmcost
	$(BIN) completion fish > completions/llmcost.fish

clean:
	rm -rf bin man completions
