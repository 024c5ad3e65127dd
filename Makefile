# daosgo — see README.md. Everything here runs on the embedded engine and
# needs only Go and a C compiler (for SQLite through cgo).

GO      ?= go
BIN     := bin/daosgo
PKGS    := ./...
export CGO_ENABLED := 1

.PHONY: all build test bench demo lint clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/daosgo

# The unit, conformance, process and CLI tests, after the lint checks.
test: lint
	$(GO) test -count=1 -timeout 15m $(PKGS)

# Benchmarks; figures are per operation, compare ratios within one run.
bench:
	$(GO) test -run '^$$' -bench . -benchtime 2s -timeout 30m $(PKGS)

# The main job end to end on the embedded engine, in ./demo-home.
demo: build
	DAOSGO=$(BIN) ./scripts/demo.sh

lint:
	$(GO) vet $(PKGS)
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

clean:
	rm -rf bin demo-home
