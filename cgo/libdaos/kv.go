//go:build daos

package libdaos

/*
#include "daosgo.h"
*/
import "C"

import (
	"context"
	"sync/atomic"

	"github.com/daosgo/daosgo/daosgo"
)

// KV is an open flat key-value object (daos_kv_open).
type KV struct {
	c      *Container
	oh     C.daos_handle_t
	oid    daosgo.OID
	mode   daosgo.ObjMode
	closed atomic.Bool
}

func (kv *KV) enter(ctx context.Context, what string, write bool) error {
	if err := canceled(ctx, what); err != nil {
		return err
	}
	if kv.closed.Load() {
		return daosgo.Errorf(daosgo.ErrNoHdl, "%s %s: KV handle is closed", what, kv.oid)
	}
	if write && kv.mode != daosgo.ObjRW {
		return daosgo.Errorf(daosgo.ErrNoPerm, "%s %s: KV is open read-only", what, kv.oid)
	}
	return nil
}

var _ daosgo.KV = (*KV)(nil)

func (kv *KV) OID() daosgo.OID { return kv.oid }

// Close wraps daos_kv_close.
func (kv *KV) Close() error {
	if kv.closed.Swap(true) {
		return daosgo.Errorf(daosgo.ErrNoHdl, "close KV %s: handle already closed", kv.oid)
	}
	kv.c.open.Add(-1)
	return rcErr(C.daos_kv_close(kv.oh, nil), "daos_kv_close(%s)", kv.oid)
}

// Put wraps daos_kv_put.
func (kv *KV) Put(ctx context.Context, key string, value []byte) error {
	if err := kv.enter(ctx, "KV put", true); err != nil {
		return err
	}
	if key == "" {
		return daosgo.Errorf(daosgo.ErrInval, "KV key is empty")
	}
	var m cmem
	defer m.free()
	return rcErr(C.daos_kv_put(kv.oh, txNone, 0, m.cstring(key), C.daos_size_t(len(value)), m.bytes(value), nil),
		"daos_kv_put(%s, %q)", kv.oid, key)
}

// Get wraps daos_kv_get with DAOS_COND_KEY_GET, so an absent key fails
// DER_NONEXIST: first for the size, then for the value.
func (kv *KV) Get(ctx context.Context, key string) ([]byte, error) {
	if err := kv.enter(ctx, "KV get", false); err != nil {
		return nil, err
	}
	if key == "" {
		return nil, daosgo.Errorf(daosgo.ErrInval, "KV key is empty")
	}
	var m cmem
	defer m.free()
	ckey := m.cstring(key)
	var size C.daos_size_t
	if err := rcErr(C.daos_kv_get(kv.oh, txNone, C.DAOS_COND_KEY_GET, ckey, &size, nil, nil), "daos_kv_get(%s, %q)", kv.oid, key); err != nil {
		return nil, err
	}
	buf := m.alloc(int(size))
	if err := rcErr(C.daos_kv_get(kv.oh, txNone, C.DAOS_COND_KEY_GET, ckey, &size, buf, nil), "daos_kv_get(%s, %q)", kv.oid, key); err != nil {
		return nil, err
	}
	return goBytes(buf, C.size_t(size)), nil
}

// Remove wraps daos_kv_remove.
func (kv *KV) Remove(ctx context.Context, key string) error {
	if err := kv.enter(ctx, "KV remove", true); err != nil {
		return err
	}
	if key == "" {
		return daosgo.Errorf(daosgo.ErrInval, "KV key is empty")
	}
	var m cmem
	defer m.free()
	return rcErr(C.daos_kv_remove(kv.oh, txNone, 0, m.cstring(key), nil), "daos_kv_remove(%s, %q)", kv.oid, key)
}

// List wraps daos_kv_list.
func (kv *KV) List(ctx context.Context, anchor *daosgo.Anchor, nr int) ([]string, error) {
	if err := kv.enter(ctx, "KV list", false); err != nil {
		return nil, err
	}
	keys, err := listKeys(kv.oid.String(), anchor, nr, nil, func(n *C.uint32_t, kds *C.daos_key_desc_t, sgl *C.d_sg_list_t, a *C.daos_anchor_t) C.int {
		return C.daos_kv_list(kv.oh, txNone, n, kds, sgl, a, nil)
	})
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = string(k)
	}
	return out, err
}
