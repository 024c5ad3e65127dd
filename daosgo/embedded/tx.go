package embedded

import (
	"bytes"
	"context"
	"slices"
	"sync"

	"github.com/daosgo/daosgo/daosgo"
)

// txHandle is an open transaction (daos_tx_open).
//
// Its writes are kept as the same functions an object would run in a
// transaction of its own, and Commit runs them all, in call order, in one
// SQLite transaction: they become durable and visible together, or fail
// together. That is also what makes a transaction the cheap way to write
// many small things: one commit, one handle check and one space settlement
// instead of one each per update.
//
// Conditions (DAOS_COND_*) are evaluated at the commit, against the state
// then and the transaction's earlier writes. No conflict can arise between
// the transaction's reads and its commit that needs a restart: its writes
// run under the pool's write lock.
type txHandle struct {
	c *contHandle

	mu    sync.Mutex
	state txState
	ops   []func(*tx) error
}

type txState int

const (
	txOpen txState = iota
	txCommitted
	txAborted
	txFailed // the commit failed: nothing was applied
	txClosed
)

var _ daosgo.Tx = (*txHandle)(nil)

func (c *contHandle) OpenTx(ctx context.Context) (daosgo.Tx, error) {
	if ctx.Err() != nil {
		return nil, daosgo.CanceledError(ctx, "container "+c.name())
	}
	// DAOS checks the container handle when the transaction is used, not
	// here; so does the commit.
	return &txHandle{c: c}, nil
}

func (x *txHandle) OpenObject(ctx context.Context, oid daosgo.OID, mode daosgo.ObjMode) (daosgo.Object, error) {
	if err := x.usable(); err != nil {
		return nil, err
	}
	o, err := x.c.openObject(oid, mode)
	if err != nil {
		return nil, err
	}
	o.tx = x
	return o, nil
}

// usable fails as DAOS does once the transaction has ended: DER_NO_HDL
// after Close, DER_NO_PERM after a commit or an abort.
func (x *txHandle) usable() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.usableLocked()
}

func (x *txHandle) usableLocked() error {
	switch x.state {
	case txOpen:
		return nil
	case txClosed:
		return daosgo.Errorf(daosgo.ErrNoHdl, "container %s: transaction was closed", x.c.name())
	default:
		return daosgo.Errorf(daosgo.ErrNoPerm, "container %s: transaction has ended", x.c.name())
	}
}

// add queues a write for the commit.
func (x *txHandle) add(fn func(*tx) error) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if err := x.usableLocked(); err != nil {
		return err
	}
	x.ops = append(x.ops, fn)
	return nil
}

func (x *txHandle) Commit(ctx context.Context) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	switch x.state {
	case txCommitted:
		return daosgo.Errorf(daosgo.ErrAlready, "container %s: transaction already committed", x.c.name())
	case txOpen:
	default:
		return x.usableLocked()
	}
	ops := x.ops
	err := x.c.writeCheck(ctx, func(t *tx) error {
		for _, op := range ops {
			if err := op(t); err != nil {
				return err
			}
		}
		return nil
	})
	x.ops, x.state = nil, txCommitted
	if err != nil {
		x.state = txFailed
	}
	return err
}

func (x *txHandle) Abort(ctx context.Context) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	switch x.state {
	case txAborted:
		return daosgo.Errorf(daosgo.ErrAlready, "container %s: transaction already aborted", x.c.name())
	case txOpen:
	default:
		return x.usableLocked()
	}
	x.ops, x.state = nil, txAborted
	return nil
}

func (x *txHandle) Close(ctx context.Context) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.state == txClosed {
		return daosgo.Errorf(daosgo.ErrNoHdl, "container %s: transaction was closed", x.c.name())
	}
	x.ops, x.state = nil, txClosed
	return nil
}

// cloneIODs copies what an update reads from its IODs, so that a write
// queued in a transaction does not depend on the caller's buffers.
func cloneIODs(iods []daosgo.IOD) []daosgo.IOD {
	out := make([]daosgo.IOD, len(iods))
	for i, d := range iods {
		d.Akey, d.Data, d.Recxs = bytes.Clone(d.Akey), bytes.Clone(d.Data), slices.Clone(d.Recxs)
		out[i] = d
	}
	return out
}

func cloneKeys(keys [][]byte) [][]byte {
	out := make([][]byte, len(keys))
	for i, k := range keys {
		out[i] = bytes.Clone(k)
	}
	return out
}
