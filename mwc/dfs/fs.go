package dfs

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/daosgo/daosgo/daosgo"
)

// Attr are the settings of a new POSIX container (dfs_attr_t). Zero values
// leave the choice to DAOS, as libdfs does: the classes are then chosen for
// the container's redundancy factor whenever an object is made.
type Attr struct {
	ChunkSize  uint64          // 0: chosen for the file class (suggest_dfs_cs)
	OClass     daosgo.ObjClass // DFS_OBJ_CLASS: every object (and symlinks)
	DirOClass  daosgo.ObjClass // DFS_DIR_OBJ_CLASS: directories
	FileOClass daosgo.ObjClass // DFS_FILE_OBJ_CLASS: files
	Mode       uint32          // ModeRelaxed or ModeBalanced
	// Props are more container properties (da_props), e.g. rd_fac.
	Props daosgo.Props
}

// CreateContainer makes a POSIX container as dfs_cont_create does: the
// superblock and root OIDs generated for the container's redundancy
// factor (asked for in attr.Props, else the pool's), the layout type and
// roots properties, the superblock, and the root directory's entry in the
// superblock object under "/". The superblock and the root entry are
// written in one transaction, and a container whose namespace could not be
// written (DER_NOSPACE, say) is destroyed again, so that a failed create
// leaves no container behind to hold the label.
func CreateContainer(ctx context.Context, p daosgo.Pool, label string, attr Attr) (daosgo.UUID, error) {
	rf, err := redundancyFactor(ctx, p, attr.Props)
	if err != nil {
		return daosgo.UUID{}, err
	}
	// One class for everything, unless directories or files ask for theirs.
	if attr.DirOClass == 0 {
		attr.DirOClass = attr.OClass
	}
	if attr.FileOClass == 0 {
		attr.FileOClass = attr.OClass
	}
	if daosgo.Redundancy(attr.DirOClass.Redundancy()).IsEC() {
		attr.DirOClass = 0 // libdfs: directories are never erasure coded
	}
	for _, c := range []struct {
		what  string
		class daosgo.ObjClass
	}{{"file", attr.FileOClass}, {"directory", attr.DirOClass}} {
		if c.class == 0 {
			continue
		}
		r := daosgo.Redundancy(c.class.Redundancy())
		if !r.Known() {
			return daosgo.UUID{}, daosgo.Errorf(daosgo.ErrInval, "%s object class %#x is unknown", c.what, uint32(c.class))
		}
		if r.Tolerates() < daosgo.RFTolerates(rf) {
			return daosgo.UUID{}, daosgo.Errorf(daosgo.ErrInval, "%s object class %s survives %d failures; the container's redundancy factor %d needs %d",
				c.what, c.class, r.Tolerates(), rf, daosgo.RFTolerates(rf))
		}
	}
	if attr.ChunkSize == 0 {
		if attr.ChunkSize, err = suggestChunkSize(ctx, p, rf, attr); err != nil {
			return daosgo.UUID{}, err
		}
	}
	sbOID, err := p.GenerateOIDByRF(ctx, rf, sbHi, reservedLo, daosgo.OTMultiHashed, attr.DirOClass)
	if err != nil {
		return daosgo.UUID{}, fmt.Errorf("superblock OID: %w", err)
	}
	rootOID, err := p.GenerateOIDByRF(ctx, rf, rootHi, reservedLo, daosgo.OTMultiHashed, attr.DirOClass)
	if err != nil {
		return daosgo.UUID{}, fmt.Errorf("root OID: %w", err)
	}
	props := append(daosgo.Props{}, attr.Props...)
	props.Set(daosgo.NumProp(daosgo.PropContLayoutType, daosgo.LayoutPOSIX))
	props.Set(daosgo.RootsProp(daosgo.Roots{sbOID, rootOID}))
	id, err := p.CreateContainer(ctx, label, props)
	if err != nil {
		return id, err
	}
	if err := writeNamespace(ctx, p, id, sbOID, rootOID, attr); err != nil {
		if derr := p.DestroyContainer(context.WithoutCancel(ctx), id.String(), true); derr != nil {
			return id, errors.Join(err, fmt.Errorf("destroying the unfinished container %s: %w", id, derr))
		}
		return id, err
	}
	return id, nil
}

// writeNamespace writes a new container's superblock and root entry.
func writeNamespace(ctx context.Context, p daosgo.Pool, id daosgo.UUID, sbOID, rootOID daosgo.OID, attr Attr) error {
	c, err := p.OpenContainer(ctx, id.String(), daosgo.ContRW)
	if err != nil {
		return err
	}
	defer c.Close(context.WithoutCancel(ctx))
	sb := NewSuperblock(attr.ChunkSize, attr.OClass, attr.DirOClass, attr.FileOClass)
	sb.Mode = attr.Mode
	root := newEntry(ModeDir|0o755, rootOID)
	return daosgo.RunTx(ctx, c, func(x daosgo.Tx) error {
		o, err := x.OpenObject(ctx, sbOID, daosgo.ObjRW)
		if err != nil {
			return err
		}
		defer o.Close()
		if err := o.Update(ctx, []byte(SBDkey), 0, sb.IODs()); err != nil {
			return err
		}
		return o.Update(ctx, []byte(RootEntryName), daosgo.CondDkeyInsert, []daosgo.IOD{daosgo.ArrayIOD([]byte(InodeAkey), 0, root.Encode())})
	})
}

// redundancyFactor is the redundancy factor a new container will have:
// the one asked for, else the pool's, which DAOS gives it.
func redundancyFactor(ctx context.Context, p daosgo.Pool, props daosgo.Props) (uint64, error) {
	if rf, ok := props.Get(daosgo.PropContRedunFac); ok {
		return rf.Num, nil
	}
	pp, err := p.GetProps(ctx, daosgo.PropPoolRedunFac)
	if errors.Is(err, daosgo.ErrNonexist) {
		return 0, nil // a pool older than redundancy factors
	}
	if err != nil {
		return 0, err
	}
	return pp.Num(daosgo.PropPoolRedunFac, 0), nil
}

// suggestChunkSize is libdfs's default chunk size (suggest_dfs_cs): 1 MiB
// for replicated files; for erasure-coded ones a multiple of a full stripe
// (data cells times the cell size) of at least 1 MiB.
func suggestChunkSize(ctx context.Context, p daosgo.Pool, rf uint64, attr Attr) (uint64, error) {
	if rf > 3 {
		return DefaultChunkSize, nil
	}
	oid, err := p.GenerateOIDByRF(ctx, rf, 0, 0, daosgo.OTArrayByte, attr.FileOClass)
	if err != nil {
		return 0, fmt.Errorf("file object class: %w", err)
	}
	data := daosgo.Redundancy(oid.Redundancy()).DataCells()
	if data == 0 {
		return DefaultChunkSize, nil
	}
	cell := attr.Props.Num(daosgo.PropContECCellSize, 0)
	if cell == 0 {
		pp, err := p.GetProps(ctx, daosgo.PropPoolECCellSize)
		if err != nil && !errors.Is(err, daosgo.ErrNonexist) {
			return 0, err
		}
		cell = pp.Num(daosgo.PropPoolECCellSize, ecCellDefault)
	}
	stripe := uint64(data) * cell
	if stripe >= DefaultChunkSize {
		return 2 * stripe, nil
	}
	return (DefaultChunkSize + stripe - 1) / stripe * stripe, nil
}

// ecCellDefault is DAOS_EC_CELL_DEF: 128 KiB.
const ecCellDefault = 128 << 10

// RecreateRoot writes a new root directory entry, for roots[1], under "/"
// in the superblock object (roots[0]): what a lost root entry is replaced
// with. Whatever the old root held is then unreachable until relinked.
func RecreateRoot(ctx context.Context, c daosgo.Container, roots daosgo.Roots) error {
	return insertEntry(ctx, c, roots[0], RootEntryName, newEntry(ModeDir|0o755, roots[1]), "", 0)
}

// WriteSuperblock writes sb into the superblock object.
func WriteSuperblock(ctx context.Context, c daosgo.Container, oid daosgo.OID, sb Superblock) error {
	o, err := c.OpenObject(ctx, oid, daosgo.ObjRW)
	if err != nil {
		return err
	}
	defer o.Close()
	return o.Update(ctx, []byte(SBDkey), 0, sb.IODs())
}

// ReadSuperblock reads and decodes the superblock in object oid.
func ReadSuperblock(ctx context.Context, c daosgo.Container, oid daosgo.OID) (Superblock, error) {
	o, err := c.OpenObject(ctx, oid, daosgo.ObjRO)
	if err != nil {
		return Superblock{}, err
	}
	defer o.Close()
	iods := make([]daosgo.IOD, 0, len(sbFields)+1)
	for _, f := range sbFields {
		iods = append(iods, daosgo.IOD{Akey: []byte(f.akey), Type: daosgo.IODSingle, Data: make([]byte, f.size)})
	}
	iods = append(iods, daosgo.IOD{Akey: []byte(akeyHints), Type: daosgo.IODSingle, Data: make([]byte, contHintMaxLen)})
	if err := o.Fetch(ctx, []byte(SBDkey), 0, iods); err != nil {
		var big *daosgo.RecTooBigError
		if errors.As(err, &big) {
			return Superblock{}, &ErrCorrupt{"superblock", fmt.Sprintf("%s holds %d bytes", big.Akey, big.Size)}
		}
		return Superblock{}, err
	}
	vals := map[string][]byte{}
	for _, d := range iods {
		vals[string(d.Akey)] = d.Data[:d.Size]
	}
	return DecodeSuperblock(vals)
}

// insertEntry writes name's inode (and symlink target) into directory dir.
func insertEntry(ctx context.Context, c daosgo.ObjectOpener, dir daosgo.OID, name string, e Entry, target string, flags daosgo.CondFlags) error {
	o, err := c.OpenObject(ctx, dir, daosgo.ObjRW)
	if err != nil {
		return err
	}
	defer o.Close()
	iods := []daosgo.IOD{daosgo.ArrayIOD([]byte(InodeAkey), 0, e.Encode())}
	if e.IsSymlink() && target != "" {
		iods = append(iods, daosgo.SingleIOD(SymlinkAkey, []byte(target)))
	}
	return o.Update(ctx, []byte(name), flags, iods)
}

// FS is a mounted POSIX container (dfs_mount).
type FS struct {
	c      daosgo.Container
	objs   daosgo.ObjectOpener // c, or a transaction of c (see InTx)
	oids   *oidGen
	SB     Superblock
	SBOID  daosgo.OID
	Root   Entry // the root directory's entry
	layout uint16
}

// oidGen is a mount's object ID allocator, shared by its views.
type oidGen struct {
	mu     sync.Mutex
	lo     uint64 // the OID lo allocated to this mount
	nextHi uint32
	lastHi uint32
}

// Mount opens the namespace of a POSIX container: its roots, superblock and
// root entry.
func Mount(ctx context.Context, c daosgo.Container) (*FS, error) {
	props, err := c.GetProps(ctx, daosgo.PropContLayoutType, daosgo.PropContRoots)
	if err != nil {
		return nil, err
	}
	if t := props[0].Num; t != daosgo.LayoutPOSIX {
		return nil, daosgo.Errorf(daosgo.ErrNotSupported, "container %s has layout %s, not POSIX", c.Label(), daosgo.LayoutName(t))
	}
	roots := props[1].Roots
	fs := &FS{c: c, objs: c, oids: &oidGen{}, SBOID: roots[0]}
	if fs.SB, err = ReadSuperblock(ctx, c, roots[0]); err != nil {
		return nil, fmt.Errorf("container %s: %w", c.Label(), err)
	}
	fs.layout = fs.SB.LayoutVersion
	if fs.Root, err = fs.readEntry(ctx, roots[0], RootEntryName); err != nil {
		return nil, fmt.Errorf("container %s: root entry: %w", c.Label(), err)
	}
	if !fs.Root.IsDir() {
		return nil, &ErrCorrupt{"root entry", fmt.Sprintf("mode %#o is not a directory", fs.Root.Mode)}
	}
	return fs, nil
}

// Container returns the container the namespace lives in.
func (fs *FS) Container() daosgo.Container { return fs.c }

// InTx returns a view of the namespace whose writes join transaction x of
// the container, taking effect when x commits and not at all if it does
// not: a way to make many entries at the cost of one commit. The view
// allocates object IDs from the mount's allocator. Its reads, lookups
// included, see what is committed, not the entries x will make.
func (fs *FS) InTx(x daosgo.Tx) *FS {
	v := *fs
	v.objs = x
	return &v
}

// Layout is the layout version of the container's inodes.
func (fs *FS) Layout() uint16 { return fs.layout }

// newOID allocates an object ID as libdfs's oid_gen does: one lo per mount
// from daos_cont_alloc_oids, and hi values cycled through 2^32 from a random
// start, never the reserved 0 and 1 of lo 0.
//
// The class follows libdfs's order: the parent directory's (never an EC
// one for a directory), else the superblock's for the kind, else 0, which
// lets DAOS choose for the container's redundancy factor.
func (fs *FS) newOID(ctx context.Context, kind entryKind, parent Entry) (daosgo.OID, error) {
	g := fs.oids
	g.mu.Lock()
	if g.lo == 0 || g.nextHi == g.lastHi {
		lo, err := fs.c.AllocOIDs(ctx, 1)
		if err != nil {
			g.mu.Unlock()
			return daosgo.OID{}, err
		}
		g.lo = lo
		g.lastHi = max(rand.Uint32(), 2)
		g.nextHi = g.lastHi + 999999937 // daos_obj_oid_cycle
	}
	hi, lo := g.nextHi, g.lo
	g.nextHi += 999999937
	if lo == reservedLo && hi <= 1 {
		hi = g.nextHi
		g.nextHi += 999999937
	}
	g.mu.Unlock()
	t, class := daosgo.OTMultiHashed, parent.OClass
	switch {
	case kind == kindFile:
		t = daosgo.OTArrayByte
		if class == 0 {
			class = fs.SB.FileOClass
		}
	case kind == kindDir && (class == 0 || daosgo.Redundancy(class.Redundancy()).IsEC()):
		class = fs.SB.DirOClass
	case kind == kindSymlink && class == 0:
		class = fs.SB.OClass
	}
	return fs.c.GenerateOID(ctx, hi, lo, t, class)
}

// The kinds of entry newOID makes IDs for.
type entryKind int

const (
	kindFile entryKind = iota
	kindDir
	kindSymlink
)

// readEntry fetches name's inode from directory dir; DER_NONEXIST if absent.
func (fs *FS) readEntry(ctx context.Context, dir daosgo.OID, name string) (Entry, error) {
	e, _, err := fs.readEntryFull(ctx, dir, name, false)
	return e, err
}

func (fs *FS) readEntryFull(ctx context.Context, dir daosgo.OID, name string, withTarget bool) (Entry, string, error) {
	o, err := fs.objs.OpenObject(ctx, dir, daosgo.ObjRO)
	if err != nil {
		return Entry{}, "", err
	}
	defer o.Close()
	buf := make([]byte, InodeSize)
	iods := []daosgo.IOD{daosgo.ArrayIOD([]byte(InodeAkey), 0, buf)}
	if err := o.Fetch(ctx, []byte(name), daosgo.CondDkeyFetch, iods); err != nil {
		return Entry{}, "", err
	}
	if iods[0].Size == 0 {
		return Entry{}, "", &ErrCorrupt{"entry " + name, "no inode"}
	}
	e, err := DecodeEntry(buf, fs.layout)
	if err != nil || !withTarget || !e.IsSymlink() || e.ValueLen == 0 {
		return e, "", err
	}
	target, err := daosgo.GetSingle(ctx, o, []byte(name), SymlinkAkey)
	if err != nil {
		return e, "", fmt.Errorf("symlink %s: %w", name, err)
	}
	if uint64(len(target)) != e.ValueLen {
		return e, "", &ErrCorrupt{"symlink " + name, fmt.Sprintf("target of %d bytes, inode says %d", len(target), e.ValueLen)}
	}
	return e, string(target), nil
}

// splitPath cleans p and returns its components ("/" gives none).
func splitPath(p string) ([]string, error) {
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	clean := path.Clean(p)
	if clean == "/" {
		return nil, nil
	}
	parts := strings.Split(clean[1:], "/")
	for _, n := range parts {
		if len(n) > maxName {
			return nil, daosgo.Errorf(daosgo.ErrInval, "name %.20q... is longer than %d bytes", n, maxName)
		}
	}
	return parts, nil
}

// maxName is DFS_MAX_NAME.
const maxName = 255

// Node is an entry found by a lookup: the directory holding it, its name
// there and its inode. The root has no parent.
type Node struct {
	Parent daosgo.OID
	Name   string
	Entry
	Target string // a symlink's target
}

// Lookup resolves a path to its entry, following symlinks in the
// directories on the way but not in the last component.
func (fs *FS) Lookup(ctx context.Context, p string) (Node, error) {
	return fs.lookup(ctx, p, 0)
}

func (fs *FS) lookup(ctx context.Context, p string, depth int) (Node, error) {
	if depth > maxSymlinkDepth {
		return Node{}, daosgo.Errorf(daosgo.ErrInval, "%s: too many levels of symbolic links", p)
	}
	parts, err := splitPath(p)
	if err != nil {
		return Node{}, err
	}
	cur := Node{Name: "/", Entry: fs.Root}
	for i, name := range parts {
		if !cur.IsDir() {
			return Node{}, daosgo.Errorf(daosgo.ErrNotDir, "%s", "/"+strings.Join(parts[:i], "/"))
		}
		e, target, err := fs.readEntryFull(ctx, cur.OID, name, true)
		if err != nil {
			if errors.Is(err, daosgo.ErrNonexist) {
				return Node{}, daosgo.Errorf(daosgo.ErrNonexist, "%s", "/"+strings.Join(parts[:i+1], "/"))
			}
			return Node{}, err
		}
		next := Node{Parent: cur.OID, Name: name, Entry: e, Target: target}
		if e.IsSymlink() && i < len(parts)-1 {
			dest := target
			if !strings.HasPrefix(dest, "/") {
				dest = path.Join("/"+strings.Join(parts[:i], "/"), dest)
			}
			if next, err = fs.lookup(ctx, dest, depth+1); err != nil {
				return Node{}, err
			}
		}
		cur = next
	}
	return cur, nil
}

// maxSymlinkDepth is DFS_MAX_RECURSION: how many symlinks a lookup follows.
const maxSymlinkDepth = 40

// follow resolves n, found at path p, through symlinks to what it points
// at. A relative target is taken from the link's own directory.
func (fs *FS) follow(ctx context.Context, p string, n Node) (Node, error) {
	for depth := 1; n.IsSymlink(); depth++ {
		target := n.Target
		if !strings.HasPrefix(target, "/") {
			target = path.Join(path.Dir(path.Clean("/"+p)), target)
		}
		var err error
		if n, err = fs.lookup(ctx, target, depth); err != nil {
			return Node{}, err
		}
		p = target
	}
	return n, nil
}

// parentOf resolves the directory that holds p's last component.
func (fs *FS) parentOf(ctx context.Context, p string) (Node, string, error) {
	parts, err := splitPath(p)
	if err != nil {
		return Node{}, "", err
	}
	if len(parts) == 0 {
		return Node{}, "", daosgo.Errorf(daosgo.ErrExist, "/")
	}
	dirPath := "/" + strings.Join(parts[:len(parts)-1], "/")
	dir, err := fs.Lookup(ctx, dirPath)
	if err == nil {
		dir, err = fs.follow(ctx, dirPath, dir)
	}
	if err != nil {
		return Node{}, "", err
	}
	if !dir.IsDir() {
		return Node{}, "", daosgo.Errorf(daosgo.ErrNotDir, "%s", path.Dir(path.Clean("/"+p)))
	}
	return dir, parts[len(parts)-1], nil
}

// newEntry is a new entry made now, owned as libdfs owns what it makes
// (dfs_cont_create's root, dfs_mkdir, dfs_open with O_CREAT, the
// checker's relinks): by the calling process's effective user and group.
func newEntry(mode uint32, oid daosgo.OID) Entry {
	now := time.Now()
	uid, gid := processOwner()
	return Entry{Mode: mode, OID: oid, Mtime: uint64(now.Unix()), Ctime: uint64(now.Unix()),
		MtimeNsec: uint64(now.Nanosecond()), CtimeNsec: uint64(now.Nanosecond()), UID: uid, GID: gid}
}

// processOwner returns geteuid() and getegid(); tests stand in for
// another user.
var processOwner = func() (uid, gid uint32) { return uint32(os.Geteuid()), uint32(os.Getegid()) }

// Mkdir creates a directory; DER_EXIST if the name is taken. The new
// directory object is written only by its first entry, as in libdfs.
func (fs *FS) Mkdir(ctx context.Context, p string, perm uint32) (daosgo.OID, error) {
	dir, name, err := fs.parentOf(ctx, p)
	if err != nil {
		return daosgo.OID{}, err
	}
	e, err := fs.MkdirIn(ctx, dir.Entry, name, perm)
	return e.OID, existsAt(p, err)
}

// existsAt names the whole path in a DER_EXIST from an entry made by path,
// where the *In functions know the entry's name only.
func existsAt(p string, err error) error {
	if errors.Is(err, daosgo.ErrExist) {
		return daosgo.Errorf(daosgo.ErrExist, "%s already exists", path.Clean("/"+p))
	}
	return err
}

// MkdirIn creates directory name in directory parent (its entry), as
// dfs_mkdir does given an open parent, and returns the new directory's
// entry. As in libdfs, the new directory inherits the chunk size and
// object class its parent gives its children.
func (fs *FS) MkdirIn(ctx context.Context, parent Entry, name string, perm uint32) (Entry, error) {
	if err := checkName(name); err != nil {
		return Entry{}, err
	}
	oid, err := fs.newOID(ctx, kindDir, parent)
	if err != nil {
		return Entry{}, err
	}
	e := newEntry(ModeDir|perm&0o7777, oid)
	e.ChunkSize, e.OClass = parent.ChunkSize, parent.OClass
	return e, fs.link(ctx, parent.OID, name, e, "", name)
}

func checkName(name string) error {
	if name == "" || name == "." || name == ".." || strings.Contains(name, "/") || len(name) > maxName {
		return daosgo.Errorf(daosgo.ErrInval, "entry name %q", name)
	}
	return nil
}

func (fs *FS) link(ctx context.Context, dir daosgo.OID, name string, e Entry, target, p string) error {
	err := insertEntry(ctx, fs.objs, dir, name, e, target, daosgo.CondDkeyInsert)
	if errors.Is(err, daosgo.ErrExist) {
		return daosgo.Errorf(daosgo.ErrExist, "%s", p)
	}
	return err
}

// LinkEntry inserts an entry for an existing object into directory dir;
// DER_EXIST if the name is taken. Times left zero are set to now.
func (fs *FS) LinkEntry(ctx context.Context, dir daosgo.OID, name string, e Entry) error {
	if err := checkName(name); err != nil {
		return err
	}
	if e.Mtime == 0 && e.Ctime == 0 {
		now := newEntry(e.Mode, e.OID)
		e.Mtime, e.Ctime, e.MtimeNsec, e.CtimeNsec = now.Mtime, now.Ctime, now.MtimeNsec, now.CtimeNsec
		e.UID, e.GID = now.UID, now.GID
	}
	return fs.link(ctx, dir, name, e, "", name)
}

// Symlink creates a symbolic link at p pointing to target.
func (fs *FS) Symlink(ctx context.Context, target, p string) error {
	dir, name, err := fs.parentOf(ctx, p)
	if err != nil {
		return err
	}
	return existsAt(p, fs.SymlinkIn(ctx, dir.Entry, name, target))
}

// SymlinkIn creates symlink name -> target in directory parent.
func (fs *FS) SymlinkIn(ctx context.Context, parent Entry, name, target string) error {
	if err := checkName(name); err != nil {
		return err
	}
	if target == "" {
		return daosgo.Errorf(daosgo.ErrInval, "symlink %s: empty target", name)
	}
	// libdfs gives a symlink an OID of its own, though no object is written.
	oid, err := fs.newOID(ctx, kindSymlink, parent)
	if err != nil {
		return err
	}
	e := newEntry(ModeSymlink|0o777, oid)
	e.ValueLen = uint64(len(target))
	return fs.link(ctx, parent.OID, name, e, target, name)
}

// CreateFile creates an empty regular file and returns its entry.
func (fs *FS) CreateFile(ctx context.Context, p string, perm uint32) (Node, error) {
	dir, name, err := fs.parentOf(ctx, p)
	if err != nil {
		return Node{}, err
	}
	n, err := fs.CreateFileIn(ctx, dir.Entry, name, perm)
	return n, existsAt(p, err)
}

// CreateFileIn creates an empty regular file name in directory parent. As
// libdfs does, its entry stores its effective chunk size, never 0 (dfs_open
// asserts on it): its parent's, else the container's.
func (fs *FS) CreateFileIn(ctx context.Context, parent Entry, name string, perm uint32) (Node, error) {
	if err := checkName(name); err != nil {
		return Node{}, err
	}
	oid, err := fs.newOID(ctx, kindFile, parent)
	if err != nil {
		return Node{}, err
	}
	e := newEntry(ModeRegular|perm&0o7777, oid)
	e.ChunkSize = fs.childChunkSize(parent)
	if err := fs.link(ctx, parent.OID, name, e, "", name); err != nil {
		return Node{}, err
	}
	return Node{Parent: parent.OID, Name: name, Entry: e}, nil
}

// childChunkSize is the chunk size a new file in directory parent gets.
func (fs *FS) childChunkSize(parent Entry) uint64 {
	if parent.ChunkSize != 0 {
		return parent.ChunkSize
	}
	if fs.SB.ChunkSize != 0 {
		return fs.SB.ChunkSize
	}
	return DefaultChunkSize
}

// WriteFile writes data at the start of file p, creating it if needed. It
// does not truncate: bytes past len(data) of an existing file remain.
func (fs *FS) WriteFile(ctx context.Context, p string, data []byte, perm uint32) error {
	n, err := fs.Lookup(ctx, p)
	if errors.Is(err, daosgo.ErrNonexist) {
		n, err = fs.CreateFile(ctx, p, perm)
	}
	if err != nil {
		return err
	}
	if !n.IsRegular() {
		return daosgo.Errorf(daosgo.ErrInval, "%s is not a regular file", p)
	}
	return fs.WriteAt(ctx, n.Entry, data, 0)
}

// ChunkSize is a file's chunk size: its entry's. Files written by earlier
// releases of daosgo stored 0, meaning the container's.
func (fs *FS) ChunkSize(e Entry) uint64 { return fs.chunkSize(e) }

func (fs *FS) chunkSize(e Entry) uint64 {
	if e.ChunkSize != 0 {
		return e.ChunkSize
	}
	return fs.childChunkSize(Entry{})
}

// WriteAt writes data at offset off of a file's array object, one update
// per chunk it touches.
func (fs *FS) WriteAt(ctx context.Context, e Entry, data []byte, off uint64) error {
	o, err := fs.objs.OpenObject(ctx, e.OID, daosgo.ObjRW)
	if err != nil {
		return err
	}
	defer o.Close()
	cs := fs.chunkSize(e)
	for len(data) > 0 {
		dkey, idx := ChunkKey(off, cs)
		n := min(uint64(len(data)), cs-idx)
		if err := o.Update(ctx, daosgo.Uint64Key(dkey), 0, []daosgo.IOD{daosgo.ArrayIOD([]byte(fileArrayAkey), idx, data[:n])}); err != nil {
			return err
		}
		data, off = data[n:], off+n
	}
	return nil
}

// Size returns a file's size, from its highest chunk's highest extent.
func (fs *FS) Size(ctx context.Context, e Entry) (uint64, error) {
	o, err := fs.objs.OpenObject(ctx, e.OID, daosgo.ObjRO)
	if err != nil {
		return 0, err
	}
	defer o.Close()
	q, err := o.QueryMax(ctx, []byte(fileArrayAkey))
	if err != nil {
		return 0, err
	}
	if !q.Found() {
		return 0, nil // never written: an empty file
	}
	return FileSize(q.Dkey, q.Recx, fs.chunkSize(e)), nil
}

// ReadAt reads len(buf) bytes at off; holes read as zeros. It returns how
// many bytes were before the end of the file.
func (fs *FS) ReadAt(ctx context.Context, e Entry, buf []byte, off uint64) (int, error) {
	size, err := fs.Size(ctx, e)
	if err != nil {
		return 0, err
	}
	if off >= size {
		return 0, nil
	}
	buf = buf[:min(uint64(len(buf)), size-off)]
	clear(buf)
	o, err := fs.objs.OpenObject(ctx, e.OID, daosgo.ObjRO)
	if err != nil {
		return 0, err
	}
	defer o.Close()
	cs := fs.chunkSize(e)
	done := 0
	for done < len(buf) {
		dkey, idx := ChunkKey(off+uint64(done), cs)
		n := int(min(uint64(len(buf)-done), cs-idx))
		iod := []daosgo.IOD{daosgo.ArrayIOD([]byte(fileArrayAkey), idx, buf[done:done+n])}
		if err := o.Fetch(ctx, daosgo.Uint64Key(dkey), 0, iod); err != nil {
			return done, err
		}
		done += n
	}
	return done, nil
}

// ReadFile reads a whole file.
func (fs *FS) ReadFile(ctx context.Context, p string) ([]byte, error) {
	n, err := fs.Lookup(ctx, p)
	if err != nil {
		return nil, err
	}
	if n, err = fs.follow(ctx, p, n); err != nil {
		return nil, err
	}
	if !n.IsRegular() {
		return nil, daosgo.Errorf(daosgo.ErrInval, "%s is not a regular file", p)
	}
	size, err := fs.Size(ctx, n.Entry)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, size)
	_, err = fs.ReadAt(ctx, n.Entry, buf, 0)
	return buf, err
}

// Stat is what stat reports of an entry.
type Stat struct {
	Name   string     `json:"name"`
	Type   string     `json:"type"` // "dir", "file" or "symlink"
	Mode   uint32     `json:"mode"`
	OID    daosgo.OID `json:"-"`
	OIDStr string     `json:"oid"`
	Size   uint64     `json:"size"`
	Mtime  time.Time  `json:"mtime"`
	Ctime  time.Time  `json:"ctime"`
	UID    uint32     `json:"uid"`
	GID    uint32     `json:"gid"`
	Target string     `json:"target,omitempty"`
	// ChunkSize is a file's chunk size, what libdfs reports as st_blksize.
	ChunkSize uint64 `json:"chunk_size,omitempty"`
}

// StatNode builds a Stat from a node as libdfs's dfs_stat does
// (entry_stat): a file's size from its object, and a file's or a
// directory's times from the epoch of its object's latest write.
func (fs *FS) StatNode(ctx context.Context, n Node) (Stat, error) {
	st := Stat{Name: n.Name, Mode: n.Mode, OID: n.OID, OIDStr: n.OID.String(), UID: n.UID, GID: n.GID, Target: n.Target}
	var epoch uint64
	switch {
	case n.IsDir():
		st.Type = "dir"
		o, err := fs.objs.OpenObject(ctx, n.OID, daosgo.ObjRO)
		if err != nil {
			return st, err
		}
		epoch, err = o.QueryMaxEpoch(ctx)
		o.Close()
		if err != nil {
			return st, err
		}
	case n.IsSymlink():
		st.Type, st.Size = "symlink", n.ValueLen
	default:
		st.Type, st.ChunkSize = "file", fs.chunkSize(n.Entry)
		var err error
		if st.Size, epoch, err = fs.sizeAndEpoch(ctx, n.Entry); err != nil {
			return st, err
		}
	}
	st.Mtime, st.Ctime = Times(n.Entry, epoch)
	return st, nil
}

// Times returns an entry's modification and change times as libdfs
// reports them (update_stbuf_times), given the epoch of its object's
// latest write (0 for a symlink, or an object never written: the entry's
// own times). libdfs writes no time into a directory's or file's entry
// when the object changes; the object's epoch is its mtime, unless the
// entry's mtime was set by hand since (dfs_osetattr records the object's
// epoch then, in the entry's HLC). The change time is the later of the
// entry's and the object's.
func Times(e Entry, epoch uint64) (mtime, ctime time.Time) {
	mtime = time.Unix(int64(e.Mtime), int64(e.MtimeNsec))
	ctime = time.Unix(int64(e.Ctime), int64(e.CtimeNsec))
	if epoch == 0 {
		return mtime, ctime
	}
	obj := daosgo.EpochTime(epoch)
	if obj.After(ctime) {
		ctime = obj
	}
	// libdfs compares the two epochs as times (d_hlc2timespec), whose
	// resolution is the HLC's 16 ticks a nanosecond.
	if epoch/hlcPerNsec != e.HLC/hlcPerNsec {
		mtime = obj
	}
	return mtime.Local(), ctime.Local()
}

// hlcPerNsec is D_HLC_NSEC: HLC ticks per nanosecond.
const hlcPerNsec = 16

// sizeAndEpoch returns a file's size and the epoch of its latest write,
// as daos_array_stat does for dfs_stat.
func (fs *FS) sizeAndEpoch(ctx context.Context, e Entry) (size, epoch uint64, err error) {
	o, err := fs.objs.OpenObject(ctx, e.OID, daosgo.ObjRO)
	if err != nil {
		return 0, 0, err
	}
	defer o.Close()
	q, err := o.QueryMax(ctx, []byte(fileArrayAkey))
	if err != nil {
		return 0, 0, err
	}
	if q.Found() {
		size = FileSize(q.Dkey, q.Recx, fs.chunkSize(e))
	}
	epoch, err = o.QueryMaxEpoch(ctx)
	return size, epoch, err
}

// Stat looks up p and stats it.
func (fs *FS) Stat(ctx context.Context, p string) (Stat, error) {
	n, err := fs.Lookup(ctx, p)
	if err != nil {
		return Stat{}, err
	}
	return fs.StatNode(ctx, n)
}

// DirEntry is one entry returned by Readdir.
type DirEntry struct {
	Name string
	Entry
}

// Readdir returns up to nr entries of directory dir from anchor (dfs_readdir).
func (fs *FS) Readdir(ctx context.Context, dir daosgo.OID, anchor *daosgo.Anchor, nr int) ([]DirEntry, error) {
	o, err := fs.objs.OpenObject(ctx, dir, daosgo.ObjRO)
	if err != nil {
		return nil, err
	}
	defer o.Close()
	names, err := o.ListDkeys(ctx, anchor, nr, nil)
	if err != nil {
		return nil, err
	}
	out := make([]DirEntry, 0, len(names))
	for _, nm := range names {
		e, err := fs.readEntry(ctx, dir, string(nm))
		if errors.Is(err, daosgo.ErrNonexist) {
			continue // removed since the listing
		}
		if err != nil {
			return out, fmt.Errorf("entry %q: %w", nm, err)
		}
		out = append(out, DirEntry{Name: string(nm), Entry: e})
	}
	return out, nil
}

// ReaddirAll lists a whole directory.
func (fs *FS) ReaddirAll(ctx context.Context, dir daosgo.OID) ([]DirEntry, error) {
	return daosgo.ListAll(func(a *daosgo.Anchor) ([]DirEntry, error) { return fs.Readdir(ctx, dir, a, 256) })
}

// Remove unlinks p and punches its object. A directory must be empty
// (else DER_EXIST) unless recursive, which removes its subtree first.
func (fs *FS) Remove(ctx context.Context, p string, recursive bool) error {
	n, err := fs.Lookup(ctx, p)
	if err != nil {
		return err
	}
	if n.Parent.IsZero() {
		return daosgo.Errorf(daosgo.ErrInval, "cannot remove the root directory")
	}
	return fs.removeNode(ctx, n, p, recursive)
}

func (fs *FS) removeNode(ctx context.Context, n Node, p string, recursive bool) error {
	if n.IsDir() {
		ents, err := fs.ReaddirAll(ctx, n.OID)
		if err != nil {
			return err
		}
		if len(ents) > 0 && !recursive {
			return daosgo.Errorf(daosgo.ErrExist, "directory %s is not empty", p)
		}
		for _, de := range ents {
			child := Node{Parent: n.OID, Name: de.Name, Entry: de.Entry}
			if err := fs.removeNode(ctx, child, path.Join(p, de.Name), true); err != nil {
				return err
			}
		}
	}
	// Remove the entry first: a crash then leaves an orphan object, which
	// the checker reclaims, never a dangling entry.
	parent, err := fs.objs.OpenObject(ctx, n.Parent, daosgo.ObjRW)
	if err != nil {
		return err
	}
	defer parent.Close()
	if err := parent.PunchDkeys(ctx, 0, [][]byte{[]byte(n.Name)}); err != nil {
		return err
	}
	if n.IsSymlink() {
		return nil
	}
	return daosgo.PunchObject(ctx, fs.objs, n.OID)
}
