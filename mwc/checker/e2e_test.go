package checker

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"testing"

	"github.com/daosgo/daosgo/daosgo"
	"github.com/daosgo/daosgo/daosgo/embedded"
	"github.com/daosgo/daosgo/daosgo/embedded/embeddedtest"
	"github.com/daosgo/daosgo/mwc/dfs"
	"github.com/daosgo/daosgo/mwc/inject"
	"github.com/daosgo/daosgo/mwc/populate"
	"github.com/daosgo/daosgo/mwc/pydaos"
	"github.com/daosgo/daosgo/upgrade"
	"gotest.tools/v3/assert"
)

var ctx = context.Background()

func newPool(t testing.TB) daosgo.Pool {
	t.Helper()
	return embeddedtest.Pool(t, 1<<34, nil)
}

var treeSpec = populate.TreeSpec{Seed: 5, Depth: 2, DirsPerDir: 2, FilesPerDir: 4, MinSize: 0, MaxSize: 20000, SymlinkEvery: 3, Workers: 2}

// newPOSIX makes a populated POSIX container with 4 KiB chunks.
func newPOSIX(t testing.TB, p daosgo.Pool, label string) {
	t.Helper()
	_, err := dfs.CreateContainer(ctx, p, label, dfs.Attr{ChunkSize: 4096})
	assert.NilError(t, err)
	c, err := p.OpenContainer(ctx, label, daosgo.ContRW)
	assert.NilError(t, err)
	defer c.Close(ctx)
	fs, err := dfs.Mount(ctx, c)
	assert.NilError(t, err)
	_, err = populate.DFS(ctx, fs, "/data", treeSpec, nil)
	assert.NilError(t, err)
}

// tree maps every path below top to a description and content digest.
func tree(t testing.TB, p daosgo.Pool, label, top string) map[string]string {
	t.Helper()
	c, err := p.OpenContainer(ctx, label, daosgo.ContRO)
	assert.NilError(t, err)
	defer c.Close(ctx)
	fs, err := dfs.Mount(ctx, c)
	assert.NilError(t, err)
	out := map[string]string{}
	n, err := fs.Lookup(ctx, top)
	if err != nil {
		return out
	}
	var walk func(dir daosgo.OID, prefix string)
	walk = func(dir daosgo.OID, prefix string) {
		ents, err := fs.ReaddirAll(ctx, dir)
		assert.NilError(t, err)
		for _, e := range ents {
			pth := prefix + "/" + e.Name
			switch {
			case e.IsDir():
				out[pth] = "dir"
				walk(e.OID, pth)
			case e.IsSymlink():
				out[pth] = "link"
			default:
				data, err := fs.ReadFile(ctx, pth)
				assert.NilError(t, err, pth)
				out[pth] = fmt.Sprintf("file %d %x", len(data), sha256.Sum256(data))
			}
		}
	}
	walk(n.OID, strings.TrimSuffix(top, "/"))
	return out
}

func affected(p string, m *inject.Manifest) bool {
	if m.Fault == inject.LostRoot {
		return true
	}
	for _, it := range m.Items {
		if it.Path != "" && (p == it.Path || strings.HasPrefix(p, it.Path+"/")) {
			return true
		}
	}
	return false
}

func oids(res *Result) []string {
	out := []string{}
	for _, o := range res.Orphans {
		out = append(out, o.OIDStr)
	}
	sort.Strings(out)
	return out
}

func optsFor(m *inject.Manifest, a Action) Options {
	o := Options{Action: a, Name: "test", Workers: 3}
	for _, n := range m.Needs {
		o.FixSB = o.FixSB || n == "fix-sb"
		o.FixRoot = o.FixRoot || n == "fix-root"
	}
	return o
}

func TestDFSFaults(t *testing.T) {
	for _, fault := range inject.DFSFaults {
		for _, action := range []Action{Report, Punch, Relink} {
			t.Run(string(fault)+"/"+action.String(), func(t *testing.T) {
				p := newPool(t)
				newPOSIX(t, p, "posix")
				before := tree(t, p, "posix", "/")

				c, err := p.OpenContainer(ctx, "posix", daosgo.ContRW)
				assert.NilError(t, err)
				m, err := inject.Inject(ctx, c, fault, 2, 11)
				assert.NilError(t, err)
				assert.NilError(t, c.Close(ctx))
				used, err := p.Query(ctx)
				assert.NilError(t, err)

				res, err := Check(ctx, p, "posix", optsFor(m, action))
				assert.NilError(t, err)
				// The check finds exactly the objects the fault orphaned.
				assert.DeepEqual(t, oids(res), m.Orphans)
				for _, d := range m.Dangling {
					assert.Assert(t, contains(res.Dangling, d), "dangling %s not reported in %v", d, res.Dangling)
				}
				assert.Equal(t, res.SBRebuilt, fault == inject.LostSB || fault == inject.CorruptSB)
				assert.Equal(t, res.RootRecreated, fault == inject.LostRoot)

				// Nothing the fault did not touch is lost or altered.
				after := tree(t, p, "posix", "/")
				for pth, want := range before {
					if !affected(pth, m) && !strings.HasPrefix(pth, "/lost+found") {
						assert.Equal(t, after[pth], want, "%s changed", pth)
					}
				}

				again, err := Check(ctx, p, "posix", Options{Action: Report, Name: "again"})
				assert.NilError(t, err)
				switch action {
				case Report:
					if res.RootRecreated {
						// Recreating the root relinks what it held (Options.FixRoot).
						assert.Equal(t, res.Action, Relink.String())
						assert.Equal(t, len(again.Orphans), 0, "orphans left after --fix-root: %v", oids(again))
						break
					}
					assert.DeepEqual(t, oids(again), m.Orphans) // a dry run changes nothing
				case Punch:
					assert.Equal(t, len(again.Orphans), 0, "orphans left after --punch: %v", oids(again))
					if len(m.Orphans) > 0 {
						now, _ := p.Query(ctx)
						assert.Assert(t, res.BytesReclaimed > 0)
						freed := used.UsedBytes - now.UsedBytes
						if res.SBRebuilt || res.RootRecreated {
							// The fix wrote a little before the sweep measured.
							assert.Assert(t, freed < res.BytesReclaimed && res.BytesReclaimed-freed < 4096, "%d vs %d", freed, res.BytesReclaimed)
						} else {
							assert.Equal(t, freed, res.BytesReclaimed, "space used returns to the figure before the orphans")
						}
					}
				case Relink:
					assert.Equal(t, len(again.Orphans), 0, "orphans left after --relink: %v", oids(again))
					// Every orphaned file is back, byte for byte, under lost+found.
					found := map[string]int{}
					for _, v := range tree(t, p, "posix", "/lost+found") {
						found[v]++
					}
					for pth, v := range before {
						if affected(pth, m) && strings.HasPrefix(v, "file ") && !strings.HasPrefix(v, "file 0 ") &&
							!contains(m.LostData, pth) && !isItem(pth, m) {
							assert.Assert(t, found[v] > 0, "%s (%s) not found under lost+found", pth, v)
							found[v]--
						}
					}
				}
			})
		}
	}
}

// isItem reports whether p is a file the fault itself hit (its entry lost:
// its object, relinked, comes back under its OID, not under its name).
func isItem(p string, m *inject.Manifest) bool {
	for _, it := range m.Items {
		if it.Path == p && it.Kind == "file" && m.Fault != inject.LostDentry {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func pyDigest(t testing.TB, pc *pydaos.Container, rec pydaos.Record) string {
	t.Helper()
	if rec.Kind == pydaos.Array {
		return "array" // PyDAOS 2.8 writes no array object
	}
	h := sha256.New()
	d, err := pc.OpenDict(ctx, rec.OID)
	assert.NilError(t, err)
	defer d.Close()
	keys, err := d.Keys(ctx)
	assert.NilError(t, err)
	sort.Strings(keys)
	for _, k := range keys {
		v, _ := d.Get(ctx, k)
		fmt.Fprintf(h, "%s=%x;", k, v)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// pyContents digests every root entry, and apart, by object ID, those a
// relink made (lost+found/<name>/<hi.lo>).
func pyContents(t testing.TB, p daosgo.Pool) (map[string]string, map[string]string) {
	t.Helper()
	c, err := p.OpenContainer(ctx, "py", daosgo.ContRO)
	assert.NilError(t, err)
	defer c.Close(ctx)
	pc, err := pydaos.Open(ctx, c, daosgo.ObjRO)
	assert.NilError(t, err)
	defer pc.Close()
	names, err := pc.AllNames(ctx)
	assert.NilError(t, err)
	byName, lost := map[string]string{}, map[string]string{}
	for _, n := range names {
		rec, err := pc.Lookup(ctx, n)
		assert.NilError(t, err)
		if strings.HasPrefix(n, LostFoundPrefix) {
			assert.Equal(t, path.Base(n), rec.OID.String(), "relinked under its object ID")
			lost[rec.OID.String()] = pyDigest(t, pc, rec)
			continue
		}
		byName[n] = pyDigest(t, pc, rec)
	}
	return byName, lost
}

func TestPythonFaults(t *testing.T) {
	for _, fault := range inject.PythonFaults {
		for _, action := range []Action{Report, Punch, Relink} {
			t.Run(string(fault)+"/"+action.String(), func(t *testing.T) {
				p := newPool(t)
				_, err := pydaos.CreateContainer(ctx, p, "py")
				assert.NilError(t, err)
				c, _ := p.OpenContainer(ctx, "py", daosgo.ContRW)
				pc, err := pydaos.Open(ctx, c, daosgo.ObjRW)
				assert.NilError(t, err)
				_, err = populate.Python(ctx, pc, populate.PySpec{Seed: 2, Dicts: 5, KeysPerDict: 10, MinValue: 1, MaxValue: 64}, nil)
				assert.NilError(t, err)
				// What PyDAOS's DCont.array() leaves (a record, no object)
				// and an empty dict: entries without objects.
				aoid, err := c.GenerateOID(ctx, 7, 999, daosgo.OTArray, daosgo.OCUnknown)
				assert.NilError(t, err)
				assert.NilError(t, pc.Link(ctx, "array", pydaos.Record{OID: aoid, Kind: pydaos.Array}))
				empty, err := pc.NewDict(ctx, "empty")
				assert.NilError(t, err)
				assert.NilError(t, empty.Close())
				assert.NilError(t, pc.Close())
				before, _ := pyContents(t, p)
				m, err := inject.Inject(ctx, c, fault, 2, 3)
				assert.NilError(t, err)
				assert.NilError(t, c.Close(ctx))
				assert.Assert(t, len(m.Orphans) > 0)

				res, err := Check(ctx, p, "py", Options{Action: action, Name: "run1"})
				assert.NilError(t, err)
				assert.DeepEqual(t, oids(res), m.Orphans)
				for _, n := range []string{"array", "empty"} {
					if fault != inject.LostKV && !affected(n, m) {
						assert.Assert(t, contains(res.Dangling, n), "%s not among the entries without an object: %v", n, res.Dangling)
					}
				}
				after, lost := pyContents(t, p)
				for n, d := range before {
					if !affected(n, m) && fault != inject.LostKV {
						assert.Equal(t, after[n], d, "%s changed", n)
					}
				}
				again, err := Check(ctx, p, "py", Options{Action: Report})
				assert.NilError(t, err)
				switch action {
				case Report:
					assert.DeepEqual(t, oids(again), m.Orphans)
				case Punch:
					assert.Equal(t, len(again.Orphans), 0)
					assert.Assert(t, res.BytesReclaimed > 0)
				case Relink:
					assert.Equal(t, len(again.Orphans), 0)
					assert.Equal(t, res.LostFound, "lost+found/run1/")
					assert.Equal(t, len(lost), len(m.Orphans))
					for _, o := range res.Orphans {
						assert.Equal(t, o.RelinkedAs, "lost+found/run1/"+o.OIDStr)
					}
					for _, it := range m.Items {
						if it.Path != "" && it.Kind == "dict" && contains(m.Orphans, it.OID) {
							assert.Equal(t, lost[it.OID], before[it.Path], "relinked %s differs", it.Path)
						}
					}
				}
			})
		}
	}
}

func TestCheckerRefusals(t *testing.T) {
	p := newPool(t)
	_, err := p.CreateContainer(ctx, "hdf5", daosgo.Props{daosgo.NumProp(daosgo.PropContLayoutType, daosgo.LayoutHDF5)})
	assert.NilError(t, err)
	_, err = Check(ctx, p, "hdf5", Options{})
	assert.ErrorIs(t, err, daosgo.ErrNotSupported)
	assert.ErrorContains(t, err, "HDF5")

	newPOSIX(t, p, "busy")
	other, err := p.OpenContainer(ctx, "busy", daosgo.ContRO)
	assert.NilError(t, err)
	_, err = Check(ctx, p, "busy", Options{})
	assert.ErrorIs(t, err, daosgo.ErrBusy)
	assert.ErrorContains(t, err, "--evict")
	res, err := Check(ctx, p, "busy", Options{Evict: true})
	assert.NilError(t, err)
	assert.Assert(t, res.Clean())
	_, err = other.Query(ctx)
	assert.ErrorIs(t, err, daosgo.ErrNoHdl, "--evict revoked the other handle")

	// The checker leaves no snapshot behind, also when cancelled.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = Check(cctx, p, "busy", Options{})
	assert.Assert(t, err != nil)
	c, _ := p.OpenContainer(ctx, "busy", daosgo.ContRO)
	snaps, err := c.ListSnapshots(ctx)
	assert.NilError(t, err)
	assert.Equal(t, len(snaps), 0)
	c.Close(ctx)

	// Lost superblock without --fix-sb: a clear error, nothing written.
	c, _ = p.OpenContainer(ctx, "busy", daosgo.ContRW)
	m, err := inject.Inject(ctx, c, inject.LostSB, 1, 1)
	assert.NilError(t, err)
	c.Close(ctx)
	_, err = Check(ctx, p, "busy", Options{})
	assert.ErrorContains(t, err, "--fix-sb")
	assert.Equal(t, m.Needs[0], "fix-sb")

	// A superblock of another DFS layout is another libdfs's container,
	// not a corrupt one: even --fix-sb leaves it as it is.
	newPOSIX(t, p, "layout2")
	c, _ = p.OpenContainer(ctx, "layout2", daosgo.ContRW)
	props, _ := c.GetProps(ctx, daosgo.PropContRoots)
	sb, _ := c.OpenObject(ctx, props[0].Roots[0], daosgo.ObjRW)
	assert.NilError(t, daosgo.PutSingle(ctx, sb, []byte(dfs.SBDkey), "DFS_LAYOUT_VERSION", []byte{2, 0}))
	sb.Close()
	c.Close(ctx)
	_, err = Check(ctx, p, "layout2", Options{FixSB: true, FixRoot: true, Action: Relink})
	assert.ErrorIs(t, err, daosgo.ErrDFIncompat)
	assert.ErrorContains(t, err, "layout version 2")
	c, _ = p.OpenContainer(ctx, "layout2", daosgo.ContRO)
	sb, _ = c.OpenObject(ctx, props[0].Roots[0], daosgo.ObjRO)
	v, err := daosgo.GetSingle(ctx, sb, []byte(dfs.SBDkey), "DFS_LAYOUT_VERSION")
	assert.NilError(t, err)
	assert.DeepEqual(t, v, []byte{2, 0})
	sb.Close()
	c.Close(ctx)
}

// --verify checks records in a pool whose layout has checksums (version 4)
// and counts objects as skipped in an older one.
func TestVerify(t *testing.T) {
	e, err := embedded.Open(embedded.Options{Root: t.TempDir(), Layout: upgrade.Default()})
	assert.NilError(t, err)
	defer e.Close()
	for _, v := range []uint32{4, 3} {
		label := fmt.Sprint("v", v)
		_, err := e.CreatePool(ctx, daosgo.PoolCreateReq{Label: label, Size: 1 << 30, LayoutVersion: daosgo.AtLayout(v)})
		assert.NilError(t, err)
		p, err := e.Connect(ctx, label, daosgo.PoolRW)
		assert.NilError(t, err)
		newPOSIX(t, p, "posix")
		res, err := Check(ctx, p, "posix", Options{Verify: true})
		assert.NilError(t, err)
		assert.Equal(t, len(res.CsumErrors), 0)
		if v == 4 {
			assert.Equal(t, uint64(res.Verified), res.Scanned)
			assert.Equal(t, res.Skipped, 0)
		} else {
			assert.Equal(t, res.Verified, 0)
			assert.Equal(t, uint64(res.Skipped), res.Scanned)
		}
	}
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }

// TestPartialPuts: the temporary entry a killed put leaves is reported,
// left alone by a report, and removed with its object by --punch.
func TestPartialPuts(t *testing.T) {
	p := newPool(t)
	newPOSIX(t, p, "posix")
	c, err := p.OpenContainer(ctx, "posix", daosgo.ContRW)
	assert.NilError(t, err)
	fs, err := dfs.Mount(ctx, c)
	assert.NilError(t, err)
	// What a put killed after its first chunk leaves: the temporary entry
	// and a partial object.
	temp := dfs.PutTempPrefix + "0123456789abcdef.big"
	n, err := fs.CreateFile(ctx, "/data/"+temp, 0o644)
	assert.NilError(t, err)
	assert.NilError(t, fs.WriteAt(ctx, n.Entry, make([]byte, 5000), 0))
	assert.NilError(t, c.Close(ctx))

	for _, tc := range []struct {
		action  Action
		removed int
		left    bool
	}{{Report, 0, true}, {Relink, 0, true}, {Punch, 1, false}} {
		res, err := Check(ctx, p, "posix", Options{Action: tc.action})
		assert.NilError(t, err)
		assert.DeepEqual(t, res.PartialPuts, []string{"/data/" + temp})
		assert.Equal(t, res.PartialPutsRemoved, tc.removed)
		assert.Assert(t, !res.Clean())
		_, ok := tree(t, p, "posix", "/data")["/data/"+temp]
		assert.Equal(t, ok, tc.left, tc.action)
	}
	res, err := Check(ctx, p, "posix", Options{})
	assert.NilError(t, err)
	assert.Assert(t, res.Clean(), "%+v", res)
}

// TestRelinkNameRefused: Check itself refuses a relink name that is not
// one directory name, before it changes anything.
func TestRelinkNameRefused(t *testing.T) {
	p := newPool(t)
	newPOSIX(t, p, "posix")
	for _, name := range []string{"..", ".", "a/b", "/", strings.Repeat("n", 256)} {
		_, err := Check(ctx, p, "posix", Options{Action: Relink, Name: name})
		assert.ErrorIs(t, err, daosgo.ErrInval, name)
	}
	_, ok := tree(t, p, "posix", "/")["/lost+found"]
	assert.Assert(t, !ok)
}

// lost-chunks counts a file's chunks in its own chunk size (libdfs lets
// each file have one) and loses a chunk the file holds: a sparse file's
// holes are not chunks to lose.
func TestLostChunksOwnChunkSize(t *testing.T) {
	p := newPool(t)
	_, err := dfs.CreateContainer(ctx, p, "posix", dfs.Attr{ChunkSize: 1 << 20})
	assert.NilError(t, err)
	c, err := p.OpenContainer(ctx, "posix", daosgo.ContRW)
	assert.NilError(t, err)
	defer c.Close(ctx)
	fs, err := dfs.Mount(ctx, c)
	assert.NilError(t, err)
	parent := fs.Root
	parent.ChunkSize = 1000 // as libdfs's dfs_obj_set_chunk_size leaves a directory
	dir, err := fs.MkdirIn(ctx, parent, "small-chunks", 0o755)
	assert.NilError(t, err)
	f, err := fs.CreateFileIn(ctx, dir, "f", 0o644)
	assert.NilError(t, err)
	assert.Equal(t, f.ChunkSize, uint64(1000))
	// Chunks 1 and 4 are written, 2 and 3 are holes.
	assert.NilError(t, fs.WriteAt(ctx, f.Entry, make([]byte, 500), 0))
	assert.NilError(t, fs.WriteAt(ctx, f.Entry, make([]byte, 500), 3200))
	m, err := inject.Inject(ctx, c, inject.LostChunks, 1, 1)
	assert.NilError(t, err)
	assert.Equal(t, m.Items[0].Detail, "punched chunk 1 of 4")
	assert.DeepEqual(t, m.LostData, []string{"/small-chunks/f"})
}

// An orphan's bytes are what its values hold: a file's, its extents (a
// single-value fetch of an array akey finds nothing, as on DAOS).
func TestOrphanBytes(t *testing.T) {
	p := newPool(t)
	_, err := dfs.CreateContainer(ctx, p, "posix", dfs.Attr{ChunkSize: 4096})
	assert.NilError(t, err)
	c, err := p.OpenContainer(ctx, "posix", daosgo.ContRW)
	assert.NilError(t, err)
	fs, err := dfs.Mount(ctx, c)
	assert.NilError(t, err)
	assert.NilError(t, fs.WriteFile(ctx, "/f", make([]byte, 10000), 0o644))
	_, err = inject.Inject(ctx, c, inject.LostDentry, 1, 1)
	assert.NilError(t, err)
	assert.NilError(t, c.Close(ctx))
	res, err := Check(ctx, p, "posix", Options{})
	assert.NilError(t, err)
	assert.Equal(t, len(res.Orphans), 1)
	assert.Equal(t, res.Orphans[0].Bytes, uint64(10000))
}
