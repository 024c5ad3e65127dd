//go:build daos

package libdaos

/*
#include "daosgo.h"
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"unsafe"

	"github.com/daosgo/daosgo/daosgo"
)

// Object is an open object (daos_obj_open).
type Object struct {
	c    *Container
	oh   C.daos_handle_t
	oid  daosgo.OID
	mode daosgo.ObjMode
	// th is the transaction the object's calls join; the zero handle is
	// DAOS_TX_NONE, where each call is its own transaction.
	th     C.daos_handle_t
	closed atomic.Bool
}

// enter checks, before any C call, that ctx is alive and the handle open.
func (o *Object) enter(ctx context.Context, what string) error {
	if err := canceled(ctx, what+" "+o.oid.String()); err != nil {
		return err
	}
	if o.closed.Load() {
		return daosgo.Errorf(daosgo.ErrNoHdl, "%s %s: object handle is closed", what, o.oid)
	}
	return nil
}

// enterWrite also refuses a write through a read-only handle: libdaos 2.8
// refuses it outside a transaction (DER_NO_PERM) but applies it inside one.
func (o *Object) enterWrite(ctx context.Context, what string) error {
	if err := o.enter(ctx, what); err != nil {
		return err
	}
	if o.mode != daosgo.ObjRW {
		return daosgo.Errorf(daosgo.ErrNoPerm, "%s %s: object is open read-only", what, o.oid)
	}
	return nil
}

var _ daosgo.Object = (*Object)(nil)

// txNone is DAOS_TX_NONE.
var txNone C.daos_handle_t

func (o *Object) OID() daosgo.OID { return o.oid }

// Close wraps daos_obj_close.
func (o *Object) Close() error {
	if o.closed.Swap(true) {
		return daosgo.Errorf(daosgo.ErrNoHdl, "close object %s: handle already closed", o.oid)
	}
	o.c.open.Add(-1)
	return rcErr(C.daos_obj_close(o.oh, nil), "daos_obj_close(%s)", o.oid)
}

// buildIODs lays iods out as daos_iod_t and d_sg_list_t arrays in C memory.
// Each sgl points at a C copy of the IOD's Data, so data never crosses as
// a Go pointer and holes left by a fetch keep the caller's bytes.
func (m *cmem) buildIODs(iods []daosgo.IOD) (*C.daos_iod_t, *C.d_sg_list_t, []unsafe.Pointer) {
	n := len(iods)
	ciods := unsafe.Slice((*C.daos_iod_t)(m.alloc(n*C.sizeof_daos_iod_t)), n)
	sgls := unsafe.Slice((*C.d_sg_list_t)(m.alloc(n*C.sizeof_d_sg_list_t)), n)
	bufs := make([]unsafe.Pointer, n)
	for i, d := range iods {
		ci := &ciods[i]
		C.daosgo_iov_set(&ci.iod_name, m.bytes(d.Akey), C.size_t(len(d.Akey)))
		ci.iod_type = C.daos_iod_type_t(d.Type)
		ci.iod_size = C.daos_size_t(d.Size)
		if d.Type == daosgo.IODArray {
			ci.iod_nr = C.uint32_t(len(d.Recxs))
			recxs := unsafe.Slice((*C.daos_recx_t)(m.alloc(len(d.Recxs)*C.sizeof_daos_recx_t)), len(d.Recxs))
			for j, r := range d.Recxs {
				recxs[j] = C.daos_recx_t{rx_idx: C.uint64_t(r.Idx), rx_nr: C.uint64_t(r.Nr)}
			}
			if len(recxs) > 0 {
				ci.iod_recxs = &recxs[0]
			}
		} else {
			ci.iod_nr = 1
		}
		if d.Data != nil {
			bufs[i] = m.bytes(d.Data)
			iov := (*C.d_iov_t)(m.alloc(C.sizeof_d_iov_t))
			C.daosgo_iov_set(iov, bufs[i], C.size_t(len(d.Data)))
			sgls[i].sg_nr = 1
			sgls[i].sg_iovs = iov
		}
	}
	return &ciods[0], &sgls[0], bufs
}

func (m *cmem) keys(keys [][]byte) *C.daos_key_t {
	arr := unsafe.Slice((*C.daos_key_t)(m.alloc(len(keys)*C.sizeof_daos_key_t)), len(keys))
	for i, k := range keys {
		C.daosgo_iov_set(&arr[i], m.bytes(k), C.size_t(len(k)))
	}
	return &arr[0]
}

// Update wraps daos_obj_update.
func (o *Object) Update(ctx context.Context, dkey []byte, flags daosgo.CondFlags, iods []daosgo.IOD) error {
	if err := o.enterWrite(ctx, "update"); err != nil {
		return err
	}
	if len(dkey) == 0 {
		return daosgo.Errorf(daosgo.ErrInval, "update %s: empty dkey", o.oid)
	}
	if err := daosgo.CheckIODs(iods, true); err != nil {
		return fmt.Errorf("update %s: %w", o.oid, err)
	}
	var m cmem
	defer m.free()
	ciods, sgls, _ := m.buildIODs(iods)
	return rcErr(C.daos_obj_update(o.oh, o.th, C.uint64_t(flags), m.iov(dkey), C.uint(len(iods)), ciods, sgls, nil),
		"daos_obj_update(%s, dkey %q)", o.oid, daosgo.KeyString(dkey))
}

// Fetch wraps daos_obj_fetch.
func (o *Object) Fetch(ctx context.Context, dkey []byte, flags daosgo.CondFlags, iods []daosgo.IOD) error {
	if err := o.enter(ctx, "fetch"); err != nil {
		return err
	}
	if len(dkey) == 0 {
		return daosgo.Errorf(daosgo.ErrInval, "fetch %s: empty dkey", o.oid)
	}
	if err := daosgo.CheckIODs(iods, false); err != nil {
		return fmt.Errorf("fetch %s: %w", o.oid, err)
	}
	var m cmem
	defer m.free()
	ciods, sgls, bufs := m.buildIODs(iods)
	withData := false
	for _, d := range iods {
		withData = withData || d.Data != nil
	}
	sglArg := sgls
	if !withData {
		sglArg = nil // sizes only
	}
	rc := C.daos_obj_fetch(o.oh, o.th, C.uint64_t(flags), m.iov(dkey), C.uint(len(iods)), ciods, sglArg, nil, nil)
	out := unsafe.Slice(ciods, len(iods))
	for i := range iods {
		iods[i].Size = uint64(out[i].iod_size)
	}
	if err := rcErr(rc, "daos_obj_fetch(%s, dkey %q)", o.oid, daosgo.KeyString(dkey)); err != nil {
		if errors.Is(err, daosgo.ErrRec2Big) {
			for i, d := range iods {
				if d.Type == daosgo.IODSingle && d.Data != nil && d.Size > uint64(len(d.Data)) {
					return &daosgo.RecTooBigError{Akey: iods[i].Akey, Size: d.Size}
				}
			}
		}
		return err
	}
	for i, d := range iods {
		if d.Data != nil {
			copy(d.Data, goBytes(bufs[i], C.size_t(len(d.Data))))
		}
	}
	return nil
}

// Punch wraps daos_obj_punch.
func (o *Object) Punch(ctx context.Context) error {
	if err := o.enterWrite(ctx, "punch"); err != nil {
		return err
	}
	return rcErr(C.daos_obj_punch(o.oh, o.th, 0, nil), "daos_obj_punch(%s)", o.oid)
}

// PunchDkeys wraps daos_obj_punch_dkeys.
func (o *Object) PunchDkeys(ctx context.Context, flags daosgo.CondFlags, dkeys [][]byte) error {
	if err := o.enterWrite(ctx, "punch dkeys of"); err != nil {
		return err
	}
	if len(dkeys) != 1 {
		return daosgo.Errorf(daosgo.ErrInval, "object %s: punch %d dkeys: DAOS punches one dkey a call", o.oid, len(dkeys))
	}
	if len(dkeys[0]) == 0 {
		return daosgo.Errorf(daosgo.ErrInval, "object %s: empty dkey", o.oid)
	}
	var m cmem
	defer m.free()
	return rcErr(C.daos_obj_punch_dkeys(o.oh, o.th, C.uint64_t(flags), C.uint(len(dkeys)), m.keys(dkeys), nil),
		"daos_obj_punch_dkeys(%s)", o.oid)
}

// PunchAkeys wraps daos_obj_punch_akeys.
func (o *Object) PunchAkeys(ctx context.Context, dkey []byte, flags daosgo.CondFlags, akeys [][]byte) error {
	if err := o.enterWrite(ctx, "punch akeys of"); err != nil {
		return err
	}
	if len(akeys) == 0 || len(dkey) == 0 {
		return daosgo.Errorf(daosgo.ErrInval, "object %s: need a dkey and akeys to punch", o.oid)
	}
	for _, k := range akeys {
		if len(k) == 0 {
			return daosgo.Errorf(daosgo.ErrInval, "object %s: empty akey", o.oid)
		}
	}
	var m cmem
	defer m.free()
	return rcErr(C.daos_obj_punch_akeys(o.oh, o.th, C.uint64_t(flags), m.iov(dkey), C.uint(len(akeys)), m.keys(akeys), nil),
		"daos_obj_punch_akeys(%s, dkey %q)", o.oid, daosgo.KeyString(dkey))
}

// listKeys runs one daos_obj_list_dkey or daos_obj_list_akey call (list)
// and unpacks the keys. With a nil buf it grows its own buffer until the
// next key fits.
func listKeys(what string, anchor *daosgo.Anchor, nr int, buf []byte,
	list func(nr *C.uint32_t, kds *C.daos_key_desc_t, sgl *C.d_sg_list_t, a *C.daos_anchor_t) C.int) ([][]byte, error) {
	if anchor == nil || nr <= 0 {
		return nil, daosgo.Errorf(daosgo.ErrInval, "list keys of %s: need an anchor and nr > 0", what)
	}
	if anchor.EOF() {
		return nil, nil
	}
	size := len(buf)
	if buf == nil {
		size = max(nr*64, 4096)
	}
	for {
		var m cmem
		kds := unsafe.Slice((*C.daos_key_desc_t)(m.alloc(nr*C.sizeof_daos_key_desc_t)), nr)
		data := m.alloc(size)
		sgl := (*C.d_sg_list_t)(m.alloc(C.sizeof_d_sg_list_t))
		iov := (*C.d_iov_t)(m.alloc(C.sizeof_d_iov_t))
		C.daosgo_iov_set(iov, data, C.size_t(size))
		sgl.sg_nr, sgl.sg_iovs = 1, iov
		ca := m.anchorIn(anchor)
		got := C.uint32_t(nr)
		rc := list(&got, &kds[0], sgl, ca)
		if daosgo.ErrnoFromCode(int(rc)) == daosgo.ErrKey2Big {
			need := int(kds[0].kd_key_len)
			// Keep what libdaos put in the anchor: for an EC object it
			// allocated the shards' sub-anchors, which it frees only at
			// the end of the listing; a retry from the old state would
			// leak them and start the shards over.
			anchorOut(anchor, ca)
			m.free()
			if buf != nil {
				return nil, &daosgo.KeyTooBigError{Need: need}
			}
			size = max(need, 2*size)
			continue
		}
		if err := rcErr(rc, "list keys of %s", what); err != nil {
			m.free()
			return nil, err
		}
		raw := goBytes(data, C.size_t(size))
		var keys [][]byte
		off := 0
		for _, kd := range kds[:got] {
			n := int(kd.kd_key_len)
			k := raw[off : off+n : off+n]
			if buf != nil {
				k = buf[off : off+n : off+n]
				copy(k, raw[off:off+n])
			}
			keys = append(keys, k)
			off += n
		}
		anchorOut(anchor, ca)
		m.free()
		return keys, nil
	}
}

// ListDkeys wraps daos_obj_list_dkey.
func (o *Object) ListDkeys(ctx context.Context, anchor *daosgo.Anchor, nr int, buf []byte) ([][]byte, error) {
	if err := o.enter(ctx, "list dkeys of"); err != nil {
		return nil, err
	}
	return listKeys(o.oid.String(), anchor, nr, buf, func(n *C.uint32_t, kds *C.daos_key_desc_t, sgl *C.d_sg_list_t, a *C.daos_anchor_t) C.int {
		return C.daos_obj_list_dkey(o.oh, o.th, n, kds, sgl, a, nil)
	})
}

// ListAkeys wraps daos_obj_list_akey.
func (o *Object) ListAkeys(ctx context.Context, dkey []byte, anchor *daosgo.Anchor, nr int, buf []byte) ([][]byte, error) {
	if err := o.enter(ctx, "list akeys of"); err != nil {
		return nil, err
	}
	if len(dkey) == 0 {
		return nil, daosgo.Errorf(daosgo.ErrInval, "list akeys of %s: empty dkey", o.oid)
	}
	var m cmem
	defer m.free()
	dk := m.iov(dkey)
	return listKeys(o.oid.String(), anchor, nr, buf, func(n *C.uint32_t, kds *C.daos_key_desc_t, sgl *C.d_sg_list_t, a *C.daos_anchor_t) C.int {
		return C.daos_obj_list_akey(o.oh, o.th, dk, n, kds, sgl, a, nil)
	})
}

// QueryMax wraps daos_obj_query_key with DAOS_GET_MAX | DAOS_GET_DKEY |
// DAOS_GET_RECX under akey, as daos_array_get_size does. DAOS fills in the
// 8-byte integer dkey; on an object without such records it leaves it 0.
func (o *Object) QueryMax(ctx context.Context, akey []byte) (daosgo.KeyQuery, error) {
	if err := o.enter(ctx, "query"); err != nil {
		return daosgo.KeyQuery{}, err
	}
	if !o.oid.Type().DkeyUint64() {
		return daosgo.KeyQuery{}, daosgo.Errorf(daosgo.ErrInval, "query %s: its %s dkeys are not integers", o.oid, o.oid.Type())
	}
	if len(akey) == 0 {
		return daosgo.KeyQuery{}, daosgo.Errorf(daosgo.ErrInval, "query %s: no akey", o.oid)
	}
	var m cmem
	defer m.free()
	dk := m.iov(make([]byte, 8))
	var recx C.daos_recx_t
	flags := C.DAOS_GET_MAX | C.DAOS_GET_DKEY | C.DAOS_GET_RECX
	if err := rcErr(C.daos_obj_query_key(o.oh, o.th, C.uint64_t(flags), dk, m.iov(akey), &recx, nil),
		"daos_obj_query_key(%s, akey %q)", o.oid, daosgo.KeyString(akey)); err != nil {
		return daosgo.KeyQuery{}, err
	}
	n, err := daosgo.KeyUint64(goBytes(dk.iov_buf, 8))
	return daosgo.KeyQuery{Dkey: n, Recx: daosgo.Recx{Idx: uint64(recx.rx_idx), Nr: uint64(recx.rx_nr)}}, err
}

// QueryMaxRecx wraps daos_obj_query_key with DAOS_GET_MAX | DAOS_GET_RECX
// for one dkey and akey.
func (o *Object) QueryMaxRecx(ctx context.Context, dkey, akey []byte) (daosgo.Recx, error) {
	if err := o.enter(ctx, "query"); err != nil {
		return daosgo.Recx{}, err
	}
	if len(dkey) == 0 || len(akey) == 0 {
		return daosgo.Recx{}, daosgo.Errorf(daosgo.ErrInval, "query %s: need a dkey and an akey", o.oid)
	}
	var m cmem
	defer m.free()
	var recx C.daos_recx_t
	flags := C.DAOS_GET_MAX | C.DAOS_GET_RECX
	err := rcErr(C.daos_obj_query_key(o.oh, o.th, C.uint64_t(flags), m.iov(dkey), m.iov(akey), &recx, nil),
		"daos_obj_query_key(%s, dkey %q, akey %q)", o.oid, daosgo.KeyString(dkey), daosgo.KeyString(akey))
	return daosgo.Recx{Idx: uint64(recx.rx_idx), Nr: uint64(recx.rx_nr)}, err
}

// QueryMaxEpoch wraps daos_obj_query_max_epoch.
func (o *Object) QueryMaxEpoch(ctx context.Context) (uint64, error) {
	if err := o.enter(ctx, "query"); err != nil {
		return 0, err
	}
	var epoch C.daos_epoch_t
	err := rcErr(C.daos_obj_query_max_epoch(o.oh, o.th, &epoch, nil), "daos_obj_query_max_epoch(%s)", o.oid)
	return uint64(epoch), err
}
