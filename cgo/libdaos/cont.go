//go:build daos

package libdaos

/*
#include "daosgo.h"
*/
import "C"

import (
	"context"
	"slices"
	"sync/atomic"
	"unsafe"

	"github.com/daosgo/daosgo/daosgo"
)

// Container is an open container (daos_cont_open).
//
// The handle's life is also kept on the Go side. libdaos 2.8 asserts, and
// so aborts the whole process, on some calls with a closed container
// handle (daos_tx_open), so every method checks first and fails
// DER_NO_HDL. And although daos_cont_close is meant to refuse a handle
// with objects still open (DER_BUSY), libdaos 2.8 never records open
// objects, closes, and leaves them failing DER_NO_HDL: daosgo refuses as
// the API says, counting the object, KV and OIT handles opened here, so
// that tools release what they open on every backend.
type Container struct {
	p      *Pool
	coh    C.daos_handle_t
	id     daosgo.UUID
	label  string
	flags  daosgo.ContFlags
	closed atomic.Bool
	open   atomic.Int64
}

// enter checks, before any C call, that the handle is open and ctx alive.
func (c *Container) enter(ctx context.Context, what string) error {
	if err := canceled(ctx, what); err != nil {
		return err
	}
	if c.closed.Load() {
		return daosgo.Errorf(daosgo.ErrNoHdl, "%s: container handle %s is closed", what, c.label)
	}
	return nil
}

var _ daosgo.Container = (*Container)(nil)

func (c *Container) UUID() daosgo.UUID { return c.id }
func (c *Container) Label() string     { return c.label }

// Query wraps daos_cont_query. DAOS does not count a container's objects
// or bytes nor record its creation time: those fields are 0 and said to
// be unreported.
func (c *Container) Query(ctx context.Context) (daosgo.ContInfo, error) {
	if err := c.enter(ctx, "query container "+c.label); err != nil {
		return daosgo.ContInfo{}, err
	}
	var info C.daos_cont_info_t
	cp := queryProps([]daosgo.PropID{daosgo.PropContLabel, daosgo.PropContLayoutType})
	defer C.daos_prop_free(cp)
	if err := rcErr(C.daos_cont_query(c.coh, &info, cp, nil), "daos_cont_query(%s)", c.label); err != nil {
		return daosgo.ContInfo{}, err
	}
	props := propsFromC(cp)
	return daosgo.ContInfo{
		UUID:       goUUID(&info.ci_uuid[0]),
		Label:      props.Str(daosgo.PropContLabel),
		LayoutType: daosgo.LayoutName(props.Num(daosgo.PropContLayoutType, 0)),
		Snapshots:  int(info.ci_nsnapshots),
		Handles:    int(info.ci_nhandles),
		Unreported: []string{"objects", "used_bytes", "created"},
	}, nil
}

// GetProps wraps daos_cont_query with a property list.
func (c *Container) GetProps(ctx context.Context, ids ...daosgo.PropID) (daosgo.Props, error) {
	if err := c.enter(ctx, "container "+c.label+" properties"); err != nil {
		return nil, err
	}
	all := len(ids) == 0
	if all {
		ids = knownIDs(false)
	}
	for _, id := range ids {
		if !id.IsContainer() || !id.Known() {
			return nil, daosgo.Errorf(daosgo.ErrNonexist, "container property %s", id)
		}
	}
	cp := queryProps(ids)
	defer C.daos_prop_free(cp)
	if err := rcErr(C.daos_cont_query(c.coh, nil, cp, nil), "daos_cont_query(%s) properties", c.label); err != nil {
		return nil, err
	}
	props := propsFromC(cp)
	if !all {
		for _, id := range ids {
			if !props.Has(id) {
				return nil, daosgo.Errorf(daosgo.ErrNonexist, "container %s property %s", c.label, id)
			}
		}
	}
	return props.Sorted(), nil
}

// SetProps wraps daos_cont_set_prop.
func (c *Container) SetProps(ctx context.Context, props daosgo.Props) error {
	if err := c.enter(ctx, "set properties of container "+c.label); err != nil {
		return err
	}
	for _, p := range props {
		if !p.ID.IsContainer() || !p.ID.Known() {
			return daosgo.Errorf(daosgo.ErrInval, "%s is not a container property", p.ID)
		}
		if p.ID.Info().ReadOnly {
			return daosgo.Errorf(daosgo.ErrNoPerm, "container property %s is set by the system", p.Name())
		}
	}
	cp, err := propsToC(props)
	if err != nil || cp == nil {
		return err
	}
	defer C.daos_prop_free(cp)
	if err := rcErr(C.daos_cont_set_prop(c.coh, cp, nil), "daos_cont_set_prop(%s)", c.label); err != nil {
		return err
	}
	if p, ok := props.Get(daosgo.PropContLabel); ok {
		c.label = p.Str
	}
	return nil
}

func (c *Container) attrs() attrCalls {
	return attrCalls{
		what: "container " + c.label,
		list: func(buf *C.char, size *C.size_t) C.int { return C.daos_cont_list_attr(c.coh, buf, size, nil) },
		get: func(n C.int, names **C.char, bufs *unsafe.Pointer, sizes *C.size_t) C.int {
			return C.daos_cont_get_attr(c.coh, n, names, bufs, sizes, nil)
		},
		set: func(n C.int, names **C.char, vals *unsafe.Pointer, sizes *C.size_t) C.int {
			return C.daos_cont_set_attr(c.coh, n, names, vals, sizes, nil)
		},
		del: func(n C.int, names **C.char) C.int { return C.daos_cont_del_attr(c.coh, n, names, nil) },
	}
}

// ListAttrs wraps daos_cont_list_attr.
func (c *Container) ListAttrs(ctx context.Context) ([]string, error) {
	if err := c.enter(ctx, "list attributes"); err != nil {
		return nil, err
	}
	return c.attrs().listAttrs()
}

// GetAttr wraps daos_cont_get_attr.
func (c *Container) GetAttr(ctx context.Context, name string) ([]byte, error) {
	if err := c.enter(ctx, "get attribute"); err != nil {
		return nil, err
	}
	return c.attrs().getAttr(name)
}

// SetAttr wraps daos_cont_set_attr.
func (c *Container) SetAttr(ctx context.Context, name string, value []byte) error {
	if err := c.enter(ctx, "set attribute"); err != nil {
		return err
	}
	return c.attrs().setAttr(name, value)
}

// DelAttr wraps daos_cont_del_attr.
func (c *Container) DelAttr(ctx context.Context, name string) error {
	if err := c.enter(ctx, "delete attribute"); err != nil {
		return err
	}
	return c.attrs().delAttr(name)
}

// AllocOIDs wraps daos_cont_alloc_oids.
func (c *Container) AllocOIDs(ctx context.Context, n uint64) (uint64, error) {
	if err := c.enter(ctx, "allocate OIDs"); err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, daosgo.Errorf(daosgo.ErrInval, "allocate 0 OIDs")
	}
	var first C.uint64_t
	err := rcErr(C.daos_cont_alloc_oids(c.coh, C.daos_size_t(n), &first, nil), "daos_cont_alloc_oids(%s, %d)", c.label, n)
	return uint64(first), err
}

// GenerateOID wraps daos_obj_generate_oid (daos_obj_generate_oid2), with no
// hints.
func (c *Container) GenerateOID(ctx context.Context, userHi uint32, lo uint64, t daosgo.ObjectType, class daosgo.ObjClass) (daosgo.OID, error) {
	if err := c.enter(ctx, "generate an OID"); err != nil {
		return daosgo.OID{}, err
	}
	if !t.Valid() {
		return daosgo.OID{}, daosgo.Errorf(daosgo.ErrInval, "object type %d", uint8(t))
	}
	oid := C.daos_obj_id_t{lo: C.uint64_t(lo), hi: C.uint64_t(userHi)}
	err := rcErr(C.daos_obj_generate_oid2(c.coh, &oid, C.enum_daos_otype_t(t), C.daos_oclass_id_t(class), 0, 0),
		"daos_obj_generate_oid(%s, %d.%d)", c.label, userHi, lo)
	return goOID(oid), err
}

// GenerateOIDByRF wraps daos_obj_generate_oid_by_rf, with no hints and the
// default redundancy level.
func (p *Pool) GenerateOIDByRF(ctx context.Context, rf uint64, userHi uint32, lo uint64, t daosgo.ObjectType, class daosgo.ObjClass) (daosgo.OID, error) {
	if !t.Valid() {
		return daosgo.OID{}, daosgo.Errorf(daosgo.ErrInval, "object type %d", uint8(t))
	}
	oid := C.daos_obj_id_t{lo: C.uint64_t(lo), hi: C.uint64_t(userHi)}
	err := rcErr(C.daos_obj_generate_oid_by_rf(p.poh, C.uint64_t(rf), &oid, C.enum_daos_otype_t(t), C.daos_oclass_id_t(class), 0, 0, 0),
		"daos_obj_generate_oid_by_rf(%s, rf %d, %d.%d)", p.label, rf, userHi, lo)
	return goOID(oid), err
}

// CreateSnapshot wraps daos_cont_create_snap_opt with DAOS_SNAP_OPT_CR, and
// DAOS_SNAP_OPT_OIT when oit is set. It passes no name: DAOS 2.8 refuses
// named snapshots with DER_NOSYS.
func (c *Container) CreateSnapshot(ctx context.Context, oit bool) (uint64, error) {
	if err := c.enter(ctx, "snapshot container "+c.label); err != nil {
		return 0, err
	}
	opts := C.DAOS_SNAP_OPT_CR
	if oit {
		opts |= C.DAOS_SNAP_OPT_OIT
	}
	var epoch C.daos_epoch_t
	err := rcErr(C.daos_cont_create_snap_opt(c.coh, &epoch, nil, uint32(opts), nil), "daos_cont_create_snap_opt(%s)", c.label)
	return uint64(epoch), err
}

// ListSnapshots wraps daos_cont_list_snap. DAOS lists epochs only; each
// one's time is read from its epoch.
func (c *Container) ListSnapshots(ctx context.Context) ([]daosgo.Snapshot, error) {
	if err := c.enter(ctx, "list snapshots of "+c.label); err != nil {
		return nil, err
	}
	epochs, err := c.snapshotEpochs()
	if err != nil {
		return nil, err
	}
	out := make([]daosgo.Snapshot, 0, len(epochs))
	for _, e := range epochs {
		out = append(out, daosgo.Snapshot{Epoch: e, Time: daosgo.EpochTime(e)})
	}
	return out, nil
}

// snapshotEpochs calls daos_cont_list_snap until its buffer holds every
// epoch. DAOS answers the number of snapshots there are, which may exceed
// the room given when snapshots were taken meanwhile; only the room given
// is filled, so a larger answer means: again, with more room.
func (c *Container) snapshotEpochs() ([]uint64, error) {
	room := 16
	for {
		var m cmem
		epochs := (*C.daos_epoch_t)(m.alloc(room * C.sizeof_daos_epoch_t))
		nr := C.int(room)
		rc := C.daos_cont_list_snap(c.coh, &nr, epochs, nil, m.anchorIn(&daosgo.Anchor{}), nil)
		if err := rcErr(rc, "daos_cont_list_snap(%s)", c.label); err != nil {
			m.free()
			return nil, err
		}
		if int(nr) > room {
			m.free()
			room = int(nr) + 16
			continue
		}
		out := make([]uint64, int(nr))
		for i, e := range unsafe.Slice(epochs, int(nr)) {
			out[i] = uint64(e)
		}
		m.free()
		slices.Sort(out)
		return out, nil
	}
}

// DestroySnapshot wraps daos_cont_destroy_snap for one epoch.
func (c *Container) DestroySnapshot(ctx context.Context, epoch uint64) error {
	if err := c.enter(ctx, "destroy snapshot of "+c.label); err != nil {
		return err
	}
	epr := C.daos_epoch_range_t{epr_lo: C.daos_epoch_t(epoch), epr_hi: C.daos_epoch_t(epoch)}
	return rcErr(C.daos_cont_destroy_snap(c.coh, epr, nil), "daos_cont_destroy_snap(%s, %d)", c.label, epoch)
}

// OpenObject wraps daos_obj_open.
func (c *Container) OpenObject(ctx context.Context, oid daosgo.OID, mode daosgo.ObjMode) (daosgo.Object, error) {
	return c.openObject(ctx, oid, mode, txNone)
}

func (c *Container) openObject(ctx context.Context, oid daosgo.OID, mode daosgo.ObjMode, th C.daos_handle_t) (*Object, error) {
	if err := c.enter(ctx, "open object "+oid.String()); err != nil {
		return nil, err
	}
	if !oid.Type().Valid() {
		return nil, daosgo.Errorf(daosgo.ErrInval, "object %s has unknown type %d", oid, uint8(oid.Type()))
	}
	if mode != daosgo.ObjRO && mode != daosgo.ObjRW {
		return nil, daosgo.Errorf(daosgo.ErrInval, "object %s: mode must be RO or RW", oid)
	}
	var oh C.daos_handle_t
	if err := rcErr(C.daos_obj_open(c.coh, cOID(oid), C.uint(mode), &oh, nil), "daos_obj_open(%s)", oid); err != nil {
		return nil, err
	}
	c.open.Add(1)
	return &Object{c: c, oh: oh, oid: oid, th: th, mode: mode}, nil
}

// OpenOIT wraps daos_oit_open.
func (c *Container) OpenOIT(ctx context.Context, epoch uint64) (daosgo.OIT, error) {
	if err := c.enter(ctx, "open OIT"); err != nil {
		return nil, err
	}
	var oh C.daos_handle_t
	if err := rcErr(C.daos_oit_open(c.coh, C.daos_epoch_t(epoch), &oh, nil), "daos_oit_open(%s, %d)", c.label, epoch); err != nil {
		return nil, err
	}
	c.open.Add(1)
	return &OIT{c: c, oh: oh, epoch: epoch}, nil
}

// OpenKV wraps daos_kv_open.
func (c *Container) OpenKV(ctx context.Context, oid daosgo.OID, mode daosgo.ObjMode) (daosgo.KV, error) {
	if err := c.enter(ctx, "open KV "+oid.String()); err != nil {
		return nil, err
	}
	if !oid.Type().IsKV() {
		return nil, daosgo.Errorf(daosgo.ErrInval, "object %s is %s, not a KV type", oid, oid.Type())
	}
	var oh C.daos_handle_t
	if err := rcErr(C.daos_kv_open(c.coh, cOID(oid), C.uint(mode), &oh, nil), "daos_kv_open(%s)", oid); err != nil {
		return nil, err
	}
	c.open.Add(1)
	return &KV{c: c, oh: oh, oid: oid, mode: mode}, nil
}

// Close wraps daos_cont_close; it fails DER_BUSY while object, KV or OIT
// handles opened through the container are open (see Container).
func (c *Container) Close(ctx context.Context) error {
	if c.closed.Load() {
		return daosgo.Errorf(daosgo.ErrNoHdl, "close container %s: handle already closed", c.label)
	}
	if n := c.open.Load(); n > 0 {
		return daosgo.Errorf(daosgo.ErrBusy, "close container %s: %d object handles opened through it are still open", c.label, n)
	}
	if err := rcErr(C.daos_cont_close(c.coh, nil), "daos_cont_close(%s)", c.label); err != nil {
		return err
	}
	c.closed.Store(true)
	return nil
}

var _ daosgo.Verifier = (*Container)(nil)

// VerifyObject wraps daos_obj_verify at the current epoch, which reads
// every replica of the object's groups (verifying record checksums where
// the container keeps them) and compares them. It reports no count: the
// count returned is 1 for the object. An object with a single replica and
// no parity has nothing to compare, and daos_obj_verify checks nothing of
// it: that is DER_NOTSUPPORTED, so that the checker counts it as skipped
// rather than verified. Replicas that differ fail DER_MISMATCH.
func (c *Container) VerifyObject(ctx context.Context, oid daosgo.OID) (int, error) {
	if err := c.enter(ctx, "verify "+oid.String()); err != nil {
		return 0, err
	}
	r := daosgo.Redundancy(oid.Redundancy())
	if !r.IsEC() && r.GroupSize() <= 1 {
		return 0, daosgo.Errorf(daosgo.ErrNotSupported, "objects of class %s have one replica: daos_obj_verify has nothing to compare", r)
	}
	if err := rcErr(C.daos_obj_verify(c.coh, cOID(oid), C.DAOS_EPOCH_MAX), "daos_obj_verify(%s)", oid); err != nil {
		return 0, err
	}
	return 1, nil
}
