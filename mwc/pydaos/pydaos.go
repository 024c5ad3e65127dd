// Package pydaos reads and writes the data model of PyDAOS containers over
// the daosgo API, as PyDAOS's shim stores it: the container's roots[0] is a
// flat KV (the root KV) mapping each dict or array name to a 64-byte record
// (struct pydaos_df: the object's ID, its kind, reserved bytes). A dict is
// a KV_HASHED object; an array is a DAOS array object (DAOS_OT_ARRAY) whose
// cell and chunk sizes are kept in the object, as daos_array_create does.
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

// Array metadata, as daos_array_create writes it: a single value under
// dkey 0 (an integer key) and akey "0": magic, cell size, chunk size.
const (
	arrayMagic  uint64 = 0xdaca55a9daca55a9 // AKEY_MAGIC_V
	arrayAkey          = "0"
	arrayMDSize        = 24
)

// ArrayMeta are an array object's cell and chunk sizes (in cells).
type ArrayMeta struct {
	CellSize  uint64
	ChunkSize uint64
}

// Encode returns the metadata value.
func (m ArrayMeta) Encode() []byte {
	b := binary.LittleEndian.AppendUint64(nil, arrayMagic)
	b = binary.LittleEndian.AppendUint64(b, m.CellSize)
	return binary.LittleEndian.AppendUint64(b, m.ChunkSize)
}

// DecodeArrayMeta decodes the metadata value.
func DecodeArrayMeta(b []byte) (ArrayMeta, error) {
	if len(b) != arrayMDSize {
		return ArrayMeta{}, &ErrCorrupt{"array metadata", fmt.Sprintf("%d bytes, want %d", len(b), arrayMDSize)}
	}
	if m := binary.LittleEndian.Uint64(b); m != arrayMagic {
		return ArrayMeta{}, &ErrCorrupt{"array metadata", fmt.Sprintf("magic %#x", m)}
	}
	md := ArrayMeta{CellSize: binary.LittleEndian.Uint64(b[8:]), ChunkSize: binary.LittleEndian.Uint64(b[16:])}
	if md.CellSize == 0 || md.ChunkSize == 0 {
		return md, &ErrCorrupt{"array metadata", "cell or chunk size 0"}
	}
	return md, nil
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

// newOID allocates an object ID as PyDAOS does: a lo from
// daos_cont_alloc_oids, then consecutive hi values, the first 100 of lo 0
// reserved.
func (pc *Container) newOID(ctx context.Context, k Kind) (daosgo.OID, error) {
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
	t := daosgo.OTKVHashed
	if k == Array {
		t = daosgo.OTArray
	}
	return pc.c.GenerateOID(ctx, uint32(hi), lo, t, daosgo.OCUnknown)
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
	oid, err := pc.newOID(ctx, Dict)
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

// NewArray creates an array of cellSize-byte cells, chunkSize cells a
// chunk, and links it under name.
func (pc *Container) NewArray(ctx context.Context, name string, cellSize, chunkSize uint64) (*ArrayObj, error) {
	if cellSize == 0 || chunkSize == 0 {
		return nil, daosgo.Errorf(daosgo.ErrInval, "array %q: cell and chunk sizes must be positive", name)
	}
	oid, err := pc.newOID(ctx, Array)
	if err != nil {
		return nil, err
	}
	o, err := pc.c.OpenObject(ctx, oid, daosgo.ObjRW)
	if err != nil {
		return nil, err
	}
	md := ArrayMeta{CellSize: cellSize, ChunkSize: chunkSize}
	if err := o.Update(ctx, daosgo.Uint64Key(0), daosgo.CondDkeyInsert|daosgo.CondAkeyInsert,
		[]daosgo.IOD{daosgo.SingleIOD(arrayAkey, md.Encode())}); err != nil {
		o.Close()
		return nil, err
	}
	if err := pc.Link(ctx, name, Record{OID: oid, Kind: Array}); err != nil {
		o.Punch(ctx)
		o.Close()
		return nil, err
	}
	return &ArrayObj{o: o, md: md}, nil
}

// OpenArray opens an array by OID, reading its metadata.
func (pc *Container) OpenArray(ctx context.Context, oid daosgo.OID) (*ArrayObj, error) {
	o, err := pc.c.OpenObject(ctx, oid, pc.mode)
	if err != nil {
		return nil, err
	}
	raw, err := daosgo.GetSingle(ctx, o, daosgo.Uint64Key(0), arrayAkey)
	if err != nil {
		o.Close()
		return nil, fmt.Errorf("array %s metadata: %w", oid, err)
	}
	md, err := DecodeArrayMeta(raw)
	if err != nil {
		o.Close()
		return nil, fmt.Errorf("array %s: %w", oid, err)
	}
	return &ArrayObj{o: o, md: md}, nil
}

// ArrayObj is an open DAOS array object.
type ArrayObj struct {
	o  daosgo.Object
	md ArrayMeta
}

// Meta returns the array's cell and chunk sizes.
func (a *ArrayObj) Meta() ArrayMeta { return a.md }

// OID returns the array's object ID.
func (a *ArrayObj) OID() daosgo.OID { return a.o.OID() }

// Close closes the object.
func (a *ArrayObj) Close() error { return a.o.Close() }

// WriteAt writes whole cells starting at cell index idx; chunk k holds
// cells [k*chunk, (k+1)*chunk) under dkey k+1, as the array layer does.
func (a *ArrayObj) WriteAt(ctx context.Context, idx uint64, data []byte) error {
	if uint64(len(data))%a.md.CellSize != 0 {
		return daosgo.Errorf(daosgo.ErrInval, "array %s: %d bytes is not a whole number of %d-byte cells", a.OID(), len(data), a.md.CellSize)
	}
	for len(data) > 0 {
		dkey, rec := idx/a.md.ChunkSize+1, idx%a.md.ChunkSize
		n := min(uint64(len(data))/a.md.CellSize, a.md.ChunkSize-rec)
		iod := daosgo.IOD{Akey: []byte(arrayAkey), Type: daosgo.IODArray, Size: a.md.CellSize,
			Recxs: []daosgo.Recx{{Idx: rec, Nr: n}}, Data: data[:n*a.md.CellSize]}
		if err := a.o.Update(ctx, daosgo.Uint64Key(dkey), 0, []daosgo.IOD{iod}); err != nil {
			return err
		}
		data, idx = data[n*a.md.CellSize:], idx+n
	}
	return nil
}

// Len returns the array's size in cells (daos_array_get_size).
func (a *ArrayObj) Len(ctx context.Context) (uint64, error) {
	q, err := a.o.QueryMax(ctx, []byte(arrayAkey))
	if err != nil || q.Dkey == 0 {
		return 0, err
	}
	return a.md.ChunkSize*(q.Dkey-1) + q.Recx.Idx + q.Recx.Nr, nil
}

// ReadAt reads n cells from cell index idx; missing cells read as zeros.
func (a *ArrayObj) ReadAt(ctx context.Context, idx, n uint64) ([]byte, error) {
	out := make([]byte, n*a.md.CellSize)
	done := uint64(0)
	for done < n {
		cur := idx + done
		dkey, rec := cur/a.md.ChunkSize+1, cur%a.md.ChunkSize
		k := min(n-done, a.md.ChunkSize-rec)
		iod := daosgo.IOD{Akey: []byte(arrayAkey), Type: daosgo.IODArray, Size: a.md.CellSize,
			Recxs: []daosgo.Recx{{Idx: rec, Nr: k}}, Data: out[done*a.md.CellSize : (done+k)*a.md.CellSize]}
		if err := a.o.Fetch(ctx, daosgo.Uint64Key(dkey), 0, []daosgo.IOD{iod}); err != nil {
			return nil, err
		}
		done += k
	}
	return out, nil
}
