package daosgotest

import (
	"errors"
	"sort"
	"testing"

	"github.com/daosgo/daosgo/daosgo"
	"gotest.tools/v3/assert"
)

func sortOIDs(o []daosgo.OID) []daosgo.OID {
	sort.Slice(o, func(i, j int) bool { return o[i].Hi < o[j].Hi || o[i].Hi == o[j].Hi && o[i].Lo < o[j].Lo })
	return o
}

// listAll pages through a listing with a small page size.
func listAll(t *testing.T, list func(*daosgo.Anchor, int) ([]daosgo.OID, error)) []daosgo.OID {
	t.Helper()
	var out []daosgo.OID
	a := &daosgo.Anchor{}
	for calls := 0; !a.EOF(); calls++ {
		assert.Assert(t, calls < 1000, "listing does not end")
		oids, err := list(a, 3)
		assert.NilError(t, err)
		assert.Assert(t, len(oids) <= 3)
		out = append(out, oids...)
	}
	return sortOIDs(out)
}

func (s *suite) testOIT(t *testing.T) {
	_, c := s.cont(t)
	var written []daosgo.OID
	for i := 0; i < 10; i++ {
		ot := []daosgo.ObjectType{daosgo.OTMultiHashed, daosgo.OTArrayByte, daosgo.OTKVHashed}[i%3]
		o := s.obj(t, c, ot)
		if ot == daosgo.OTArrayByte {
			assert.NilError(t, o.Update(ctx(), daosgo.Uint64Key(1), 0, []daosgo.IOD{daosgo.ArrayIOD([]byte("0"), 0, []byte("data"))}))
		} else {
			put(t, o, "d", "a", "v")
		}
		written = append(written, o.OID())
	}
	neverWritten := s.obj(t, c, daosgo.OTMultiHashed)
	punched := s.obj(t, c, daosgo.OTMultiHashed)
	put(t, punched, "d", "a", "v")
	assert.NilError(t, punched.Punch(ctx()))
	// As in DAOS, an object whose keys were all punched still exists (it
	// is in the OIT) until the object itself is punched.
	emptied := s.obj(t, c, daosgo.OTMultiHashed)
	put(t, emptied, "d", "a", "v")
	assert.NilError(t, emptied.PunchDkeys(ctx(), 0, [][]byte{[]byte("d")}))
	written = append(written, emptied.OID())

	epoch, err := c.CreateSnapshot(ctx(), true)
	assert.NilError(t, err)
	later := s.obj(t, c, daosgo.OTMultiHashed)
	put(t, later, "d", "a", "after the snapshot")

	oit, err := c.OpenOIT(ctx(), epoch)
	assert.NilError(t, err)
	assert.Equal(t, oit.Epoch(), epoch)

	t.Run("List", func(t *testing.T) {
		got := listAll(t, func(a *daosgo.Anchor, n int) ([]daosgo.OID, error) { return oit.List(ctx(), a, n) })
		assert.DeepEqual(t, got, sortOIDs(append([]daosgo.OID(nil), written...)))
		for _, absent := range []daosgo.OID{neverWritten.OID(), punched.OID(), later.OID()} {
			for _, o := range got {
				assert.Assert(t, o != absent, "%s must not be in the OIT", absent)
			}
		}
		_, err := oit.List(ctx(), &daosgo.Anchor{}, 0)
		isErr(t, err, daosgo.ErrInval)
	})
	t.Run("Mark", func(t *testing.T) {
		assert.NilError(t, oit.Mark(ctx(), written[0], []byte{1}))
		absent, err := oit.MarkMany(ctx(), written[1:4], []byte("checked"))
		assert.NilError(t, err)
		assert.Equal(t, len(absent), 0)
		isErr(t, oit.Mark(ctx(), later.OID(), []byte{1}), daosgo.ErrNonexist)
		isErr(t, oit.Mark(ctx(), written[0], make([]byte, daosgo.MarkerMaxLen+1)), daosgo.ErrInval)
		assert.NilError(t, oit.Mark(ctx(), written[4], make([]byte, daosgo.MarkerMaxLen)))
		// MarkMany marks what is in the table and says what is not.
		absent, err = oit.MarkMany(ctx(), []daosgo.OID{written[5], later.OID(), neverWritten.OID(), written[6]}, []byte{2})
		assert.NilError(t, err)
		assert.DeepEqual(t, sortOIDs(absent), sortOIDs([]daosgo.OID{later.OID(), neverWritten.OID()}))
		_, err = oit.MarkMany(ctx(), written[:1], make([]byte, daosgo.MarkerMaxLen+1))
		isErr(t, err, daosgo.ErrInval)
		unmarked := listAll(t, func(a *daosgo.Anchor, n int) ([]daosgo.OID, error) { return oit.ListUnmarked(ctx(), a, n) })
		assert.DeepEqual(t, unmarked, sortOIDs([]daosgo.OID{written[7], written[8], written[9], written[10]}))
	})
	t.Run("Filter", func(t *testing.T) {
		markers := map[daosgo.OID]string{}
		got := listAll(t, func(a *daosgo.Anchor, n int) ([]daosgo.OID, error) {
			return oit.ListFilter(ctx(), a, n, func(o daosgo.OID, m []byte) (bool, error) {
				markers[o] = string(m)
				return string(m) == "checked", nil
			})
		})
		assert.DeepEqual(t, got, sortOIDs(append([]daosgo.OID(nil), written[1:4]...)))
		assert.Equal(t, len(markers), len(written), "the filter sees every OID once")
		assert.Equal(t, markers[written[0]], "\x01")
		assert.Equal(t, markers[written[9]], "", "an unmarked OID has a nil marker")

		stop := errors.New("stop here")
		_, err := oit.ListFilter(ctx(), &daosgo.Anchor{}, 100, func(daosgo.OID, []byte) (bool, error) { return false, stop })
		assert.Assert(t, errors.Is(err, stop))
		_, err = oit.ListFilter(ctx(), &daosgo.Anchor{}, 100, nil)
		isErr(t, err, daosgo.ErrInval)
		// A filter that panics fails the listing instead of the process.
		_, err = oit.ListFilter(ctx(), &daosgo.Anchor{}, 100, func(daosgo.OID, []byte) (bool, error) { panic("filter bug") })
		assert.ErrorContains(t, err, "filter bug")
	})
	t.Run("Persist", func(t *testing.T) {
		assert.NilError(t, oit.Close())
		again, err := c.OpenOIT(ctx(), epoch)
		assert.NilError(t, err)
		oit = again
		unmarked := listAll(t, func(a *daosgo.Anchor, n int) ([]daosgo.OID, error) { return oit.ListUnmarked(ctx(), a, n) })
		assert.Equal(t, len(unmarked), 4, "marks survive closing and reopening the OIT")
		// A nil marker clears a mark.
		assert.NilError(t, oit.Mark(ctx(), written[0], nil))
		unmarked = listAll(t, func(a *daosgo.Anchor, n int) ([]daosgo.OID, error) { return oit.ListUnmarked(ctx(), a, n) })
		assert.Equal(t, len(unmarked), 5)
	})
	t.Run("OtherSnapshot", func(t *testing.T) {
		// A second OIT snapshot has its own marks and sees the later object.
		e2, err := c.CreateSnapshot(ctx(), true)
		assert.NilError(t, err)
		o2, err := c.OpenOIT(ctx(), e2)
		assert.NilError(t, err)
		all := listAll(t, func(a *daosgo.Anchor, n int) ([]daosgo.OID, error) { return o2.ListUnmarked(ctx(), a, n) })
		assert.Equal(t, len(all), len(written)+1)
		assert.NilError(t, o2.Close())
		assert.NilError(t, c.DestroySnapshot(ctx(), e2))
	})
	t.Run("Destroy", func(t *testing.T) {
		// What an OIT still open answers once its snapshot is destroyed is
		// not DAOS's promise (it goes on listing until it reclaims the
		// table); a new open fails.
		assert.NilError(t, oit.Close())
		assert.NilError(t, c.DestroySnapshot(ctx(), epoch))
		_, err := c.OpenOIT(ctx(), epoch)
		isErr(t, err, daosgo.ErrNonexist)
		_, err = c.OpenOIT(ctx(), 12345)
		isErr(t, err, daosgo.ErrNonexist)
		isErr(t, c.DestroySnapshot(ctx(), epoch), daosgo.ErrNonexist)
	})
	t.Run("PlainSnapshot", func(t *testing.T) {
		// The OIT of a snapshot taken without one opens, as on DAOS, and
		// holds nothing.
		e, err := c.CreateSnapshot(ctx(), false)
		assert.NilError(t, err)
		plain, err := c.OpenOIT(ctx(), e)
		assert.NilError(t, err)
		got := listAll(t, func(a *daosgo.Anchor, n int) ([]daosgo.OID, error) { return plain.List(ctx(), a, n) })
		assert.Equal(t, len(got), 0)
		isErr(t, plain.Mark(ctx(), written[0], []byte{1}), daosgo.ErrNonexist)
		assert.NilError(t, plain.Close())
		assert.NilError(t, c.DestroySnapshot(ctx(), e))
	})
}

// testHandles checks closing: as libdaos does, a container with objects
// (or a KV, or an OIT) still open through it refuses to close, DER_BUSY,
// and stays usable; once they are closed it closes, and every closed
// handle fails on its next use.
func (s *suite) testHandles(t *testing.T) {
	p, c := s.cont(t)
	o := s.obj(t, c, daosgo.OTMultiHashed)
	put(t, o, "d", "a", "v")
	kvOID := s.oid(t, c, daosgo.OTKVHashed)
	kv, err := c.OpenKV(ctx(), kvOID, daosgo.ObjRW)
	assert.NilError(t, err)
	e, err := c.CreateSnapshot(ctx(), true)
	assert.NilError(t, err)
	oit, err := c.OpenOIT(ctx(), e)
	assert.NilError(t, err)

	for _, h := range []interface{ Close() error }{o, kv, oit} {
		isErr(t, c.Close(ctx()), daosgo.ErrBusy)
		assert.NilError(t, h.Close())
	}
	// The refused closes changed nothing.
	_, err = c.Query(ctx())
	assert.NilError(t, err)
	assert.NilError(t, c.DestroySnapshot(ctx(), e))
	assert.NilError(t, c.Close(ctx()))

	_, err = daosgo.GetSingle(ctx(), o, []byte("d"), "a")
	isErr(t, err, daosgo.ErrNoHdl)
	isErr(t, o.Close(), daosgo.ErrNoHdl)
	isErr(t, kv.Put(ctx(), "k", []byte("v")), daosgo.ErrNoHdl)
	_, err = oit.List(ctx(), &daosgo.Anchor{}, 1)
	isErr(t, err, daosgo.ErrNoHdl)
	_, err = c.ListSnapshots(ctx())
	isErr(t, err, daosgo.ErrNoHdl)
	_, err = p.Query(ctx())
	assert.NilError(t, err, "closing a container leaves its pool handle usable")
}
