//go:build daos

package cross

import (
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/daosgo/daosgo/daosgo"
	"github.com/daosgo/daosgo/mwc/checker"
	"github.com/daosgo/daosgo/mwc/dfs"
	"github.com/daosgo/daosgo/mwc/inject"
	"github.com/daosgo/daosgo/mwc/populate"
	"github.com/daosgo/daosgo/mwc/pydaos"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

// actions are the checker's actions the matrix runs.
var actions = []string{"report", "punch", "relink"}

// dfsWriters make the namespaces the DFS matrix breaks: one libdfs
// writes (the cross test's tree, 3 levels deep rather than 30, which
// every walk of every run would pay for), one daosgo writes (populate over 64 KiB chunks, so that files
// span chunks, and a file of 1 MB).
var dfsWriters = map[string]func(t *testing.T, p daosgo.Pool, cont string){
	"libdfs": func(t *testing.T, _ daosgo.Pool, cont string) { writeWithLibdfs(t, cont, 3) },
	"daosgo": func(t *testing.T, p daosgo.Pool, cont string) {
		_, err := dfs.CreateContainer(ctx, p, cont, dfs.Attr{ChunkSize: 64 << 10})
		assert.NilError(t, err)
		c, err := p.OpenContainer(ctx, cont, daosgo.ContRW)
		assert.NilError(t, err)
		defer func() { assert.NilError(t, c.Close(ctx)) }()
		fs, err := dfs.Mount(ctx, c)
		assert.NilError(t, err)
		_, err = populate.DFS(ctx, fs, "/data", populate.TreeSpec{Seed: 5, Depth: 2, DirsPerDir: 2, FilesPerDir: 4,
			MaxSize: 200 << 10, SymlinkEvery: 3}, nil)
		assert.NilError(t, err)
		assert.NilError(t, fs.WriteFile(ctx, "/big", bytesOf("big", 1<<20), 0o644))
	},
}

// TestMatrixDFS runs every DFS fault with every action on DAOS, on a
// namespace libdfs wrote and one daosgo wrote. DAOS's own checker is the
// judge: before the repair, the objects daosgo finds orphaned are exactly
// those daos fs check lists as leaked (and the injector's manifest); after
// it, daos fs check lists none, a second daosgo check is clean, libdfs and
// daosgo see the same namespace, every relinked file reads back through
// libdfs byte for byte under /lost+found, and nothing the fault did not
// touch has changed.
func TestMatrixDFS(t *testing.T) {
	p := connect(t)
	for _, writer := range sortedKeys(dfsWriters) {
		for _, fault := range inject.DFSFaults {
			for _, action := range actions {
				t.Run(writer+"/"+string(fault)+"/"+action, func(t *testing.T) {
					t.Parallel() // each run has a container of its own
					matrixDFS(t, p, writer, fault, action)
				})
			}
		}
	}
}

func matrixDFS(t *testing.T, p daosgo.Pool, writer string, fault inject.Fault, action string) {
	cont := label(t, p, "m")
	dfsWriters[writer](t, p, cont)
	before := libdfsView(t, cont)

	c, err := p.OpenContainer(ctx, cont, daosgo.ContRW)
	assert.NilError(t, err)
	m, err := inject.Inject(ctx, c, fault, 2, 11)
	assert.NilError(t, err)
	assert.NilError(t, c.Close(ctx))
	fix := func(o *checker.Options) {
		for _, n := range m.Needs {
			o.FixSB = o.FixSB || n == "fix-sb"
			o.FixRoot = o.FixRoot || n == "fix-root"
		}
	}
	if len(m.Needs) == 0 {
		assert.DeepEqual(t, daosCheck(t, cont), m.Orphans)
	} else {
		// Neither libdfs nor daosgo (unless told to fix it) mounts it.
		out, err := exec.Command("daos", "fs", "check", poolLabel, cont, "--flags=print").CombinedOutput()
		assert.Assert(t, err != nil, "daos fs check mounted a container with a %s: %s", fault, out)
		_, err = checker.Check(ctx, p, cont, checker.Options{})
		assert.ErrorContains(t, err, "--"+m.Needs[0])
	}

	res := daosgoCheck(t, p, cont, action, fix)
	assert.DeepEqual(t, oidsOf(res), m.Orphans)
	for _, d := range m.Dangling {
		assert.Check(t, is.Contains(res.Dangling, d))
	}
	assert.Equal(t, res.SBRebuilt, fault == inject.LostSB || fault == inject.CorruptSB)
	assert.Equal(t, res.RootRecreated, fault == inject.LostRoot)
	if res.RootRecreated && action == "report" {
		// Recreating the root orphans all it held: --fix-root then
		// relinks it rather than leave an empty namespace.
		assert.Equal(t, res.Action, "relink")
		action = "relink"
	}

	if action == "report" {
		// A dry run changes nothing, once the superblock or root it
		// needed was fixed: DAOS's checker, mounting now, sees the same.
		assert.DeepEqual(t, daosCheck(t, cont), m.Orphans)
		assert.DeepEqual(t, oidsOf(daosgoCheck(t, p, cont, "report")), m.Orphans)
	} else {
		assert.DeepEqual(t, daosCheck(t, cont), []string{})
		again := daosgoCheck(t, p, cont, "report")
		assert.Assert(t, again.Clean(), "after %s: orphans %v", action, oidsOf(again))
	}
	after := sameView(t, p, cont)

	// What the fault did not touch is as it was (a directory's times
	// change with its entries, so they are left out).
	for path, was := range before {
		if affected(path, m) || strings.HasPrefix(path, "/lost+found") {
			continue
		}
		now := after[path]
		if was.Type == "dir" {
			was.Mtime, was.Ctime, now.Mtime, now.Ctime = 0, 0, 0, 0
		}
		assert.Check(t, is.DeepEqual(now, was), "%s changed", path)
	}
	if action != "relink" {
		return
	}
	// Every orphaned object is under /lost+found; every orphaned file
	// reads back through libdfs byte for byte.
	wasByOID, nowByOID := byOID(before), byOID(after)
	for _, oid := range m.Orphans {
		now, ok := nowByOID[oid]
		assert.Assert(t, ok, "orphan %s not relinked", oid)
		assert.Assert(t, strings.HasPrefix(now.path, "/lost+found/cross/"), "orphan %s at %s", oid, now.path)
		was := wasByOID[oid]
		assert.Equal(t, now.Type, was.Type, oid)
		if was.Type == "file" {
			assert.Equal(t, now.Sum, was.Sum, "%s (was %s) read back through libdfs from %s", oid, was.path, now.path)
		}
	}
}

// affected reports whether the fault touched path: it is one of the
// manifest's items or below one (every path, when the root was lost).
func affected(path string, m *inject.Manifest) bool {
	if m.Fault == inject.LostRoot {
		return true
	}
	for _, it := range m.Items {
		if it.Path != "" && (path == it.Path || strings.HasPrefix(path, strings.TrimSuffix(it.Path, "/")+"/")) {
			return true
		}
	}
	return false
}

type located struct {
	entry
	path string
}

func byOID(v view) map[string]located {
	out := map[string]located{}
	for p, e := range v {
		if e.OID != "" {
			out[e.OID] = located{e, p}
		}
	}
	return out
}

func oidsOf(res *checker.Result) []string {
	out := []string{}
	for _, o := range res.Orphans {
		out = append(out, o.OIDStr)
	}
	sort.Strings(out)
	return out
}

// pyWriters make the containers the PyDAOS matrix breaks: one PyDAOS
// writes, one daosgo writes.
var pyWriters = map[string]func(t *testing.T, p daosgo.Pool, cont string){
	"pydaos": func(t *testing.T, _ daosgo.Pool, cont string) {
		out, err := exec.Command("daos", "container", "create", poolLabel, cont, "--type", "PYTHON").CombinedOutput()
		assert.NilError(t, err, "%s", out)
		python(t, map[string]any{"op": "write", "cont": cont, "dicts": pyDicts(), "arrays": []string{"arr"}})
	},
	"daosgo": func(t *testing.T, p daosgo.Pool, cont string) {
		_, err := pydaos.CreateContainer(ctx, p, cont)
		assert.NilError(t, err)
		c, err := p.OpenContainer(ctx, cont, daosgo.ContRW)
		assert.NilError(t, err)
		pc, err := pydaos.Open(ctx, c, daosgo.ObjRW)
		assert.NilError(t, err)
		_, err = populate.Python(ctx, pc, populate.PySpec{Seed: 6, Dicts: 5, KeysPerDict: 30, MinValue: 1, MaxValue: 4096}, nil)
		assert.NilError(t, err)
		assert.NilError(t, pc.Close())
		assert.NilError(t, c.Close(ctx))
	},
}

// TestMatrixPyDAOS runs every PyDAOS fault with every action on DAOS, on a
// container PyDAOS wrote and one daosgo wrote, with PyDAOS's own checker
// as the judge: the dicts daosgo finds orphaned are exactly those
// pydaos.check relinks (it has no dry run, so it runs after daosgo's
// report); after daosgo's punch or relink it relinks nothing and a second
// daosgo check is clean; every relinked dict opens through DCont.get()
// under lost+found/<name>/<hi.lo> with every key and value it had.
func TestMatrixPyDAOS(t *testing.T) {
	p := connect(t)
	for _, writer := range sortedKeys(pyWriters) {
		for _, fault := range inject.PythonFaults {
			for _, action := range actions {
				t.Run(writer+"/"+string(fault)+"/"+action, func(t *testing.T) {
					t.Parallel() // each run has a container of its own
					matrixPyDAOS(t, p, writer, fault, action)
				})
			}
		}
	}
}

func matrixPyDAOS(t *testing.T, p daosgo.Pool, writer string, fault inject.Fault, action string) {
	cont := label(t, p, "mpy")
	pyWriters[writer](t, p, cont)
	before := daosgoDicts(t, p, cont)
	oidOf := rootOIDs(t, p, cont)

	c, err := p.OpenContainer(ctx, cont, daosgo.ContRW)
	assert.NilError(t, err)
	m, err := inject.Inject(ctx, c, fault, 2, 3)
	assert.NilError(t, err)
	assert.NilError(t, c.Close(ctx))

	res := daosgoCheck(t, p, cont, action)
	assert.DeepEqual(t, oidsOf(res), m.Orphans)
	switch {
	case fault == inject.LostKV && action != "relink":
		// PyDAOS's checker cannot check a container whose root KV is
		// gone: it marks the root in the OIT first and fails when it is
		// not there (DER_NONEXIST). daosgo's relink writes a root again.
		_, err := pydaosCheck(t, cont)
		assert.Assert(t, strings.Contains(err, "DER_NONEXIST"), "pydaos.check: %q", err)
		if action == "report" {
			assert.DeepEqual(t, oidsOf(daosgoCheck(t, p, cont, "report")), m.Orphans)
			return
		}
	case action == "report":
		assert.DeepEqual(t, oidsOf(daosgoCheck(t, p, cont, "report")), m.Orphans)
		assert.DeepEqual(t, pydaosRelinked(t, cont), m.Orphans)
	case action == "punch":
		assert.DeepEqual(t, pydaosRelinked(t, cont), []string{})
	case action == "relink":
		names := []string{}
		for _, o := range res.Orphans {
			assert.Equal(t, o.RelinkedAs, checker.LostFoundPrefix+"cross/"+o.OIDStr)
			names = append(names, o.RelinkedAs)
		}
		got, _ := python(t, map[string]any{"op": "read", "cont": cont, "names": names})
		for name, oid := range oidOf {
			if contains(m.Orphans, oid) {
				assert.DeepEqual(t, got[checker.LostFoundPrefix+"cross/"+oid], before[name])
			}
		}
		assert.DeepEqual(t, pydaosRelinked(t, cont), []string{})
	}
	again := daosgoCheck(t, p, cont, "report")
	assert.Assert(t, again.Clean(), "after %s (and PyDAOS's check): orphans %v", action, oidsOf(again))
	// The dicts the fault did not touch are as they were.
	after := daosgoDicts(t, p, cont)
	for name, was := range before {
		if !affected(name, m) && fault != inject.LostKV {
			assert.DeepEqual(t, after[name], was)
		}
	}
}

// rootOIDs maps every root entry to its object ID.
func rootOIDs(t *testing.T, p daosgo.Pool, cont string) map[string]string {
	c, err := p.OpenContainer(ctx, cont, daosgo.ContRO)
	assert.NilError(t, err)
	defer func() { assert.NilError(t, c.Close(ctx)) }()
	pc, err := pydaos.Open(ctx, c, daosgo.ObjRO)
	assert.NilError(t, err)
	defer pc.Close()
	names, err := pc.AllNames(ctx)
	assert.NilError(t, err)
	out := map[string]string{}
	for _, n := range names {
		rec, err := pc.Lookup(ctx, n)
		assert.NilError(t, err)
		out[n] = rec.OID.String()
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
