package embedded

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/daosgo/daosgo/daosgo"
	"github.com/daosgo/daosgo/upgrade"
	"gotest.tools/v3/assert"
)

// fixture fills a pool with containers holding
// single-group and multi-group objects, single values and arrays, and
// returns the objects written per container label.
func fixture(t *testing.T, e *Engine, pool string, conts, objects int) map[string][]daosgo.OID {
	t.Helper()
	p, err := e.Connect(bg, pool, daosgo.PoolRW)
	assert.NilError(t, err)
	defer p.Disconnect(bg)
	out := map[string][]daosgo.OID{}
	for ci := 0; ci < conts; ci++ {
		label := fmt.Sprint("cont", ci)
		_, err := p.CreateContainer(bg, label, rf0)
		assert.NilError(t, err)
		c, err := p.OpenContainer(bg, label, daosgo.ContRW)
		assert.NilError(t, err)
		for i := 0; i < objects; i++ {
			class := daosgo.OCS1
			if i%2 == 1 {
				class = daosgo.OCSX // multi-group: moved by the placement change
			}
			ot := daosgo.OTMultiHashed
			if i%3 == 2 {
				ot = daosgo.OTArrayByte
			}
			oid := daosgo.GenerateOID(uint32(ci), uint64(i), ot, class)
			o, err := c.OpenObject(bg, oid, daosgo.ObjRW)
			assert.NilError(t, err)
			for d := 0; d < 3; d++ {
				if ot == daosgo.OTArrayByte {
					data := []byte(strings.Repeat(fmt.Sprintf("%d/%d/%d;", ci, i, d), 20))
					assert.NilError(t, o.Update(bg, daosgo.Uint64Key(uint64(d+1)), 0, []daosgo.IOD{daosgo.ArrayIOD([]byte("0"), uint64(d*7), data)}))
				} else {
					assert.NilError(t, o.Update(bg, []byte(fmt.Sprint("dkey", d)), 0, []daosgo.IOD{
						daosgo.SingleIOD("a", []byte(fmt.Sprintf("value %d %d %d", ci, i, d))),
						daosgo.SingleIOD("b", []byte(strings.Repeat("b", i%50+1)))}))
				}
			}
			assert.NilError(t, o.Close())
			out[label] = append(out[label], oid)
		}
		assert.NilError(t, c.Close(bg))
	}
	return out
}

// contents reads every value of the fixture's objects back and returns a
// digest per object.
func contents(t *testing.T, e *Engine, pool string, objs map[string][]daosgo.OID) map[string]string {
	t.Helper()
	p, err := e.Connect(bg, pool, daosgo.PoolRO)
	assert.NilError(t, err)
	defer p.Disconnect(bg)
	out := map[string]string{}
	for label, oids := range objs {
		c, err := p.OpenContainer(bg, label, daosgo.ContRO)
		assert.NilError(t, err)
		for _, oid := range oids {
			o, _ := c.OpenObject(bg, oid, daosgo.ObjRO)
			h := sha256.New()
			a := &daosgo.Anchor{}
			dkeys, err := o.ListDkeys(bg, a, 100, nil)
			assert.NilError(t, err)
			for _, dk := range dkeys {
				akeys, err := o.ListAkeys(bg, dk, &daosgo.Anchor{}, 100, nil)
				assert.NilError(t, err)
				for _, ak := range akeys {
					fmt.Fprintf(h, "%x/%x=", dk, ak)
					if oid.Type() == daosgo.OTArrayByte {
						r, err := o.QueryMaxRecx(bg, dk, ak)
						assert.NilError(t, err)
						buf := make([]byte, r.End())
						assert.NilError(t, o.Fetch(bg, dk, 0, []daosgo.IOD{daosgo.ArrayIOD(ak, 0, buf)}))
						h.Write(buf)
					} else {
						v, err := daosgo.GetSingle(bg, o, dk, string(ak))
						assert.NilError(t, err)
						h.Write(v)
					}
				}
			}
			assert.NilError(t, o.Close())
			out[label+"/"+oid.String()] = fmt.Sprintf("%x", h.Sum(nil))
		}
		assert.NilError(t, c.Close(bg))
	}
	return out
}

// testBatch makes upgrades of small test pools cross many batch boundaries.
const testBatch = 64

func upgradeEngine(t *testing.T, root string, reg *upgrade.Registry) *Engine {
	t.Helper()
	e, err := Open(Options{Root: root, Layout: reg})
	assert.NilError(t, err)
	e.upgradeBatch = testBatch
	t.Cleanup(func() { e.Close() })
	return e
}

func newPoolAt(t *testing.T, e *Engine, label string, version uint32, size uint64) {
	t.Helper()
	_, err := e.CreatePool(bg, daosgo.PoolCreateReq{Label: label, Size: size, LayoutVersion: daosgo.AtLayout(version)})
	assert.NilError(t, err)
}

// newPool creates a pool at the newest version.
func newPool(t *testing.T, e *Engine, label string, size uint64) {
	t.Helper()
	_, err := e.CreatePool(bg, daosgo.PoolCreateReq{Label: label, Size: size})
	assert.NilError(t, err)
}

func runUpgrade(t *testing.T, e *Engine, pool string) {
	t.Helper()
	_, err := upgrade.Start(bg, e, pool, upgrade.Default())
	assert.NilError(t, err)
	assert.NilError(t, e.RunUpgrade(bg, pool, nil))
}

// assertUpgraded checks the end state of a complete upgrade to version 4
// (DAOS 2.8): version, status, the new properties, the object layout
// version, the storage format, where every record is placed, and the space
// accounting.
func assertUpgraded(t *testing.T, e *Engine, pool string) {
	t.Helper()
	props, err := e.GetPoolProps(bg, pool)
	assert.NilError(t, err)
	assert.Equal(t, props.Num(daosgo.PropPoolGlobalVersion, 0), uint64(4))
	assert.Equal(t, daosgo.UpgradeStatus(props.Num(daosgo.PropPoolUpgradeStatus, 9)), daosgo.UpgradeCompleted)
	for _, id := range []daosgo.PropID{daosgo.PropPoolRedunFac, daosgo.PropPoolECPDA, daosgo.PropPoolRPPDA, daosgo.PropPoolScrubFreq,
		daosgo.PropPoolReintMode, daosgo.PropPoolDataThresh, daosgo.PropPoolSvcOpsAge} {
		assert.Assert(t, props.Has(id), "pool property %s missing after the upgrade", id)
	}
	assert.Equal(t, props.Num(daosgo.PropPoolObjVersion, 0), uint64(2))
	_, s, err := e.resolve(bg, pool)
	assert.NilError(t, err)
	err = s.read(bg, func(tx *tx) error {
		f, err := readFormat(tx)
		assert.NilError(t, err)
		assert.Equal(t, f, Format{Placement: PlacementV2, Records: RecordsCsum})
		rows, err := tx.query(`SELECT hi, lo, dkey, tgt, csum, val FROM recs`)
		assert.NilError(t, err)
		defer rows.Close()
		n := 0
		for rows.Next() {
			var hi, lo, tgt int64
			var dk, val []byte
			var csum any
			assert.NilError(t, rows.Scan(&hi, &lo, &dk, &tgt, &csum, &val))
			oid := daosgo.OID{Hi: uint64(hi), Lo: uint64(lo)}
			assert.Equal(t, tgt, place(PlacementV2, oid, dk), "record of %s on the wrong target", oid)
			assert.Equal(t, csum, checksum(val), "record of %s without its checksum", oid)
			n++
		}
		assert.Assert(t, n > 0)
		var steps, journal int
		assert.NilError(t, tx.row(`SELECT (SELECT COUNT(*) FROM upgrade_steps), (SELECT COUNT(*) FROM upgrade_journal)`, nil, &steps, &journal))
		assert.Equal(t, steps+journal, 0, "the upgrade left its plan behind")
		return rows.Err()
	})
	assert.NilError(t, err)
	assertPoolSpaceConsistent(t, e, pool)
}

func assertPoolSpaceConsistent(t *testing.T, e *Engine, pool string) {
	t.Helper()
	_, s, err := e.resolve(bg, pool)
	assert.NilError(t, err)
	var drift int
	assert.NilError(t, s.read(bg, func(tx *tx) error {
		return tx.row(`SELECT COUNT(*) FROM space s WHERE s.used != (SELECT COALESCE(SUM(length(dkey) + length(akey) + length(val)), 0) FROM recs r WHERE r.tgt = s.tgt)`, nil, &drift)
	}))
	assert.Equal(t, drift, 0, "a target's space counter does not match its records")
}

// TestUpgradeKeepsDataAndTakesEffect upgrades a pool made as DAOS 2.0
// would have (version 0, no global version at all) to DAOS 2.8's.
func TestUpgradeKeepsDataAndTakesEffect(t *testing.T) {
	e := upgradeEngine(t, t.TempDir(), upgrade.Default())
	newPoolAt(t, e, "old", 0, 1<<30)
	objs := fixture(t, e, "old", 3, 40)
	before := contents(t, e, "old", objs)

	// Before: version 0, no new properties, old placement, no checksums.
	props, err := e.GetPoolProps(bg, "old")
	assert.NilError(t, err)
	assert.Equal(t, props.Num(daosgo.PropPoolGlobalVersion, 9), uint64(0))
	assert.Assert(t, !props.Has(daosgo.PropPoolECPDA))
	assert.Assert(t, !props.Has(daosgo.PropPoolRedunFac))
	assert.Assert(t, !props.Has(daosgo.PropPoolObjVersion))
	p, err := e.Connect(bg, "old", daosgo.PoolRW)
	assert.NilError(t, err)
	c, err := p.OpenContainer(bg, "cont0", daosgo.ContRO)
	assert.NilError(t, err)
	_, err = c.(daosgo.Verifier).VerifyObject(bg, objs["cont0"][0])
	assert.ErrorIs(t, err, daosgo.ErrNotSupported)
	cprops, err := c.GetProps(bg)
	assert.NilError(t, err)
	assert.Assert(t, !cprops.Has(daosgo.PropContECPDA))
	assert.Assert(t, !cprops.Has(daosgo.PropContGlobalVersion))
	infoBefore, err := p.Query(bg)
	assert.NilError(t, err)

	var reports []daosgo.UpgradeProgress
	plan, err := upgrade.Start(bg, e, "old", upgrade.Default())
	assert.NilError(t, err)
	assert.Equal(t, plan.From, uint32(0))
	assert.Equal(t, plan.To, uint32(4))
	// The upgrade revoked the open handles.
	_, err = c.Query(bg)
	assert.ErrorIs(t, err, daosgo.ErrNoHdl)
	_, err = p.Query(bg)
	assert.ErrorIs(t, err, daosgo.ErrNoHdl)
	assert.NilError(t, e.RunUpgrade(bg, "old", func(pr daosgo.UpgradeProgress) { reports = append(reports, pr) }))

	assertUpgraded(t, e, "old")
	assert.DeepEqual(t, contents(t, e, "old", objs), before)
	last := reports[len(reports)-1]
	assert.Equal(t, last.StepsDone, last.StepsTotal)
	assert.Equal(t, last.State, "Online")
	// Two placement changes move the 60 multi-group objects twice, the
	// record format change rewrites all 120.
	assert.Equal(t, last.ObjectsPlanned, uint64(60+60+120))
	assert.Equal(t, last.ObjectsDone, last.ObjectsPlanned)
	sawMigration := false
	for _, r := range reports {
		sawMigration = sawMigration || (r.ObjectsTotal > 0 && r.Objects > 0 && r.Objects <= r.ObjectsTotal)
	}
	assert.Assert(t, sawMigration, "no progress report counted migrated objects")

	// After: containers have the new properties and the global version; the
	// records carry checksums the verifier checks.
	p, err = e.Connect(bg, "old", daosgo.PoolRW)
	assert.NilError(t, err)
	c, err = p.OpenContainer(bg, "cont1", daosgo.ContRO)
	assert.NilError(t, err)
	cprops, err = c.GetProps(bg)
	assert.NilError(t, err)
	assert.Equal(t, cprops.Num(daosgo.PropContECPDA, 0), uint64(1))
	assert.Equal(t, cprops.Num(daosgo.PropContPerfDomain, 0), uint64(255))
	assert.Equal(t, cprops.Num(daosgo.PropContGlobalVersion, 0), uint64(4))
	assert.Equal(t, cprops.Num(daosgo.PropContObjVersion, 0), uint64(2))
	n, err := c.(daosgo.Verifier).VerifyObject(bg, objs["cont1"][1])
	assert.NilError(t, err)
	assert.Equal(t, n, 6)
	infoAfter, err := p.Query(bg)
	assert.NilError(t, err)
	assert.Equal(t, infoAfter.UsedBytes, infoBefore.UsedBytes, "migration must not change the bytes stored")
	assert.Assert(t, fmt.Sprint(infoAfter.TargetUsed) != fmt.Sprint(infoBefore.TargetUsed), "no record moved between targets")

	// A second upgrade has nothing to do.
	_, err = upgrade.Start(bg, e, "old", upgrade.Default())
	assert.ErrorIs(t, err, daosgo.ErrAlready)
}

func TestChecksumCatchesCorruption(t *testing.T) {
	e := upgradeEngine(t, t.TempDir(), upgrade.Default())
	newPoolAt(t, e, "p", 4, 1<<30)
	objs := fixture(t, e, "p", 1, 3)
	_, s, err := e.resolve(bg, "p")
	assert.NilError(t, err)
	// Flip a byte behind the engine's back, as a failing disk would.
	assert.NilError(t, s.write(bg, func(tx *tx) error {
		_, err := tx.exec(`UPDATE recs SET val = CAST('value 0 0 X' AS BLOB) WHERE hi = ? AND lo = 0 AND akey = CAST('a' AS BLOB) AND dkey = CAST('dkey1' AS BLOB)`,
			int64(objs["cont0"][0].Hi))
		return err
	}))
	p, err := e.Connect(bg, "p", daosgo.PoolRO)
	assert.NilError(t, err)
	c, err := p.OpenContainer(bg, "cont0", daosgo.ContRO)
	assert.NilError(t, err)
	o, _ := c.OpenObject(bg, objs["cont0"][0], daosgo.ObjRO)
	_, err = daosgo.GetSingle(bg, o, []byte("dkey1"), "a")
	assert.ErrorIs(t, err, daosgo.ErrCsum)
	_, err = c.(daosgo.Verifier).VerifyObject(bg, objs["cont0"][0])
	assert.ErrorIs(t, err, daosgo.ErrCsum)
	assert.ErrorContains(t, err, "dkey1")
}

// TestNewContainerInOldPoolLacksNewFeatures creates a container in a pool
// at each version: it gets what that version's DAOS release gave new
// containers, and nothing later.
func TestNewContainerInOldPoolLacksNewFeatures(t *testing.T) {
	e := upgradeEngine(t, t.TempDir(), upgrade.Default())
	tests := []struct {
		version                   uint32
		pda, scrub, perf, globalV bool
		objVersion                uint64 // 0: none
		csum                      bool
	}{
		{0, false, false, false, false, 0, false},
		{1, true, false, false, true, 0, false},
		{2, true, true, false, true, 1, false},
		{3, true, true, true, true, 1, false},
		{4, true, true, true, true, 2, true},
	}
	for _, tc := range tests {
		label := fmt.Sprint("v", tc.version)
		newPoolAt(t, e, label, tc.version, 1<<28)
		p, err := e.Connect(bg, label, daosgo.PoolRW)
		assert.NilError(t, err)
		_, err = p.CreateContainer(bg, "fresh", rf0)
		assert.NilError(t, err)
		c, err := p.OpenContainer(bg, "fresh", daosgo.ContRW)
		assert.NilError(t, err)
		props, err := c.GetProps(bg)
		assert.NilError(t, err)
		assert.Equal(t, props.Has(daosgo.PropContECPDA), tc.pda, "pool %s", label)
		assert.Equal(t, props.Has(daosgo.PropContScrubDisabled), tc.scrub, "pool %s", label)
		assert.Equal(t, props.Has(daosgo.PropContPerfDomain), tc.perf, "pool %s", label)
		assert.Equal(t, props.Has(daosgo.PropContGlobalVersion), tc.globalV, "pool %s", label)
		assert.Equal(t, props.Num(daosgo.PropContGlobalVersion, 0), uint64(tc.version))
		assert.Equal(t, props.Num(daosgo.PropContObjVersion, 0), tc.objVersion, "pool %s", label)
		o, _ := c.OpenObject(bg, testOID, daosgo.ObjRW)
		assert.NilError(t, daosgo.PutSingle(bg, o, []byte("d"), "a", []byte("v")))
		_, err = c.(daosgo.Verifier).VerifyObject(bg, testOID)
		if tc.csum {
			assert.NilError(t, err)
		} else {
			assert.ErrorIs(t, err, daosgo.ErrNotSupported)
		}
		assert.NilError(t, p.Disconnect(bg))
	}
}

// TestVersionZeroPoolHasNoGlobalVersion: a pool made as DAOS 2.0 would
// have stores no global version nor upgrade status (DAOS 2.2 introduced
// them); the pool service answers them as 0 and "not started", as DAOS's
// does, and the upgrade adds them.
func TestVersionZeroPoolHasNoGlobalVersion(t *testing.T) {
	e := upgradeEngine(t, t.TempDir(), upgrade.Default())
	newPoolAt(t, e, "old", 0, 1<<28)
	stored := func() int {
		_, s, err := e.resolve(bg, "old")
		assert.NilError(t, err)
		var n int
		assert.NilError(t, s.read(bg, func(tx *tx) error {
			return tx.row(`SELECT COUNT(*) FROM pool_props WHERE id IN (?, ?)`,
				[]any{int64(daosgo.PropPoolGlobalVersion), int64(daosgo.PropPoolUpgradeStatus)}, &n)
		}))
		return n
	}
	assert.Equal(t, stored(), 0)
	props, err := e.GetPoolProps(bg, "old", daosgo.PropPoolGlobalVersion, daosgo.PropPoolUpgradeStatus)
	assert.NilError(t, err)
	assert.Equal(t, props[0].Num, uint64(0))
	assert.Equal(t, props[1].ValueString(), "Online")
	all, err := e.GetPoolProps(bg, "old")
	assert.NilError(t, err)
	assert.Assert(t, all.Has(daosgo.PropPoolGlobalVersion))
	prog, err := e.UpgradeProgress(bg, "old")
	assert.NilError(t, err)
	assert.Equal(t, prog.Version, uint32(0))
	assert.Equal(t, prog.State, "Online")
	runUpgrade(t, e, "old")
	assert.Equal(t, stored(), 2)
}

func TestNewerPoolRefusedByOlderSoftware(t *testing.T) {
	root := t.TempDir()
	newer := upgradeEngine(t, root, upgrade.Default())
	newPool(t, newer, "v4", 1<<28)
	older := upgradeEngine(t, root, upgrade.Default().UpTo(2))
	_, err := older.Connect(bg, "v4", daosgo.PoolRO)
	assert.ErrorIs(t, err, daosgo.ErrDFIncompat)
	assert.ErrorContains(t, err, "layout version 4")
	assert.ErrorContains(t, err, "at most version 2")
	_, err = upgrade.Start(bg, older, "v4", upgrade.Default().UpTo(2))
	assert.ErrorIs(t, err, daosgo.ErrDFIncompat)
	assert.ErrorContains(t, err, "version 4")
}

func TestUpgradePreconditions(t *testing.T) {
	e := upgradeEngine(t, t.TempDir(), upgrade.Default())
	t.Run("RebuildInProgress", func(t *testing.T) {
		newPoolAt(t, e, "rb", 0, 1<<28)
		assert.NilError(t, e.SetRebuildState(bg, "rb", daosgo.RebuildBusy))
		_, err := upgrade.Start(bg, e, "rb", upgrade.Default())
		assert.ErrorIs(t, err, daosgo.ErrBusy)
		assert.ErrorContains(t, err, "retry the upgrade when the rebuild is done")
		props, _ := e.GetPoolProps(bg, "rb", daosgo.PropPoolUpgradeStatus, daosgo.PropPoolGlobalVersion)
		assert.Equal(t, props[0].ValueString(), "Online", "a refused upgrade leaves the status alone")
		assert.Equal(t, props[1].Num, uint64(0))
		assert.NilError(t, e.SetRebuildState(bg, "rb", daosgo.RebuildDone))
		runUpgrade(t, e, "rb")
	})
	t.Run("FreeSpace", func(t *testing.T) {
		newPoolAt(t, e, "full", 1, 64<<10)
		p, err := e.Connect(bg, "full", daosgo.PoolRW)
		assert.NilError(t, err)
		_, err = p.CreateContainer(bg, "c", rf0)
		assert.NilError(t, err)
		c, _ := p.OpenContainer(bg, "c", daosgo.ContRW)
		o, _ := c.OpenObject(bg, testOID, daosgo.ObjRW)
		assert.NilError(t, daosgo.PutSingle(bg, o, []byte("d"), "a", make([]byte, 60<<10)))
		_, err = upgrade.Start(bg, e, "full", upgrade.Default())
		assert.ErrorIs(t, err, daosgo.ErrNoSpace)
		assert.ErrorContains(t, err, "needs 6553 bytes free (10% of the pool)")
		assert.NilError(t, o.Punch(bg))
		assert.NilError(t, p.Disconnect(bg))
		runUpgrade(t, e, "full")
	})
	t.Run("NothingToDo", func(t *testing.T) {
		newPool(t, e, "new", 1<<28)
		_, err := upgrade.Start(bg, e, "new", upgrade.Default())
		assert.ErrorIs(t, err, daosgo.ErrAlready)
		assert.ErrorContains(t, err, "nothing to do")
	})
}

func TestPoolClosedWhileUpgrading(t *testing.T) {
	e := upgradeEngine(t, t.TempDir(), upgrade.Default())
	newPoolAt(t, e, "busy", 1, 1<<30)
	newPoolAt(t, e, "other", 1, 1<<30)
	objs := fixture(t, e, "busy", 1, testBatch*3)
	fixture(t, e, "other", 1, 4)

	// Hold the upgrade at its first batch and look at the pool meanwhile.
	held, release := make(chan struct{}), make(chan struct{})
	once := false
	e.testHook = func(point string) {
		if point == "batch-done" && !once {
			once = true
			close(held)
			<-release
		}
	}
	_, err := upgrade.Start(bg, e, "busy", upgrade.Default())
	assert.NilError(t, err)
	done := make(chan error)
	go func() { done <- e.RunUpgrade(bg, "busy", nil) }()
	<-held

	_, err = e.Connect(bg, "busy", daosgo.PoolRO)
	assert.ErrorIs(t, err, daosgo.ErrBusy)
	assert.ErrorContains(t, err, "being upgraded")
	props, err := e.GetPoolProps(bg, "busy", daosgo.PropPoolUpgradeStatus)
	assert.NilError(t, err)
	assert.Equal(t, props[0].ValueString(), "Upgrading")
	prog, err := e.UpgradeProgress(bg, "busy")
	assert.NilError(t, err)
	assert.Equal(t, prog.State, "Upgrading")
	assert.Assert(t, prog.Objects > 0 && prog.Objects < prog.ObjectsTotal, "progress %+v", prog)
	assert.Assert(t, prog.Step != "", "the running step is not named: %+v", prog)
	assert.Assert(t, prog.ObjectsDone > 0 && prog.ObjectsDone < prog.ObjectsPlanned, "progress %+v", prog)
	assert.Assert(t, prog.Rate > 0 && prog.ETA > 0, "no rate or ETA: %+v", prog)
	assert.ErrorIs(t, e.RunUpgrade(bg, "busy", nil), daosgo.ErrInProgress)

	// Pools upgrade independently: the other one stays usable at version 1.
	other, err := e.Connect(bg, "other", daosgo.PoolRW)
	assert.NilError(t, err)
	info, err := other.Query(bg)
	assert.NilError(t, err)
	assert.Equal(t, info.LayoutVersion, uint32(1))
	assert.Equal(t, info.Status, "Online")

	close(release)
	assert.NilError(t, <-done)
	assertUpgraded(t, e, "busy")
	assert.Equal(t, len(contents(t, e, "busy", objs)), testBatch*3)
	props, _ = e.GetPoolProps(bg, "other", daosgo.PropPoolGlobalVersion)
	assert.Equal(t, props[0].Num, uint64(1))
}

func TestFailedUpgradeKeepsReason(t *testing.T) {
	e := upgradeEngine(t, t.TempDir(), upgrade.Default())
	newPoolAt(t, e, "p", 1, 1<<28)
	plan := daosgo.UpgradePlan{From: 1, To: 2, Steps: []daosgo.UpgradeStep{{Version: 2, Name: "from a future release", Kind: "teleport"}}}
	assert.NilError(t, e.StartUpgrade(bg, "p", plan))
	err := e.RunUpgrade(bg, "p", nil)
	assert.ErrorContains(t, err, `unknown upgrade step kind "teleport"`)
	prog, err := e.UpgradeProgress(bg, "p")
	assert.NilError(t, err)
	assert.Equal(t, prog.State, "Failed")
	assert.Assert(t, strings.Contains(prog.Error, "teleport"), prog.Error)
	// The pool stays usable at its version.
	p, err := e.Connect(bg, "p", daosgo.PoolRO)
	assert.NilError(t, err)
	info, _ := p.Query(bg)
	assert.Equal(t, info.LayoutVersion, uint32(1))
	assert.Equal(t, info.Status, "Failed")
}

// killPoints are the places an upgrade from version 0 is killed at by the
// kill tests: before its first step, at every step boundary (the plan from
// version 0 has 9 steps), after batches, and in the middle of batches of
// each data step (two placement changes, then the record format change,
// with the fixture of killFixture).
func killPoints() []string {
	points := []string{"claimed:1", "mid-batch:1", "batch-done:1", "mid-batch:3", "batch-done:4", "mid-batch:6", "mid-batch:8"}
	for i := 1; i <= 9; i++ {
		points = append(points, fmt.Sprintf("step-done:%d", i))
	}
	return points
}

// killFixture fills a version 0 pool so that every data step runs more
// than one container and the record format step more than one batch.
func killFixture(t *testing.T, e *Engine) map[string][]daosgo.OID {
	newPoolAt(t, e, "pool", 0, 1<<30)
	return fixture(t, e, "pool", 2, testBatch+40)
}

// killHelper runs the upgrade in a helper process killed at point at.
func killHelper(t *testing.T, e *Engine, root, at string) {
	t.Helper()
	cmd, _ := helperEnv(t, "upgrade", root, faultEnv+"="+at)
	err := cmd.Wait()
	var exit interface{ ExitCode() int }
	assert.Assert(t, errors.As(err, &exit) && exit.ExitCode() == -1, "the helper was not killed at %s: %v", at, err)
	props, err := e.GetPoolProps(bg, "pool", daosgo.PropPoolUpgradeStatus)
	assert.NilError(t, err)
	assert.Equal(t, props[0].ValueString(), "Upgrading", "killed at %s", at)
}

// TestUpgradeResumesAfterKill kills the upgrading process at every step
// boundary, after a batch, and in the middle of a migration batch; without
// a Resumer, the next open of the pool resumes the upgrade, and the end
// state is that of an uninterrupted run.
func TestUpgradeResumesAfterKill(t *testing.T) {
	points := killPoints()
	if testing.Short() {
		points = points[:3]
	}
	// The uninterrupted run, for reference.
	ref := upgradeEngine(t, t.TempDir(), upgrade.Default())
	refObjs := killFixture(t, ref)
	want := contents(t, ref, "pool", refObjs)
	runUpgrade(t, ref, "pool")
	assert.DeepEqual(t, contents(t, ref, "pool", refObjs), want)
	refInfo := poolInfo(t, ref, "pool")

	for _, at := range points {
		t.Run(at, func(t *testing.T) {
			root := t.TempDir()
			e := upgradeEngine(t, root, upgrade.Default())
			objs := killFixture(t, e)
			killHelper(t, e, root, at)

			// The next open resumes the upgrade and then succeeds.
			p, err := e.Connect(bg, "pool", daosgo.PoolRO)
			assert.NilError(t, err)
			assert.NilError(t, p.Disconnect(bg))
			assertUpgraded(t, e, "pool")
			assert.DeepEqual(t, contents(t, e, "pool", objs), want)
			info := poolInfo(t, e, "pool")
			assert.DeepEqual(t, info.TargetUsed, refInfo.TargetUsed)
			prog, err := e.UpgradeProgress(bg, "pool")
			assert.NilError(t, err)
			assert.Equal(t, prog.StepsDone, 9)
			assert.Equal(t, prog.ObjectsDone, prog.ObjectsPlanned, "killed at %s", at)
		})
	}
}

// TestAbandonedUpgradeRestartedInBackground: with a Resumer, the first
// reads of the pool's properties after its upgrading process was killed
// restart the upgrade in another process, once however many readers poll
// at once, and polling alone sees it through to the end.
func TestAbandonedUpgradeRestartedInBackground(t *testing.T) {
	root := t.TempDir()
	e := upgradeEngine(t, root, upgrade.Default())
	objs := killFixture(t, e)
	want := contents(t, e, "pool", objs)
	killHelper(t, e, root, "mid-batch:3")

	var mu sync.Mutex
	var restarts []Restart
	e.SetResumer(func(ctx context.Context, r Restart) (int, error) {
		cmd, _ := helper(t, "upgrade-worker", root)
		mu.Lock()
		restarts = append(restarts, r)
		mu.Unlock()
		return cmd.Process.Pid, nil
	})
	// A second engine in this process polls too, as another command would.
	other := upgradeEngine(t, root, upgrade.Default())
	other.SetResumer(e.resumer)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var wg sync.WaitGroup
		var props [2]daosgo.Props
		for i, eng := range []*Engine{e, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var err error
				props[i], err = eng.GetPoolProps(bg, "pool", daosgo.PropPoolGlobalVersion, daosgo.PropPoolUpgradeStatus)
				assert.Check(t, err)
			}()
		}
		wg.Wait()
		if props[0].Num(daosgo.PropPoolUpgradeStatus, 0) == uint64(daosgo.UpgradeCompleted) {
			break
		}
		assert.Assert(t, time.Now().Before(deadline), "the restarted upgrade did not end: %v", props)
	}
	assert.Equal(t, len(restarts), 1, "restarted %d times", len(restarts))
	assert.Assert(t, restarts[0].DeadPID > 0)
	assert.Equal(t, restarts[0].Pool, "pool")
	assertUpgraded(t, e, "pool")
	assert.DeepEqual(t, contents(t, e, "pool", objs), want)
	prog, err := e.UpgradeProgress(bg, "pool")
	assert.NilError(t, err)
	assert.Equal(t, prog.Restarts, 1)
}

// TestRestartThatCannotStartIsRetried: when the Resumer fails, the
// operation says why and the upgrade stays abandoned, so that the next
// operation tries again.
func TestRestartThatCannotStartIsRetried(t *testing.T) {
	root := t.TempDir()
	e := upgradeEngine(t, root, upgrade.Default())
	killFixture(t, e)
	killHelper(t, e, root, "step-done:2")
	e.SetResumer(func(context.Context, Restart) (int, error) { return 0, errors.New("no fork today") })
	_, err := e.GetPoolProps(bg, "pool")
	assert.ErrorContains(t, err, "could not be restarted: no fork today")
	_, err = e.Connect(bg, "pool", daosgo.PoolRO)
	assert.ErrorContains(t, err, "no fork today")
	e.SetResumer(nil)
	p, err := e.Connect(bg, "pool", daosgo.PoolRO) // inline, as without a Resumer
	assert.NilError(t, err)
	assert.NilError(t, p.Disconnect(bg))
	assertUpgraded(t, e, "pool")
}

func poolInfo(t *testing.T, e *Engine, pool string) daosgo.PoolInfo {
	t.Helper()
	p, err := e.Connect(bg, pool, daosgo.PoolRO)
	assert.NilError(t, err)
	defer p.Disconnect(bg)
	info, err := p.Query(bg)
	assert.NilError(t, err)
	return info
}

// TestProgressRate: the rate counts what the running process did since it
// took the upgrade over, and the time left is the rest of the plan at
// that rate; both are unknown (0) until it has migrated something, and
// once the upgrade is not in progress.
func TestProgressRate(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	running := func(done, base, bytes, baseBytes uint64) progressRecord {
		return progressRecord{UpgradeProgress: daosgo.UpgradeProgress{Status: daosgo.UpgradeInProgress, ObjectsPlanned: 1000, ObjectsDone: done},
			RunStarted: start, RunObjects: base, BytesDone: bytes, RunBytes: baseBytes}
	}
	tests := []struct {
		name      string
		r         progressRecord
		at        time.Duration
		rate, bps float64
		eta       time.Duration
	}{
		{"nothing yet", running(0, 0, 0, 0), 2 * time.Second, 0, 0, 0},
		{"halfway", running(500, 0, 5000, 0), 5 * time.Second, 100, 1000, 5 * time.Second},
		{"resumed: the dead process's work is not this one's", running(600, 500, 6000, 5000), 2 * time.Second, 50, 500, 8 * time.Second},
		{"resumed, nothing since", running(500, 500, 5000, 5000), 2 * time.Second, 0, 0, 0},
		{"not taken over yet", progressRecord{UpgradeProgress: daosgo.UpgradeProgress{Status: daosgo.UpgradeInProgress, ObjectsPlanned: 10, ObjectsDone: 5}}, time.Second, 0, 0, 0},
		{"done", progressRecord{UpgradeProgress: daosgo.UpgradeProgress{Status: daosgo.UpgradeCompleted, ObjectsPlanned: 10, ObjectsDone: 10, Rate: 3}, RunStarted: start}, time.Second, 0, 0, 0},
	}
	for _, tc := range tests {
		p := tc.r.report(start.Add(tc.at))
		assert.Equal(t, p.Rate, tc.rate, tc.name)
		assert.Equal(t, p.BytesRate, tc.bps, tc.name)
		assert.Equal(t, p.ETA, tc.eta, tc.name)
		assert.Equal(t, p.ETASeconds, tc.eta.Seconds(), tc.name)
	}
}

// TestOldPoolFileIsRefused: a pool file from before layout versions
// followed DAOS's numbering (format 1) would be read one version off; the
// operations that read versions refuse it, naming why, and it can still
// be listed and destroyed.
func TestOldPoolFileIsRefused(t *testing.T) {
	e := upgradeEngine(t, t.TempDir(), upgrade.Default())
	newPoolAt(t, e, "old", 2, 1<<28)
	_, s, err := e.resolve(bg, "old")
	assert.NilError(t, err)
	assert.NilError(t, s.write(bg, func(tx *tx) error { return setMeta(tx, "schema_version", 1) }))
	_, err = e.Connect(bg, "old", daosgo.PoolRO)
	assert.ErrorIs(t, err, daosgo.ErrDFIncompat)
	assert.ErrorContains(t, err, "earlier daosgo whose layout versions ran one behind DAOS's")
	_, err = e.GetPoolProps(bg, "old")
	assert.ErrorIs(t, err, daosgo.ErrDFIncompat)
	_, err = e.UpgradeProgress(bg, "old")
	assert.ErrorIs(t, err, daosgo.ErrDFIncompat)
	_, err = upgrade.Start(bg, e, "old", upgrade.Default())
	assert.ErrorIs(t, err, daosgo.ErrDFIncompat)
	assert.ErrorIs(t, e.SetPoolProps(bg, "old", daosgo.Props{daosgo.NumProp(daosgo.PropPoolSpaceRB, 1)}), daosgo.ErrDFIncompat)
	pools, err := e.ListPools(bg)
	assert.NilError(t, err)
	assert.Equal(t, len(pools), 1)
	assert.NilError(t, e.DestroyPool(bg, "old", false))
}

// TestDestroyRefusedWhileUpgrading: without force, a pool whose upgrade
// runs is not destroyed (DER_BUSY); with force it is.
func TestDestroyRefusedWhileUpgrading(t *testing.T) {
	e := upgradeEngine(t, t.TempDir(), upgrade.Default())
	newPoolAt(t, e, "p", 0, 1<<28)
	fixture(t, e, "p", 1, 4)
	_, err := upgrade.Start(bg, e, "p", upgrade.Default()) // held by this live process
	assert.NilError(t, err)
	err = e.DestroyPool(bg, "p", false)
	assert.ErrorIs(t, err, daosgo.ErrBusy)
	assert.ErrorContains(t, err, "being upgraded")
	assert.NilError(t, e.DestroyPool(bg, "p", true))
}
