package libdaos

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/daosgo/daosgo/daosgo"
	"gotest.tools/v3/assert"
)

// These tests run the dmg half of the backend against what dmg 2.8 really
// answered (testdata/dmg-2.8), replayed by testdata/fake-dmg.

func fakeAdmin(t *testing.T, upgrade string) (*Admin, func() string) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("FAKE_DMG_DIR", dir)
	t.Setenv("FAKE_DMG_UPGRADE", upgrade)
	dmg, err := filepath.Abs("testdata/fake-dmg")
	assert.NilError(t, err)
	a := NewAdmin(Options{Dmg: dmg})
	a.poll = time.Millisecond
	return a, func() string {
		b, _ := os.ReadFile(filepath.Join(dir, "log"))
		return string(b)
	}
}

var bg = context.Background()

func TestAdminPools(t *testing.T) {
	a, log := fakeAdmin(t, "")
	pools, err := a.ListPools(bg)
	assert.NilError(t, err)
	assert.Equal(t, len(pools), 1)
	assert.Equal(t, pools[0].Label, "p1")
	assert.Equal(t, pools[0].UUID.String(), "1f935ebb-44a6-493b-bc8a-9c84d6af5766")

	e, err := a.CreatePool(bg, daosgo.PoolCreateReq{Label: "rec1", Size: 1 << 30})
	assert.NilError(t, err)
	assert.Equal(t, e.UUID.String(), "e9a87007-8332-427f-aba1-5ce5a8f627cc")
	// Enumerated properties go to dmg as words: it refuses their numbers.
	_, err = a.CreatePool(bg, daosgo.PoolCreateReq{Label: "rec2", Size: 1 << 30,
		Props: daosgo.Props{daosgo.NumProp(daosgo.PropPoolSpaceRB, 5), daosgo.NumProp(daosgo.PropPoolReclaim, 4)}})
	assert.NilError(t, err)
	_, err = a.CreatePool(bg, daosgo.PoolCreateReq{Label: "taken", Size: 1 << 30})
	assert.ErrorIs(t, err, daosgo.ErrExist)
	assert.ErrorContains(t, err, `pool label \"rec1\" already exists in the system`) // dmg's words, verbatim
	_, err = a.CreatePool(bg, daosgo.PoolCreateReq{Label: "old", Size: 1, LayoutVersion: daosgo.AtLayout(1)})
	assert.ErrorIs(t, err, daosgo.ErrNotSupported)
	_, err = a.CreatePool(bg, daosgo.PoolCreateReq{Label: "ro", Size: 1,
		Props: daosgo.Props{daosgo.NumProp(daosgo.PropPoolGlobalVersion, 3)}})
	assert.ErrorIs(t, err, daosgo.ErrNoPerm)

	// Without force, dmg refuses a pool with containers; forced, daosgo
	// destroys them too.
	err = a.DestroyPool(bg, "rec1", false)
	assert.ErrorIs(t, err, daosgo.ErrBusy)
	assert.ErrorContains(t, err, "cannot destroy a pool with existing containers")
	assert.NilError(t, a.DestroyPool(bg, "rec1", true))
	assert.ErrorIs(t, a.DestroyPool(bg, "nosuch", false), daosgo.ErrNonexist)
	_, err = a.EvictPool(bg, "rec1")
	assert.NilError(t, err)

	for _, want := range []string{
		"pool create rec2 --size=1073741824 --properties=space_rb:5,reclaim:time",
		"pool destroy rec1 --force --recursive",
	} {
		assert.Assert(t, strings.Contains(log(), want), "dmg was not called with %q:\n%s", want, log())
	}
}

func TestAdminProps(t *testing.T) {
	a, log := fakeAdmin(t, "")
	all, err := a.GetPoolProps(bg, "rec1")
	assert.NilError(t, err)
	for _, tc := range []struct {
		id   daosgo.PropID
		want uint64
	}{
		{daosgo.PropPoolGlobalVersion, 4},
		{daosgo.PropPoolUpgradeStatus, uint64(daosgo.UpgradeNotStarted)},
		{daosgo.PropPoolReclaim, 1},        // "lazy"
		{daosgo.PropPoolSelfHeal, 3},       // "exclude;rebuild"
		{daosgo.PropPoolCheckpointMode, 1}, // "timed"
		{daosgo.PropPoolPerfDomain, 255},   // "root"
		{daosgo.PropPoolReintMode, 0},      // "data_sync"
		{daosgo.PropPoolSvcRedunFac, 2},
		{daosgo.PropPoolECCellSize, 128 << 10},
	} {
		assert.Equal(t, all.Num(tc.id, 999), tc.want, "%s", tc.id.Info().Name)
	}
	assert.Equal(t, all.Str(daosgo.PropPoolLabel), "rec1")

	// Named ones: one comma-separated argument; the answer is looked up
	// by name, whatever its order.
	two, err := a.GetPoolProps(bg, "rec1", daosgo.PropPoolGlobalVersion, daosgo.PropPoolUpgradeStatus)
	assert.NilError(t, err)
	assert.Equal(t, two[0].ID, daosgo.PropPoolGlobalVersion)
	assert.Equal(t, two[0].Num, uint64(4))
	assert.Equal(t, two[1].ID, daosgo.PropPoolUpgradeStatus)
	one, err := a.GetPoolProps(bg, "rec1", daosgo.PropPoolSpaceRB)
	assert.NilError(t, err)
	assert.Equal(t, one[0].Num, uint64(7))
	// dmg answers in its own order (sorted by name), the caller's order
	// is kept.
	words, err := a.GetPoolProps(bg, "rec2", daosgo.PropPoolReclaim, daosgo.PropPoolSpaceRB, daosgo.PropPoolSelfHeal, daosgo.PropPoolScrubMode)
	assert.NilError(t, err)
	assert.Equal(t, words[3].ID, daosgo.PropPoolScrubMode)
	assert.Equal(t, words.Num(daosgo.PropPoolReclaim, 0), uint64(4)) // "time"
	assert.Equal(t, words.Num(daosgo.PropPoolScrubMode, 9), uint64(0))

	_, err = a.GetPoolProps(bg, "nosuch")
	assert.ErrorIs(t, err, daosgo.ErrNonexist)
	assert.ErrorContains(t, err, `dmg pool get-prop nosuch: unable to find pool service with label "nosuch"`)

	assert.NilError(t, a.SetPoolProps(bg, "rec1", daosgo.Props{daosgo.NumProp(daosgo.PropPoolReclaim, 0)}))
	assert.NilError(t, a.SetPoolProps(bg, "rec1", daosgo.Props{daosgo.NumProp(daosgo.PropPoolSpaceRB, 7)}))
	assert.ErrorIs(t, a.SetPoolProps(bg, "rec1", daosgo.Props{daosgo.NumProp(daosgo.PropPoolUpgradeStatus, 1)}), daosgo.ErrNoPerm)
	assert.ErrorIs(t, a.SetPoolProps(bg, "rec1", daosgo.Props{daosgo.NumProp(daosgo.PropContLayoutType, 1)}), daosgo.ErrInval)
	assert.Assert(t, strings.Contains(log(), "pool set-prop rec1 reclaim:disabled"), log())
	assert.Assert(t, !strings.Contains(log(), "upgrade_status:"), "read-only properties are refused before dmg")
}

// TestDmgAnswersAreRead checks the parsing of every recorded answer, so
// that a change of dmg's shapes shows here.
func TestDmgAnswersAreRead(t *testing.T) {
	a, _ := fakeAdmin(t, "")
	// dmg's own refusals keep its words and get DAOS's codes.
	for _, args := range [][]string{{"pool", "get-prop", "rec1", "global_version", "upgrade_status"}, {"pool", "set-prop", "rec1", "reclaim:2"}} {
		_, err := a.run(bg, args...)
		assert.ErrorIs(t, err, daosgo.ErrInval, "%v", args)
	}
	_, err := a.run(bg, "pool", "set-prop", "rec1", "reclaim:2")
	assert.ErrorContains(t, err, `invalid value "2" for reclaim (valid: disabled,lazy,time)`)
	_, _, err = a.layoutVersions(bg, "nosuch")
	assert.ErrorIs(t, err, daosgo.ErrNonexist)
	have, want, err := a.layoutVersions(bg, "rec1")
	assert.NilError(t, err)
	assert.Equal(t, have, uint32(4))
	assert.Equal(t, want, uint32(4))

	a.dmg = filepath.Join(t.TempDir(), "no-dmg-here")
	_, err = a.ListPools(bg)
	assert.ErrorContains(t, err, "dmg pool list")
}

func TestUpgradeThroughDmg(t *testing.T) {
	t.Run("current", func(t *testing.T) {
		a, log := fakeAdmin(t, "current")
		assert.NilError(t, a.StartUpgrade(bg, "up", daosgo.UpgradePlan{From: 4, To: 4}))
		p, err := a.UpgradeProgress(bg, "up")
		assert.NilError(t, err)
		assert.Equal(t, p.Version, uint32(4))
		assert.Equal(t, p.State, "Online")
		assert.Equal(t, p.To, uint32(4))
		assert.NilError(t, a.RunUpgrade(bg, "up", nil))
		assert.Assert(t, strings.Contains(log(), "pool upgrade up"))
	})
	t.Run("progress", func(t *testing.T) {
		a, _ := fakeAdmin(t, "progress")
		assert.NilError(t, a.StartUpgrade(bg, "up", daosgo.UpgradePlan{From: 3, To: 4}))
		var seen []string
		assert.NilError(t, a.RunUpgrade(bg, "up", func(p daosgo.UpgradeProgress) {
			seen = append(seen, p.State)
			if p.State == "Upgrading" {
				assert.Equal(t, p.From, uint32(3))
				assert.Equal(t, p.To, uint32(4))
			}
		}))
		assert.Equal(t, seen[0], "Upgrading")
		assert.Equal(t, seen[len(seen)-1], "Online")
	})
	t.Run("failed", func(t *testing.T) {
		a, _ := fakeAdmin(t, "failed")
		err := a.RunUpgrade(bg, "up", nil)
		assert.ErrorIs(t, err, daosgo.ErrIO)
		assert.ErrorContains(t, err, "failed")
	})
}
