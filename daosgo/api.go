package daosgo

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Backend is one implementation of the API: the embedded engine or libdaos.
type Backend interface {
	// Name says which backend this is ("embedded", "daos").
	Name() string
	// Connect opens a pool by label or UUID (daos_pool_connect).
	Connect(ctx context.Context, pool string, flags PoolFlags) (Pool, error)
	// Admin gives the management operations dmg offers.
	Admin() Admin
	// Close releases the backend (daos_fini).
	Close() error
}

// PoolFlags are pool connect flags (DAOS_PC_*).
type PoolFlags uint32

// Pool connect flags, DAOS's values.
const (
	PoolRO PoolFlags = 1 << 0 // DAOS_PC_RO
	PoolRW PoolFlags = 1 << 1 // DAOS_PC_RW
	PoolEX PoolFlags = 1 << 2 // DAOS_PC_EX
)

// ContFlags are container open flags (DAOS_COO_*).
type ContFlags uint32

// Container open flags, DAOS's values.
const (
	ContRO       ContFlags = 1 << 0 // DAOS_COO_RO
	ContRW       ContFlags = 1 << 1 // DAOS_COO_RW
	ContEX       ContFlags = 1 << 2 // DAOS_COO_EX: exclusive; fails DER_BUSY while others have it open
	ContForce    ContFlags = 1 << 3 // DAOS_COO_FORCE
	ContEvictAll ContFlags = 1 << 6 // DAOS_COO_EVICT_ALL: with EX, evict every other handle first
)

// Writable reports whether the flags allow modification.
func (f ContFlags) Writable() bool { return f&(ContRW|ContEX) != 0 }

// Admin is what DAOS's dmg tool does: pool lifecycle and properties,
// handle eviction.
type Admin interface {
	CreatePool(ctx context.Context, req PoolCreateReq) (PoolEntry, error)
	ListPools(ctx context.Context) ([]PoolEntry, error)
	// DestroyPool fails with DER_BUSY while handles are open unless force.
	DestroyPool(ctx context.Context, pool string, force bool) error
	GetPoolProps(ctx context.Context, pool string, ids ...PropID) (Props, error)
	SetPoolProps(ctx context.Context, pool string, props Props) error
	// EvictPool revokes every open handle of the pool: pool, container
	// and object handles fail with DER_NO_HDL on their next use. It says
	// how many it revoked, or -1 when the backend cannot tell (dmg).
	EvictPool(ctx context.Context, pool string) (evicted int, err error)
}

// PoolCreateReq describes a pool to create (dmg pool create).
type PoolCreateReq struct {
	Label string
	UUID  UUID   // zero: generate one
	Size  uint64 // space quota in bytes
	Props Props
	// LayoutVersion, when set, creates the pool as the DAOS release of
	// that layout version would have (0 is DAOS 2.0's); nil means the
	// newest the software knows. Only backends that can make old pools
	// accept it (see AtLayout).
	LayoutVersion *uint32
}

// AtLayout returns v for PoolCreateReq.LayoutVersion.
func AtLayout(v uint32) *uint32 { return &v }

// PoolEntry names a pool in listings.
type PoolEntry struct {
	UUID  UUID   `json:"uuid"`
	Label string `json:"label"`
}

// Pool is a pool handle (daos_pool_connect).
type Pool interface {
	UUID() UUID
	Label() string
	// Query returns space, rebuild state and version (daos_pool_query).
	Query(ctx context.Context) (PoolInfo, error)
	// GetProps returns the named properties, or all when none is named.
	GetProps(ctx context.Context, ids ...PropID) (Props, error)
	Attrs
	ListContainers(ctx context.Context) ([]ContEntry, error)
	// CreateContainer creates a container labelled label (may be empty),
	// with props (daos_cont_create_with_label).
	CreateContainer(ctx context.Context, label string, props Props) (UUID, error)
	// DestroyContainer fails with DER_BUSY while handles are open unless force.
	DestroyContainer(ctx context.Context, cont string, force bool) error
	OpenContainer(ctx context.Context, cont string, flags ContFlags) (Container, error)
	// GenerateOIDByRF encodes type and class into an OID for a container
	// of redundancy factor rf that may not exist yet, as libdfs makes a
	// new container's root OIDs (daos_obj_generate_oid_by_rf). OCUnknown
	// lets DAOS choose the class for rf.
	GenerateOIDByRF(ctx context.Context, rf uint64, userHi uint32, lo uint64, t ObjectType, class ObjClass) (OID, error)
	// Disconnect closes the handle (daos_pool_disconnect).
	Disconnect(ctx context.Context) error
}

// Attrs are user attributes of a pool or container (daos_*_attr).
type Attrs interface {
	ListAttrs(ctx context.Context) ([]string, error)
	// GetAttr fails with DER_NONEXIST for an unknown name.
	GetAttr(ctx context.Context, name string) ([]byte, error)
	SetAttr(ctx context.Context, name string, value []byte) error
	DelAttr(ctx context.Context, name string) error
}

// PoolInfo is what a pool query reports.
type PoolInfo struct {
	UUID          UUID          `json:"uuid"`
	Label         string        `json:"label"`
	TotalBytes    uint64        `json:"total_bytes"`
	UsedBytes     uint64        `json:"used_bytes"`
	FreeBytes     uint64        `json:"free_bytes"`
	Targets       int           `json:"targets"`
	TargetUsed    []uint64      `json:"target_used_bytes"` // bytes stored on each target
	Containers    int           `json:"containers"`
	Handles       int           `json:"open_handles"`
	Rebuild       RebuildState  `json:"rebuild"`
	LayoutVersion uint32        `json:"layout_version"`
	MaxVersion    uint32        `json:"max_layout_version"`
	UpgradeStatus UpgradeStatus `json:"upgrade_status"`
	Status        string        `json:"status"`
	// Unreported names the fields above (by their JSON names) that the
	// backend cannot know and leaves at zero: DAOS counts no open
	// handles of a pool, for one.
	Unreported []string `json:"unreported,omitempty"`
}

// Reports says whether the query carried field (its JSON name).
func (i PoolInfo) Reports(field string) bool { return !slices.Contains(i.Unreported, field) }

// RebuildState is the pool's rebuild status (struct daos_rebuild_status).
type RebuildState struct {
	State   string `json:"state"` // "idle", "busy" or "done"
	Objects uint64 `json:"objects"`
	Records uint64 `json:"records"`
}

// Busy reports whether a rebuild is in progress.
func (r RebuildState) Busy() bool { return r.State == RebuildBusy }

// Rebuild states.
const (
	RebuildIdle = "idle"
	RebuildBusy = "busy"
	RebuildDone = "done"
)

// ContEntry names a container in listings.
type ContEntry struct {
	UUID  UUID   `json:"uuid"`
	Label string `json:"label"`
}

// Container is a container handle (daos_cont_open).
type Container interface {
	UUID() UUID
	Label() string
	Query(ctx context.Context) (ContInfo, error)
	GetProps(ctx context.Context, ids ...PropID) (Props, error)
	SetProps(ctx context.Context, props Props) error
	Attrs
	// AllocOIDs reserves n consecutive OID lo values and returns the first
	// (daos_cont_alloc_oids).
	AllocOIDs(ctx context.Context, n uint64) (uint64, error)
	// GenerateOID encodes type and class into an OID with the given user
	// bits (daos_obj_generate_oid); OCUnknown lets the container choose the
	// class from its properties.
	GenerateOID(ctx context.Context, userHi uint32, lo uint64, t ObjectType, class ObjClass) (OID, error)
	// CreateSnapshot takes a snapshot and returns its epoch; with oit set
	// it also materialises the Object ID Table (daos_cont_create_snap_opt
	// with DAOS_SNAP_OPT_CR|DAOS_SNAP_OPT_OIT). Snapshots have no names:
	// DAOS 2.8 refuses one (DER_NOSYS) and lists none, so a tool finds its
	// own snapshot again by the epoch, which it records itself (e.g. in a
	// container attribute).
	CreateSnapshot(ctx context.Context, oit bool) (uint64, error)
	// ListSnapshots lists the snapshots, oldest first (daos_cont_list_snap).
	ListSnapshots(ctx context.Context) ([]Snapshot, error)
	// DestroySnapshot removes the snapshot and its OIT.
	DestroySnapshot(ctx context.Context, epoch uint64) error
	OpenObject(ctx context.Context, oid OID, mode ObjMode) (Object, error)
	// OpenOIT opens the OIT of the snapshot at epoch; DER_NONEXIST if
	// there is no snapshot at that epoch. As in DAOS, that of a snapshot
	// taken without the OIT opens too, and holds nothing.
	OpenOIT(ctx context.Context, epoch uint64) (OIT, error)
	// OpenKV opens a flat key-value object (daos_kv_open).
	OpenKV(ctx context.Context, oid OID, mode ObjMode) (KV, error)
	// OpenTx opens a transaction (daos_tx_open); see Tx.
	OpenTx(ctx context.Context) (Tx, error)
	Close(ctx context.Context) error
}

// ObjectOpener opens objects: a Container, or a Tx whose writes the
// objects join.
type ObjectOpener interface {
	OpenObject(ctx context.Context, oid OID, mode ObjMode) (Object, error)
}

// Tx is a transaction (daos_tx_open): the updates and punches made through
// the objects it opens take effect together when Commit succeeds, and not
// at all otherwise. Others see none of them before the commit, and neither
// do reads through the transaction itself: as in DAOS, a transaction does
// not read its own writes. Write buffers are copied when an operation is
// called, so they may be reused at once.
//
// A conditional update's condition is checked when the update is called
// (DAOS) or at the commit (the embedded engine); either way the failure
// leaves nothing of the transaction applied once it is aborted or closed.
//
// Once committed or aborted, the transaction's objects fail DER_NO_PERM;
// committing twice fails DER_ALREADY. Commit can fail DER_TX_RESTART when
// the transaction met a conflict: its work must then be run again in a new
// transaction, which RunTx does.
type Tx interface {
	// OpenObject opens an object whose writes join the transaction.
	OpenObject(ctx context.Context, oid OID, mode ObjMode) (Object, error)
	// Commit applies every write of the transaction (daos_tx_commit).
	Commit(ctx context.Context) error
	// Abort discards them (daos_tx_abort).
	Abort(ctx context.Context) error
	// Close releases the handle (daos_tx_close); a transaction neither
	// committed nor aborted is discarded.
	Close(ctx context.Context) error
}

// ContInfo is what a container query reports.
type ContInfo struct {
	UUID       UUID      `json:"uuid"`
	Label      string    `json:"label"`
	LayoutType string    `json:"layout_type"`
	Objects    uint64    `json:"objects"`
	UsedBytes  uint64    `json:"used_bytes"`
	Snapshots  int       `json:"snapshots"`
	Handles    int       `json:"open_handles"`
	Created    time.Time `json:"created"`
	// Unreported names the fields the backend cannot know and leaves at
	// zero: DAOS counts no objects or bytes per container and records no
	// creation time.
	Unreported []string `json:"unreported,omitempty"`
}

// Reports says whether the query carried field (its JSON name).
func (i ContInfo) Reports(field string) bool { return !slices.Contains(i.Unreported, field) }

// Snapshot describes one container snapshot. DAOS lists epochs only:
// whether a snapshot carries an OIT is not known (the OIT of any snapshot
// opens; one taken without it holds nothing).
type Snapshot struct {
	Epoch uint64 `json:"epoch"`
	// Time is when it was taken, read from the epoch (EpochTime).
	Time time.Time `json:"time"`
}

// ObjMode is an object open mode (DAOS_OO_*).
type ObjMode uint32

// Object open modes, DAOS's values.
const (
	ObjRO ObjMode = 1 << 1 // DAOS_OO_RO
	ObjRW ObjMode = 1 << 2 // DAOS_OO_RW
)

// CondFlags are conditional operation flags (DAOS_COND_*).
type CondFlags uint64

// Conditional flags, DAOS's values.
const (
	CondPunch      CondFlags = 1 << 0 // punch only if the key exists, else DER_NONEXIST
	CondDkeyInsert CondFlags = 1 << 1 // update fails DER_EXIST if the dkey exists
	CondDkeyUpdate CondFlags = 1 << 2 // update fails DER_NONEXIST if the dkey does not
	CondDkeyFetch  CondFlags = 1 << 3 // fetch fails DER_NONEXIST if the dkey does not exist
	CondAkeyInsert CondFlags = 1 << 4 // update fails DER_EXIST if an akey exists
	CondAkeyUpdate CondFlags = 1 << 5 // update fails DER_NONEXIST if an akey does not
	CondAkeyFetch  CondFlags = 1 << 6 // fetch fails DER_NONEXIST if an akey does not exist
)

// IODType says whether an akey holds a single value or an array.
type IODType uint8

// IOD types (daos_iod_type_t).
const (
	IODSingle IODType = 1 // DAOS_IOD_SINGLE
	IODArray  IODType = 2 // DAOS_IOD_ARRAY
)

// Recx is a range of array records (daos_recx_t).
type Recx struct {
	Idx uint64 `json:"idx"`
	Nr  uint64 `json:"nr"`
}

// End is the index after the last record.
func (r Recx) End() uint64 { return r.Idx + r.Nr }

// IOD describes the values of one akey in an update or fetch (daos_iod_t
// with its scatter-gather buffer).
//
// For a single value Size is the value's length: on update it must equal
// len(Data); on fetch it is set to the stored length (0 if absent), and
// Data, if non-nil, must be large enough or the fetch fails DER_REC2BIG.
//
// For an array Size is the record size and Recxs the ranges; Data holds
// the records of every range back to back (len = Σ Nr × Size). On fetch
// the ranges absent from storage are left untouched in Data, and Size is
// set to 0 when no record at all was found.
type IOD struct {
	Akey  []byte
	Type  IODType
	Size  uint64
	Recxs []Recx
	Data  []byte
}

// Object is an object handle (daos_obj_open).
type Object interface {
	OID() OID
	// Update writes every IOD under dkey atomically (daos_obj_update).
	Update(ctx context.Context, dkey []byte, flags CondFlags, iods []IOD) error
	// Fetch reads every IOD under dkey (daos_obj_fetch).
	Fetch(ctx context.Context, dkey []byte, flags CondFlags, iods []IOD) error
	// Punch removes the whole object (daos_obj_punch).
	Punch(ctx context.Context) error
	// PunchDkeys removes dkeys and everything under them.
	PunchDkeys(ctx context.Context, flags CondFlags, dkeys [][]byte) error
	// PunchAkeys removes akeys under one dkey.
	PunchAkeys(ctx context.Context, dkey []byte, flags CondFlags, akeys [][]byte) error
	// ListDkeys returns up to nr dkeys packed into buf, continuing from
	// anchor. If the first key does not fit, it fails with a
	// *KeyTooBigError (DER_KEY2BIG) naming the size needed.
	ListDkeys(ctx context.Context, anchor *Anchor, nr int, buf []byte) ([][]byte, error)
	// ListAkeys does the same for the akeys of one dkey.
	ListAkeys(ctx context.Context, dkey []byte, anchor *Anchor, nr int, buf []byte) ([][]byte, error)
	// QueryMax returns the largest integer dkey under which akey holds
	// array records, and the highest extent there: what libdaos's array
	// code asks to size an array (daos_obj_query_key with DAOS_GET_MAX|
	// DAOS_GET_DKEY|DAOS_GET_RECX and the akey given). The object's dkeys
	// must be integers (DER_INVAL otherwise): DAOS answers DAOS_GET_AKEY
	// for integer akeys only, so the akey is named, never searched for.
	// An object with no such record answers the zero KeyQuery (dkey 0, no
	// records), not an error, as DAOS does. It is meant for arrays, whose
	// every dkey holds akey: where the largest dkey holds other akeys only,
	// DAOS answers that dkey with another akey's extent.
	QueryMax(ctx context.Context, akey []byte) (KeyQuery, error)
	// QueryMaxRecx returns the highest extent of an array akey under dkey
	// (DAOS_GET_MAX|DAOS_GET_RECX); the zero Recx if the dkey has no
	// records or the akey holds a single value. DAOS answers for the akey
	// given only when it is the dkey's one akey, as in array objects; for
	// a dkey with several, what it answers is not to be relied on (seen on
	// DAOS 2.8: another akey's extent).
	QueryMaxRecx(ctx context.Context, dkey, akey []byte) (Recx, error)
	// QueryMaxEpoch returns the epoch of the object's latest write: an
	// update, or a punch of the object or of its keys
	// (daos_obj_query_max_epoch; DAOS keeps it per object as vo_max_write).
	// An object never written answers 0. libdfs derives a file's and a
	// directory's mtime from it (update_stbuf_times).
	QueryMaxEpoch(ctx context.Context) (uint64, error)
	Close() error
}

// KeyQuery is the result of QueryMax.
type KeyQuery struct {
	Dkey uint64 // the integer dkey; 0 when nothing was found
	Recx Recx   // its highest extent; Nr is 0 when nothing was found
}

// Found reports whether the query found any record.
func (q KeyQuery) Found() bool { return q.Dkey != 0 || q.Recx.Nr != 0 }

// KV is a flat key-value object (daos_kv_*): each key is a dkey holding one
// single value under akey "0", as libdaos's KV layer stores it.
type KV interface {
	OID() OID
	Put(ctx context.Context, key string, value []byte) error
	// Get fails with DER_NONEXIST for an absent key.
	Get(ctx context.Context, key string) ([]byte, error)
	Remove(ctx context.Context, key string) error
	List(ctx context.Context, anchor *Anchor, nr int) ([]string, error)
	Close() error
}

// OIT is an open Object ID Table of a snapshot (daos_oit_open).
type OIT interface {
	Epoch() uint64
	// List returns up to nr OIDs from anchor (daos_oit_list).
	List(ctx context.Context, anchor *Anchor, nr int) ([]OID, error)
	// Mark stores marker (at most MarkerMaxLen bytes) for oid; a nil
	// marker clears it. DER_NONEXIST if oid is not in the table.
	Mark(ctx context.Context, oid OID, marker []byte) error
	// MarkMany marks with the same marker every OID of oids that is in the
	// table, and returns those that are not (as a checker meets entries
	// whose objects were never written). Other errors stop it.
	MarkMany(ctx context.Context, oids []OID, marker []byte) (absent []OID, err error)
	// ListUnmarked returns up to nr OIDs that carry no marker.
	ListUnmarked(ctx context.Context, anchor *Anchor, nr int) ([]OID, error)
	// ListFilter returns up to nr OIDs for which filter returns true;
	// filter sees each OID with its marker (nil if unmarked). An error from
	// filter stops the listing and is returned.
	ListFilter(ctx context.Context, anchor *Anchor, nr int, filter OITFilter) ([]OID, error)
	Close() error
}

// OITFilter decides whether ListFilter returns an OID.
type OITFilter func(oid OID, marker []byte) (bool, error)

// Call runs the filter, turning a panic into its error: on DAOS the filter
// runs under libdaos's C frames, which a panic must not unwind, and every
// backend answers the same.
func (f OITFilter) Call(oid OID, marker []byte) (keep bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("OIT filter panicked on %s: %v", oid, p)
		}
	}()
	return f(oid, marker)
}

// MarkerMaxLen is the largest OIT marker daosgo stores (128 bits, as the
// middleware consistency design specifies).
const MarkerMaxLen = 16

// Anchor is an opaque, resumable position in a listing (daos_anchor_t).
// The zero Anchor starts at the beginning; EOF reports the end. An anchor
// must not be copied once a listing has started: for an erasure-coded
// object libdaos keeps per-shard state behind it, which it frees when the
// listing ends, and two listings sharing it would free it twice (go vet
// reports copies).
type Anchor struct {
	_     noCopy
	state []byte
	eof   bool
}

// noCopy makes go vet's copylocks check report copies of what holds it.
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}

// EOF reports whether the listing has returned everything.
func (a *Anchor) EOF() bool { return a.eof }

// Reset makes the anchor start from the beginning again.
func (a *Anchor) Reset() { a.state, a.eof = nil, false }

// State and SetState are for backends: the anchor's content is theirs.
func (a *Anchor) State() []byte { return a.state }

// SetState records a backend's position and whether the end was reached.
func (a *Anchor) SetState(state []byte, eof bool) {
	a.state = append(a.state[:0], state...)
	a.eof = eof
}
