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

// Tx is an open transaction (daos_tx_open). It is opened without
// DAOS_TF_ZERO_COPY, so libdaos copies each write's buffers when the call
// returns; the C buffers the object wrappers allocate and free per call
// stay valid for as long as DAOS needs them.
type Tx struct {
	c      *Container
	th     C.daos_handle_t
	closed atomic.Bool
}

var _ daosgo.Tx = (*Tx)(nil)

// OpenTx wraps daos_tx_open.
func (c *Container) OpenTx(ctx context.Context) (daosgo.Tx, error) {
	if err := c.enter(ctx, "open a transaction"); err != nil {
		return nil, err
	}
	var th C.daos_handle_t
	if err := rcErr(C.daos_tx_open(c.coh, &th, 0, nil), "daos_tx_open(%s)", c.label); err != nil {
		return nil, err
	}
	return &Tx{c: c, th: th}, nil
}

// OpenObject wraps daos_obj_open; the object's calls pass the transaction
// handle. libdaos opens objects for a closed transaction too (their calls
// then fail DER_NO_HDL); daosgo refuses at once.
func (x *Tx) OpenObject(ctx context.Context, oid daosgo.OID, mode daosgo.ObjMode) (daosgo.Object, error) {
	if err := x.enter("open an object in"); err != nil {
		return nil, err
	}
	return x.c.openObject(ctx, oid, mode, x.th)
}

func (x *Tx) enter(what string) error {
	if x.closed.Load() {
		return daosgo.Errorf(daosgo.ErrNoHdl, "%s a transaction of %s: it is closed", what, x.c.label)
	}
	return nil
}

// Commit wraps daos_tx_commit.
func (x *Tx) Commit(ctx context.Context) error {
	if err := x.enter("commit"); err != nil {
		return err
	}
	return rcErr(C.daos_tx_commit(x.th, nil), "daos_tx_commit(%s)", x.c.label)
}

// Abort wraps daos_tx_abort.
func (x *Tx) Abort(ctx context.Context) error {
	if err := x.enter("abort"); err != nil {
		return err
	}
	return rcErr(C.daos_tx_abort(x.th, nil), "daos_tx_abort(%s)", x.c.label)
}

// Close wraps daos_tx_close.
func (x *Tx) Close(ctx context.Context) error {
	if x.closed.Swap(true) {
		return daosgo.Errorf(daosgo.ErrNoHdl, "close a transaction of %s: already closed", x.c.label)
	}
	return rcErr(C.daos_tx_close(x.th, nil), "daos_tx_close(%s)", x.c.label)
}
