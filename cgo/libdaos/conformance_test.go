//go:build daos

package libdaos

import (
	"os"
	"strings"
	"testing"

	"github.com/daosgo/daosgo/daosgo/daosgotest"
	"gotest.tools/v3/assert"
)

// TestConformance runs the backend conformance suite against a real DAOS
// system. It needs:
//
//	DAOSGO_TEST_POOL        label or UUID of a pool the suite may create containers in
//	DAOS_SYSTEM             the DAOS system name (optional)
//	DAOS_AGENT_DRPC_DIR     the agent socket directory, if not the default (read by libdaos)
//	DAOSGO_TEST_POOL_ADMIN  set to 1 to also test pool administration through dmg
//	DAOSGO_DMG_ARGS         extra dmg arguments, e.g. "-o /etc/daos/daos_control.yml"
func TestConformance(t *testing.T) {
	pool := os.Getenv("DAOSGO_TEST_POOL")
	admin := os.Getenv("DAOSGO_TEST_POOL_ADMIN") == "1"
	if pool == "" && !admin {
		t.Skip("set DAOSGO_TEST_POOL (and DAOS_SYSTEM) to run against a DAOS system")
	}
	b, err := New(Options{System: os.Getenv("DAOS_SYSTEM"), DmgArgs: strings.Fields(os.Getenv("DAOSGO_DMG_ARGS"))})
	assert.NilError(t, err)
	defer b.Close()
	daosgotest.Run(t, daosgotest.Harness{Backend: b, Pool: pool, PoolAdmin: admin, PoolSize: 256 << 20})
}
