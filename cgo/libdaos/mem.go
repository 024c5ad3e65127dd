//go:build daos

package libdaos

/*
#include "daosgo.h"
*/
import "C"

import (
	"unsafe"

	"github.com/daosgo/daosgo/daosgo"
)

// cmem tracks the C allocations of one wrapper call, freed together.
type cmem []unsafe.Pointer

func (m *cmem) alloc(n int) unsafe.Pointer {
	if n == 0 {
		n = 1
	}
	p := C.calloc(1, C.size_t(n))
	*m = append(*m, p)
	return p
}

// bytes copies b into C memory.
func (m *cmem) bytes(b []byte) unsafe.Pointer {
	p := m.alloc(len(b))
	if len(b) > 0 {
		C.memcpy(p, unsafe.Pointer(&b[0]), C.size_t(len(b)))
	}
	return p
}

func (m *cmem) cstring(s string) *C.char {
	p := m.alloc(len(s) + 1)
	if len(s) > 0 {
		C.memcpy(p, unsafe.Pointer(unsafe.StringData(s)), C.size_t(len(s)))
	}
	return (*C.char)(p)
}

// iov returns a d_iov_t in C memory over a C copy of b.
func (m *cmem) iov(b []byte) *C.d_iov_t {
	iov := (*C.d_iov_t)(m.alloc(C.sizeof_d_iov_t))
	C.daosgo_iov_set(iov, m.bytes(b), C.size_t(len(b)))
	return iov
}

func (m *cmem) free() {
	for _, p := range *m {
		C.free(p)
	}
	*m = nil
}

func goBytes(p unsafe.Pointer, n C.size_t) []byte { return C.GoBytes(p, C.int(n)) }

func cOID(o daosgo.OID) C.daos_obj_id_t {
	return C.daos_obj_id_t{lo: C.uint64_t(o.Lo), hi: C.uint64_t(o.Hi)}
}

func goOID(o C.daos_obj_id_t) daosgo.OID { return daosgo.OID{Hi: uint64(o.hi), Lo: uint64(o.lo)} }

func goUUID(u *C.uchar) daosgo.UUID {
	var id daosgo.UUID
	copy(id[:], C.GoBytes(unsafe.Pointer(u), 16))
	return id
}

// anchorIn copies a daosgo.Anchor's state into a C daos_anchor_t.
func (m *cmem) anchorIn(a *daosgo.Anchor) *C.daos_anchor_t {
	ca := (*C.daos_anchor_t)(m.alloc(C.sizeof_daos_anchor_t))
	if st := a.State(); len(st) == C.sizeof_daos_anchor_t {
		C.memcpy(unsafe.Pointer(ca), unsafe.Pointer(&st[0]), C.sizeof_daos_anchor_t)
	}
	return ca
}

// anchorOut stores a C anchor back into the daosgo.Anchor.
func anchorOut(a *daosgo.Anchor, ca *C.daos_anchor_t) {
	a.SetState(C.GoBytes(unsafe.Pointer(ca), C.sizeof_daos_anchor_t), C.daosgo_anchor_is_eof(ca) != 0)
}
