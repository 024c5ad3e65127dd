# daosgo — see README.md. Everything here runs on the embedded engine and
# needs only Go and a C compiler (for SQLite through cgo).

GO      ?= go
BIN     := bin/daosgo
PKGS    := ./...
export CGO_ENABLED := 1

.PHONY: all build test bench demo lint clean test-daos vet-daos

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

# The conformance suite against a real DAOS system, through libdaos, and
# the cross tests against DAOS's own libdfs, PyDAOS and checker (cgo/cross),
# with the strict cgo pointer checks on. Needs DAOS's client packages (with
# libdfs; PyDAOS for its tests, else they skip) and DAOSGO_TEST_POOL (see
# the README); DAOS_SYSTEM, DAOS_AGENT_DRPC_DIR, DAOSGO_TEST_POOL_ADMIN and
# DAOSGO_DMG_ARGS as it says.
test-daos:
	@[ -n "$$DAOSGO_TEST_POOL$$DAOSGO_TEST_POOL_ADMIN" ] || { echo "test-daos: set DAOSGO_TEST_POOL to a pool of your DAOS system (see README.md)"; exit 2; }
	GOEXPERIMENT=cgocheck2 $(GO) test -tags daos -count=1 -v -timeout 20m -run 'Conformance|OnDAOS|Cross|Matrix' ./cgo/...

# Compile-check the libdaos backend against DAOS headers without DAOS
# installed: DAOS_INCLUDE is a DAOS source tree's src/include, and
# DAOS_VERSION_H_DIR a directory with a daos_version.h (generated at DAOS
# build time; any file defining DAOS's version macros will do).
vet-daos:
	@[ -n "$(DAOS_INCLUDE)" ] || { echo "vet-daos: set DAOS_INCLUDE=<daos>/src/include and DAOS_VERSION_H_DIR"; exit 2; }
	CGO_CFLAGS="-I$(DAOS_VERSION_H_DIR) -I$(DAOS_INCLUDE)" $(GO) vet -tags daos ./...

lint:
	$(GO) vet $(PKGS)
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

clean:
	rm -rf bin demo-home
