// Package embeddedtest gives tests a pool on a fresh embedded engine in a
// temporary directory, so that packages built on daosgo test against a real
// engine without repeating its set-up.
package embeddedtest

import (
	"context"
	"testing"

	"github.com/daosgo/daosgo/daosgo"
	"github.com/daosgo/daosgo/daosgo/embedded"
	"github.com/daosgo/daosgo/upgrade"
)

// Pool creates pool "pool" of size bytes on a new engine (layout nil:
// daosgo's layouts, so that the pool is at DAOS 2.8's version, as DAOS
// makes pools; the engine's base layout alone would make a DAOS 2.0 pool,
// whose containers, for one, do not inherit its redundancy factor) and
// connects to it read-write. The engine and the connection end with the
// test.
func Pool(t testing.TB, size uint64, layout embedded.Layout) daosgo.Pool {
	t.Helper()
	ctx := context.Background()
	if layout == nil {
		layout = upgrade.Default()
	}
	e, err := embedded.Open(embedded.Options{Root: t.TempDir(), Layout: layout})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	if _, err := e.CreatePool(ctx, daosgo.PoolCreateReq{Label: "pool", Size: size}); err != nil {
		t.Fatal(err)
	}
	p, err := e.Connect(ctx, "pool", daosgo.PoolRW)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Disconnect(ctx) })
	return p
}
