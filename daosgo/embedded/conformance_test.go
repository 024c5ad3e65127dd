package embedded_test

import (
	"testing"

	"github.com/daosgo/daosgo/daosgo/daosgotest"
	"github.com/daosgo/daosgo/daosgo/embedded"
	"github.com/daosgo/daosgo/upgrade"
	"gotest.tools/v3/assert"
)

func newEngine(t testing.TB) *embedded.Engine {
	t.Helper()
	// With daosgo's layouts, as the CLI runs it: pools at DAOS 2.8's
	// version, as DAOS makes them (the base layout alone makes DAOS 2.0's,
	// which have no global version).
	e, err := embedded.Open(embedded.Options{Root: t.TempDir(), Layout: upgrade.Default()})
	assert.NilError(t, err)
	t.Cleanup(func() { e.Close() })
	return e
}

func TestConformance(t *testing.T) {
	daosgotest.Run(t, daosgotest.Harness{Backend: newEngine(t), PoolAdmin: true,
		CountsHandles: true, TinyPools: true, OldLayouts: true, FaultDomains: embedded.FaultDomains, ReclaimsAtOnce: true})
}
