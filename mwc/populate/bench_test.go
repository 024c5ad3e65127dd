package populate

import (
	"fmt"
	"testing"
	"time"

	"github.com/daosgo/daosgo/daosgo"
	"github.com/daosgo/daosgo/mwc/pydaos"
	"gotest.tools/v3/assert"
)

// withBatch runs fn with populate committing n entries per transaction
// (0: no transactions, each write committed alone: the baseline).
func withBatch(n int, fn func()) {
	saved := batchEntries
	batchEntries = n
	defer func() { batchEntries = saved }()
	fn()
}

// modes are what the populate benchmarks compare in one run.
var modes = []struct {
	name  string
	batch int
}{{"unbatched", 0}, {"batched", 1024}}

// BenchmarkPopulate makes a 100k-entry mdtest-like tree (small files,
// some empty, a symlink every 10 files), then lists and stats every entry;
// once with populate's transactions and once without, as the baseline.
func BenchmarkPopulate(b *testing.B) {
	spec := TreeSpec{Seed: 1, Depth: 2, DirsPerDir: 10, FilesPerDir: 810, MinSize: 0, MaxSize: 4096, SymlinkEvery: 10, Workers: 4}
	for _, m := range modes {
		b.Run(m.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				p := pool(b)
				fs := mount(b, p, "bench")
				b.StartTimer()
				start := time.Now()
				var st Stats
				var err error
				withBatch(m.batch, func() { st, err = DFS(ctx, fs, "/", spec, nil) })
				if err != nil {
					b.Fatal(err)
				}
				took := time.Since(start)
				b.ReportMetric(float64(st.Entries())/took.Seconds(), "populate-entries/s")

				start = time.Now()
				var stat func(dir daosgo.OID) int
				stat = func(dir daosgo.OID) int {
					ents, err := fs.ReaddirAll(ctx, dir)
					if err != nil {
						b.Fatal(err)
					}
					n := len(ents)
					for _, e := range ents {
						if _, err := fs.StatNode(ctx, dfsNode(e)); err != nil {
							b.Fatal(err)
						}
						if e.IsDir() {
							n += stat(e.OID)
						}
					}
					return n
				}
				n := stat(fs.Root.OID)
				b.ReportMetric(float64(n)/time.Since(start).Seconds(), "readdir+stat-entries/s")
				b.Logf("%s: %d entries (%d files, %d dirs, %d links, %d bytes) in %s; listed and stat'ed %d",
					m.name, st.Entries(), st.Files, st.Dirs, st.Symlinks, st.Bytes, took.Round(time.Millisecond), n)
			}
		})
	}
}

// BenchmarkPopulatePython puts 100k keys into 100 PyDAOS dicts.
func BenchmarkPopulatePython(b *testing.B) {
	spec := PySpec{Seed: 1, Dicts: 100, KeysPerDict: 1000, MinValue: 16, MaxValue: 1024}
	for _, m := range modes {
		b.Run(m.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				p := pool(b)
				label := fmt.Sprintf("py%d", i)
				_, err := pydaos.CreateContainer(ctx, p, label)
				assert.NilError(b, err)
				c, err := p.OpenContainer(ctx, label, daosgo.ContRW)
				assert.NilError(b, err)
				pc, err := pydaos.Open(ctx, c, daosgo.ObjRW)
				assert.NilError(b, err)
				b.StartTimer()
				start := time.Now()
				var st Stats
				withBatch(m.batch, func() { st, err = Python(ctx, pc, spec, nil) })
				assert.NilError(b, err)
				b.ReportMetric(float64(st.Entries())/time.Since(start).Seconds(), "populate-entries/s")
			}
		})
	}
}
