package checker

import (
	"context"
	"errors"
	"sync"

	"github.com/daosgo/daosgo/daosgo"
	"github.com/daosgo/daosgo/mwc/pydaos"
)

// LostFoundKey is the root KV name of the dict relinked PyDAOS objects go
// to.
const LostFoundKey = "lost+found"

// pyModel checks a Python container.
type pyModel struct {
	c    daosgo.Container
	opts Options
	pc   *pydaos.Container

	lfMu sync.Mutex
	lf   *pydaos.DictObj
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

// close closes what the check opened: the container cannot be closed
// before.
func (py *pyModel) close() error {
	var errs []error
	if py.lf != nil {
		errs = append(errs, py.lf.Close())
	}
	if py.pc != nil {
		errs = append(errs, py.pc.Close())
	}
	return errors.Join(errs...)
}

// walk marks the root KV and every object it links, and what the
// lost+found dict links.
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
		if name == LostFoundKey && rec.Kind == pydaos.Dict {
			if err := py.markLostFound(ctx, rec.OID, m); err != nil {
				return err
			}
		}
	}
	return nil
}

// markLostFound marks what earlier relinks put in the lost+found dict.
func (py *pyModel) markLostFound(ctx context.Context, oid daosgo.OID, m *marker) error {
	d, err := py.pc.OpenDict(ctx, oid)
	if err != nil {
		return err
	}
	defer d.Close()
	keys, err := d.Keys(ctx)
	if err != nil {
		return err
	}
	for _, k := range keys {
		v, err := d.Get(ctx, k)
		if err != nil {
			return err
		}
		rec, err := pydaos.DecodeRecord(v)
		if err != nil {
			continue // not a relinked record: a user's value
		}
		if err := m.add(ctx, rec.OID, LostFoundKey+"/"+k); err != nil {
			return err
		}
	}
	return nil
}

// PyDAOS objects hold no references to others: nothing below an orphan.
func (py *pyModel) markSubtree(context.Context, daosgo.OID, *marker) error { return nil }

// relink puts an orphan into the lost+found dict, named hi.lo, with the
// same 64-byte record the root KV uses.
func (py *pyModel) relink(ctx context.Context, oid daosgo.OID) (string, error) {
	py.lfMu.Lock()
	defer py.lfMu.Unlock()
	if py.lf == nil {
		rec, err := py.pc.Lookup(ctx, LostFoundKey)
		switch {
		case errors.Is(err, daosgo.ErrNonexist):
			if py.lf, err = py.pc.NewDict(ctx, LostFoundKey); err != nil {
				return "", err
			}
		case err != nil:
			return "", err
		case rec.Kind != pydaos.Dict:
			return "", daosgo.Errorf(daosgo.ErrInval, "root entry %q is not a dict", LostFoundKey)
		default:
			if py.lf, err = py.pc.OpenDict(ctx, rec.OID); err != nil {
				return "", err
			}
		}
	}
	kind := pydaos.Dict
	if oid.Type() == daosgo.OTArray {
		kind = pydaos.Array
	} else if oid.Type() != daosgo.OTKVHashed {
		return "", daosgo.Errorf(daosgo.ErrNotSupported, "object %s of type %s is not a PyDAOS dict or array", oid, oid.Type())
	}
	name := oid.String()
	return LostFoundKey + "/" + name, py.lf.Put(ctx, name, pydaos.Record{OID: oid, Kind: kind}.Encode())
}

// PyDAOS writers leave nothing of their own behind.
func (py *pyModel) sweepLeftovers(context.Context, *Result) error { return nil }
