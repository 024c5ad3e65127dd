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

// listAttrs lists the names. DAOS answers the aggregate size of all names
// whatever room it was given, and fills only whole names into that room:
// when names were added between the size probe and the listing, the
// answer exceeds the room, and the listing is made again with more.
func (a attrCalls) listAttrs() ([]string, error) {
	var size C.size_t
	if err := rcErr(a.list(nil, &size), "list attributes of %s", a.what); err != nil {
		return nil, err
	}
	for size > 0 {
		var m cmem
		room := size + 256
		buf := (*C.char)(m.alloc(int(room)))
		got := room
		if err := rcErr(a.list(buf, &got), "list attributes of %s", a.what); err != nil {
			m.free()
			return nil, err
		}
		if got > room {
			m.free()
			size = got
			continue
		}
		var names []string
		for _, n := range bytes.Split(goBytes(unsafe.Pointer(buf), room), []byte{0}) {
			if len(n) > 0 {
				names = append(names, string(n))
			}
		}
		m.free()
		return names, nil
	}
	return nil, nil
}

// getAttr reads one value: its size first, then the value. A value that
// grew between the two calls is read again with room for its new size.
func (a attrCalls) getAttr(name string) ([]byte, error) {
	if name == "" {
		return nil, daosgo.Errorf(daosgo.ErrInval, "attribute name is empty")
	}
	var m cmem
	defer m.free()
	names := (**C.char)(m.alloc(int(unsafe.Sizeof(uintptr(0)))))
	*names = m.cstring(name)
	bufs := (*unsafe.Pointer)(m.alloc(int(unsafe.Sizeof(uintptr(0)))))
	sizes := (*C.size_t)(m.alloc(C.sizeof_size_t))
	if err := rcErr(a.get(1, names, bufs, sizes), "get attribute %q of %s", name, a.what); err != nil {
		return nil, err
	}
	for {
		room := *sizes
		var vm cmem
		*bufs = vm.alloc(int(room))
		err := rcErr(a.get(1, names, bufs, sizes), "get attribute %q of %s", name, a.what)
		if err == nil && *sizes <= room {
			v := goBytes(*bufs, *sizes)
			vm.free()
			return v, nil
		}
		*bufs = nil
		vm.free()
		if err != nil {
			return nil, err
		}
	}
}

func (a attrCalls) setAttr(name string, value []byte) error {
	if name == "" {
		return daosgo.Errorf(daosgo.ErrInval, "attribute name is empty")
	}
	if len(value) == 0 {
		return daosgo.Errorf(daosgo.ErrInval, "attribute %q: DAOS stores no empty value", name)
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
