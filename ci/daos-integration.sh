#!/bin/bash
# Integration tests against real DAOS, inside docker/ (see docker/README.md):
# create a pool, build daosgo with -tags daos, run the conformance suite.
set -euo pipefail
cd "$(dirname "$0")/.."
pool=${DAOSGO_TEST_POOL:-daosgo-ci}
dmg -i pool create "$pool" --size=2G || dmg -i pool query "$pool"
go build -tags daos -o bin/daosgo-daos ./cmd/daosgo
bin/daosgo-daos --engine daos pool query "$pool"
DAOSGO_TEST_POOL=$pool make test-daos
