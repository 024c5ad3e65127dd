package populate

import (
	"testing"
	"time"

	"github.com/daosgo/daosgo/daosgo"
)

// BenchmarkPopulate makes a 100k-entry mdtest-like tree (small files,
// some empty, a symlink every 10 files), then lists and stats every entry.
func BenchmarkPopulate(b *testing.B) {
	spec := TreeSpec{Seed: 1, Depth: 2, DirsPerDir: 10, FilesPerDir: 810, MinSize: 0, MaxSize: 4096, SymlinkEvery: 10, Workers: 4}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		p := pool(b)
		fs := mount(b, p, "bench")
		b.StartTimer()
		start := time.Now()
		st, err := DFS(ctx, fs, "/", spec, nil)
		if err != nil {
			b.Fatal(err)
		}
		took := time.Since(start)
		b.ReportMetric(float64(st.Entries())/took.Seconds(), "populate-entries/s")

		start = time.Now()
		var stat func(dir daosgo.OID, prefix string) int
		stat = func(dir daosgo.OID, prefix string) int {
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
					n += stat(e.OID, prefix+"/"+e.Name)
				}
			}
			return n
		}
		n := stat(fs.Root.OID, "")
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "readdir+stat-entries/s")
		b.Logf("%d entries (%d files, %d dirs, %d links, %d bytes) in %s; listed and stat'ed %d",
			st.Entries(), st.Files, st.Dirs, st.Symlinks, st.Bytes, took.Round(time.Millisecond), n)
	}
}
