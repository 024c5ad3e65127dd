//go:build daos

package libdaos

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/daosgo/daosgo/daosgo"
	"github.com/daosgo/daosgo/upgrade"
	"gotest.tools/v3/assert"
)

// TestOnDAOSUpgrade runs pool upgrade through dmg on a live DAOS: a new
// pool is at DAOS 2.8's layout version, which is this software's newest,
// so daosgo has nothing to do, and DAOS's own upgrade, asked anyway,
// answers success and leaves the pool online at that version.
func TestOnDAOSUpgrade(t *testing.T) {
	if os.Getenv("DAOSGO_TEST_POOL_ADMIN") != "1" {
		t.Skip("set DAOSGO_TEST_POOL_ADMIN=1 to create a pool through dmg")
	}
	b, err := New(Options{System: os.Getenv("DAOS_SYSTEM"), DmgArgs: strings.Fields(os.Getenv("DAOSGO_DMG_ARGS"))})
	assert.NilError(t, err)
	defer b.Close()
	a := b.Admin().(*Admin)
	label := "upgrade-" + time.Now().Format("150405.000")
	_, err = a.CreatePool(bg, daosgo.PoolCreateReq{Label: label, Size: 256 << 20})
	assert.NilError(t, err)
	defer a.DestroyPool(bg, label, true)

	p, err := a.UpgradeProgress(bg, label)
	assert.NilError(t, err)
	assert.Equal(t, p.Version, upgrade.Default().MaxVersion(), "DAOS 2.8 makes pools at its global version, daosgo's newest")
	assert.Equal(t, p.To, p.Version)
	assert.Equal(t, p.State, "Online")
	assert.Equal(t, p.Status, daosgo.UpgradeNotStarted)

	_, err = upgrade.Start(bg, b, label, upgrade.Default())
	assert.Assert(t, errors.Is(err, daosgo.ErrAlready), "got %v", err)
	assert.ErrorContains(t, err, "nothing to do")

	// DAOS's own upgrade of a current pool succeeds and changes nothing.
	assert.NilError(t, a.StartUpgrade(bg, label, daosgo.UpgradePlan{From: p.Version, To: p.Version}))
	assert.NilError(t, a.RunUpgrade(bg, label, nil))
	after, err := a.UpgradeProgress(bg, label)
	assert.NilError(t, err)
	assert.Equal(t, after.Version, p.Version)
	assert.Equal(t, after.State, "Online")

	// Software that knew fewer versions refuses the pool, naming both.
	_, err = upgrade.Start(bg, b, label, upgrade.Default().UpTo(3))
	assert.ErrorIs(t, err, daosgo.ErrDFIncompat)
	assert.ErrorContains(t, err, "at most version 3")
}
