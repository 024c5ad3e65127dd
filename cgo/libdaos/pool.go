//go:build daos

package libdaos

/*
#include "daosgo.h"
*/
import "C"

import (
	"context"
	"unsafe"

	"github.com/daosgo/daosgo/daosgo"
)

// Pool is a connected pool (daos_handle_t from daos_pool_connect).
type Pool struct {
	b     *Backend
	poh   C.daos_handle_t
	id    daosgo.UUID
	label string
	flags daosgo.PoolFlags
}

var _ daosgo.Pool = (*Pool)(nil)

func (p *Pool) UUID() daosgo.UUID { return p.id }
func (p *Pool) Label() string     { return p.label }

func canceled(ctx context.Context, what string) error {
	if ctx.Err() != nil {
		return daosgo.CanceledError(ctx, what)
	}
	return nil
}

// Query wraps daos_pool_query with space, rebuild status and the version
// properties. The newest layout version the engines support is the
// rebuild status's rs_max_supported_layout_ver. DAOS does not count a
// pool's open handles: Handles is 0 and said to be unreported.
func (p *Pool) Query(ctx context.Context) (daosgo.PoolInfo, error) {
	if err := canceled(ctx, "query pool "+p.label); err != nil {
		return daosgo.PoolInfo{}, err
	}
	var info C.daos_pool_info_t
	info.pi_bits = C.DPI_SPACE | C.DPI_REBUILD_STATUS
	cp := queryProps([]daosgo.PropID{daosgo.PropPoolLabel, daosgo.PropPoolGlobalVersion, daosgo.PropPoolUpgradeStatus})
	defer C.daos_prop_free(cp)
	if err := rcErr(C.daos_pool_query(p.poh, nil, &info, cp, nil), "daos_pool_query(%s)", p.label); err != nil {
		return daosgo.PoolInfo{}, err
	}
	props := propsFromC(cp)
	sp := info.pi_space.ps_space
	out := daosgo.PoolInfo{
		UUID:          p.id,
		Label:         props.Str(daosgo.PropPoolLabel),
		TotalBytes:    uint64(sp.s_total[C.DAOS_MEDIA_SCM] + sp.s_total[C.DAOS_MEDIA_NVME]),
		FreeBytes:     uint64(sp.s_free[C.DAOS_MEDIA_SCM] + sp.s_free[C.DAOS_MEDIA_NVME]),
		Targets:       int(info.pi_space.ps_ntargets),
		LayoutVersion: uint32(props.Num(daosgo.PropPoolGlobalVersion, 0)),
		UpgradeStatus: daosgo.UpgradeStatus(props.Num(daosgo.PropPoolUpgradeStatus, 0)),
	}
	out.UsedBytes = out.TotalBytes - out.FreeBytes
	out.Status = out.UpgradeStatus.PoolStatus()
	out.Unreported = []string{"open_handles", "target_used_bytes"}
	rs := &info.pi_rebuild_st
	out.MaxVersion = max(uint32(rs.rs_max_supported_layout_ver), out.LayoutVersion)
	switch C.daosgo_rebuild_state(rs) {
	case C.DRS_IN_PROGRESS:
		out.Rebuild.State = daosgo.RebuildBusy
	case C.DRS_COMPLETED:
		out.Rebuild.State = daosgo.RebuildDone
	default:
		out.Rebuild.State = daosgo.RebuildIdle
	}
	out.Rebuild.Objects, out.Rebuild.Records = uint64(rs.rs_obj_nr), uint64(rs.rs_rec_nr)
	if conts, err := p.ListContainers(ctx); err == nil {
		out.Containers = len(conts)
	}
	return out, nil
}

// GetProps wraps daos_pool_query with a property list.
func (p *Pool) GetProps(ctx context.Context, ids ...daosgo.PropID) (daosgo.Props, error) {
	if err := canceled(ctx, "pool "+p.label+" properties"); err != nil {
		return nil, err
	}
	all := len(ids) == 0
	if all {
		ids = knownIDs(true)
	}
	for _, id := range ids {
		if !id.IsPool() || !id.Known() {
			return nil, daosgo.Errorf(daosgo.ErrNonexist, "pool property %s", id)
		}
	}
	cp := queryProps(ids)
	defer C.daos_prop_free(cp)
	if err := rcErr(C.daos_pool_query(p.poh, nil, nil, cp, nil), "daos_pool_query(%s) properties", p.label); err != nil {
		return nil, err
	}
	props := propsFromC(cp)
	if !all {
		for _, id := range ids {
			if !props.Has(id) {
				return nil, daosgo.Errorf(daosgo.ErrNonexist, "pool %s property %s", p.label, id)
			}
		}
	}
	return props, nil
}

func (p *Pool) attrs() attrCalls {
	return attrCalls{
		what: "pool " + p.label,
		list: func(buf *C.char, size *C.size_t) C.int { return C.daos_pool_list_attr(p.poh, buf, size, nil) },
		get: func(n C.int, names **C.char, bufs *unsafe.Pointer, sizes *C.size_t) C.int {
			return C.daos_pool_get_attr(p.poh, n, names, bufs, sizes, nil)
		},
		set: func(n C.int, names **C.char, vals *unsafe.Pointer, sizes *C.size_t) C.int {
			return C.daos_pool_set_attr(p.poh, n, names, vals, sizes, nil)
		},
		del: func(n C.int, names **C.char) C.int { return C.daos_pool_del_attr(p.poh, n, names, nil) },
	}
}

// ListAttrs wraps daos_pool_list_attr.
func (p *Pool) ListAttrs(ctx context.Context) ([]string, error) { return p.attrs().listAttrs() }

// GetAttr wraps daos_pool_get_attr.
func (p *Pool) GetAttr(ctx context.Context, name string) ([]byte, error) {
	return p.attrs().getAttr(name)
}

// SetAttr wraps daos_pool_set_attr.
func (p *Pool) SetAttr(ctx context.Context, name string, value []byte) error {
	return p.attrs().setAttr(name, value)
}

// DelAttr wraps daos_pool_del_attr.
func (p *Pool) DelAttr(ctx context.Context, name string) error { return p.attrs().delAttr(name) }

// ListContainers wraps daos_pool_list_cont.
func (p *Pool) ListContainers(ctx context.Context) ([]daosgo.ContEntry, error) {
	if err := canceled(ctx, "list containers of pool "+p.label); err != nil {
		return nil, err
	}
	for {
		var n C.daos_size_t
		if err := rcErr(C.daos_pool_list_cont(p.poh, &n, nil, nil), "daos_pool_list_cont(%s)", p.label); err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, nil
		}
		var m cmem
		buf := (*C.struct_daos_pool_cont_info)(m.alloc(int(n) * C.sizeof_struct_daos_pool_cont_info))
		got := n
		rc := C.daos_pool_list_cont(p.poh, &got, buf, nil)
		if daosgo.ErrnoFromCode(int(rc)) == daosgo.ErrTrunc {
			m.free()
			continue // containers were created meanwhile
		}
		if err := rcErr(rc, "daos_pool_list_cont(%s)", p.label); err != nil {
			m.free()
			return nil, err
		}
		var out []daosgo.ContEntry
		for _, ci := range unsafe.Slice(buf, int(got)) {
			out = append(out, daosgo.ContEntry{UUID: goUUID(&ci.pci_uuid[0]), Label: C.GoString(&ci.pci_label[0])})
		}
		m.free()
		return out, nil
	}
}

// CreateContainer wraps daos_cont_create_with_label, or daos_cont_create
// for a container without a label.
func (p *Pool) CreateContainer(ctx context.Context, label string, props daosgo.Props) (daosgo.UUID, error) {
	if err := canceled(ctx, "create container in pool "+p.label); err != nil {
		return daosgo.UUID{}, err
	}
	cp, err := propsToC(props)
	if err != nil {
		return daosgo.UUID{}, err
	}
	if cp != nil {
		defer C.daos_prop_free(cp)
	}
	var m cmem
	defer m.free()
	id := (*C.uuid_t)(m.alloc(16))
	var rc C.int
	if label == "" {
		rc = C.daos_cont_create(p.poh, id, cp, nil)
	} else {
		rc = C.daos_cont_create_with_label(p.poh, m.cstring(label), cp, id, nil)
	}
	if err := rcErr(rc, "daos_cont_create(%s, %q)", p.label, label); err != nil {
		return daosgo.UUID{}, err
	}
	return goUUID(&id[0]), nil
}

// DestroyContainer wraps daos_cont_destroy.
func (p *Pool) DestroyContainer(ctx context.Context, cont string, force bool) error {
	if err := canceled(ctx, "destroy container "+cont); err != nil {
		return err
	}
	var m cmem
	defer m.free()
	f := C.int(0)
	if force {
		f = 1
	}
	return rcErr(C.daos_cont_destroy(p.poh, m.cstring(cont), f, nil), "daos_cont_destroy(%s, %s)", p.label, cont)
}

// OpenContainer wraps daos_cont_open.
func (p *Pool) OpenContainer(ctx context.Context, cont string, flags daosgo.ContFlags) (daosgo.Container, error) {
	if err := canceled(ctx, "open container "+cont); err != nil {
		return nil, err
	}
	var m cmem
	defer m.free()
	var coh C.daos_handle_t
	var info C.daos_cont_info_t
	if err := rcErr(C.daos_cont_open(p.poh, m.cstring(cont), C.uint(flags), &coh, &info, nil), "daos_cont_open(%s, %s)", p.label, cont); err != nil {
		return nil, err
	}
	c := &Container{p: p, coh: coh, id: goUUID(&info.ci_uuid[0]), label: cont, flags: flags}
	if props, err := c.GetProps(ctx, daosgo.PropContLabel); err == nil && len(props) == 1 {
		c.label = props[0].Str
	}
	return c, nil
}

// Disconnect wraps daos_pool_disconnect.
func (p *Pool) Disconnect(ctx context.Context) error {
	return rcErr(C.daos_pool_disconnect(p.poh, nil), "daos_pool_disconnect(%s)", p.label)
}
