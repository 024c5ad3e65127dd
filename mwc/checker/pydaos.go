package checker

import (
	"context"
	"errors"

	"github.com/daosgo/daosgo/daosgo"
	"github.com/daosgo/daosgo/mwc/pydaos"
)

// LostFoundPrefix starts the root KV names relinked PyDAOS objects get:
// lost+found/<name>/<hi.lo>, name being the check's (Options.Name, by
// default when it ran) and hi.lo the object's ID as DAOS prints it.
// PyDAOS's own checker (cont_check in pydaos_shim.c) relinks each orphan
// into the root KV under hi.lo, with the record it would have had, so that
// DCont.get() opens it; daosgo does the same, under a name that says where
// the object came from and keeps a run's objects together, as the design's
// lost+found asks. A dict relinked so is opened with
// DCont.get("lost+found/<name>/<hi.lo>").
const LostFoundPrefix = "lost+found/"

// pyModel checks a Python container.
type pyModel struct {
	c    daosgo.Container
	opts Options
	pc   *pydaos.Container
}

func (py *pyModel) kind(oid daosgo.OID) string {
	switch oid.Type() {
	case daosgo.OTKVHashed:
		return "dict"
	case daosgo.OTArray:
		return "array"
	}
	return "object(" + oid.Type().String() + ")"
}

func (py *pyModel) prepare(ctx context.Context, res *Result) error {
	var err error
	py.pc, err = pydaos.Open(ctx, py.c, daosgo.ObjRW)
	return err
}

// close closes the root KV: the container cannot be closed before.
func (py *pyModel) close() error {
	if py.pc == nil {
		return nil
	}
	return py.pc.Close()
}

// walk marks the root KV and the object of every record in it, as
// PyDAOS's checker does (oit_mark). A dict never written and an array
// (PyDAOS 2.8 writes no array object) have no object: they are listed as
// entries without one.
func (py *pyModel) walk(ctx context.Context, m *marker) error {
	if err := m.add(ctx, py.pc.RootOID(), ""); err != nil {
		return err
	}
	names, err := py.pc.AllNames(ctx)
	if err != nil {
		return err
	}
	for _, name := range names {
		rec, err := py.pc.Lookup(ctx, name)
		if err != nil {
			return err
		}
		if err := m.add(ctx, rec.OID, name); err != nil {
			return err
		}
	}
	return nil
}

// PyDAOS objects hold no references to others: nothing below an orphan.
func (py *pyModel) markSubtree(context.Context, daosgo.OID, *marker) error { return nil }

// relink links an orphan into the root KV as lost+found/<name>/<hi.lo>,
// with the 64-byte record PyDAOS gives a dict (or an array).
func (py *pyModel) relink(ctx context.Context, oid daosgo.OID) (string, error) {
	var kind pydaos.Kind
	switch oid.Type() {
	case daosgo.OTKVHashed:
		kind = pydaos.Dict
	case daosgo.OTArray:
		kind = pydaos.Array
	default:
		return "", daosgo.Errorf(daosgo.ErrNotSupported, "object %s of type %s is not a PyDAOS dict or array", oid, oid.Type())
	}
	name := lostFoundPath(py, py.opts) + oid.String()
	err := py.pc.Link(ctx, name, pydaos.Record{OID: oid, Kind: kind})
	if errors.Is(err, daosgo.ErrExist) {
		return name, nil // relinked by an earlier, interrupted run
	}
	return name, err
}

// PyDAOS writers leave nothing of their own behind.
func (py *pyModel) sweepLeftovers(context.Context, *Result) error { return nil }
