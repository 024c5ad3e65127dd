//go:build daos

package libdaos

/*
#include "daosgo.h"
*/
import "C"

import (
	"context"
	"os"
	"sync"

	"github.com/daosgo/daosgo/daosgo"
)

// Backend is the libdaos implementation of daosgo.Backend.
type Backend struct {
	sys   string
	admin *Admin
}

var _ daosgo.Backend = (*Backend)(nil)

var initMu sync.Mutex
var initCount int

// New initialises libdaos (daos_init) and returns the backend.
func New(opts Options) (*Backend, error) {
	initMu.Lock()
	defer initMu.Unlock()
	if initCount == 0 {
		if rc := C.daos_init(); rc != 0 {
			return nil, rcErr(rc, "daos_init")
		}
	}
	initCount++
	sys := opts.System
	if sys == "" {
		sys = os.Getenv("DAOS_SYSTEM")
	}
	return &Backend{sys: sys, admin: newAdmin(opts)}, nil
}

// Name returns "daos".
func (b *Backend) Name() string { return "daos" }

// Admin returns the dmg-based administration interface.
func (b *Backend) Admin() daosgo.Admin { return b.admin }

// Close finalises libdaos (daos_fini) when the last backend closes.
func (b *Backend) Close() error {
	initMu.Lock()
	defer initMu.Unlock()
	initCount--
	if initCount == 0 {
		if rc := C.daos_fini(); rc != 0 {
			return rcErr(rc, "daos_fini")
		}
	}
	return nil
}

// Connect wraps daos_pool_connect.
func (b *Backend) Connect(ctx context.Context, pool string, flags daosgo.PoolFlags) (daosgo.Pool, error) {
	if err := ctx.Err(); err != nil {
		return nil, daosgo.CanceledError(ctx, "connect pool "+pool)
	}
	if flags&(daosgo.PoolRO|daosgo.PoolRW|daosgo.PoolEX) == 0 {
		return nil, daosgo.Errorf(daosgo.ErrInval, "connect pool %s: flags must include RO, RW or EX", pool)
	}
	var m cmem
	defer m.free()
	var sys *C.char
	if b.sys != "" {
		sys = m.cstring(b.sys)
	}
	var poh C.daos_handle_t
	var info C.daos_pool_info_t
	rc := C.daos_pool_connect(m.cstring(pool), sys, C.uint(flags), &poh, &info, nil)
	if err := rcErr(rc, "daos_pool_connect(%s)", pool); err != nil {
		return nil, err
	}
	p := &Pool{b: b, poh: poh, id: goUUID(&info.pi_uuid[0]), label: pool, flags: flags}
	if props, err := p.GetProps(ctx, daosgo.PropPoolLabel); err == nil && len(props) == 1 {
		p.label = props[0].Str
	}
	return p, nil
}
