// Package dfs reads and writes DAOS's POSIX data model (DFS, libdfs) over
// the daosgo API, byte for byte as libdfs stores it, so that daosgo's
// checker can repair containers libdfs made and libdfs can read what
// daosgo writes.
//
// A DFS container's roots property holds the superblock object (roots[0],
// OID 0.0) and the root directory (roots[1], OID 1.0). The superblock is a
// few single values under dkey "DFS_SB_METADATA"; the root directory's own
// entry sits in the superblock object under dkey "/". A directory is an
// object whose dkeys are its entries' names; each entry's inode is the akey
// "DFS_INODE", an array of 1-byte records. A file is a byte-array object
// whose bytes are chunked over integer dkeys.
package dfs

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/daosgo/daosgo/daosgo"
)

// Superblock keys (libdfs's SB_DKEY and its akeys).
const (
	SBDkey          = "DFS_SB_METADATA"
	akeyMagic       = "DFS_MAGIC"
	akeySBVersion   = "DFS_SB_VERSION"
	akeyLayout      = "DFS_LAYOUT_VERSION"
	akeyChunkSize   = "DFS_CHUNK_SIZE"
	akeyOClass      = "DFS_OBJ_CLASS"
	akeyDirOClass   = "DFS_DIR_OBJ_CLASS"
	akeyFileOClass  = "DFS_FILE_OBJ_CLASS"
	akeyMode        = "DFS_MODE"
	akeyHints       = "DFS_HINTS"
	InodeAkey       = "DFS_INODE"
	SymlinkAkey     = "DFS_SLINK"
	RootEntryName   = "/"
	xattrAkeyPrefix = "x:"
)

// Values libdfs writes.
const (
	Magic            uint64 = 0xda05df50da05df50 // DFS_SB_MAGIC
	SBVersion        uint16 = 2                  // DFS_SB_VERSION
	LayoutVersion    uint16 = 3                  // DFS_LAYOUT_VERSION
	DefaultChunkSize uint64 = 1 << 20            // DFS_DEFAULT_CHUNK_SIZE
	ModeRelaxed      uint32 = 0                  // DFS_RELAXED
	ModeBalanced     uint32 = 4                  // DFS_BALANCED: libdfs tests bit 2 (MODE_MASK)
	contHintMaxLen          = 128                // DAOS_CONT_HINT_MAX_LEN
	reservedLo       uint64 = 0                  // RESERVED_LO
	sbHi                    = 0                  // SB_HI
	rootHi                  = 1                  // ROOT_HI
	fileArrayAkey           = "0"                // the DAOS array layer's akey
)

// Superblock is the DFS superblock.
type Superblock struct {
	Magic         uint64
	SBVersion     uint16
	LayoutVersion uint16
	ChunkSize     uint64
	OClass        daosgo.ObjClass
	DirOClass     daosgo.ObjClass
	FileOClass    daosgo.ObjClass
	Mode          uint32
	Hints         string
}

// NewSuperblock returns the superblock libdfs writes for these settings
// (chunk size 0 means the default).
func NewSuperblock(chunk uint64, oclass, dirOClass, fileOClass daosgo.ObjClass) Superblock {
	if chunk == 0 {
		chunk = DefaultChunkSize
	}
	return Superblock{Magic: Magic, SBVersion: SBVersion, LayoutVersion: LayoutVersion, ChunkSize: chunk,
		OClass: oclass, DirOClass: dirOClass, FileOClass: fileOClass, Mode: ModeRelaxed}
}

// IODs returns the single values of the superblock, as open_sb writes them
// (host order; the hints akey only when set, NUL-terminated).
func (sb Superblock) IODs() []daosgo.IOD {
	le := binary.LittleEndian
	iods := []daosgo.IOD{
		daosgo.SingleIOD(akeyMagic, le.AppendUint64(nil, sb.Magic)),
		daosgo.SingleIOD(akeySBVersion, le.AppendUint16(nil, sb.SBVersion)),
		daosgo.SingleIOD(akeyLayout, le.AppendUint16(nil, sb.LayoutVersion)),
		daosgo.SingleIOD(akeyChunkSize, le.AppendUint64(nil, sb.ChunkSize)),
		daosgo.SingleIOD(akeyOClass, le.AppendUint32(nil, uint32(sb.OClass))),
		daosgo.SingleIOD(akeyDirOClass, le.AppendUint32(nil, uint32(sb.DirOClass))),
		daosgo.SingleIOD(akeyFileOClass, le.AppendUint32(nil, uint32(sb.FileOClass))),
		daosgo.SingleIOD(akeyMode, le.AppendUint32(nil, sb.Mode)),
	}
	if sb.Hints != "" {
		iods = append(iods, daosgo.SingleIOD(akeyHints, append([]byte(sb.Hints), 0)))
	}
	return iods
}

// sbFields lists the superblock akeys, the size libdfs writes each with,
// and whether libdfs mounts a superblock without it (open_sb starts the
// chunk size and the classes at 0, which mean the defaults; it checks the
// sizes of the versions only, and a value larger than its buffer fails the
// fetch). daosgo takes a value of any other size for corruption.
var sbFields = []struct {
	akey     string
	size     int
	optional bool
}{
	{akeyMagic, 8, false}, {akeySBVersion, 2, false}, {akeyLayout, 2, false}, {akeyChunkSize, 8, true},
	{akeyOClass, 4, true}, {akeyDirOClass, 4, true}, {akeyFileOClass, 4, true}, {akeyMode, 4, false},
}

// ErrCorrupt reports bytes that are not what libdfs writes.
type ErrCorrupt struct{ What, Why string }

func (e *ErrCorrupt) Error() string { return fmt.Sprintf("DFS %s is corrupt: %s", e.What, e.Why) }
func (e *ErrCorrupt) Unwrap() error { return daosgo.ErrIOInval }

// ErrVersion reports a superblock of a DFS version libdfs 2.8 does not
// mount (open_sb: superblock version above 2, or a layout other than 3).
// It is not corruption: the container was made by another libdfs, whose
// entries this software cannot decode, and rebuilding its superblock would
// make them unreadable; so the checker leaves it alone.
type ErrVersion struct{ SBVersion, LayoutVersion uint16 }

func (e *ErrVersion) Error() string {
	return fmt.Sprintf("DFS superblock version %d, layout version %d: this software (as libdfs of DAOS 2.8) reads superblock versions up to %d and layout version %d only",
		e.SBVersion, e.LayoutVersion, SBVersion, LayoutVersion)
}
func (e *ErrVersion) Unwrap() error { return daosgo.ErrDFIncompat }

// SalvageSuperblock keeps what can be trusted of a damaged superblock's
// values: each field that has its right size and a plausible value. The
// others keep DFS's defaults; found says which fields were kept.
func SalvageSuperblock(vals map[string][]byte) (sb Superblock, found map[string]bool) {
	sb = NewSuperblock(0, 0, 0, 0)
	found = map[string]bool{}
	le := binary.LittleEndian
	get := func(akey string, size int) []byte {
		if b := vals[akey]; len(b) == size {
			found[akey] = true
			return b
		}
		return nil
	}
	if b := get(akeyChunkSize, 8); b != nil && le.Uint64(b) != 0 {
		sb.ChunkSize = le.Uint64(b)
	} else {
		delete(found, akeyChunkSize)
	}
	if b := get(akeyOClass, 4); b != nil {
		sb.OClass = daosgo.ObjClass(le.Uint32(b))
	}
	if b := get(akeyDirOClass, 4); b != nil {
		sb.DirOClass = daosgo.ObjClass(le.Uint32(b))
	}
	if b := get(akeyFileOClass, 4); b != nil {
		sb.FileOClass = daosgo.ObjClass(le.Uint32(b))
	}
	if b := get(akeyMode, 4); b != nil {
		sb.Mode = le.Uint32(b)
	}
	return sb, found
}

// ReadSuperblockValues fetches the raw superblock values by akey, for
// salvage; absent values are missing from the map.
func ReadSuperblockValues(ctx context.Context, c daosgo.Container, oid daosgo.OID) (map[string][]byte, error) {
	o, err := c.OpenObject(ctx, oid, daosgo.ObjRO)
	if err != nil {
		return nil, err
	}
	defer o.Close()
	vals := map[string][]byte{}
	for _, f := range append(sbFields, struct {
		akey     string
		size     int
		optional bool
	}{akeyHints, contHintMaxLen, true}) {
		v, err := daosgo.GetSingle(ctx, o, []byte(SBDkey), f.akey)
		if err == nil {
			vals[f.akey] = v
		}
	}
	return vals, nil
}

// DecodeSuperblock decodes the superblock's values by akey, with libdfs's
// rules (open_sb): a missing magic means no superblock (DER_NONEXIST); a
// wrong magic, a value of a size libdfs does not write, a missing
// version or mode is corruption (*ErrCorrupt); a superblock version above
// 2 or a layout version other than 3 is another libdfs's (*ErrVersion).
// A missing or zero chunk size is the default, missing classes are 0.
func DecodeSuperblock(vals map[string][]byte) (Superblock, error) {
	var sb Superblock
	if len(vals[akeyMagic]) == 0 {
		return sb, daosgo.Errorf(daosgo.ErrNonexist, "DFS superblock")
	}
	for _, f := range sbFields {
		n := len(vals[f.akey])
		if n != f.size && !(n == 0 && f.optional) {
			return sb, &ErrCorrupt{"superblock", fmt.Sprintf("%s has %d bytes, want %d", f.akey, n, f.size)}
		}
	}
	le := binary.LittleEndian
	u32 := func(akey string) uint32 {
		if b := vals[akey]; len(b) == 4 {
			return le.Uint32(b)
		}
		return 0
	}
	sb.Magic = le.Uint64(vals[akeyMagic])
	sb.SBVersion = le.Uint16(vals[akeySBVersion])
	sb.LayoutVersion = le.Uint16(vals[akeyLayout])
	if b := vals[akeyChunkSize]; len(b) == 8 {
		sb.ChunkSize = le.Uint64(b)
	}
	if sb.ChunkSize == 0 {
		sb.ChunkSize = DefaultChunkSize // libdfs: da_chunk_size 0 is the default
	}
	sb.OClass = daosgo.ObjClass(u32(akeyOClass))
	sb.DirOClass = daosgo.ObjClass(u32(akeyDirOClass))
	sb.FileOClass = daosgo.ObjClass(u32(akeyFileOClass))
	sb.Mode = u32(akeyMode)
	if h := vals[akeyHints]; len(h) > 0 {
		if i := indexByte(h, 0); i >= 0 {
			h = h[:i]
		}
		sb.Hints = string(h)
	}
	switch {
	case sb.Magic != Magic:
		return sb, &ErrCorrupt{"superblock", fmt.Sprintf("magic %#x, want %#x", sb.Magic, Magic)}
	case sb.SBVersion > SBVersion || sb.LayoutVersion != LayoutVersion:
		return sb, &ErrVersion{SBVersion: sb.SBVersion, LayoutVersion: sb.LayoutVersion}
	}
	return sb, nil
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// Inode offsets in an entry's DFS_INODE array (libdfs's *_IDX).
const (
	offMode      = 0
	offOID       = 4
	offMtime     = 20
	offCtime     = 28
	offChunkSize = 36
	offOClass    = 44
	offMtimeNsec = 48
	offCtimeNsec = 56
	offUID       = 64
	offGID       = 68
	offValueLen  = 72
	offHLC       = 80
	// InodeSize is END_IDX, the record count of a layout-3 inode.
	InodeSize = 88
)

// File type bits of Mode (POSIX st_mode).
const (
	ModeType    uint32 = 0o170000
	ModeDir     uint32 = 0o040000
	ModeRegular uint32 = 0o100000
	ModeSymlink uint32 = 0o120000
)

// Entry is a directory entry's inode.
type Entry struct {
	Mode      uint32
	OID       daosgo.OID
	Mtime     uint64 // seconds
	Ctime     uint64
	ChunkSize uint64 // 0: the container's
	OClass    daosgo.ObjClass
	MtimeNsec uint64
	CtimeNsec uint64
	UID, GID  uint32
	ValueLen  uint64 // symlink target length; 0 for files and directories
	HLC       uint64 // the object's hybrid logical clock, set by libdfs
}

// IsDir, IsRegular and IsSymlink test the file type.
func (e Entry) IsDir() bool     { return e.Mode&ModeType == ModeDir }
func (e Entry) IsRegular() bool { return e.Mode&ModeType == ModeRegular }
func (e Entry) IsSymlink() bool { return e.Mode&ModeType == ModeSymlink }

// Encode returns the inode's records in layout version 3.
func (e Entry) Encode() []byte {
	b := make([]byte, InodeSize)
	le := binary.LittleEndian
	le.PutUint32(b[offMode:], e.Mode)
	le.PutUint64(b[offOID:], e.OID.Lo) // daos_obj_id_t is {lo, hi}
	le.PutUint64(b[offOID+8:], e.OID.Hi)
	le.PutUint64(b[offMtime:], e.Mtime)
	le.PutUint64(b[offCtime:], e.Ctime)
	le.PutUint64(b[offChunkSize:], e.ChunkSize)
	le.PutUint32(b[offOClass:], uint32(e.OClass))
	le.PutUint64(b[offMtimeNsec:], e.MtimeNsec)
	le.PutUint64(b[offCtimeNsec:], e.CtimeNsec)
	le.PutUint32(b[offUID:], e.UID)
	le.PutUint32(b[offGID:], e.GID)
	le.PutUint64(b[offValueLen:], e.ValueLen)
	le.PutUint64(b[offHLC:], e.HLC)
	return b
}

// DecodeEntry decodes an inode of the given layout version, which must be
// 3: libdfs 2.8 mounts no other (open_sb), and fetches every inode as
// layout 3's 88 bytes whatever the layout (fetch_entry).
func DecodeEntry(b []byte, layout uint16) (Entry, error) {
	if layout != LayoutVersion {
		return Entry{}, &ErrVersion{SBVersion: SBVersion, LayoutVersion: layout}
	}
	if len(b) < InodeSize {
		return Entry{}, &ErrCorrupt{"inode", fmt.Sprintf("%d bytes, want %d", len(b), InodeSize)}
	}
	le := binary.LittleEndian
	e := Entry{
		Mode:      le.Uint32(b[offMode:]),
		OID:       daosgo.OID{Lo: le.Uint64(b[offOID:]), Hi: le.Uint64(b[offOID+8:])},
		Mtime:     le.Uint64(b[offMtime:]),
		Ctime:     le.Uint64(b[offCtime:]),
		ChunkSize: le.Uint64(b[offChunkSize:]),
		OClass:    daosgo.ObjClass(le.Uint32(b[offOClass:])),
		MtimeNsec: le.Uint64(b[offMtimeNsec:]),
		CtimeNsec: le.Uint64(b[offCtimeNsec:]),
		UID:       le.Uint32(b[offUID:]),
		GID:       le.Uint32(b[offGID:]),
		ValueLen:  le.Uint64(b[offValueLen:]),
		HLC:       le.Uint64(b[offHLC:]),
	}
	switch e.Mode & ModeType {
	case ModeDir, ModeRegular, ModeSymlink:
	default:
		return e, &ErrCorrupt{"inode", fmt.Sprintf("mode %#o is not a directory, file or symlink", e.Mode)}
	}
	if !e.IsSymlink() && e.OID.IsZero() {
		return e, &ErrCorrupt{"inode", "no object ID"}
	}
	return e, nil
}

// ChunkKey returns the dkey and record index that hold byte off of a file
// with chunk size cs: chunks are numbered from 1, as DAOS arrays number them.
func ChunkKey(off, cs uint64) (dkey uint64, idx uint64) { return off/cs + 1, off % cs }

// FileSize returns a file's size from its highest chunk and that chunk's
// highest extent (daos_array_get_size).
func FileSize(maxDkey uint64, last daosgo.Recx, cs uint64) uint64 {
	if maxDkey == 0 {
		return 0
	}
	return cs*(maxDkey-1) + last.Idx + last.Nr
}
