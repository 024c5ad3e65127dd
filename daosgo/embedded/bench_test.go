package embedded

import (
	"fmt"
	"testing"
	"time"

	"github.com/daosgo/daosgo/daosgo"
	"gotest.tools/v3/assert"
)

// benchCont makes a pool with one container open RW in a temporary root.
func benchCont(b *testing.B) daosgo.Container {
	b.Helper()
	e, err := Open(Options{Root: b.TempDir()})
	assert.NilError(b, err)
	b.Cleanup(func() { e.Close() })
	_, err = e.CreatePool(bg, daosgo.PoolCreateReq{Label: "bench", Size: 1 << 40})
	assert.NilError(b, err)
	p, err := e.Connect(bg, "bench", daosgo.PoolRW)
	assert.NilError(b, err)
	_, err = p.CreateContainer(bg, "c", rf0)
	assert.NilError(b, err)
	c, err := p.OpenContainer(bg, "c", daosgo.ContRW)
	assert.NilError(b, err)
	return c
}

func BenchmarkUpdateSingle(b *testing.B) {
	c := benchCont(b)
	o, _ := c.OpenObject(bg, testOID, daosgo.ObjRW)
	val := make([]byte, 64)
	b.SetBytes(int64(len(val)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := daosgo.PutSingle(bg, o, []byte(fmt.Sprint("d", i)), "a", val); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFetchSingle(b *testing.B) {
	c := benchCont(b)
	o, _ := c.OpenObject(bg, testOID, daosgo.ObjRW)
	const keys = 1000
	for i := 0; i < keys; i++ {
		assert.NilError(b, daosgo.PutSingle(bg, o, []byte(fmt.Sprint("d", i)), "a", make([]byte, 64)))
	}
	buf := make([]byte, 64)
	b.SetBytes(64)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		iod := []daosgo.IOD{{Akey: []byte("a"), Type: daosgo.IODSingle, Data: buf}}
		if err := o.Fetch(bg, []byte(fmt.Sprint("d", i%keys)), 0, iod); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkArrayWrite writes 64 KiB extents of a byte array, as DFS writes
// a file.
func BenchmarkArrayWrite(b *testing.B) {
	c := benchCont(b)
	o, _ := c.OpenObject(bg, daosgo.GenerateOID(0, 1, daosgo.OTArrayByte, daosgo.OCS1), daosgo.ObjRW)
	data := make([]byte, 64<<10)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		off := uint64(i%16) * uint64(len(data))
		if err := o.Update(bg, daosgo.Uint64Key(uint64(i/16+1)), 0, []daosgo.IOD{daosgo.ArrayIOD([]byte("0"), off, data)}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkListDkeys(b *testing.B) {
	c := benchCont(b)
	o, _ := c.OpenObject(bg, testOID, daosgo.ObjRW)
	const keys = 10000
	for i := 0; i < keys; i++ {
		assert.NilError(b, daosgo.PutSingle(bg, o, []byte(fmt.Sprintf("entry-%06d", i)), "a", []byte("v")))
	}
	buf := make([]byte, 64<<10)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a := &daosgo.Anchor{}
		n := 0
		for !a.EOF() {
			keys, err := o.ListDkeys(bg, a, 1024, buf)
			if err != nil {
				b.Fatal(err)
			}
			n += len(keys)
		}
		if n != keys {
			b.Fatalf("listed %d keys, want %d", n, keys)
		}
	}
	b.ReportMetric(float64(keys*b.N)/b.Elapsed().Seconds(), "keys/s")
}

// populate writes n objects, one single value each, through the API.
func populate(b *testing.B, c daosgo.Container, n int) {
	b.Helper()
	start := time.Now()
	for i := 0; i < n; i++ {
		o, _ := c.OpenObject(bg, daosgo.GenerateOID(0, uint64(i), daosgo.OTMultiHashed, daosgo.OCS1), daosgo.ObjRW)
		if err := daosgo.PutSingle(bg, o, []byte("d"), "a", []byte("v")); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("populated %d objects in %s", n, time.Since(start).Round(time.Millisecond))
}

// BenchmarkOITCycle is what a middleware checker does to the OIT: snapshot
// it, list it, mark every object, list the unmarked ones, drop it.
func BenchmarkOITCycle(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("objects=%d", n), func(b *testing.B) {
			c := benchCont(b)
			populate(b, c, n)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				epoch, err := c.CreateSnapshot(bg, true)
				if err != nil {
					b.Fatal(err)
				}
				oit, _ := c.OpenOIT(bg, epoch)
				a := &daosgo.Anchor{}
				var all []daosgo.OID
				for !a.EOF() {
					oids, err := oit.List(bg, a, 8192)
					if err != nil {
						b.Fatal(err)
					}
					all = append(all, oids...)
				}
				if len(all) != n {
					b.Fatalf("OIT lists %d objects, want %d", len(all), n)
				}
				if absent, err := oit.MarkMany(bg, all, []byte{1}); err != nil || len(absent) > 0 {
					b.Fatal(err, len(absent))
				}
				a.Reset()
				oids, err := oit.ListUnmarked(bg, a, 8192)
				if err != nil || len(oids) != 0 {
					b.Fatalf("unmarked after marking all: %d, %v", len(oids), err)
				}
				if err := c.DestroySnapshot(bg, epoch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "objects/s")
		})
	}
}
