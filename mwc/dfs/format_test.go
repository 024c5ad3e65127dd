package dfs

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/daosgo/daosgo/daosgo"
	"gotest.tools/v3/assert"
)

// goldenInode is a layout-3 inode written byte by byte from libdfs's
// offsets (dfs_internal.h: MODE_IDX 0, OID_IDX 4, MTIME_IDX 20, CTIME_IDX
// 28, CSIZE_IDX 36, OCLASS_IDX 44, MTIME_NSEC_IDX 48, CTIME_NSEC_IDX 56,
// UID_IDX 64, GID_IDX 68, SIZE_IDX 72, HLC_IDX 80, END_IDX 88), all
// little-endian, daos_obj_id_t as {lo, hi}.
var goldenInode = strings.Join([]string{
	"ed810000",         // mode 0o100755 = 0x81ed (regular file, rwxr-xr-x)
	"0700000000000000", // oid.lo = 7
	"050000000100010d", // oid.hi = 0x0d01000100000005: type 13 (ARRAY_BYTE), redundancy 1, groups 1, user bits 5
	"10a5d46500000000", // mtime = 0x65d4a510
	"20a5d46500000000", // ctime = 0x65d4a520
	"0000100000000000", // chunk size = 1 MiB
	"01000001",         // oclass = 0x01000001 (OC_S1)
	"2a00000000000000", // mtime nsec = 42
	"2b00000000000000", // ctime nsec = 43
	"e8030000",         // uid = 1000
	"e9030000",         // gid = 1001
	"0000000000000000", // value length = 0
	"efbeadde00000000", // object HLC = 0xdeadbeef
}, "")

func goldenEntry() Entry {
	return Entry{Mode: 0o100755, OID: daosgo.OID{Lo: 7, Hi: 0x0d01000100000005}, Mtime: 0x65d4a510, Ctime: 0x65d4a520,
		ChunkSize: 1 << 20, OClass: 0x01000001, MtimeNsec: 42, CtimeNsec: 43, UID: 1000, GID: 1001, HLC: 0xdeadbeef}
}

func TestInodeGolden(t *testing.T) {
	want, err := hex.DecodeString(goldenInode)
	assert.NilError(t, err)
	assert.Equal(t, len(want), InodeSize)
	got := goldenEntry().Encode()
	assert.DeepEqual(t, got, want)
	e, err := DecodeEntry(want, 3)
	assert.NilError(t, err)
	assert.Equal(t, e, goldenEntry())
	assert.Assert(t, e.IsRegular() && !e.IsDir() && !e.IsSymlink())
	assert.Equal(t, e.OID, daosgo.GenerateOID(5, 7, daosgo.OTArrayByte, daosgo.OCS1))
}

// libdfs 2.8 mounts layout 3 only, and reads every inode as layout 3's 88
// bytes: an inode of another layout is another libdfs's, not corrupt.
func TestInodeOtherLayouts(t *testing.T) {
	full, _ := hex.DecodeString(goldenInode)
	for _, layout := range []uint16{1, 2, 4} {
		_, err := DecodeEntry(full, layout)
		var v *ErrVersion
		assert.Assert(t, errors.As(err, &v), "layout %d: %v", layout, err)
		assert.ErrorIs(t, err, daosgo.ErrDFIncompat)
	}
}

func TestSymlinkInode(t *testing.T) {
	e := Entry{Mode: ModeSymlink | 0o777, OID: daosgo.OID{Lo: 1, Hi: 9}, ValueLen: 11}
	b := e.Encode()
	assert.DeepEqual(t, b[72:80], []byte{11, 0, 0, 0, 0, 0, 0, 0})
	back, err := DecodeEntry(b, 3)
	assert.NilError(t, err)
	assert.Assert(t, back.IsSymlink())
	assert.Equal(t, back.ValueLen, uint64(11))
}

func TestDecodeEntryRejects(t *testing.T) {
	good, _ := hex.DecodeString(goldenInode)
	badMode := append([]byte(nil), good...)
	badMode[1] = 0 // mode 0x00ed: no file type
	noOID := append([]byte(nil), good...)
	copy(noOID[4:20], make([]byte, 16))
	for name, tc := range map[string]struct {
		b      []byte
		layout uint16
	}{
		"short":        {good[:40], 3},
		"layout 2's":   {good[:56], 3},
		"empty":        {nil, 3},
		"no file type": {badMode, 3},
		"no object id": {noOID, 3},
	} {
		_, err := DecodeEntry(tc.b, tc.layout)
		assert.Assert(t, err != nil, name)
		var c *ErrCorrupt
		assert.Assert(t, errors.As(err, &c), "%s: %v", name, err)
	}
}

// goldenSB are the superblock values open_sb writes, in host order:
// magic u64, versions u16, chunk size u64 (daos_size_t), classes u32
// (daos_oclass_id_t), mode u32.
var goldenSB = map[string]string{
	"DFS_MAGIC":          "50df05da50df05da",
	"DFS_SB_VERSION":     "0200",
	"DFS_LAYOUT_VERSION": "0300",
	"DFS_CHUNK_SIZE":     "0000100000000000",
	"DFS_OBJ_CLASS":      "00000000",
	"DFS_DIR_OBJ_CLASS":  "01000001",
	"DFS_FILE_OBJ_CLASS": "ffff0001",
	"DFS_MODE":           "00000000",
}

// The consistency modes are libdfs's values (daos_fs.h): relaxed 0,
// balanced 4, the bit dfs_mount tests (MODE_MASK, 1 << 2).
func TestModes(t *testing.T) {
	assert.Equal(t, ModeRelaxed, uint32(0))
	assert.Equal(t, ModeBalanced, uint32(1<<2))
}

func TestSuperblockGolden(t *testing.T) {
	sb := NewSuperblock(0, 0, daosgo.OCS1, daosgo.OCSX)
	got := map[string]string{}
	for _, iod := range sb.IODs() {
		assert.Equal(t, iod.Type, daosgo.IODSingle)
		got[string(iod.Akey)] = hex.EncodeToString(iod.Data)
	}
	assert.DeepEqual(t, got, goldenSB)

	vals := map[string][]byte{}
	for k, v := range goldenSB {
		vals[k], _ = hex.DecodeString(v)
	}
	back, err := DecodeSuperblock(vals)
	assert.NilError(t, err)
	assert.Equal(t, back, sb)

	vals["DFS_HINTS"] = []byte("dir:single,file:max\x00")
	withHints, err := DecodeSuperblock(vals)
	assert.NilError(t, err)
	assert.Equal(t, withHints.Hints, "dir:single,file:max")
}

// DecodeSuperblock mounts what libdfs's open_sb mounts: superblock
// versions up to 2 and layout version 3 only; a missing or zero chunk size
// is the default and missing classes are 0. Another version is another
// libdfs's (ErrVersion), bad bytes are corruption (ErrCorrupt).
func TestDecodeSuperblockRules(t *testing.T) {
	base := func() map[string][]byte {
		vals := map[string][]byte{}
		for k, v := range goldenSB {
			vals[k], _ = hex.DecodeString(v)
		}
		return vals
	}
	_, err := DecodeSuperblock(map[string][]byte{})
	assert.ErrorIs(t, err, daosgo.ErrNonexist)
	const ok, corrupt, version = "ok", "corrupt", "version"
	for name, tc := range map[string]struct {
		mutate func(map[string][]byte)
		want   string
	}{
		"as written":       {func(map[string][]byte) {}, ok},
		"sb version 1":     {func(v map[string][]byte) { v["DFS_SB_VERSION"] = []byte{1, 0} }, ok},
		"sb version 0":     {func(v map[string][]byte) { v["DFS_SB_VERSION"] = []byte{0, 0} }, ok},
		"zero chunk":       {func(v map[string][]byte) { v["DFS_CHUNK_SIZE"] = make([]byte, 8) }, ok},
		"no chunk":         {func(v map[string][]byte) { delete(v, "DFS_CHUNK_SIZE") }, ok},
		"no classes":       {func(v map[string][]byte) { delete(v, "DFS_OBJ_CLASS"); delete(v, "DFS_DIR_OBJ_CLASS") }, ok},
		"newer sb":         {func(v map[string][]byte) { v["DFS_SB_VERSION"] = []byte{3, 0} }, version},
		"newer layout":     {func(v map[string][]byte) { v["DFS_LAYOUT_VERSION"] = []byte{4, 0} }, version},
		"layout 2":         {func(v map[string][]byte) { v["DFS_LAYOUT_VERSION"] = []byte{2, 0} }, version},
		"layout 1":         {func(v map[string][]byte) { v["DFS_LAYOUT_VERSION"] = []byte{1, 0} }, version},
		"bad magic":        {func(v map[string][]byte) { v["DFS_MAGIC"][0] ^= 0xff }, corrupt},
		"short version":    {func(v map[string][]byte) { v["DFS_SB_VERSION"] = []byte{2} }, corrupt},
		"no layout":        {func(v map[string][]byte) { delete(v, "DFS_LAYOUT_VERSION") }, corrupt},
		"short class":      {func(v map[string][]byte) { v["DFS_DIR_OBJ_CLASS"] = []byte{1} }, corrupt},
		"long file mode":   {func(v map[string][]byte) { v["DFS_MODE"] = make([]byte, 8) }, corrupt},
		"long chunk size":  {func(v map[string][]byte) { v["DFS_CHUNK_SIZE"] = make([]byte, 9) }, corrupt},
		"short magic":      {func(v map[string][]byte) { v["DFS_MAGIC"] = v["DFS_MAGIC"][:4] }, corrupt},
		"no mode, garbage": {func(v map[string][]byte) { delete(v, "DFS_MODE") }, corrupt},
	} {
		v := base()
		tc.mutate(v)
		sb, err := DecodeSuperblock(v)
		var c *ErrCorrupt
		var ver *ErrVersion
		switch tc.want {
		case ok:
			assert.NilError(t, err, name)
			assert.Assert(t, sb.ChunkSize != 0, name)
		case corrupt:
			assert.Assert(t, errors.As(err, &c), "%s: %v", name, err)
		case version:
			assert.Assert(t, errors.As(err, &ver), "%s: %v", name, err)
			assert.ErrorIs(t, err, daosgo.ErrDFIncompat)
		}
	}
	sb, err := DecodeSuperblock(map[string][]byte{"DFS_MAGIC": base()["DFS_MAGIC"], "DFS_SB_VERSION": {2, 0},
		"DFS_LAYOUT_VERSION": {3, 0}, "DFS_MODE": make([]byte, 4)})
	assert.NilError(t, err)
	assert.Equal(t, sb.ChunkSize, DefaultChunkSize, "libdfs mounts a superblock without a chunk size with the default")
}

func TestChunkArithmetic(t *testing.T) {
	const cs = 1 << 20
	for _, tc := range []struct{ off, dkey, idx uint64 }{
		{0, 1, 0}, {cs - 1, 1, cs - 1}, {cs, 2, 0}, {5*cs + 17, 6, 17},
	} {
		d, i := ChunkKey(tc.off, cs)
		assert.Equal(t, d, tc.dkey, "offset %d", tc.off)
		assert.Equal(t, i, tc.idx, "offset %d", tc.off)
	}
	assert.Equal(t, FileSize(0, daosgo.Recx{}, cs), uint64(0))
	assert.Equal(t, FileSize(1, daosgo.Recx{Idx: 0, Nr: 10}, cs), uint64(10))
	assert.Equal(t, FileSize(3, daosgo.Recx{Idx: 100, Nr: 5}, cs), uint64(2*cs+105))
}

func FuzzDecodeEntry(f *testing.F) {
	good, _ := hex.DecodeString(goldenInode)
	f.Add(good, uint16(3))
	f.Add(good[:56], uint16(2))
	f.Add([]byte{}, uint16(3))
	f.Fuzz(func(t *testing.T, b []byte, layout uint16) {
		e, err := DecodeEntry(b, layout)
		if err != nil {
			return
		}
		if layout != 3 {
			t.Fatalf("decoded an inode of layout %d, which libdfs 2.8 does not mount", layout)
		}
		// What decodes re-encodes to the same bytes.
		if !bytes.Equal(e.Encode(), b[:InodeSize]) {
			t.Fatalf("round trip changed the inode")
		}
	})
}

// libdfsMounts is libdfs's open_sb rule, written from its code apart from
// DecodeSuperblock, for the fuzz oracle: the magic present and right, the
// versions of their size with the superblock version at most 2 and the
// layout 3, values no larger than libdfs's buffers. Where libdfs's outcome
// depends on memory it did not initialise (a value shorter than its
// buffer; no mode, which it reads into an uninitialised variable),
// daosgo refuses, taking it for corruption: the oracle says so too.
func libdfsMounts(vals map[string][]byte) bool {
	le := binary.LittleEndian
	magic, sbv, lv := vals["DFS_MAGIC"], vals["DFS_SB_VERSION"], vals["DFS_LAYOUT_VERSION"]
	if len(magic) != 8 || le.Uint64(magic) != 0xda05df50da05df50 {
		return false
	}
	if len(sbv) != 2 || le.Uint16(sbv) > 2 || len(lv) != 2 || le.Uint16(lv) != 3 {
		return false
	}
	for akey, size := range map[string]int{"DFS_CHUNK_SIZE": 8, "DFS_OBJ_CLASS": 4, "DFS_DIR_OBJ_CLASS": 4, "DFS_FILE_OBJ_CLASS": 4} {
		if n := len(vals[akey]); n != 0 && n != size {
			return false
		}
	}
	return len(vals["DFS_MODE"]) == 4 && len(vals["DFS_HINTS"]) <= 128
}

func FuzzDecodeSuperblock(f *testing.F) {
	vals := map[string][]byte{}
	for k, v := range goldenSB {
		vals[k], _ = hex.DecodeString(v)
	}
	f.Add(vals["DFS_MAGIC"], vals["DFS_SB_VERSION"], vals["DFS_LAYOUT_VERSION"], vals["DFS_CHUNK_SIZE"],
		vals["DFS_DIR_OBJ_CLASS"], vals["DFS_MODE"], []byte("hints\x00"))
	f.Add(vals["DFS_MAGIC"], []byte{1, 0}, []byte{3, 0}, []byte{}, []byte{}, vals["DFS_MODE"], []byte{})
	f.Add(vals["DFS_MAGIC"], []byte{2, 0}, []byte{2, 0}, []byte{}, []byte{}, vals["DFS_MODE"], []byte{})
	f.Add([]byte{}, []byte{}, []byte{}, []byte{}, []byte{}, []byte{}, []byte{})
	f.Fuzz(func(t *testing.T, magic, sbv, lv, cs, oc, mode, hints []byte) {
		vals := map[string][]byte{
			"DFS_MAGIC": magic, "DFS_SB_VERSION": sbv, "DFS_LAYOUT_VERSION": lv, "DFS_CHUNK_SIZE": cs,
			"DFS_OBJ_CLASS": oc, "DFS_DIR_OBJ_CLASS": oc, "DFS_FILE_OBJ_CLASS": oc, "DFS_MODE": mode, "DFS_HINTS": hints,
		}
		if len(hints) > 128 {
			return // a fetch into DAOS_CONT_HINT_MAX_LEN fails before decoding (ReadSuperblock)
		}
		sb, err := DecodeSuperblock(vals)
		if mounts := libdfsMounts(vals); mounts != (err == nil) {
			t.Fatalf("libdfs mounts: %v; daosgo: %v (%+v)", mounts, err, sb)
		}
		if err == nil && sb.ChunkSize == 0 {
			t.Fatalf("accepted with chunk size 0: %+v", sb)
		}
	})
}
