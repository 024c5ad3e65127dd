package daosgotest

import (
	"testing"
	"time"

	"github.com/daosgo/daosgo/daosgo"
	"gotest.tools/v3/assert"
)

func (s *suite) testContainer(t *testing.T) {
	p := s.connect(t, s.pool(t), daosgo.PoolRW)
	rf := poolRF(t, p)
	var roots daosgo.Roots
	for i := range 2 {
		oid, err := p.GenerateOIDByRF(ctx(), rf, uint32(i), 0, daosgo.OTMultiHashed, daosgo.OCUnknown)
		assert.NilError(t, err)
		roots[i] = oid
	}
	label := s.name("posix")
	id, err := p.CreateContainer(ctx(), label, daosgo.Props{
		daosgo.NumProp(daosgo.PropContLayoutType, daosgo.LayoutPOSIX),
		daosgo.RootsProp(roots),
	})
	assert.NilError(t, err)
	t.Cleanup(func() { _ = p.DestroyContainer(ctx(), label, true) })

	t.Run("CreateErrors", func(t *testing.T) {
		_, err := p.CreateContainer(ctx(), label, nil)
		isErr(t, err, daosgo.ErrExist)
		_, err = p.CreateContainer(ctx(), "bad/label", nil)
		isErr(t, err, daosgo.ErrInval)
		_, err = p.CreateContainer(ctx(), s.name("c"), daosgo.Props{daosgo.NumProp(daosgo.PropPoolSpaceRB, 1)})
		isErr(t, err, daosgo.ErrInval)
	})
	t.Run("Unlabelled", func(t *testing.T) {
		u, err := p.CreateContainer(ctx(), "", nil)
		assert.NilError(t, err)
		c, err := p.OpenContainer(ctx(), u.String(), daosgo.ContRO)
		assert.NilError(t, err)
		assert.Equal(t, c.UUID(), u)
		assert.NilError(t, c.Close(ctx()))
		assert.NilError(t, p.DestroyContainer(ctx(), u.String(), false))
	})
	t.Run("List", func(t *testing.T) {
		list, err := p.ListContainers(ctx())
		assert.NilError(t, err)
		found := false
		for _, e := range list {
			found = found || (e.UUID == id && e.Label == label)
		}
		assert.Assert(t, found)
	})
	c, err := p.OpenContainer(ctx(), label, daosgo.ContRW)
	assert.NilError(t, err)
	t.Cleanup(func() { _ = c.Close(ctx()) })
	assert.Equal(t, c.UUID(), id)
	assert.Equal(t, c.Label(), label)

	t.Run("OpenErrors", func(t *testing.T) {
		_, err := p.OpenContainer(ctx(), "no-such-cont", daosgo.ContRO)
		isErr(t, err, daosgo.ErrNonexist)
		_, err = p.OpenContainer(ctx(), label, daosgo.ContRO|daosgo.ContRW)
		isErr(t, err, daosgo.ErrInval)
		_, err = p.OpenContainer(ctx(), label, daosgo.ContRW|daosgo.ContEvictAll)
		isErr(t, err, daosgo.ErrInval)
	})
	t.Run("Query", func(t *testing.T) {
		info, err := c.Query(ctx())
		assert.NilError(t, err)
		assert.Equal(t, info.UUID, id)
		assert.Equal(t, info.Label, label)
		assert.Equal(t, info.LayoutType, "POSIX")
		assert.Equal(t, info.Objects, uint64(0))
		assert.Assert(t, info.Handles >= 1)
	})
	t.Run("Props", func(t *testing.T) {
		props, err := c.GetProps(ctx())
		assert.NilError(t, err)
		assert.Equal(t, props.Str(daosgo.PropContLabel), label)
		assert.Equal(t, props.Num(daosgo.PropContLayoutType, 0), daosgo.LayoutPOSIX)
		r, ok := props.Get(daosgo.PropContRoots)
		assert.Assert(t, ok)
		assert.Equal(t, r.Roots, roots)
		assert.Assert(t, props.Has(daosgo.PropContLayoutVersion))
		assert.Assert(t, props.Has(daosgo.PropContGlobalVersion))

		assert.NilError(t, c.SetProps(ctx(), daosgo.Props{daosgo.NumProp(daosgo.PropContLayoutVersion, 3)}))
		one, err := c.GetProps(ctx(), daosgo.PropContLayoutVersion)
		assert.NilError(t, err)
		assert.Equal(t, one[0].Num, uint64(3))
		isErr(t, c.SetProps(ctx(), daosgo.Props{daosgo.NumProp(daosgo.PropContAllocedOID, 9)}), daosgo.ErrNoPerm)
		isErr(t, c.SetProps(ctx(), daosgo.Props{daosgo.NumProp(daosgo.PropPoolSpaceRB, 9)}), daosgo.ErrInval)

		other := s.name("other")
		_, err = p.CreateContainer(ctx(), other, nil)
		assert.NilError(t, err)
		isErr(t, c.SetProps(ctx(), daosgo.Props{daosgo.StrProp(daosgo.PropContLabel, other)}), daosgo.ErrExist)
		renamed := label + "-x"
		assert.NilError(t, c.SetProps(ctx(), daosgo.Props{daosgo.StrProp(daosgo.PropContLabel, renamed)}))
		assert.Equal(t, c.Label(), renamed)
		assert.NilError(t, c.SetProps(ctx(), daosgo.Props{daosgo.StrProp(daosgo.PropContLabel, label)}))
		assert.NilError(t, p.DestroyContainer(ctx(), other, false))
	})
	t.Run("Attrs", func(t *testing.T) { s.attrsContract(t, c) })
	t.Run("AllocOIDs", func(t *testing.T) {
		a, err := c.AllocOIDs(ctx(), 10)
		assert.NilError(t, err)
		b, err := c.AllocOIDs(ctx(), 1)
		assert.NilError(t, err)
		assert.Assert(t, b >= a+10, "ranges overlap: %d+10 > %d", a, b)
		_, err = c.AllocOIDs(ctx(), 0)
		isErr(t, err, daosgo.ErrInval)
		props, err := c.GetProps(ctx(), daosgo.PropContAllocedOID)
		assert.NilError(t, err)
		assert.Assert(t, props[0].Num >= b)
	})
	t.Run("GenerateOID", func(t *testing.T) {
		oid, err := c.GenerateOID(ctx(), 7, 42, daosgo.OTArrayByte, daosgo.OCS1)
		assert.NilError(t, err)
		assert.Equal(t, oid, daosgo.GenerateOID(7, 42, daosgo.OTArrayByte, daosgo.OCS1))
		chosen, err := c.GenerateOID(ctx(), 7, 43, daosgo.OTMultiHashed, daosgo.OCUnknown)
		assert.NilError(t, err)
		assert.Equal(t, chosen.Type(), daosgo.OTMultiHashed)
		assert.Equal(t, chosen.Lo, uint64(43))
		assert.Equal(t, chosen.UserHi(), uint32(7))
		assert.Assert(t, chosen.Redundancy() != 0, "the container chose no class")
		_, err = c.GenerateOID(ctx(), 0, 1, daosgo.ObjectType(99), daosgo.OCS1)
		isErr(t, err, daosgo.ErrInval)
	})
	t.Run("ReadOnly", func(t *testing.T) {
		ro, err := p.OpenContainer(ctx(), label, daosgo.ContRO)
		assert.NilError(t, err)
		defer ro.Close(ctx())
		// As in DAOS, an object opens read-write in a read-only container;
		// writing through it is what fails.
		rw, err := ro.OpenObject(ctx(), roots[0], daosgo.ObjRW)
		assert.NilError(t, err)
		isErr(t, daosgo.PutSingle(ctx(), rw, []byte("d"), "a", []byte("v")), daosgo.ErrNoPerm)
		assert.NilError(t, rw.Close())
		isErr(t, ro.SetAttr(ctx(), "x", []byte("y")), daosgo.ErrNoPerm)
		isErr(t, ro.SetProps(ctx(), daosgo.Props{daosgo.NumProp(daosgo.PropContLayoutVersion, 1)}), daosgo.ErrNoPerm)
		_, err = ro.AllocOIDs(ctx(), 1)
		assert.NilError(t, err, "DAOS allocates OIDs through a read-only handle")
		_, err = ro.CreateSnapshot(ctx(), false)
		isErr(t, err, daosgo.ErrNoPerm)
		o, err := ro.OpenObject(ctx(), roots[0], daosgo.ObjRO)
		assert.NilError(t, err)
		isErr(t, daosgo.PutSingle(ctx(), o, []byte("d"), "a", []byte("v")), daosgo.ErrNoPerm)
	})
	t.Run("Destroy", func(t *testing.T) {
		l := s.name("gone")
		_, err := p.CreateContainer(ctx(), l, nil)
		assert.NilError(t, err)
		h, err := p.OpenContainer(ctx(), l, daosgo.ContRW)
		assert.NilError(t, err)
		o := s.obj(t, h, daosgo.OTMultiHashed)
		put(t, o, "d", "a", "some bytes")
		before, err := p.Query(ctx())
		assert.NilError(t, err)
		isErr(t, p.DestroyContainer(ctx(), l, false), daosgo.ErrBusy)
		assert.NilError(t, o.Close())
		assert.NilError(t, p.DestroyContainer(ctx(), l, true))
		_, err = h.Query(ctx())
		isErr(t, err, daosgo.ErrNonexist) // DAOS: its container is gone
		_, err = p.OpenContainer(ctx(), l, daosgo.ContRO)
		isErr(t, err, daosgo.ErrNonexist)
		isErr(t, p.DestroyContainer(ctx(), l, false), daosgo.ErrNonexist)
		if s.h.ReclaimsAtOnce {
			after, err := p.Query(ctx())
			assert.NilError(t, err)
			assert.Assert(t, after.UsedBytes < before.UsedBytes, "destroy must free the container's space")
		}
	})
	t.Run("CloseTwice", func(t *testing.T) {
		h, err := p.OpenContainer(ctx(), label, daosgo.ContRO)
		assert.NilError(t, err)
		assert.NilError(t, h.Close(ctx()))
		isErr(t, h.Close(ctx()), daosgo.ErrNoHdl)
		_, err = h.GetProps(ctx())
		isErr(t, err, daosgo.ErrNoHdl)
	})
}

func (s *suite) testExclusive(t *testing.T) {
	p := s.connect(t, s.pool(t), daosgo.PoolRW)
	label := s.name("ex")
	_, err := p.CreateContainer(ctx(), label, nil)
	assert.NilError(t, err)
	t.Cleanup(func() { _ = p.DestroyContainer(ctx(), label, true) })

	shared, err := p.OpenContainer(ctx(), label, daosgo.ContRW)
	assert.NilError(t, err)
	_, err = p.OpenContainer(ctx(), label, daosgo.ContEX)
	isErr(t, err, daosgo.ErrBusy)

	ex, err := p.OpenContainer(ctx(), label, daosgo.ContEX|daosgo.ContEvictAll)
	assert.NilError(t, err)
	_, err = shared.Query(ctx())
	isErr(t, err, daosgo.ErrNoHdl)
	_, err = p.OpenContainer(ctx(), label, daosgo.ContRO)
	isErr(t, err, daosgo.ErrBusy)
	_, err = p.OpenContainer(ctx(), label, daosgo.ContEX)
	isErr(t, err, daosgo.ErrBusy)

	o := s.obj(t, ex, daosgo.OTMultiHashed)
	put(t, o, "d", "a", "exclusive write")
	assert.NilError(t, o.Close())
	assert.NilError(t, ex.Close(ctx()))

	ro, err := p.OpenContainer(ctx(), label, daosgo.ContRO)
	assert.NilError(t, err)
	defer ro.Close(ctx())
	o2, err := ro.OpenObject(ctx(), o.OID(), daosgo.ObjRO)
	assert.NilError(t, err)
	assert.Equal(t, get(t, o2, "d", "a"), "exclusive write")
}

func (s *suite) testSnapshots(t *testing.T) {
	_, c := s.cont(t)
	before := time.Now()
	e1, err := c.CreateSnapshot(ctx(), false)
	assert.NilError(t, err)
	e2, err := c.CreateSnapshot(ctx(), true)
	assert.NilError(t, err)
	assert.Assert(t, e2 > e1)
	snaps, err := c.ListSnapshots(ctx())
	assert.NilError(t, err)
	assert.Equal(t, len(snaps), 2)
	assert.Equal(t, snaps[0].Epoch, e1)
	assert.Equal(t, snaps[1].Epoch, e2)
	// An epoch is a hybrid logical clock value: it tells when the
	// snapshot was taken (within the clocks' skew).
	assert.Assert(t, snaps[0].Time.Sub(before).Abs() < time.Minute, "snapshot time %v, taken at %v", snaps[0].Time, before)

	assert.NilError(t, c.DestroySnapshot(ctx(), e1))
	isErr(t, c.DestroySnapshot(ctx(), e1), daosgo.ErrNonexist)
	info, err := c.Query(ctx())
	assert.NilError(t, err)
	assert.Equal(t, info.Snapshots, 1)

	// A listing sees every snapshot, however many were taken since the
	// last one.
	for i := 0; i < 40; i++ {
		_, err := c.CreateSnapshot(ctx(), false)
		assert.NilError(t, err)
	}
	snaps, err = c.ListSnapshots(ctx())
	assert.NilError(t, err)
	assert.Equal(t, len(snaps), 41)
	for i := 1; i < len(snaps); i++ {
		assert.Assert(t, snaps[i].Epoch > snaps[i-1].Epoch, "snapshots are listed oldest first")
	}
}

// poolRF is the pool's redundancy factor, which new containers inherit.
func poolRF(t *testing.T, p daosgo.Pool) uint64 {
	t.Helper()
	props, err := p.GetProps(ctx(), daosgo.PropPoolRedunFac)
	assert.NilError(t, err)
	return props.Num(daosgo.PropPoolRedunFac, 0)
}

// testRedundancy checks that object classes follow the container's
// redundancy factor as DAOS's do: a container inherits the pool's, the
// class it chooses survives that many failures, and an object of a class
// that survives fewer cannot be opened (dc_obj_redun_check).
func (s *suite) testRedundancy(t *testing.T) {
	p := s.connect(t, s.pool(t), daosgo.PoolRW)
	rf := poolRF(t, p)
	check := func(t *testing.T, c daosgo.Container, want uint64) {
		t.Helper()
		props, err := c.GetProps(ctx(), daosgo.PropContRedunFac)
		assert.NilError(t, err)
		assert.Equal(t, props[0].Num, want)
		for _, ot := range []daosgo.ObjectType{daosgo.OTMultiHashed, daosgo.OTArrayByte, daosgo.OTKVHashed} {
			oid := s.oid(t, c, ot)
			assert.Assert(t, daosgo.Redundancy(oid.Redundancy()).Tolerates() >= int(want), "%s in an rf %d container", oid, want)
			o, err := c.OpenObject(ctx(), oid, daosgo.ObjRW)
			assert.NilError(t, err)
			assert.NilError(t, o.Close())
		}
	}
	t.Run("Inherited", func(t *testing.T) {
		label := s.name("rf")
		_, err := p.CreateContainer(ctx(), label, nil)
		assert.NilError(t, err)
		t.Cleanup(func() { _ = p.DestroyContainer(ctx(), label, true) })
		c, err := p.OpenContainer(ctx(), label, daosgo.ContRW)
		assert.NilError(t, err)
		defer c.Close(ctx())
		check(t, c, rf)
	})
	t.Run("RF1", func(t *testing.T) {
		if s.h.FaultDomains < 2 {
			t.Skip("the pool has one fault domain: no container can ask for a redundancy factor")
		}
		label := s.name("rf1")
		_, err := p.CreateContainer(ctx(), label, daosgo.Props{daosgo.NumProp(daosgo.PropContRedunFac, 1)})
		assert.NilError(t, err)
		t.Cleanup(func() { _ = p.DestroyContainer(ctx(), label, true) })
		c, err := p.OpenContainer(ctx(), label, daosgo.ContRW)
		assert.NilError(t, err)
		defer c.Close(ctx())
		check(t, c, 1)
		// A hard-coded single-replica class is refused.
		lo, err := c.AllocOIDs(ctx(), 1)
		assert.NilError(t, err)
		s1, err := c.GenerateOID(ctx(), 0, lo, daosgo.OTMultiHashed, daosgo.OCS1)
		assert.NilError(t, err)
		_, err = c.OpenObject(ctx(), s1, daosgo.ObjRW)
		isErr(t, err, daosgo.ErrInval)
		_, err = c.OpenKV(ctx(), daosgo.GenerateOID(0, lo, daosgo.OTKVHashed, daosgo.OCS1), daosgo.ObjRW)
		isErr(t, err, daosgo.ErrInval)
	})
}
