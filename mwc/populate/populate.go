// Package populate fills containers with realistic, reproducible content
// for tests, demos and benchmarks: DFS trees shaped like those mdtest and
// IOR make (depth, fan-out, files per directory, a spread of file sizes,
// symlinks), and PyDAOS dicts (PyDAOS 2.8 writes no arrays). The same seed gives the same
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
	Dicts    int64 `json:"dicts"`
	Keys     int64 `json:"keys"`
}

// Entries is the number of namespace entries made.
func (s Stats) Entries() int64 { return s.Dirs + s.Files + s.Symlinks + s.Dicts + s.Keys }

type counters struct{ dirs, files, links, bytes, dicts, keys atomic.Int64 }

func (c *counters) stats() Stats {
	return Stats{Dirs: c.dirs.Load(), Files: c.files.Load(), Symlinks: c.links.Load(), Bytes: c.bytes.Load(),
		Dicts: c.dicts.Load(), Keys: c.keys.Load()}
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
	topDir := fs.Root
	if top != "/" {
		n, err := fs.Lookup(ctx, top)
		if errors.Is(err, daosgo.ErrNonexist) {
			if _, err = fs.Mkdir(ctx, top, 0o755); err == nil {
				c.dirs.Add(1)
				n, err = fs.Lookup(ctx, top)
			}
		}
		if err == nil && !n.IsDir() {
			err = daosgo.Errorf(daosgo.ErrNotDir, "not a directory")
		}
		if err != nil {
			return Stats{}, fmt.Errorf("populate: %s: %w", top, err)
		}
		topDir = n.Entry
	}
	// Entries are made in their directory's object directly, as a program
	// holding the directory open would: no path lookups.
	type job struct {
		dir   string
		entry dfs.Entry // the directory's, whose defaults its entries inherit
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
		plan := spec.plan(j.dir, j.level < spec.Depth)
		// Entries are committed a batch at a time, each batch in one
		// transaction, so a directory never shows half of an entry (an
		// inode without its data) and the commit cost is shared.
		var subdirs []dfs.Entry
		for len(plan) > 0 {
			n := min(len(plan), max(batchEntries, 1))
			batch := plan[:n]
			var made []dfs.Entry // directories of this batch, in order
			err := inBatch(ctx, fs, func(in *dfs.FS) error {
				made = made[:0]
				for _, e := range batch {
					sub, err := e.make(ctx, in, j.entry, spec.Seed)
					if err != nil {
						return fmt.Errorf("%s: %w", e.name, err)
					}
					if e.kind == kindDir {
						made = append(made, sub)
					}
				}
				return nil
			})
			if err != nil {
				fail(fmt.Errorf("populate %s: %w", j.dir, err))
				cancel()
				return
			}
			subdirs = append(subdirs, made...)
			for _, e := range batch {
				switch e.kind {
				case kindFile:
					c.files.Add(1)
					c.bytes.Add(int64(e.size))
				case kindLink:
					c.links.Add(1)
				case kindDir:
					c.dirs.Add(1)
				}
			}
			plan = plan[n:]
		}
		for i, sub := range subdirs {
			pending.Add(1)
			next := job{path.Join(j.dir, dirName(i)), sub, j.level + 1}
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
	jobs <- job{top, topDir, 0}
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

// batchEntries is how many entries populate commits in one transaction.
// Zero makes every entry without one, each write committing on its own, as
// a program making files one by one does: the benchmark's baseline.
var batchEntries = 1024

// inTx runs fn, which writes through the objects it opens with objs, in one
// transaction of container c; without batching (see batchEntries) objs is
// c itself.
func inTx(ctx context.Context, c daosgo.Container, fn func(objs daosgo.ObjectOpener) error) error {
	if batchEntries == 0 {
		return fn(c)
	}
	return daosgo.RunTx(ctx, c, func(x daosgo.Tx) error { return fn(x) })
}

// inBatch does the same for entries made through a view of namespace fs.
func inBatch(ctx context.Context, fs *dfs.FS, fn func(*dfs.FS) error) error {
	return inTx(ctx, fs.Container(), func(objs daosgo.ObjectOpener) error {
		if x, ok := objs.(daosgo.Tx); ok {
			return fn(fs.InTx(x))
		}
		return fn(fs)
	})
}

type entryKind int

const (
	kindFile entryKind = iota
	kindLink
	kindDir
)

// plannedEntry is one entry to make in a directory: everything random about
// it is drawn when the directory is planned, so that a transaction run
// again (DER_TX_RESTART) makes the same entries.
type plannedEntry struct {
	kind   entryKind
	name   string
	size   int    // of a file
	target string // of a symlink
	path   string // of a file: its content is a function of it
}

func dirName(i int) string { return fmt.Sprintf("dir.%04d", i) }

// plan lists the entries of directory dir in the order they are made:
// files with a symlink after every SymlinkEvery of them, then, with
// subdirs, the sub-directories.
func (s TreeSpec) plan(dir string, subdirs bool) []plannedEntry {
	r := rngFor(s.Seed, dir)
	var out []plannedEntry
	var files []string
	for i := 0; i < s.FilesPerDir; i++ {
		base := fmt.Sprintf("file.%06d", i)
		out = append(out, plannedEntry{kind: kindFile, name: base, size: s.fileSize(r), path: path.Join(dir, base)})
		files = append(files, base)
		if s.SymlinkEvery > 0 && (i+1)%s.SymlinkEvery == 0 {
			out = append(out, plannedEntry{kind: kindLink, name: fmt.Sprintf("link.%06d", i), target: files[r.IntN(len(files))]})
		}
	}
	if subdirs {
		for i := 0; i < s.DirsPerDir; i++ {
			out = append(out, plannedEntry{kind: kindDir, name: dirName(i)})
		}
	}
	return out
}

// make creates the entry in directory dir of fs; for a directory it
// returns the new directory's entry.
func (e plannedEntry) make(ctx context.Context, fs *dfs.FS, dir dfs.Entry, seed uint64) (dfs.Entry, error) {
	switch e.kind {
	case kindLink:
		return dfs.Entry{}, fs.SymlinkIn(ctx, dir, e.name, e.target)
	case kindDir:
		return fs.MkdirIn(ctx, dir, e.name, 0o755)
	}
	n, err := fs.CreateFileIn(ctx, dir, e.name, 0o644)
	if err == nil && e.size > 0 {
		err = fs.WriteAt(ctx, n.Entry, Content(seed, e.path, e.size), 0)
	}
	return n.Entry, err
}

// PySpec shapes PyDAOS content.
type PySpec struct {
	Seed        uint64
	Dicts       int
	KeysPerDict int
	MinValue    int // value sizes, uniform in [MinValue, MaxValue]
	MaxValue    int
}

// Python fills a PyDAOS container with dicts of keys, as PyDAOS's
// DCont.dict() and DDict.bput() make them.
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
		oid := d.OID()
		d.Close()
		c.dicts.Add(1)
		// Sizes are drawn first, so that a transaction run again puts the
		// same values; keys are put batchEntries to a transaction.
		r := rngFor(spec.Seed, name)
		sizes := make([]int, spec.KeysPerDict)
		for k := range sizes {
			sizes[k] = spec.MinValue
			if spec.MaxValue > spec.MinValue {
				sizes[k] += r.IntN(spec.MaxValue - spec.MinValue + 1)
			}
			sizes[k] = max(sizes[k], 1)
		}
		step := max(batchEntries, 1)
		for first := 0; first < len(sizes); first += step {
			batch := sizes[first:min(len(sizes), first+step)]
			err := inTx(ctx, pc.Cont(), func(objs daosgo.ObjectOpener) error {
				o, err := objs.OpenObject(ctx, oid, daosgo.ObjRW)
				if err != nil {
					return err
				}
				kv := daosgo.NewObjectKV(o)
				defer kv.Close()
				for k, size := range batch {
					key := fmt.Sprintf("key.%06d", first+k)
					if err := kv.Put(ctx, key, Content(spec.Seed, name+"/"+key, size)); err != nil {
						return fmt.Errorf("%s: %w", key, err)
					}
				}
				return nil
			})
			if err != nil {
				return c.stats(), fmt.Errorf("populate %s: %w", name, err)
			}
			for _, size := range batch {
				c.keys.Add(1)
				c.bytes.Add(int64(size))
			}
		}
		if i%16 == 0 {
			report()
		}
	}
	report()
	return c.stats(), nil
}
