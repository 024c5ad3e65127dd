package embedded_test

import (
	"testing"

	"github.com/daosgo/daosgo/daosgo/daosgotest"
	"github.com/daosgo/daosgo/daosgo/embedded"
	"gotest.tools/v3/assert"
)

func newEngine(t testing.TB) *embedded.Engine {
	t.Helper()
	e, err := embedded.Open(embedded.Options{Root: t.TempDir()})
	assert.NilError(t, err)
	t.Cleanup(func() { e.Close() })
	return e
}

func TestConformance(t *testing.T) {
	daosgotest.Run(t, daosgotest.Harness{Backend: newEngine(t), PoolAdmin: true,
		CountsHandles: true, TinyPools: true, OldLayouts: true, FaultDomains: embedded.FaultDomains, ReclaimsAtOnce: true})
}
