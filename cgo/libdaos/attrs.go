//go:build daos

package libdaos

/*
#include "daosgo.h"
*/
import "C"

import (
	"bytes"
	"unsafe"

	"github.com/daosgo/daosgo/daosgo"
)

// attrCalls are the four attribute functions of a pool or a container,
// which have the same shapes in libdaos.
type attrCalls struct {
	what string
	list func(buf *C.char, size *C.size_t) C.int
	get  func(n C.int, names **C.char, bufs *unsafe.Pointer, sizes *C.size_t) C.int
	set  func(n C.int, names **C.char, vals *unsafe.Pointer, sizes *C.size_t) C.int
	del  func(n C.int, names **C.char) C.int
}

func (a attrCalls) listAttrs() ([]string, error) {
	var size C.size_t
	if err := rcErr(a.list(nil, &size), "list attributes of %s", a.what); err != nil {
		return nil, err
	}
	if size == 0 {
		return nil, nil
	}
	var m cmem
	defer m.free()
	buf := (*C.char)(m.alloc(int(size)))
	if err := rcErr(a.list(buf, &size), "list attributes of %s", a.what); err != nil {
		return nil, err
	}
	var names []string
	for _, n := range bytes.Split(goBytes(unsafe.Pointer(buf), size), []byte{0}) {
		if len(n) > 0 {
			names = append(names, string(n))
		}
	}
	return names, nil
}

func (a attrCalls) getAttr(name string) ([]byte, error) {
	var m cmem
	defer m.free()
	names := (**C.char)(m.alloc(int(unsafe.Sizeof(uintptr(0)))))
	*names = m.cstring(name)
	bufs := (*unsafe.Pointer)(m.alloc(int(unsafe.Sizeof(uintptr(0)))))
	sizes := (*C.size_t)(m.alloc(C.sizeof_size_t))
	// First the size, then the value.
	if err := rcErr(a.get(1, names, bufs, sizes), "get attribute %q of %s", name, a.what); err != nil {
		return nil, err
	}
	n := *sizes
	*bufs = m.alloc(int(n))
	if err := rcErr(a.get(1, names, bufs, sizes), "get attribute %q of %s", name, a.what); err != nil {
		return nil, err
	}
	return goBytes(*bufs, *sizes), nil
}

func (a attrCalls) setAttr(name string, value []byte) error {
	if name == "" {
		return daosgo.Errorf(daosgo.ErrInval, "attribute name is empty")
	}
	var m cmem
	defer m.free()
	names := (**C.char)(m.alloc(int(unsafe.Sizeof(uintptr(0)))))
	*names = m.cstring(name)
	vals := (*unsafe.Pointer)(m.alloc(int(unsafe.Sizeof(uintptr(0)))))
	*vals = m.bytes(value)
	sizes := (*C.size_t)(m.alloc(C.sizeof_size_t))
	*sizes = C.size_t(len(value))
	return rcErr(a.set(1, names, vals, sizes), "set attribute %q of %s", name, a.what)
}

func (a attrCalls) delAttr(name string) error {
	var m cmem
	defer m.free()
	names := (**C.char)(m.alloc(int(unsafe.Sizeof(uintptr(0)))))
	*names = m.cstring(name)
	return rcErr(a.del(1, names), "delete attribute %q of %s", name, a.what)
}
