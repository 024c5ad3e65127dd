package embedded

import (
	"fmt"
	"testing"
	"time"

	"github.com/daosgo/daosgo/daosgo"
	"github.com/daosgo/daosgo/upgrade"
	"gotest.tools/v3/assert"
)

// BenchmarkUpgrade upgrades a pool of 100 containers from version 0 to the
// newest, and measures in the same run the engine's raw copy throughput:
// one INSERT ... SELECT of every record into another table. Migration
// throughput is reported against it.
func BenchmarkUpgrade(b *testing.B) {
	for _, objects := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("objects=%d", objects), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				benchUpgrade(b, objects)
			}
		})
	}
}

func benchUpgrade(b *testing.B, objects int) {
	b.StopTimer()
	const conts = 100
	e, err := Open(Options{Root: b.TempDir(), Layout: upgrade.Default()})
	assert.NilError(b, err)
	defer e.Close()
	_, err = e.CreatePool(bg, daosgo.PoolCreateReq{Label: "bench", Size: 1 << 40, LayoutVersion: daosgo.AtLayout(0)})
	assert.NilError(b, err)
	p, err := e.Connect(bg, "bench", daosgo.PoolRW)
	assert.NilError(b, err)
	start := time.Now()
	val := make([]byte, 64)
	for ci := 0; ci < conts; ci++ {
		label := fmt.Sprint("c", ci)
		_, err := p.CreateContainer(bg, label, rf0)
		assert.NilError(b, err)
		c, err := p.OpenContainer(bg, label, daosgo.ContRW)
		assert.NilError(b, err)
		for i := 0; i < objects/conts; i++ {
			class := daosgo.OCS1
			if i%2 == 1 {
				class = daosgo.OCSX
			}
			o, _ := c.OpenObject(bg, daosgo.GenerateOID(0, uint64(i), daosgo.OTMultiHashed, class), daosgo.ObjRW)
			if err := o.Update(bg, []byte("dkey"), 0, []daosgo.IOD{daosgo.SingleIOD("a", val), daosgo.SingleIOD("b", val)}); err != nil {
				b.Fatal(err)
			}
			assert.NilError(b, o.Close()) // a container with open objects cannot close
		}
		assert.NilError(b, c.Close(bg))
	}
	assert.NilError(b, p.Disconnect(bg))
	b.Logf("populated %d objects in %d containers in %s", objects, conts, time.Since(start).Round(time.Millisecond))

	// Baseline: copy every record once, in one transaction, into a table of
	// the engine's own record format (the same primary-key B-tree).
	_, s, err := e.resolve(bg, "bench")
	assert.NilError(b, err)
	start = time.Now()
	assert.NilError(b, s.write(bg, func(t *tx) error {
		if err := t.execScript(`CREATE TABLE copy(cont INTEGER NOT NULL, hi INTEGER NOT NULL, lo INTEGER NOT NULL,
			dkey BLOB NOT NULL, akey BLOB NOT NULL, idx INTEGER NOT NULL, rsize INTEGER NOT NULL, val BLOB NOT NULL,
			tgt INTEGER NOT NULL, csum INTEGER, PRIMARY KEY(cont, hi, lo, dkey, akey, idx)) WITHOUT ROWID`); err != nil {
			return err
		}
		return t.execScript(`INSERT INTO copy SELECT * FROM recs`)
	}))
	copyTime := time.Since(start)
	assert.NilError(b, s.write(bg, func(t *tx) error { return t.execScript(`DROP TABLE copy`) }))
	copyRate := float64(objects) / copyTime.Seconds()

	// The upgrade, timed per step.
	stepStart := map[string]time.Time{}
	stepTime := map[string]time.Duration{}
	stepObjects := map[string]uint64{}
	b.StartTimer()
	start = time.Now()
	_, err = upgrade.Start(bg, e, "bench", upgrade.Default())
	assert.NilError(b, err)
	last := time.Now()
	err = e.RunUpgrade(bg, "bench", func(pr daosgo.UpgradeProgress) {
		if _, ok := stepStart[pr.Step]; !ok {
			stepStart[pr.Step] = last
		}
		stepTime[pr.Step] = time.Since(stepStart[pr.Step])
		stepObjects[pr.Step] = pr.Objects
		last = time.Now()
	})
	b.StopTimer()
	assert.NilError(b, err)
	total := time.Since(start)
	b.ReportMetric(total.Seconds(), "upgrade-s")
	b.ReportMetric(copyRate, "rawcopy-objects/s")
	for _, v := range upgrade.Default().Versions() {
		for _, st := range v.Steps {
			if !st.Kind.MovesData() {
				continue
			}
			rate := float64(stepObjects[st.Name]) / stepTime[st.Name].Seconds()
			// Two versions change placement: the unit names the version.
			unit := fmt.Sprintf("%s-v%d", map[daosgo.StepKind]string{daosgo.StepPlacement: "placement", daosgo.StepRecordFormat: "rewrite"}[st.Kind], st.Version)
			b.ReportMetric(rate, unit+"-objects/s")
			b.ReportMetric(rate/copyRate, unit+"/rawcopy")
			b.Logf("%s: %d objects in %s (%.0f objects/s, %.0f%% of raw copy at %.0f objects/s)",
				st.Name, stepObjects[st.Name], stepTime[st.Name].Round(time.Millisecond), rate, 100*rate/copyRate, copyRate)
		}
	}
	b.Logf("upgrade 0 -> %d of %d objects: %s", upgrade.Default().MaxVersion(), objects, total.Round(time.Millisecond))
}
