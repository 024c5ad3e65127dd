package checker

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"sync"

	"github.com/daosgo/daosgo/daosgo"
	"github.com/daosgo/daosgo/mwc/dfs"
)

// dfsModel checks a POSIX container.
type dfsModel struct {
	c    daosgo.Container
	opts Options
	fs   *dfs.FS

	lfMu  sync.Mutex
	lfDir daosgo.OID // /lost+found/<name>, made on first relink
}

func (d *dfsModel) kind(oid daosgo.OID) string {
	switch {
	case oid.Type() == daosgo.OTArrayByte:
		return "file"
	case oid.Type() == daosgo.OTMultiHashed:
		return "directory"
	}
	return "object(" + oid.Type().String() + ")"
}

// close has nothing to close: the DFS model opens objects per call.
func (d *dfsModel) close() error { return nil }

// prepare mounts the namespace, rebuilding a lost or corrupt superblock
// and recreating a lost root entry when asked to.
func (d *dfsModel) prepare(ctx context.Context, res *Result) error {
	props, err := d.c.GetProps(ctx, daosgo.PropContRoots)
	if err != nil {
		return err
	}
	roots := props[0].Roots
	if roots[0].IsZero() || roots[1].IsZero() {
		return daosgo.Errorf(daosgo.ErrInval, "container %s has no DFS roots in its properties", res.Container)
	}
	if _, err := dfs.ReadSuperblock(ctx, d.c, roots[0]); err != nil {
		var corrupt *dfs.ErrCorrupt
		var version *dfs.ErrVersion
		if errors.As(err, &version) {
			// Another libdfs's container: rebuilding its superblock as
			// this version's would make its entries unreadable.
			return fmt.Errorf("container %s: %w; the checker does not check or rebuild it", res.Container, err)
		}
		if !errors.Is(err, daosgo.ErrNonexist) && !errors.As(err, &corrupt) {
			return err
		}
		if !d.opts.FixSB {
			return fmt.Errorf("container %s: superblock: %w (run with --fix-sb to rebuild it)", res.Container, err)
		}
		if err := d.rebuildSB(ctx, roots); err != nil {
			return fmt.Errorf("rebuild superblock: %w", err)
		}
		res.SBRebuilt = true
	}
	d.fs, err = dfs.Mount(ctx, d.c)
	if err != nil {
		if !errors.Is(err, daosgo.ErrNonexist) && !errors.As(err, new(*dfs.ErrCorrupt)) {
			return err
		}
		if !d.opts.FixRoot {
			return fmt.Errorf("container %s: root directory: %w (run with --fix-root to recreate it; what it held is then relinked under lost+found)", res.Container, err)
		}
		if err := dfs.RecreateRoot(ctx, d.c, roots); err != nil {
			return fmt.Errorf("recreate root: %w", err)
		}
		res.RootRecreated = true
		if d.fs, err = dfs.Mount(ctx, d.c); err != nil {
			return err
		}
	}
	return nil
}

// rebuildSB writes a new superblock. It keeps the values of a damaged one
// that still make sense; a chunk size it cannot keep is recovered from the
// files' extents (every chunk of a file but its last is full), since
// reading files with the wrong chunk size would garble them all.
func (d *dfsModel) rebuildSB(ctx context.Context, roots daosgo.Roots) error {
	vals, err := dfs.ReadSuperblockValues(ctx, d.c, roots[0])
	if err != nil {
		return err
	}
	// Classes that did not survive stay 0, libdfs's default: DAOS then
	// chooses for the container's redundancy factor, as it did for the
	// objects already there unless a user chose otherwise.
	sb, found := dfs.SalvageSuperblock(vals)
	if !found["DFS_CHUNK_SIZE"] {
		cs, err := d.chunkSizeFromFiles(ctx)
		if err != nil {
			return err
		}
		if cs != 0 {
			sb.ChunkSize = cs
		}
	}
	return dfs.WriteSuperblock(ctx, d.c, roots[0], sb)
}

// chunkSizeFromFiles looks at the container's file objects, through a
// short-lived OIT snapshot, for one with several chunks and returns its
// chunk size; 0 if no file spans more than one chunk.
func (d *dfsModel) chunkSizeFromFiles(ctx context.Context) (cs uint64, err error) {
	epoch, release, err := ownSnapshot(ctx, d.c)
	if err != nil {
		return 0, err
	}
	defer func() { err = errors.Join(err, release()) }()
	oit, err := d.c.OpenOIT(ctx, epoch)
	if err != nil {
		return 0, err
	}
	defer oit.Close()
	a := &daosgo.Anchor{}
	for !a.EOF() {
		oids, err := oit.List(ctx, a, 4096)
		if err != nil {
			return 0, err
		}
		for _, oid := range oids {
			if oid.Type() != daosgo.OTArrayByte {
				continue
			}
			cs, chunks, _, err := chunkFromExtents(ctx, d.c, oid)
			if err != nil {
				return 0, err
			}
			if chunks > 1 && cs > 0 {
				return cs, nil
			}
		}
	}
	return 0, nil
}

// walk marks the superblock, the root and everything below it, several
// directories at a time.
func (d *dfsModel) walk(ctx context.Context, m *marker) error {
	if err := m.add(ctx, d.fs.SBOID, ""); err != nil {
		return err
	}
	if err := m.add(ctx, d.fs.Root.OID, ""); err != nil {
		return err
	}
	return d.walkFrom(ctx, m, d.fs.Root.OID, "/")
}

type dirJob struct {
	oid  daosgo.OID
	path string
}

// walkFrom marks everything below directory oid with a pool of workers.
func (d *dfsModel) walkFrom(ctx context.Context, m *marker, oid daosgo.OID, p string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan dirJob, 4096)
	var pending sync.WaitGroup
	var firstErr error
	var once sync.Once
	fail := func(err error) { once.Do(func() { firstErr = err; cancel() }) }
	var visit func(j dirJob)
	visit = func(j dirJob) {
		defer pending.Done()
		if ctx.Err() != nil {
			return
		}
		a := &daosgo.Anchor{}
		for !a.EOF() {
			ents, err := d.fs.Readdir(ctx, j.oid, a, 128)
			if err != nil {
				fail(fmt.Errorf("walk %s: %w", j.path, err))
				return
			}
			for _, e := range ents {
				child := path.Join(j.path, e.Name)
				if dfs.IsPutTemp(e.Name) && !strings.HasPrefix(j.path, orphanPrefix) {
					m.addPartialPut(child)
				}
				if e.IsSymlink() {
					continue // a symlink has an OID but no object
				}
				if err := m.add(ctx, e.OID, child); err != nil {
					fail(err)
					return
				}
				if e.IsDir() {
					pending.Add(1)
					select {
					case jobs <- dirJob{e.OID, child}:
					default:
						visit(dirJob{e.OID, child})
					}
				}
			}
		}
	}
	var wg sync.WaitGroup
	for w := 0; w < d.opts.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				visit(j)
			}
		}()
	}
	pending.Add(1)
	jobs <- dirJob{oid, p}
	pending.Wait()
	close(jobs)
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return firstErr
}

// markSubtree marks what an orphaned directory holds.
func (d *dfsModel) markSubtree(ctx context.Context, oid daosgo.OID, m *marker) error {
	if oid.Type() != daosgo.OTMultiHashed {
		return nil
	}
	return d.walkFrom(ctx, m, oid, orphanPrefix+oid.String()+">")
}

// orphanPrefix starts the paths of what is walked below an orphan.
const orphanPrefix = "<orphan "

// sweepLeftovers removes the temporary entries of puts that died, and
// their objects. The container is held exclusively, so no put is still
// writing one.
func (d *dfsModel) sweepLeftovers(ctx context.Context, res *Result) error {
	for _, p := range res.PartialPuts {
		err := d.fs.Remove(ctx, p, false)
		if err != nil && !errors.Is(err, daosgo.ErrNonexist) {
			return fmt.Errorf("remove partial put %s: %w", p, err)
		}
		res.PartialPutsRemoved++
	}
	return nil
}

// lostFound returns /lost+found/<name>, creating what is missing.
func (d *dfsModel) lostFound(ctx context.Context) (daosgo.OID, error) {
	d.lfMu.Lock()
	defer d.lfMu.Unlock()
	if !d.lfDir.IsZero() {
		return d.lfDir, nil
	}
	for _, p := range []string{"/lost+found", "/lost+found/" + d.opts.Name} {
		if _, err := d.fs.Mkdir(ctx, p, 0o700); err != nil && !errors.Is(err, daosgo.ErrExist) {
			return daosgo.OID{}, err
		}
	}
	n, err := d.fs.Lookup(ctx, "/lost+found/"+d.opts.Name)
	if err != nil {
		return daosgo.OID{}, err
	}
	d.lfDir = n.OID
	return d.lfDir, nil
}

// relink links an orphan as /lost+found/<name>/<hi.lo>: a directory, or a
// file whose chunk size is recovered from its extents.
func (d *dfsModel) relink(ctx context.Context, oid daosgo.OID) (string, error) {
	dir, err := d.lostFound(ctx)
	if err != nil {
		return "", err
	}
	name := oid.String()
	p := "/lost+found/" + d.opts.Name + "/" + name
	var e dfs.Entry
	switch oid.Type() {
	case daosgo.OTMultiHashed:
		e = dfs.Entry{Mode: dfs.ModeDir | 0o700, OID: oid}
	case daosgo.OTArrayByte:
		cs, err := d.recoverChunkSize(ctx, oid)
		if err != nil {
			return "", err
		}
		// libdfs stores every file's effective chunk size (dfs_open
		// asserts that it is not 0).
		e = dfs.Entry{Mode: dfs.ModeRegular | 0o600, OID: oid, ChunkSize: cs}
	default:
		return "", daosgo.Errorf(daosgo.ErrNotSupported, "object %s of type %s is not a DFS directory or file", oid, oid.Type())
	}
	err = d.fs.LinkEntry(ctx, dir, name, e)
	if errors.Is(err, daosgo.ErrExist) {
		return p, nil // relinked by an earlier, interrupted run
	}
	return p, err
}

// recoverChunkSize finds an orphaned file's chunk size from its extents;
// a one-chunk file keeps the container's chunk size, unless its data is
// longer.
func (d *dfsModel) recoverChunkSize(ctx context.Context, oid daosgo.OID) (uint64, error) {
	cs, _, lastEnd, err := chunkFromExtents(ctx, d.c, oid)
	if err != nil {
		return 0, err
	}
	if cs == 0 {
		cs = max(d.fs.SB.ChunkSize, lastEnd)
	}
	return cs, nil
}

// chunkFromExtents reads a byte-array object's chunks: every chunk but the
// last ends at the chunk size, so the largest extent end among them is it
// (0 when there is a single chunk). It also returns the number of chunks
// and where the last one's data ends.
func chunkFromExtents(ctx context.Context, c daosgo.Container, oid daosgo.OID) (cs uint64, chunks int, lastEnd uint64, err error) {
	o, err := c.OpenObject(ctx, oid, daosgo.ObjRO)
	if err != nil {
		return 0, 0, 0, err
	}
	defer o.Close()
	ends := map[uint64]uint64{}
	var last uint64
	a := &daosgo.Anchor{}
	for !a.EOF() {
		keys, err := o.ListDkeys(ctx, a, 256, nil)
		if err != nil {
			return 0, 0, 0, err
		}
		for _, k := range keys {
			n, err := daosgo.KeyUint64(k)
			if err != nil {
				return 0, 0, 0, err
			}
			r, err := o.QueryMaxRecx(ctx, k, []byte("0"))
			if err != nil {
				return 0, 0, 0, err
			}
			ends[n] = r.End()
			last = max(last, n)
		}
	}
	for n, end := range ends {
		if n < last {
			cs = max(cs, end)
		}
	}
	return cs, len(ends), ends[last], nil
}
