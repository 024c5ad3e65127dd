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

func fakeAdmin(t *testing.T) (*Admin, string) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("FAKE_DMG_DIR", dir)
	dmg, err := filepath.Abs("testdata/fake-dmg")
	assert.NilError(t, err)
	a := NewAdmin(Options{Dmg: dmg})
	a.poll = time.Millisecond
	return a, dir
}

func TestAdminThroughDmg(t *testing.T) {
	a, dir := fakeAdmin(t)
	ctx := context.Background()

	pools, err := a.ListPools(ctx)
	assert.NilError(t, err)
	assert.Equal(t, len(pools), 1)
	assert.Equal(t, pools[0].Label, "tank")

	e, err := a.CreatePool(ctx, daosgo.PoolCreateReq{Label: "tank", Size: 1 << 30,
		Props: daosgo.Props{daosgo.NumProp(daosgo.PropPoolSpaceRB, 5)}})
	assert.NilError(t, err)
	assert.Equal(t, e.UUID.String(), "0d6aa9d1-66f8-4a66-b3c0-4c2b8a1f3a10")
	_, err = a.CreatePool(ctx, daosgo.PoolCreateReq{Label: "old", Size: 1, LayoutVersion: daosgo.AtLayout(1)})
	assert.ErrorIs(t, err, daosgo.ErrNotSupported)

	props, err := a.GetPoolProps(ctx, "tank", daosgo.PropPoolGlobalVersion, daosgo.PropPoolUpgradeStatus)
	assert.NilError(t, err)
	assert.Equal(t, props.Str(daosgo.PropPoolLabel), "tank")
	assert.Equal(t, props.Num(daosgo.PropPoolGlobalVersion, 0), uint64(3))
	assert.Equal(t, daosgo.UpgradeStatus(props.Num(daosgo.PropPoolUpgradeStatus, 9)), daosgo.UpgradeInProgress)
	assert.Equal(t, props.Num(daosgo.PropPoolSpaceRB, 0), uint64(5))

	assert.NilError(t, a.SetPoolProps(ctx, "tank", daosgo.Props{daosgo.NumProp(daosgo.PropPoolSpaceRB, 7)}))
	_, err = a.EvictPool(ctx, "tank")
	assert.NilError(t, err)
	assert.NilError(t, a.DestroyPool(ctx, "tank", true))

	log, err := os.ReadFile(filepath.Join(dir, "log"))
	assert.NilError(t, err)
	for _, want := range []string{
		"pool create tank --size=1073741824 --properties=space_rb:5",
		"pool get-prop tank global_version upgrade_status",
		"pool set-prop tank space_rb:7",
		"pool destroy tank --force",
	} {
		assert.Assert(t, strings.Contains(string(log), want), "dmg was not called with %q:\n%s", want, log)
	}
}

func TestDmgErrorsAreSurfacedVerbatim(t *testing.T) {
	a, _ := fakeAdmin(t)
	_, err := a.GetPoolProps(context.Background(), "nosuch")
	assert.ErrorIs(t, err, daosgo.ErrNonexist)
	assert.ErrorContains(t, err, `dmg pool get-prop nosuch: pool "nosuch" not found`)

	a.dmg = filepath.Join(t.TempDir(), "no-dmg-here")
	_, err = a.ListPools(context.Background())
	assert.ErrorContains(t, err, "dmg pool list")
}

func TestUpgradeFollowsDmg(t *testing.T) {
	a, dir := fakeAdmin(t)
	ctx := context.Background()
	assert.NilError(t, a.StartUpgrade(ctx, "tank", daosgo.UpgradePlan{From: 3, To: 4}))
	var seen []string
	assert.NilError(t, a.RunUpgrade(ctx, "tank", func(p daosgo.UpgradeProgress) { seen = append(seen, p.State) }))
	assert.Equal(t, seen[0], "Upgrading")
	assert.Equal(t, seen[len(seen)-1], "Online")
	p, err := a.UpgradeProgress(ctx, "tank")
	assert.NilError(t, err)
	assert.Equal(t, p.Version, uint32(4))
	log, _ := os.ReadFile(filepath.Join(dir, "log"))
	assert.Assert(t, strings.Contains(string(log), "pool upgrade tank"))
}
