package daosgo

import (
	"context"
	"errors"
	"testing"
)

// restartingCont hands out transactions whose first commits ask for a
// restart, as DAOS does after a conflict.
type restartingCont struct {
	Container
	restarts int
	opened   int
	closed   int
}

func (c *restartingCont) OpenTx(ctx context.Context) (Tx, error) {
	c.opened++
	return &fakeTx{c: c}, nil
}

type fakeTx struct {
	Tx
	c *restartingCont
}

func (x *fakeTx) Commit(ctx context.Context) error {
	if x.c.opened <= x.c.restarts {
		return Errorf(ErrTxRestart, "conflict")
	}
	return nil
}

func (x *fakeTx) Close(ctx context.Context) error { x.c.closed++; return nil }

func TestRunTxRestarts(t *testing.T) {
	c := &restartingCont{restarts: 2}
	runs := 0
	err := RunTx(context.Background(), c, func(Tx) error { runs++; return nil })
	if err != nil || runs != 3 || c.closed != 3 {
		t.Fatalf("RunTx: err %v after %d runs, %d of %d transactions closed", err, runs, c.closed, c.opened)
	}

	// fn's own error ends it at once, and the transaction is discarded.
	c = &restartingCont{}
	err = RunTx(context.Background(), c, func(Tx) error { return Errorf(ErrExist, "taken") })
	if !errors.Is(err, ErrExist) || c.opened != 1 || c.closed != 1 {
		t.Fatalf("RunTx with a failing fn: %v, %d opened, %d closed", err, c.opened, c.closed)
	}

	// A transaction that never stops conflicting gives up with the cause.
	c = &restartingCont{restarts: 1 << 30}
	err = RunTx(context.Background(), c, func(Tx) error { return nil })
	if !errors.Is(err, ErrTxRestart) || c.opened != txAttempts {
		t.Fatalf("RunTx endlessly restarted: %v after %d transactions", err, c.opened)
	}
}
