// Package pydaos reads and writes the data model of PyDAOS containers over
// the daosgo API, as PyDAOS's shim (pydaos_shim.c) stores it: the
// container's roots[0] is a flat KV (the root KV) mapping each name to a
// 64-byte record (struct pydaos_df: the object's ID, its kind, reserved
// bytes). A dict is a KV_HASHED object whose keys are strings and values
// bytes.
//
// PyDAOS 2.8 writes no arrays: DCont.array() puts a record of kind array,
// with an ARRAY object ID, into the root KV and no object (DArray is not
// implemented, and opening one raises NotImplementedError). Such records
// are read here; nothing here makes them or array objects.
package pydaos

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/daosgo/daosgo/daosgo"
)

// Kind is pydaos_df::otype.
type Kind uint32

// Object kinds (enum pydaos_otype).
const (
	Dict  Kind = 0 // PYDAOS_DICT
	Array Kind = 1 // PYDAOS_ARRAY
)

func (k Kind) String() string {
	switch k {
	case Dict:
		return "dict"
	case Array:
		return "array"
	}
	return fmt.Sprintf("kind(%d)", uint32(k))
}

// RecordSize is sizeof(struct pydaos_df): oid 16, otype 4, res1 4, res2 40.
const RecordSize = 64

// Record is a root KV entry.
type Record struct {
	OID  daosgo.OID
	Kind Kind
}

// Encode returns the record's 64 bytes (reserved bytes zero).
func (r Record) Encode() []byte {
	b := make([]byte, RecordSize)
	binary.LittleEndian.PutUint64(b[0:], r.OID.Lo)
	binary.LittleEndian.PutUint64(b[8:], r.OID.Hi)
	binary.LittleEndian.PutUint32(b[16:], uint32(r.Kind))
	return b
}

// ErrCorrupt reports bytes that are not what PyDAOS writes.
type ErrCorrupt struct{ What, Why string }

func (e *ErrCorrupt) Error() string { return fmt.Sprintf("PyDAOS %s is corrupt: %s", e.What, e.Why) }
func (e *ErrCorrupt) Unwrap() error { return daosgo.ErrIOInval }

// DecodeRecord decodes a root KV value.
func DecodeRecord(b []byte) (Record, error) {
	if len(b) != RecordSize {
		return Record{}, &ErrCorrupt{"root entry", fmt.Sprintf("%d bytes, want %d", len(b), RecordSize)}
	}
	r := Record{
		OID:  daosgo.OID{Lo: binary.LittleEndian.Uint64(b[0:]), Hi: binary.LittleEndian.Uint64(b[8:])},
		Kind: Kind(binary.LittleEndian.Uint32(b[16:])),
	}
	switch {
	case r.Kind != Dict && r.Kind != Array:
		return r, &ErrCorrupt{"root entry", fmt.Sprintf("object kind %d", r.Kind)}
	case r.Kind == Dict && r.OID.Type() != daosgo.OTKVHashed:
		return r, &ErrCorrupt{"root entry", fmt.Sprintf("dict %s is not a KV object", r.OID)}
	case r.Kind == Array && r.OID.Type() != daosgo.OTArray:
		return r, &ErrCorrupt{"root entry", fmt.Sprintf("array %s is not an array object", r.OID)}
	}
	return r, nil
}

// RootOID is the root KV's OID: roots[0] with the KV_HASHED type, which
// PyDAOS sets on whatever ID the container was given.
func RootOID(roots daosgo.Roots) daosgo.OID {
	o := roots[0]
	o.Hi = o.Hi&^(0xff<<56) | uint64(daosgo.OTKVHashed)<<56
	return o
}

// CreateContainer makes a Python container as `daos container create
// --type PYTHON` does: layout type PYTHON, and daos_cont_create generates
// the root OID (lo 0, hi 0) that PyDAOS opens as its root KV. libdaos
// generates it for the redundancy factor the properties name, 0 if none,
// while the container inherits the pool's: so the pool's is named here,
// or a pool with a redundancy factor would get a container whose root KV
// cannot be opened.
func CreateContainer(ctx context.Context, p daosgo.Pool, label string, more ...daosgo.Prop) (daosgo.UUID, error) {
	props := append(daosgo.Props{daosgo.NumProp(daosgo.PropContLayoutType, daosgo.LayoutPython)}, more...)
	if !props.Has(daosgo.PropContRedunFac) {
		pp, err := p.GetProps(ctx, daosgo.PropPoolRedunFac)
		if err != nil && !errors.Is(err, daosgo.ErrNonexist) {
			return daosgo.UUID{}, err
		}
		if rf, ok := pp.Get(daosgo.PropPoolRedunFac); ok {
			props = append(props, daosgo.NumProp(daosgo.PropContRedunFac, rf.Num))
		}
	}
	return p.CreateContainer(ctx, label, props)
}

// Container is an opened Python container.
type Container struct {
	c    daosgo.Container
	root daosgo.KV
	mode daosgo.ObjMode

	mu      sync.Mutex
	allocLo uint64
	allocHi uint64 // next hi; maxHi means none allocated
}

const maxHi = 1<<32 - 1 // MAX_OID_HI

// Open opens the root KV of a Python container, read-only or read-write
// (mode as the container was opened).
func Open(ctx context.Context, c daosgo.Container, mode daosgo.ObjMode) (*Container, error) {
	props, err := c.GetProps(ctx, daosgo.PropContLayoutType, daosgo.PropContRoots)
	if err != nil {
		return nil, err
	}
	if t := props[0].Num; t != daosgo.LayoutPython {
		return nil, daosgo.Errorf(daosgo.ErrNotSupported, "container %s has layout %s, not PYTHON", c.Label(), daosgo.LayoutName(t))
	}
	if props[1].Roots[0].IsZero() {
		return nil, daosgo.Errorf(daosgo.ErrInval, "container %s has no root object ID", c.Label())
	}
	root, err := c.OpenKV(ctx, RootOID(props[1].Roots), mode)
	if err != nil {
		return nil, err
	}
	return &Container{c: c, root: root, mode: mode, allocHi: maxHi}, nil
}

// Close closes the root KV. libdaos refuses to close a container while
// any object opened in it is open, so close it before the container.
func (pc *Container) Close() error { return pc.root.Close() }

// Cont returns the daosgo container.
func (pc *Container) Cont() daosgo.Container { return pc.c }

// RootOID returns the root KV's OID.
func (pc *Container) RootOID() daosgo.OID { return pc.root.OID() }

// newDictOID allocates a dict's object ID as PyDAOS does (cont_newobj): a
// lo from daos_cont_alloc_oids, then consecutive hi values, the first 100
// of lo 0 reserved.
func (pc *Container) newDictOID(ctx context.Context) (daosgo.OID, error) {
	pc.mu.Lock()
	if pc.allocHi >= maxHi {
		lo, err := pc.c.AllocOIDs(ctx, 1)
		if err != nil {
			pc.mu.Unlock()
			return daosgo.OID{}, err
		}
		pc.allocLo, pc.allocHi = lo, 0
		if lo == 0 {
			pc.allocHi = 100
		}
	}
	lo, hi := pc.allocLo, pc.allocHi
	pc.allocHi++
	pc.mu.Unlock()
	return pc.c.GenerateOID(ctx, uint32(hi), lo, daosgo.OTKVHashed, daosgo.OCUnknown)
}

// Link puts name -> rec in the root KV, failing DER_EXIST if the name is
// taken: the conditional insert of daos_kv_put(DAOS_COND_KEY_INSERT), made
// on the KV's object (dkey = name, akey "0").
func (pc *Container) Link(ctx context.Context, name string, rec Record) error {
	if name == "" {
		return daosgo.Errorf(daosgo.ErrInval, "empty name")
	}
	o, err := pc.c.OpenObject(ctx, pc.root.OID(), daosgo.ObjRW)
	if err != nil {
		return err
	}
	defer o.Close()
	err = o.Update(ctx, []byte(name), daosgo.CondDkeyInsert, []daosgo.IOD{daosgo.SingleIOD(kvAkey, rec.Encode())})
	if errors.Is(err, daosgo.ErrExist) {
		return daosgo.Errorf(daosgo.ErrExist, "%q is already in the root", name)
	}
	return err
}

// kvAkey is the akey libdaos's KV layer keeps each value under.
const kvAkey = "0"

// Lookup finds name in the root KV.
func (pc *Container) Lookup(ctx context.Context, name string) (Record, error) {
	v, err := pc.root.Get(ctx, name)
	if err != nil {
		return Record{}, err
	}
	r, err := DecodeRecord(v)
	if err != nil {
		return r, fmt.Errorf("root entry %q: %w", name, err)
	}
	return r, nil
}

// Names lists the root KV, a page at a time.
func (pc *Container) Names(ctx context.Context, anchor *daosgo.Anchor, nr int) ([]string, error) {
	return pc.root.List(ctx, anchor, nr)
}

// AllNames lists the whole root KV.
func (pc *Container) AllNames(ctx context.Context) ([]string, error) {
	return daosgo.ListAll(func(a *daosgo.Anchor) ([]string, error) { return pc.Names(ctx, a, 512) })
}

// Remove unlinks name from the root and punches its object.
func (pc *Container) Remove(ctx context.Context, name string) error {
	r, err := pc.Lookup(ctx, name)
	if err != nil {
		return err
	}
	if err := pc.root.Remove(ctx, name); err != nil {
		return err
	}
	return daosgo.PunchObject(ctx, pc.c, r.OID)
}

// NewDict creates a dict and links it under name.
func (pc *Container) NewDict(ctx context.Context, name string) (*DictObj, error) {
	oid, err := pc.newDictOID(ctx)
	if err != nil {
		return nil, err
	}
	if err := pc.Link(ctx, name, Record{OID: oid, Kind: Dict}); err != nil {
		return nil, err
	}
	return pc.OpenDict(ctx, oid)
}

// OpenDict opens a dict by OID.
func (pc *Container) OpenDict(ctx context.Context, oid daosgo.OID) (*DictObj, error) {
	kv, err := pc.c.OpenKV(ctx, oid, pc.mode)
	if err != nil {
		return nil, err
	}
	return &DictObj{KV: kv}, nil
}

// DictObj is an open dict: a daosgo KV.
type DictObj struct{ daosgo.KV }

// Keys lists a whole dict.
func (d *DictObj) Keys(ctx context.Context) ([]string, error) {
	return daosgo.ListAll(func(a *daosgo.Anchor) ([]string, error) { return d.List(ctx, a, 512) })
}
