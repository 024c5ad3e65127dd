// Package populate fills containers with realistic, reproducible content
// for tests, demos and benchmarks: DFS trees shaped like those mdtest and
// IOR make (depth, fan-out, files per directory, a spread of file sizes,
// symlinks), and PyDAOS dicts and arrays. The same seed gives the same
// namespace and the same bytes.
package populate

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"path"
	"sync"
	"sync/atomic"

	"github.com/daosgo/daosgo/daosgo"
	"github.com/daosgo/daosgo/mwc/dfs"
	"github.com/daosgo/daosgo/mwc/pydaos"
)

// TreeSpec shapes a DFS tree.
type TreeSpec struct {
	Seed        uint64
	Depth       int // directory levels below the top (0: files only)
	DirsPerDir  int // sub-directories of each directory above the last level
	FilesPerDir int
	MinSize     int // file sizes are drawn log-uniformly in [MinSize, MaxSize]
	MaxSize     int
	// SymlinkEvery adds a symlink to a file of the same directory after
	// every that many files (0: none).
	SymlinkEvery int
	// Workers is how many directories are filled at once (default 4).
	Workers int
}

// Entries is how many entries the spec makes (directories, files and
// symlinks, the top directory not counted).
func (s TreeSpec) Entries() int {
	total, level := 0, 1 // level: directories at this depth
	for d := 0; d <= s.Depth; d++ {
		total += level * (s.FilesPerDir + s.symlinks())
		if d < s.Depth {
			level *= s.DirsPerDir
			total += level
		}
	}
	return total
}

func (s TreeSpec) symlinks() int {
	if s.SymlinkEvery <= 0 {
		return 0
	}
	return s.FilesPerDir / s.SymlinkEvery
}

// Stats counts what was made.
type Stats struct {
	Dirs     int64 `json:"dirs"`
	Files    int64 `json:"files"`
	Symlinks int64 `json:"symlinks"`
	Bytes    int64 `json:"bytes"`
	Dicts    int64 `json:"dicts,omitempty"`
	Keys     int64 `json:"keys,omitempty"`
	Arrays   int64 `json:"arrays,omitempty"`
}

// Entries is the number of namespace entries made.
func (s Stats) Entries() int64 { return s.Dirs + s.Files + s.Symlinks + s.Dicts + s.Keys + s.Arrays }

type counters struct{ dirs, files, links, bytes, dicts, keys, arrays atomic.Int64 }

func (c *counters) stats() Stats {
	return Stats{Dirs: c.dirs.Load(), Files: c.files.Load(), Symlinks: c.links.Load(), Bytes: c.bytes.Load(),
		Dicts: c.dicts.Load(), Keys: c.keys.Load(), Arrays: c.arrays.Load()}
}

// rngFor derives a generator from the seed and a path, so every directory
// and file has its own reproducible stream whatever the order of work.
func rngFor(seed uint64, p string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(p))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// Content returns the bytes of a populated file: a function of the seed
// and the path only.
func Content(seed uint64, p string, size int) []byte {
	r := rngFor(seed^0x5eed, p)
	b := make([]byte, size)
	for i := 0; i < size; i += 8 {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], r.Uint64())
		copy(b[i:], w[:])
	}
	return b
}

func (s TreeSpec) fileSize(r *rand.Rand) int {
	if s.MaxSize <= s.MinSize {
		return s.MinSize
	}
	lo := math.Log(float64(max(s.MinSize, 1)))
	hi := math.Log(float64(s.MaxSize))
	n := int(math.Exp(lo + r.Float64()*(hi-lo)))
	if s.MinSize == 0 && r.IntN(8) == 0 {
		return 0 // mdtest-like empty files
	}
	return min(max(n, s.MinSize), s.MaxSize)
}

// DFS fills directory top (created if needed) of a mounted namespace.
// progress, if not nil, is called now and then with the counts so far.
func DFS(ctx context.Context, fs *dfs.FS, top string, spec TreeSpec, progress func(Stats)) (Stats, error) {
	if spec.DirsPerDir < 0 || spec.FilesPerDir < 0 || spec.Depth < 0 || spec.MinSize < 0 || spec.MaxSize < 0 {
		return Stats{}, fmt.Errorf("populate: negative tree dimensions")
	}
	if spec.Workers <= 0 {
		spec.Workers = 4
	}
	top = path.Clean("/" + top)
	var c counters
	topOID := fs.Root.OID
	if top != "/" {
		n, err := fs.Lookup(ctx, top)
		if errors.Is(err, daosgo.ErrNonexist) {
			n.OID, err = fs.Mkdir(ctx, top, 0o755)
			c.dirs.Add(1)
		}
		if err != nil {
			return Stats{}, fmt.Errorf("populate: %s: %w", top, err)
		}
		topOID = n.OID
	}
	// Entries are made in their directory's object directly, as a program
	// holding the directory open would: no path lookups.
	type job struct {
		dir   string
		oid   daosgo.OID
		level int
	}
	jobs := make(chan job, 1024)
	var pending sync.WaitGroup
	var firstErr error
	var errOnce sync.Once
	fail := func(err error) { errOnce.Do(func() { firstErr = err }) }
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var work func(j job)
	work = func(j job) {
		defer pending.Done()
		if ctx.Err() != nil {
			return
		}
		r := rngFor(spec.Seed, j.dir)
		var files []string
		for i := 0; i < spec.FilesPerDir; i++ {
			base := fmt.Sprintf("file.%06d", i)
			name := path.Join(j.dir, base)
			size := spec.fileSize(r)
			n, err := fs.CreateFileIn(ctx, j.oid, base, 0o644)
			if err == nil && size > 0 {
				err = fs.WriteAt(ctx, n.Entry, Content(spec.Seed, name, size), 0)
			}
			if err != nil {
				fail(fmt.Errorf("populate %s: %w", name, err))
				cancel()
				return
			}
			files = append(files, name)
			c.files.Add(1)
			c.bytes.Add(int64(size))
			if spec.SymlinkEvery > 0 && (i+1)%spec.SymlinkEvery == 0 {
				link := fmt.Sprintf("link.%06d", i)
				target := path.Base(files[r.IntN(len(files))])
				if err := fs.SymlinkIn(ctx, j.oid, link, target); err != nil {
					fail(fmt.Errorf("populate %s: %w", link, err))
					cancel()
					return
				}
				c.links.Add(1)
			}
		}
		if j.level >= spec.Depth {
			return
		}
		for i := 0; i < spec.DirsPerDir; i++ {
			base := fmt.Sprintf("dir.%04d", i)
			d := path.Join(j.dir, base)
			oid, err := fs.MkdirIn(ctx, j.oid, base, 0o755)
			if err != nil {
				fail(fmt.Errorf("populate %s: %w", d, err))
				cancel()
				return
			}
			c.dirs.Add(1)
			pending.Add(1)
			next := job{d, oid, j.level + 1}
			select {
			case jobs <- next:
			default:
				work(next) // queue full: do it here
			}
		}
	}
	var wg sync.WaitGroup
	for w := 0; w < spec.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				work(j)
			}
		}()
	}
	done := make(chan struct{})
	if progress != nil {
		go func() {
			for {
				select {
				case <-done:
					return
				case <-tick():
					progress(c.stats())
				}
			}
		}()
	}
	pending.Add(1)
	jobs <- job{top, topOID, 0}
	pending.Wait()
	close(jobs)
	wg.Wait()
	close(done)
	st := c.stats()
	if progress != nil {
		progress(st)
	}
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	return st, firstErr
}

// PySpec shapes PyDAOS content.
type PySpec struct {
	Seed        uint64
	Dicts       int
	KeysPerDict int
	MinValue    int // value sizes, uniform in [MinValue, MaxValue]
	MaxValue    int
	Arrays      int
	ArrayCells  int // cells of 8 bytes per array
}

// Python fills a PyDAOS container with dicts of keys and arrays.
func Python(ctx context.Context, pc *pydaos.Container, spec PySpec, progress func(Stats)) (Stats, error) {
	var c counters
	report := func() {
		if progress != nil {
			progress(c.stats())
		}
	}
	for i := 0; i < spec.Dicts; i++ {
		name := fmt.Sprintf("dict.%05d", i)
		d, err := pc.NewDict(ctx, name)
		if err != nil {
			return c.stats(), fmt.Errorf("populate %s: %w", name, err)
		}
		c.dicts.Add(1)
		r := rngFor(spec.Seed, name)
		for k := 0; k < spec.KeysPerDict; k++ {
			size := spec.MinValue
			if spec.MaxValue > spec.MinValue {
				size += r.IntN(spec.MaxValue - spec.MinValue + 1)
			}
			key := fmt.Sprintf("key.%06d", k)
			if err := d.Put(ctx, key, Content(spec.Seed, name+"/"+key, max(size, 1))); err != nil {
				return c.stats(), fmt.Errorf("populate %s[%s]: %w", name, key, err)
			}
			c.keys.Add(1)
			c.bytes.Add(int64(max(size, 1)))
		}
		d.Close()
		if i%16 == 0 {
			report()
		}
	}
	for i := 0; i < spec.Arrays; i++ {
		name := fmt.Sprintf("array.%05d", i)
		a, err := pc.NewArray(ctx, name, 8, 1<<16)
		if err != nil {
			return c.stats(), fmt.Errorf("populate %s: %w", name, err)
		}
		if spec.ArrayCells > 0 {
			if err := a.WriteAt(ctx, 0, Content(spec.Seed, name, spec.ArrayCells*8)); err != nil {
				return c.stats(), fmt.Errorf("populate %s: %w", name, err)
			}
		}
		a.Close()
		c.arrays.Add(1)
		c.bytes.Add(int64(spec.ArrayCells * 8))
	}
	report()
	return c.stats(), nil
}
