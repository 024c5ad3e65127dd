//go:build daos

package libdaos

/*
#include <stdint.h>
#include <stddef.h>
#include "daosgo.h"
*/
import "C"

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/daosgo/daosgo/daosgo"
)

// OIT is an open Object ID Table (daos_oit_open).
type OIT struct {
	c      *Container
	oh     C.daos_handle_t
	epoch  uint64
	closed atomic.Bool
}

func (o *OIT) enter(ctx context.Context, what string) error {
	if err := canceled(ctx, what); err != nil {
		return err
	}
	if o.closed.Load() {
		return daosgo.Errorf(daosgo.ErrNoHdl, "%s (epoch %d): OIT handle is closed", what, o.epoch)
	}
	return nil
}

var _ daosgo.OIT = (*OIT)(nil)

func (o *OIT) Epoch() uint64 { return o.epoch }

// Close wraps daos_oit_close.
func (o *OIT) Close() error {
	if o.closed.Swap(true) {
		return daosgo.Errorf(daosgo.ErrNoHdl, "close OIT of epoch %d: handle already closed", o.epoch)
	}
	o.c.open.Add(-1)
	return rcErr(C.daos_oit_close(o.oh, nil), "daos_oit_close(%d)", o.epoch)
}

// list runs one of the OIT listing calls.
func (o *OIT) list(ctx context.Context, anchor *daosgo.Anchor, nr int, what string,
	call func(oids *C.daos_obj_id_t, n *C.uint32_t, a *C.daos_anchor_t) C.int) ([]daosgo.OID, error) {
	if err := o.enter(ctx, what); err != nil {
		return nil, err
	}
	if anchor == nil || nr <= 0 {
		return nil, daosgo.Errorf(daosgo.ErrInval, "%s: need an anchor and nr > 0", what)
	}
	if anchor.EOF() {
		return nil, nil
	}
	page := min(nr, oitPage)
	var m cmem
	defer m.free()
	oids := unsafe.Slice((*C.daos_obj_id_t)(m.alloc(page*C.sizeof_daos_obj_id_t)), page)
	ca := m.anchorIn(anchor)
	var out []daosgo.OID
	for len(out) < nr && C.daosgo_anchor_is_eof(ca) == 0 {
		got := C.uint32_t(min(page, nr-len(out)))
		if err := rcErr(call(&oids[0], &got, ca), "%s (epoch %d)", what, o.epoch); err != nil {
			anchorOut(anchor, ca)
			return out, err
		}
		for _, oid := range oids[:got] {
			out = append(out, goOID(oid))
		}
		if got == 0 {
			break // no progress this call: let the caller call again
		}
	}
	anchorOut(anchor, ca)
	return out, nil
}

// oitPage is the most OIDs asked of libdaos in one OIT listing call. On
// DAOS 2.8 a call costs in proportion to the room it is given, not to what
// it returns: listing 107 objects took 8.6 s with room for 8192, 0.15 s
// with 512 and 0.09 s with 32 (one engine, tcp on loopback).
const oitPage = 512

// List wraps daos_oit_list.
func (o *OIT) List(ctx context.Context, anchor *daosgo.Anchor, nr int) ([]daosgo.OID, error) {
	return o.list(ctx, anchor, nr, "daos_oit_list", func(oids *C.daos_obj_id_t, n *C.uint32_t, a *C.daos_anchor_t) C.int {
		return C.daos_oit_list(o.oh, oids, n, a, nil)
	})
}

// ListUnmarked wraps daos_oit_list_unmarked.
func (o *OIT) ListUnmarked(ctx context.Context, anchor *daosgo.Anchor, nr int) ([]daosgo.OID, error) {
	return o.list(ctx, anchor, nr, "daos_oit_list_unmarked", func(oids *C.daos_obj_id_t, n *C.uint32_t, a *C.daos_anchor_t) C.int {
		return C.daos_oit_list_unmarked(o.oh, oids, n, a, nil)
	})
}

// Mark wraps daos_oit_mark; a nil marker clears the mark.
func (o *OIT) Mark(ctx context.Context, oid daosgo.OID, marker []byte) error {
	if err := o.enter(ctx, "OIT mark"); err != nil {
		return err
	}
	if len(marker) > daosgo.MarkerMaxLen {
		return daosgo.Errorf(daosgo.ErrInval, "OIT marker of %d bytes exceeds %d", len(marker), daosgo.MarkerMaxLen)
	}
	var m cmem
	defer m.free()
	var iov *C.d_iov_t
	if len(marker) > 0 {
		iov = m.iov(marker)
	}
	return rcErr(C.daos_oit_mark(o.oh, cOID(oid), iov, nil), "daos_oit_mark(%s)", oid)
}

// MarkMany calls daos_oit_mark for each OID, collecting those DAOS says
// are not in the table (-DER_NONEXIST).
func (o *OIT) MarkMany(ctx context.Context, oids []daosgo.OID, marker []byte) ([]daosgo.OID, error) {
	if len(marker) > daosgo.MarkerMaxLen {
		return nil, daosgo.Errorf(daosgo.ErrInval, "OIT marker of %d bytes exceeds %d", len(marker), daosgo.MarkerMaxLen)
	}
	var absent []daosgo.OID
	for _, oid := range oids {
		err := o.Mark(ctx, oid, marker)
		if errors.Is(err, daosgo.ErrNonexist) {
			absent = append(absent, oid)
			continue
		}
		if err != nil {
			return absent, err
		}
	}
	return absent, nil
}

// The Go filters of running ListFilter calls, by registry slot. C holds
// only the slot number, never a Go pointer. daos_oit_list_filter's callback
// takes no user argument, so calls are serialised and the slot travels in
// a C global (csrc/oit_filter.c).
var (
	filterMu   sync.Mutex
	filterNext C.int
	filters    = map[C.int]*filterCall{}
)

type filterCall struct {
	fn  daosgo.OITFilter
	err error
}

// call runs the filter; a panic in it becomes its error, since a panic
// must not unwind through libdaos's C frames.
func (f *filterCall) call(oid daosgo.OID, marker []byte) (bool, error) {
	return f.fn.Call(oid, marker)
}

//export daosgoOITFilter
func daosgoOITFilter(slot C.int, hi, lo C.uint64_t, marker unsafe.Pointer, n C.size_t) C.int {
	f := filters[slot]
	if f == nil || f.err != nil {
		return -C.int(daosgo.ErrCanceled)
	}
	var mk []byte
	if marker != nil && n > 0 {
		mk = C.GoBytes(marker, C.int(n))
	}
	keep, err := f.call(daosgo.OID{Hi: uint64(hi), Lo: uint64(lo)}, mk)
	if err != nil {
		f.err = err
		return -C.int(daosgo.ErrCanceled) // a negative value stops the listing
	}
	if keep {
		return 1
	}
	return 0
}

// ListFilter wraps daos_oit_list_filter through the C trampoline.
func (o *OIT) ListFilter(ctx context.Context, anchor *daosgo.Anchor, nr int, filter daosgo.OITFilter) ([]daosgo.OID, error) {
	if filter == nil {
		return nil, daosgo.Errorf(daosgo.ErrInval, "OIT list filter: no filter")
	}
	filterMu.Lock()
	defer filterMu.Unlock()
	filterNext++
	slot := filterNext
	call := &filterCall{fn: filter}
	filters[slot] = call
	defer delete(filters, slot)
	oids, err := o.list(ctx, anchor, nr, "daos_oit_list_filter", func(oids *C.daos_obj_id_t, n *C.uint32_t, a *C.daos_anchor_t) C.int {
		return C.daosgo_oit_list_filter(o.oh, oids, n, a, slot)
	})
	if call.err != nil {
		return oids, call.err
	}
	return oids, err
}
