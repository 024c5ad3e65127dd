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

// propsToC builds a daos_prop_t (daos_prop_alloc) from daosgo properties.
// The caller frees it with daos_prop_free.
func propsToC(props daosgo.Props) (*C.daos_prop_t, error) {
	if len(props) == 0 {
		return nil, nil
	}
	cp := C.daos_prop_alloc(C.uint32_t(len(props)))
	if cp == nil {
		return nil, daosgo.Errorf(daosgo.ErrNoMem, "daos_prop_alloc(%d)", len(props))
	}
	entries := unsafe.Slice(cp.dpp_entries, len(props))
	for i, p := range props {
		e := &entries[i]
		e.dpe_type = C.uint32_t(p.ID)
		var rc C.int
		switch p.Kind() {
		case daosgo.KindString:
			s := C.CString(p.Str)
			rc = C.daos_prop_entry_set_str(e, s, C.daos_size_t(len(p.Str)))
			C.free(unsafe.Pointer(s))
		case daosgo.KindRoots:
			var roots C.struct_daos_prop_co_roots
			for j, o := range p.Roots {
				roots.cr_oids[j] = cOID(o)
			}
			rc = C.daos_prop_entry_set_ptr(e, unsafe.Pointer(&roots), C.sizeof_struct_daos_prop_co_roots)
		default:
			C.daosgo_prop_set_val(e, C.uint64_t(p.Num))
		}
		if rc != 0 {
			C.daos_prop_free(cp)
			return nil, rcErr(rc, "set property %s", p.Name())
		}
	}
	return cp, nil
}

// queryProps allocates an empty property list asking for ids (daos_prop_alloc).
func queryProps(ids []daosgo.PropID) *C.daos_prop_t {
	cp := C.daos_prop_alloc(C.uint32_t(len(ids)))
	entries := unsafe.Slice(cp.dpp_entries, len(ids))
	for i, id := range ids {
		entries[i].dpe_type = C.uint32_t(id)
	}
	return cp
}

// propsFromC converts the entries DAOS filled in; entries left unset are
// skipped.
func propsFromC(cp *C.daos_prop_t) daosgo.Props {
	if cp == nil {
		return nil
	}
	var out daosgo.Props
	for _, e := range unsafe.Slice(cp.dpp_entries, int(cp.dpp_nr)) {
		if C.daosgo_prop_is_set(&e) == 0 {
			continue
		}
		p := daosgo.Prop{ID: daosgo.PropID(e.dpe_type)}
		switch p.Kind() {
		case daosgo.KindString:
			if s := C.daosgo_prop_str(&e); s != nil {
				p.Str = C.GoString(s)
			}
		case daosgo.KindRoots:
			if r := (*C.struct_daos_prop_co_roots)(C.daosgo_prop_ptr(&e)); r != nil {
				for j := range p.Roots {
					p.Roots[j] = goOID(r.cr_oids[j])
				}
			}
		default:
			p.Num = uint64(C.daosgo_prop_val(&e))
		}
		out = append(out, p)
	}
	return out
}

// knownIDs lists the properties of one kind (pool or container) that a
// query asks for when the caller names none.
func knownIDs(pool bool) []daosgo.PropID {
	var ids []daosgo.PropID
	for _, name := range daosgo.PropNames(pool) {
		id, _ := daosgo.LookupProp(name, pool)
		ids = append(ids, id)
	}
	return ids
}
