package checker

import (
	"context"
	"testing"
	"time"

	"github.com/daosgo/daosgo/daosgo"
	"github.com/daosgo/daosgo/mwc/dfs"
	"github.com/daosgo/daosgo/mwc/populate"
)

// serialCheck is the baseline: it walks the namespace as DAOS's C checker
// does, one directory at a time, one inode fetch and one OIT mark per
// entry, then lists what is unmarked.
func serialCheck(ctx context.Context, c daosgo.Container) (entries int, orphans int, err error) {
	fs, err := dfs.Mount(ctx, c)
	if err != nil {
		return 0, 0, err
	}
	epoch, err := c.CreateSnapshot(ctx, true)
	if err != nil {
		return 0, 0, err
	}
	defer c.DestroySnapshot(context.Background(), epoch)
	oit, err := c.OpenOIT(ctx, epoch)
	if err != nil {
		return 0, 0, err
	}
	defer oit.Close()
	mark := func(oid daosgo.OID) error {
		err := oit.Mark(ctx, oid, markerValue)
		if err != nil && !isNonexist(err) {
			return err
		}
		return nil
	}
	if err := mark(fs.SBOID); err != nil {
		return 0, 0, err
	}
	if err := mark(fs.Root.OID); err != nil {
		return 0, 0, err
	}
	queue := []daosgo.OID{fs.Root.OID}
	for len(queue) > 0 {
		dir := queue[0]
		queue = queue[1:]
		a := &daosgo.Anchor{}
		for !a.EOF() {
			ents, err := fs.Readdir(ctx, dir, a, 128) // DFS_ITER_NR entries a batch
			if err != nil {
				return entries, 0, err
			}
			for _, e := range ents {
				entries++
				if err := mark(e.OID); err != nil {
					return entries, 0, err
				}
				if e.IsDir() {
					queue = append(queue, e.OID)
				}
			}
		}
	}
	left, err := listUnmarked(ctx, oit)
	return entries, len(left), err
}

func isNonexist(err error) bool { return err != nil && daosgo.Code(err) == daosgo.ErrNonexist.Code() }

// BenchmarkCheck compares the checker with the serial baseline on the same
// namespace, in the same run.
func BenchmarkCheck(b *testing.B) {
	for _, size := range []struct {
		name string
		spec populate.TreeSpec
	}{
		{"entries=100k", populate.TreeSpec{Seed: 1, Depth: 2, DirsPerDir: 10, FilesPerDir: 890, MaxSize: 2048, SymlinkEvery: 0}},
		{"entries=1M", populate.TreeSpec{Seed: 1, Depth: 2, DirsPerDir: 30, FilesPerDir: 1075, MaxSize: 512, SymlinkEvery: 0}},
	} {
		b.Run(size.name, func(b *testing.B) {
			p := newPool(b)
			_, err := dfs.CreateContainer(ctx, p, "posix", dfs.Attr{})
			if err != nil {
				b.Fatal(err)
			}
			c, _ := p.OpenContainer(ctx, "posix", daosgo.ContRW)
			fs, _ := dfs.Mount(ctx, c)
			start := time.Now()
			st, err := populate.DFS(ctx, fs, "/", size.spec, nil)
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("populated %d entries in %s", st.Entries(), time.Since(start).Round(time.Second))
			c.Close(ctx)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c, _ := p.OpenContainer(ctx, "posix", daosgo.ContEX)
				start := time.Now()
				n, orphans, err := serialCheck(ctx, c)
				serial := time.Since(start)
				c.Close(ctx)
				if err != nil || orphans != 0 {
					b.Fatal(err, orphans)
				}
				start = time.Now()
				res, err := Check(ctx, p, "posix", Options{Workers: 8})
				ours := time.Since(start)
				if err != nil || len(res.Orphans) != 0 || int(res.Entries) < n {
					b.Fatal(err, len(res.Orphans), res.Entries, n)
				}
				b.ReportMetric(float64(n)/serial.Seconds(), "serial-entries/s")
				b.ReportMetric(float64(n)/ours.Seconds(), "checker-entries/s")
				b.ReportMetric(serial.Seconds()/ours.Seconds(), "speedup")
				b.Logf("%d entries: serial %s (%.0f/s), checker %s (%.0f/s), %.1fx", n,
					serial.Round(time.Millisecond), float64(n)/serial.Seconds(), ours.Round(time.Millisecond), float64(n)/ours.Seconds(),
					serial.Seconds()/ours.Seconds())
			}
		})
	}
}
