package populate

import (
	"context"
	"crypto/sha256"
	"fmt"
	"path"
	"sort"
	"testing"
	"time"

	"github.com/daosgo/daosgo/daosgo"
	"github.com/daosgo/daosgo/daosgo/embedded/embeddedtest"
	"github.com/daosgo/daosgo/mwc/dfs"
	"github.com/daosgo/daosgo/mwc/pydaos"
	"gotest.tools/v3/assert"
)

var ctx = context.Background()

func pool(t testing.TB) daosgo.Pool {
	t.Helper()
	return embeddedtest.Pool(t, 1<<36, nil)
}

func mount(t testing.TB, p daosgo.Pool, label string) *dfs.FS {
	t.Helper()
	_, err := dfs.CreateContainer(ctx, p, label, dfs.Attr{ChunkSize: 4096})
	assert.NilError(t, err)
	c, err := p.OpenContainer(ctx, label, daosgo.ContRW)
	assert.NilError(t, err)
	fs, err := dfs.Mount(ctx, c)
	assert.NilError(t, err)
	return fs
}

// Walk lists every path of a tree with its type, size and content digest.
func Walk(t testing.TB, fs *dfs.FS, dir daosgo.OID, prefix string, out map[string]string) {
	t.Helper()
	ents, err := fs.ReaddirAll(ctx, dir)
	assert.NilError(t, err)
	for _, e := range ents {
		p := prefix + "/" + e.Name
		switch {
		case e.IsDir():
			out[p] = "dir"
			Walk(t, fs, e.OID, p, out)
		case e.IsSymlink():
			n, err := fs.Lookup(ctx, p)
			assert.NilError(t, err)
			out[p] = "link->" + n.Target
		default:
			data, err := fs.ReadFile(ctx, p)
			assert.NilError(t, err)
			out[p] = fmt.Sprintf("file %d %x", len(data), sha256.Sum256(data))
		}
	}
}

func TestDFSIsDeterministic(t *testing.T) {
	p := pool(t)
	spec := TreeSpec{Seed: 7, Depth: 2, DirsPerDir: 3, FilesPerDir: 4, MinSize: 0, MaxSize: 10000, SymlinkEvery: 2, Workers: 3}
	trees := map[string]map[string]string{}
	for _, label := range []string{"a", "b"} {
		fs := mount(t, p, label)
		var reports int
		st, err := DFS(ctx, fs, "/data", spec, func(Stats) { reports++ })
		assert.NilError(t, err)
		assert.Assert(t, reports >= 1)
		assert.Equal(t, int(st.Entries()), spec.Entries()+1) // +1: /data itself
		assert.Equal(t, st.Dirs, int64(1+3+9))
		assert.Equal(t, st.Files, int64(13*4))
		assert.Equal(t, st.Symlinks, int64(13*2))
		tree := map[string]string{}
		Walk(t, fs, fs.Root.OID, "", tree)
		trees[label] = tree
		assert.Equal(t, len(tree), int(st.Entries()))
	}
	assert.DeepEqual(t, trees["a"], trees["b"])

	other := mount(t, p, "c")
	spec.Seed = 8
	_, err := DFS(ctx, other, "/data", spec, nil)
	assert.NilError(t, err)
	tree := map[string]string{}
	Walk(t, other, other.Root.OID, "", tree)
	assert.Assert(t, fmt.Sprint(tree) != fmt.Sprint(trees["a"]), "another seed gave the same tree")
}

func TestPythonIsDeterministic(t *testing.T) {
	p := pool(t)
	spec := PySpec{Seed: 3, Dicts: 5, KeysPerDict: 20, MinValue: 1, MaxValue: 100}
	var digests []string
	for _, label := range []string{"p1", "p2"} {
		_, err := pydaos.CreateContainer(ctx, p, label)
		assert.NilError(t, err)
		c, _ := p.OpenContainer(ctx, label, daosgo.ContRW)
		pc, err := pydaos.Open(ctx, c, daosgo.ObjRW)
		assert.NilError(t, err)
		st, err := Python(ctx, pc, spec, nil)
		assert.NilError(t, err)
		assert.Equal(t, st.Dicts, int64(5))
		assert.Equal(t, st.Keys, int64(100))
		names, err := pc.AllNames(ctx)
		assert.NilError(t, err)
		sort.Strings(names)
		h := sha256.New()
		for _, n := range names {
			rec, err := pc.Lookup(ctx, n)
			assert.NilError(t, err)
			fmt.Fprintln(h, n, rec.Kind)
			assert.Equal(t, rec.Kind, pydaos.Dict)
			d, _ := pc.OpenDict(ctx, rec.OID)
			keys, _ := d.Keys(ctx)
			sort.Strings(keys)
			for _, k := range keys {
				v, err := d.Get(ctx, k)
				assert.NilError(t, err)
				assert.DeepEqual(t, v, Content(spec.Seed, n+"/"+k, len(v)))
				fmt.Fprintf(h, "%s=%x\n", k, v)
			}
		}
		digests = append(digests, fmt.Sprintf("%x", h.Sum(nil)))
	}
	assert.Equal(t, digests[0], digests[1])
}

// TestBatchBoundaries makes a directory and a dict larger than one
// transaction's batch: every entry must be there once, with its content.
func TestBatchBoundaries(t *testing.T) {
	p := pool(t)
	fs := mount(t, p, "big")
	spec := TreeSpec{Seed: 11, FilesPerDir: batchEntries + 100, MaxSize: 64, SymlinkEvery: 50}
	st, err := DFS(ctx, fs, "/", spec, nil)
	assert.NilError(t, err)
	assert.Equal(t, int(st.Entries()), spec.Entries())
	ents, err := fs.ReaddirAll(ctx, fs.Root.OID)
	assert.NilError(t, err)
	assert.Equal(t, len(ents), spec.Entries())
	for _, name := range []string{"file.000000", fmt.Sprintf("file.%06d", batchEntries), fmt.Sprintf("file.%06d", spec.FilesPerDir-1)} {
		data, err := fs.ReadFile(ctx, "/"+name)
		assert.NilError(t, err)
		assert.DeepEqual(t, data, Content(spec.Seed, "/"+name, len(data)))
	}

	_, err = pydaos.CreateContainer(ctx, p, "py")
	assert.NilError(t, err)
	c, err := p.OpenContainer(ctx, "py", daosgo.ContRW)
	assert.NilError(t, err)
	pc, err := pydaos.Open(ctx, c, daosgo.ObjRW)
	assert.NilError(t, err)
	pst, err := Python(ctx, pc, PySpec{Seed: 2, Dicts: 1, KeysPerDict: batchEntries + 7, MinValue: 1, MaxValue: 9}, nil)
	assert.NilError(t, err)
	assert.Equal(t, pst.Keys, int64(batchEntries+7))
	rec, err := pc.Lookup(ctx, "dict.00000")
	assert.NilError(t, err)
	d, err := pc.OpenDict(ctx, rec.OID)
	assert.NilError(t, err)
	keys, err := d.Keys(ctx)
	assert.NilError(t, err)
	assert.Equal(t, len(keys), batchEntries+7)
}

func TestSpecEntries(t *testing.T) {
	assert.Equal(t, TreeSpec{Depth: 0, FilesPerDir: 5}.Entries(), 5)
	assert.Equal(t, TreeSpec{Depth: 1, DirsPerDir: 2, FilesPerDir: 3}.Entries(), 2+3*3)
	assert.Equal(t, TreeSpec{Depth: 2, DirsPerDir: 2, FilesPerDir: 1, SymlinkEvery: 1}.Entries(), 2+4+7*2)
}

func dfsNode(e dfs.DirEntry) dfs.Node { return dfs.Node{Name: e.Name, Entry: e.Entry} }

// TestInterruptedLeavesWholeEntries cancels a populate once entries have
// been committed: what it made must be whole, every file with all of its
// planned bytes and every directory with all of its planned entries or none.
func TestInterruptedLeavesWholeEntries(t *testing.T) {
	p := pool(t)
	fs := mount(t, p, "cut")
	spec := TreeSpec{Seed: 4, Depth: 1, DirsPerDir: 20, FilesPerDir: 400, MaxSize: 2048, SymlinkEvery: 7, Workers: 2}
	saved := tickEvery
	tickEvery = time.Millisecond // cancel soon after the first commit
	defer func() { tickEvery = saved }()
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	_, err := DFS(cctx, fs, "/", spec, func(st Stats) {
		if st.Files > 0 {
			cancel()
		}
	})
	assert.ErrorIs(t, err, context.Canceled)

	var check func(dir daosgo.OID, p string, level int) int
	check = func(dir daosgo.OID, p string, level int) int {
		ents, err := fs.ReaddirAll(ctx, dir)
		assert.NilError(t, err)
		if len(ents) == 0 {
			return 0
		}
		plan := spec.plan(p, level < spec.Depth)
		assert.Equal(t, len(ents), len(plan), "%s holds part of its entries", p)
		sizes := map[string]int{}
		for _, e := range plan {
			sizes[e.name] = e.size
		}
		files := 0
		for _, e := range ents {
			full := path.Join(p, e.Name)
			switch {
			case e.IsDir():
				files += check(e.OID, full, level+1)
			case e.IsRegular():
				buf := make([]byte, sizes[e.Name]+1)
				n, err := fs.ReadAt(ctx, e.Entry, buf, 0)
				assert.NilError(t, err)
				assert.DeepEqual(t, buf[:n], Content(spec.Seed, full, sizes[e.Name]))
				files++
			}
		}
		return files
	}
	files := check(fs.Root.OID, "/", 0)
	assert.Assert(t, files > 0 && files < spec.FilesPerDir*(1+spec.DirsPerDir), "%d files made", files)
}
