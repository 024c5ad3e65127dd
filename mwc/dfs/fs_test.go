package dfs

import (
	"bytes"
	"context"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/daosgo/daosgo/daosgo"
	"github.com/daosgo/daosgo/daosgo/embedded/embeddedtest"
	"gotest.tools/v3/assert"
)

var ctx = context.Background()

// newFS makes a POSIX container on a fresh embedded engine and mounts it.
func newFS(t testing.TB, attr Attr) (*FS, daosgo.Pool) {
	t.Helper()
	p := embeddedtest.Pool(t, 1<<34, nil)
	_, err := CreateContainer(ctx, p, "posix", attr)
	assert.NilError(t, err)
	c, err := p.OpenContainer(ctx, "posix", daosgo.ContRW)
	assert.NilError(t, err)
	fs, err := Mount(ctx, c)
	assert.NilError(t, err)
	return fs, p
}

func TestCreateContainerLayout(t *testing.T) {
	fs, _ := newFS(t, Attr{ChunkSize: 4096})
	c := fs.Container()
	props, err := c.GetProps(ctx, daosgo.PropContLayoutType, daosgo.PropContRoots)
	assert.NilError(t, err)
	assert.Equal(t, props[0].Num, daosgo.LayoutPOSIX)
	roots := props[1].Roots
	// The reserved OIDs (lo 0, hi 0 and 1), of a class DAOS chose for the
	// container's redundancy factor.
	rf, err := c.GetProps(ctx, daosgo.PropContRedunFac)
	assert.NilError(t, err)
	assert.Assert(t, rf[0].Num > 0, "the embedded engine's containers default to a redundancy factor")
	for i, o := range roots[:2] {
		assert.Equal(t, o.Lo, uint64(0))
		assert.Equal(t, o.UserHi(), uint32(i))
		assert.Equal(t, o.Type(), daosgo.OTMultiHashed)
		assert.Assert(t, daosgo.Redundancy(o.Redundancy()).Tolerates() >= int(rf[0].Num), "root %d is %s", i, o)
	}
	// The superblock leaves the classes to DAOS, as libdfs writes it.
	assert.Equal(t, fs.SB.OClass, daosgo.OCUnknown)
	assert.Equal(t, fs.SB.DirOClass, daosgo.OCUnknown)
	assert.Equal(t, fs.SB.FileOClass, daosgo.OCUnknown)
	assert.Equal(t, fs.SB.ChunkSize, uint64(4096))
	assert.Equal(t, fs.SB.LayoutVersion, LayoutVersion)
	assert.Assert(t, fs.Root.IsDir())
	assert.Equal(t, fs.Root.OID, roots[1])

	// The superblock object holds the SB values and the root's entry, as
	// raw bytes a libdfs reader would find.
	sb, _ := c.OpenObject(ctx, roots[0], daosgo.ObjRO)
	magic, err := daosgo.GetSingle(ctx, sb, []byte("DFS_SB_METADATA"), "DFS_MAGIC")
	assert.NilError(t, err)
	assert.DeepEqual(t, magic, []byte{0x50, 0xdf, 0x05, 0xda, 0x50, 0xdf, 0x05, 0xda})
	inode := make([]byte, InodeSize)
	assert.NilError(t, sb.Fetch(ctx, []byte("/"), daosgo.CondDkeyFetch, []daosgo.IOD{daosgo.ArrayIOD([]byte("DFS_INODE"), 0, inode)}))
	assert.Equal(t, inode[1]&0xf0, byte(0x40), "root mode is a directory (0o040000)")
	assert.DeepEqual(t, inode[4:12], make([]byte, 8)) // root oid.lo = 0
	assert.Equal(t, inode[12], byte(1))               // root oid.hi user bits = 1
}

func TestNamespace(t *testing.T) {
	fs, _ := newFS(t, Attr{ChunkSize: 64})
	_, err := fs.Mkdir(ctx, "/a", 0o755)
	assert.NilError(t, err)
	_, err = fs.Mkdir(ctx, "/a/b", 0o700)
	assert.NilError(t, err)
	_, err = fs.Mkdir(ctx, "/a", 0o755)
	assert.ErrorIs(t, err, daosgo.ErrExist)
	_, err = fs.Mkdir(ctx, "/nope/x", 0o755)
	assert.ErrorIs(t, err, daosgo.ErrNonexist)

	data := bytes.Repeat([]byte("0123456789abcdef"), 25) // 400 bytes: 7 chunks of 64
	assert.NilError(t, fs.WriteFile(ctx, "/a/b/file", data, 0o644))
	got, err := fs.ReadFile(ctx, "/a/b/file")
	assert.NilError(t, err)
	assert.DeepEqual(t, got, data)
	st, err := fs.Stat(ctx, "/a/b/file")
	assert.NilError(t, err)
	assert.Equal(t, st.Type, "file")
	assert.Equal(t, st.Size, uint64(400))
	assert.Equal(t, st.Mode, ModeRegular|0o644)

	// Files are chunked exactly as the DAOS array layer chunks them.
	n, _ := fs.Lookup(ctx, "/a/b/file")
	assert.Equal(t, n.OID.Type(), daosgo.OTArrayByte)
	o, _ := fs.Container().OpenObject(ctx, n.OID, daosgo.ObjRO)
	keys, err := o.ListDkeys(ctx, &daosgo.Anchor{}, 100, nil)
	assert.NilError(t, err)
	assert.Equal(t, len(keys), 7)
	chunk7 := make([]byte, 16)
	assert.NilError(t, o.Fetch(ctx, daosgo.Uint64Key(7), 0, []daosgo.IOD{daosgo.ArrayIOD([]byte("0"), 0, chunk7)}))
	assert.DeepEqual(t, chunk7, data[384:400])

	// A sparse write and a read across a hole.
	assert.NilError(t, fs.WriteAt(ctx, n.Entry, []byte("tail"), 1000))
	st, _ = fs.Stat(ctx, "/a/b/file")
	assert.Equal(t, st.Size, uint64(1004))
	all, err := fs.ReadFile(ctx, "/a/b/file")
	assert.NilError(t, err)
	assert.DeepEqual(t, all[:400], data)
	assert.DeepEqual(t, all[400:1000], make([]byte, 600))
	assert.Equal(t, string(all[1000:]), "tail")

	// An empty file has size 0 and no object.
	_, err = fs.CreateFile(ctx, "/empty", 0o600)
	assert.NilError(t, err)
	st, _ = fs.Stat(ctx, "/empty")
	assert.Equal(t, st.Size, uint64(0))

	// Symlinks: relative and absolute, followed in the middle of a path.
	assert.NilError(t, fs.Symlink(ctx, "a/b", "/ab"))
	assert.NilError(t, fs.Symlink(ctx, "/a/b/file", "/f"))
	st, _ = fs.Stat(ctx, "/ab")
	assert.Equal(t, st.Type, "symlink")
	assert.Equal(t, st.Target, "a/b")
	assert.Equal(t, st.Size, uint64(3))
	viaLink, err := fs.ReadFile(ctx, "/ab/file")
	assert.NilError(t, err)
	assert.Equal(t, len(viaLink), 1004)
	viaLink, err = fs.ReadFile(ctx, "/f")
	assert.NilError(t, err)
	assert.Equal(t, len(viaLink), 1004)

	// Readdir pages through a directory.
	for i := 0; i < 30; i++ {
		_, err := fs.CreateFile(ctx, "/a/f"+string(rune('A'+i)), 0o644)
		assert.NilError(t, err)
	}
	dir, _ := fs.Lookup(ctx, "/a")
	var names []string
	anchor := &daosgo.Anchor{}
	for !anchor.EOF() {
		ents, err := fs.Readdir(ctx, dir.OID, anchor, 7)
		assert.NilError(t, err)
		assert.Assert(t, len(ents) <= 7)
		for _, e := range ents {
			names = append(names, e.Name)
		}
	}
	sort.Strings(names)
	assert.Equal(t, len(names), 31)
	assert.Equal(t, names[0], "b")

	// Errors.
	_, err = fs.Lookup(ctx, "/a/b/file/x")
	assert.ErrorIs(t, err, daosgo.ErrNotDir)
	_, err = fs.ReadFile(ctx, "/a")
	assert.ErrorIs(t, err, daosgo.ErrInval)
	_, err = fs.Lookup(ctx, "/"+strings.Repeat("x", 300))
	assert.ErrorIs(t, err, daosgo.ErrInval)

	// Remove: a file punches its object, a non-empty directory needs -r.
	fileOID := n.OID
	assert.NilError(t, fs.Remove(ctx, "/a/b/file", false))
	_, err = fs.Lookup(ctx, "/a/b/file")
	assert.ErrorIs(t, err, daosgo.ErrNonexist)
	q, err := o.QueryMax(ctx, []byte("0"))
	assert.NilError(t, err)
	assert.Assert(t, !q.Found(), "the file's object %s is punched", fileOID)
	assert.ErrorIs(t, fs.Remove(ctx, "/a", false), daosgo.ErrExist)
	assert.NilError(t, fs.Remove(ctx, "/a", true))
	ents, err := fs.ReaddirAll(ctx, fs.Root.OID)
	assert.NilError(t, err)
	var left []string
	for _, e := range ents {
		left = append(left, e.Name)
	}
	sort.Strings(left)
	assert.DeepEqual(t, left, []string{"ab", "empty", "f"})
	assert.ErrorIs(t, fs.Remove(ctx, "/", true), daosgo.ErrInval)
}

func TestMountRejects(t *testing.T) {
	fs, p := newFS(t, Attr{})
	// A container of another type.
	_, err := p.CreateContainer(ctx, "plain", nil)
	assert.NilError(t, err)
	plain, _ := p.OpenContainer(ctx, "plain", daosgo.ContRO)
	_, err = Mount(ctx, plain)
	assert.ErrorIs(t, err, daosgo.ErrNotSupported)
	// A lost superblock.
	c := fs.Container()
	sb, _ := c.OpenObject(ctx, fs.SBOID, daosgo.ObjRW)
	assert.NilError(t, sb.PunchDkeys(ctx, 0, [][]byte{[]byte(SBDkey)}))
	_, err = Mount(ctx, c)
	assert.ErrorIs(t, err, daosgo.ErrNonexist)
	// A corrupt one.
	bad := NewSuperblock(0, 0, daosgo.OCS1, daosgo.OCSX)
	bad.Magic = 1
	assert.NilError(t, WriteSuperblock(ctx, c, fs.SBOID, bad))
	_, err = Mount(ctx, c)
	assert.ErrorIs(t, err, daosgo.ErrIOInval)
	assert.ErrorContains(t, err, "magic")
}

func TestOIDAllocation(t *testing.T) {
	fs, _ := newFS(t, Attr{})
	seen := map[daosgo.OID]bool{fs.SBOID: true, fs.Root.OID: true}
	for i := 0; i < 200; i++ {
		file := i%2 == 0
		kind := kindDir
		if file {
			kind = kindFile
		}
		oid, err := fs.newOID(ctx, kind, fs.Root)
		assert.NilError(t, err)
		assert.Assert(t, !seen[oid], "OID %s given twice", oid)
		seen[oid] = true
		if file {
			assert.Equal(t, oid.Type(), daosgo.OTArrayByte)
		} else {
			assert.Equal(t, oid.Type(), daosgo.OTMultiHashed)
		}
	}
}

// TestInTx makes entries through a transaction: none shows before the
// commit, all do after it, and an aborted transaction leaves no entry and
// no object behind.
func TestInTx(t *testing.T) {
	fs, _ := newFS(t, Attr{ChunkSize: 16})
	c := fs.Container()
	objects := func() uint64 {
		info, err := c.Query(ctx)
		assert.NilError(t, err)
		return info.Objects
	}
	before := objects()

	x, err := c.OpenTx(ctx)
	assert.NilError(t, err)
	in := fs.InTx(x)
	dir, err := in.MkdirIn(ctx, fs.Root, "d", 0o755)
	assert.NilError(t, err)
	n, err := in.CreateFileIn(ctx, dir, "f", 0o644)
	assert.NilError(t, err)
	data := []byte("forty bytes spread over three chunks...")
	assert.NilError(t, in.WriteAt(ctx, n.Entry, data, 0))
	assert.NilError(t, in.SymlinkIn(ctx, dir, "l", "f"))
	_, err = fs.Lookup(ctx, "/d")
	assert.ErrorIs(t, err, daosgo.ErrNonexist)
	assert.NilError(t, x.Commit(ctx))
	assert.NilError(t, x.Close(ctx))

	got, err := fs.ReadFile(ctx, "/d/l")
	assert.NilError(t, err)
	assert.DeepEqual(t, got, data)
	assert.Equal(t, objects(), before+3) // the root directory's object, d and the file

	x, err = c.OpenTx(ctx)
	assert.NilError(t, err)
	in = fs.InTx(x)
	n, err = in.CreateFileIn(ctx, dir, "aborted", 0o644)
	assert.NilError(t, err)
	assert.NilError(t, in.WriteAt(ctx, n.Entry, data, 0))
	assert.NilError(t, x.Abort(ctx))
	assert.NilError(t, x.Close(ctx))
	_, err = fs.Lookup(ctx, "/d/aborted")
	assert.ErrorIs(t, err, daosgo.ErrNonexist)
	assert.Equal(t, objects(), before+3)
}

// TestRelativeSymlinks follows relative targets from the link's own
// directory, for the last component as for a parent, and stops loops.
func TestRelativeSymlinks(t *testing.T) {
	fs, _ := newFS(t, Attr{})
	_, err := fs.Mkdir(ctx, "/d", 0o755)
	assert.NilError(t, err)
	_, err = fs.Mkdir(ctx, "/d/sub", 0o755)
	assert.NilError(t, err)
	assert.NilError(t, fs.WriteFile(ctx, "/d/f", []byte("in d"), 0o644))
	assert.NilError(t, fs.WriteFile(ctx, "/f", []byte("at the root"), 0o644))
	assert.NilError(t, fs.Symlink(ctx, "f", "/d/lf"))
	assert.NilError(t, fs.Symlink(ctx, "../f", "/d/sub/up"))
	assert.NilError(t, fs.Symlink(ctx, "sub", "/d/ls"))
	got, err := fs.ReadFile(ctx, "/d/lf")
	assert.NilError(t, err)
	assert.Equal(t, string(got), "in d")
	got, err = fs.ReadFile(ctx, "/d/sub/up")
	assert.NilError(t, err)
	assert.Equal(t, string(got), "in d")

	// A file made through a link to a directory lands in that directory.
	assert.NilError(t, fs.WriteFile(ctx, "/d/ls/x", []byte("x"), 0o644))
	got, err = fs.ReadFile(ctx, "/d/sub/x")
	assert.NilError(t, err)
	assert.Equal(t, string(got), "x")

	assert.NilError(t, fs.Symlink(ctx, "loop", "/d/loop"))
	_, err = fs.ReadFile(ctx, "/d/loop")
	assert.ErrorIs(t, err, daosgo.ErrInval)
	_, err = fs.CreateFile(ctx, "/d/loop/x", 0o644)
	assert.ErrorIs(t, err, daosgo.ErrInval)
}

// Stat reports times as libdfs's dfs_stat does: a file or directory
// changed after its entry was made shows the time of its object's latest
// write, not the entry's creation time; an object never written shows the
// entry's times. (The cross tests compare them with libdfs's own on DAOS.)
func TestStatTimes(t *testing.T) {
	fs, _ := newFS(t, Attr{ChunkSize: 4096})
	_, err := fs.Mkdir(ctx, "/d", 0o755)
	assert.NilError(t, err)
	_, err = fs.CreateFile(ctx, "/d/empty", 0o644)
	assert.NilError(t, err)
	made, err := fs.Stat(ctx, "/d/empty")
	assert.NilError(t, err)
	n, _ := fs.Lookup(ctx, "/d/empty")
	assert.Equal(t, made.Mtime, time.Unix(int64(n.Mtime), int64(n.MtimeNsec)), "never written: the entry's mtime")

	time.Sleep(5 * time.Millisecond)
	assert.NilError(t, fs.WriteFile(ctx, "/d/empty", []byte("now written"), 0))
	written, err := fs.Stat(ctx, "/d/empty")
	assert.NilError(t, err)
	o, _ := fs.Container().OpenObject(ctx, n.OID, daosgo.ObjRO)
	epoch, err := o.QueryMaxEpoch(ctx)
	o.Close()
	assert.NilError(t, err)
	assert.Assert(t, written.Mtime.After(made.Mtime), "%s not after %s", written.Mtime, made.Mtime)
	assert.Equal(t, written.Mtime.UnixNano(), daosgo.EpochTime(epoch).UnixNano())
	assert.Equal(t, written.Ctime, written.Mtime)

	// The directory's time is its object's latest write: the entry made
	// in it, not its own creation.
	dir, err := fs.Stat(ctx, "/d")
	assert.NilError(t, err)
	dn, _ := fs.Lookup(ctx, "/d")
	assert.Assert(t, dir.Mtime.After(time.Unix(int64(dn.Mtime), int64(dn.MtimeNsec))))
}

// Times follows update_stbuf_times: an entry whose HLC is the object's
// epoch had its mtime set by hand (dfs_osetattr), which then wins.
func TestTimes(t *testing.T) {
	set := time.Date(2023, 4, 5, 6, 7, 8, 9, time.UTC)
	made := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	wrote := daosgo.TimeEpoch(time.Date(2025, 2, 3, 4, 5, 6, 0, time.UTC)) + 7
	e := Entry{Mtime: uint64(set.Unix()), MtimeNsec: uint64(set.Nanosecond()), Ctime: uint64(made.Unix())}
	for name, tc := range map[string]struct {
		hlc, epoch   uint64
		mtime, ctime time.Time
	}{
		"never written":      {0, 0, set, made},
		"written since":      {0, wrote, daosgo.EpochTime(wrote), daosgo.EpochTime(wrote)},
		"set by hand":        {wrote, wrote, set, daosgo.EpochTime(wrote)},
		"written after that": {wrote, wrote + 1<<18, daosgo.EpochTime(wrote + 1<<18), daosgo.EpochTime(wrote + 1<<18)},
	} {
		e.HLC = tc.hlc
		m, c := Times(e, tc.epoch)
		assert.Equal(t, m.UnixNano(), tc.mtime.UnixNano(), name)
		assert.Equal(t, c.UnixNano(), tc.ctime.UnixNano(), name)
	}
}

// New entries are owned by the process that makes them, as libdfs owns
// them (geteuid, getegid): the root of a new container, directories,
// files, symlinks, a recreated root and the entries the checker relinks,
// whoever owns the root.
func TestEntriesOwnedByTheWriter(t *testing.T) {
	as := func(uid, gid uint32) {
		processOwner = func() (uint32, uint32) { return uid, gid }
	}
	t.Cleanup(func() { as(uint32(os.Geteuid()), uint32(os.Getegid())) })
	as(1001, 2001)
	fs, _ := newFS(t, Attr{})
	assert.Equal(t, fs.Root.UID, uint32(1001))
	assert.Equal(t, fs.Root.GID, uint32(2001))

	as(1002, 2002)
	_, err := fs.Mkdir(ctx, "/d", 0o755)
	assert.NilError(t, err)
	_, err = fs.CreateFile(ctx, "/d/f", 0o644)
	assert.NilError(t, err)
	assert.NilError(t, fs.Symlink(ctx, "f", "/d/l"))
	oid, err := fs.Container().GenerateOID(ctx, 77, 0, daosgo.OTArrayByte, daosgo.OCUnknown)
	assert.NilError(t, err)
	assert.NilError(t, fs.LinkEntry(ctx, fs.Root.OID, "relinked", Entry{Mode: ModeRegular | 0o600, OID: oid, ChunkSize: 4096}))
	for _, p := range []string{"/d", "/d/f", "/d/l", "/relinked"} {
		st, err := fs.Stat(ctx, p)
		assert.NilError(t, err)
		assert.Equal(t, st.UID, uint32(1002), p)
		assert.Equal(t, st.GID, uint32(2002), p)
	}

	as(1003, 2003)
	props, err := fs.Container().GetProps(ctx, daosgo.PropContRoots)
	assert.NilError(t, err)
	assert.NilError(t, RecreateRoot(ctx, fs.Container(), props[0].Roots))
	again, err := Mount(ctx, fs.Container())
	assert.NilError(t, err)
	assert.Equal(t, again.Root.UID, uint32(1003))
}
