package daosgotest

import (
	"errors"
	"testing"

	"github.com/daosgo/daosgo/daosgo"
	"gotest.tools/v3/assert"
)

func (s *suite) testPool(t *testing.T) {
	label := s.pool(t)
	p := s.connect(t, label, daosgo.PoolRW)

	t.Run("ConnectByUUID", func(t *testing.T) {
		p2 := s.connect(t, p.UUID().String(), daosgo.PoolRO)
		assert.Equal(t, p2.UUID(), p.UUID())
		assert.Equal(t, p2.Label(), label)
	})
	t.Run("ConnectErrors", func(t *testing.T) {
		_, err := s.h.Backend.Connect(ctx(), "no-such-pool", daosgo.PoolRO)
		isErr(t, err, daosgo.ErrNonexist)
		_, err = s.h.Backend.Connect(ctx(), label, 0)
		isErr(t, err, daosgo.ErrInval)
	})
	t.Run("Query", func(t *testing.T) {
		info, err := p.Query(ctx())
		assert.NilError(t, err)
		assert.Equal(t, info.UUID, p.UUID())
		assert.Equal(t, info.Label, label)
		assert.Assert(t, info.TotalBytes > 0)
		assert.Equal(t, info.TotalBytes, info.UsedBytes+info.FreeBytes)
		assert.Assert(t, info.LayoutVersion >= 1)
		assert.Assert(t, info.LayoutVersion <= info.MaxVersion)
		assert.Equal(t, info.Status, "Online")
		assert.Assert(t, !info.Rebuild.Busy())
		if s.h.CountsHandles {
			assert.Assert(t, info.Handles >= 1)
		}
	})
	t.Run("Props", func(t *testing.T) {
		props, err := p.GetProps(ctx())
		assert.NilError(t, err)
		assert.Equal(t, props.Str(daosgo.PropPoolLabel), label)
		assert.Assert(t, props.Num(daosgo.PropPoolGlobalVersion, 0) >= 1)
		assert.Assert(t, props.Has(daosgo.PropPoolUpgradeStatus))
		one, err := p.GetProps(ctx(), daosgo.PropPoolGlobalVersion)
		assert.NilError(t, err)
		assert.Equal(t, len(one), 1)
		assert.Equal(t, one[0].ID, daosgo.PropPoolGlobalVersion)
		_, err = p.GetProps(ctx(), daosgo.PropPoolPerfDomain+100)
		isErr(t, err, daosgo.ErrNonexist)
	})
	t.Run("Attrs", func(t *testing.T) {
		s.attrsContract(t, p)
		// DAOS lets a read-only pool handle set attributes: the pool's
		// access control decides, not the handle's mode.
		ro := s.connect(t, label, daosgo.PoolRO)
		name := s.run + ".ro"
		assert.NilError(t, ro.SetAttr(ctx(), name, []byte("y")))
		v, err := p.GetAttr(ctx(), name)
		assert.NilError(t, err)
		assert.Equal(t, string(v), "y")
		assert.NilError(t, ro.DelAttr(ctx(), name))
	})
	t.Run("ReadOnlyCannotCreate", func(t *testing.T) {
		ro := s.connect(t, label, daosgo.PoolRO)
		_, err := ro.CreateContainer(ctx(), s.name("never"), nil)
		isErr(t, err, daosgo.ErrNoPerm)
		// An existing container opens read-write through it, as in DAOS.
		l := s.name("rw")
		_, err = p.CreateContainer(ctx(), l, nil)
		assert.NilError(t, err)
		t.Cleanup(func() { _ = p.DestroyContainer(ctx(), l, true) })
		c, err := ro.OpenContainer(ctx(), l, daosgo.ContRW)
		assert.NilError(t, err)
		assert.NilError(t, c.Close(ctx()))
	})
	t.Run("Disconnect", func(t *testing.T) {
		p2, err := s.h.Backend.Connect(ctx(), label, daosgo.PoolRW)
		assert.NilError(t, err)
		assert.NilError(t, p2.Disconnect(ctx()))
		_, err = p2.Query(ctx())
		isErr(t, err, daosgo.ErrNoHdl)
		isErr(t, p2.Disconnect(ctx()), daosgo.ErrNoHdl)
	})
}

func (s *suite) testAdmin(t *testing.T) {
	a := s.h.Backend.Admin()
	label := s.name("admin")
	e, err := a.CreatePool(ctx(), daosgo.PoolCreateReq{Label: label, Size: s.h.PoolSize,
		Props: daosgo.Props{daosgo.NumProp(daosgo.PropPoolSpaceRB, 5)}})
	assert.NilError(t, err)
	t.Cleanup(func() { _ = a.DestroyPool(ctx(), label, true) })
	assert.Equal(t, e.Label, label)

	t.Run("CreateErrors", func(t *testing.T) {
		_, err := a.CreatePool(ctx(), daosgo.PoolCreateReq{Label: label, Size: s.h.PoolSize})
		isErr(t, err, daosgo.ErrExist)
		_, err = a.CreatePool(ctx(), daosgo.PoolCreateReq{Label: "bad label!", Size: s.h.PoolSize})
		isErr(t, err, daosgo.ErrInval)
		_, err = a.CreatePool(ctx(), daosgo.PoolCreateReq{Label: "", Size: s.h.PoolSize})
		isErr(t, err, daosgo.ErrInval)
		_, err = a.CreatePool(ctx(), daosgo.PoolCreateReq{Label: s.name("nosize")})
		isErr(t, err, daosgo.ErrInval)
		_, err = a.CreatePool(ctx(), daosgo.PoolCreateReq{Label: e.UUID.String(), Size: s.h.PoolSize})
		isErr(t, err, daosgo.ErrInval)
		_, err = a.CreatePool(ctx(), daosgo.PoolCreateReq{Label: s.name("rover"), Size: s.h.PoolSize,
			Props: daosgo.Props{daosgo.NumProp(daosgo.PropPoolGlobalVersion, 9)}})
		isErr(t, err, daosgo.ErrNoPerm)
		if s.h.OldLayouts {
			_, err = a.CreatePool(ctx(), daosgo.PoolCreateReq{Label: s.name("newer"), Size: s.h.PoolSize, LayoutVersion: daosgo.AtLayout(1 << 20)})
			isErr(t, err, daosgo.ErrInval)
		}
	})
	t.Run("CreateWithUUID", func(t *testing.T) {
		want := daosgo.UUID{1, 2, 3, 4}
		l := s.name("withuuid")
		e, err := a.CreatePool(ctx(), daosgo.PoolCreateReq{Label: l, UUID: want, Size: s.h.PoolSize})
		if errors.Is(err, daosgo.ErrNotSupported) {
			t.Skipf("the backend cannot choose a pool's UUID: %v", err)
		}
		assert.NilError(t, err)
		t.Cleanup(func() { _ = a.DestroyPool(ctx(), l, true) })
		assert.Equal(t, e.UUID, want)
		p := s.connect(t, want.String(), daosgo.PoolRO)
		assert.Equal(t, p.Label(), l)
	})
	t.Run("List", func(t *testing.T) {
		pools, err := a.ListPools(ctx())
		assert.NilError(t, err)
		found := false
		for _, p := range pools {
			found = found || (p.Label == label && p.UUID == e.UUID)
		}
		assert.Assert(t, found, "pool %s not in %v", label, pools)
	})
	t.Run("Props", func(t *testing.T) {
		props, err := a.GetPoolProps(ctx(), label)
		assert.NilError(t, err)
		assert.Equal(t, props.Num(daosgo.PropPoolSpaceRB, 0), uint64(5))
		assert.NilError(t, a.SetPoolProps(ctx(), label, daosgo.Props{daosgo.NumProp(daosgo.PropPoolSpaceRB, 7)}))
		props, err = a.GetPoolProps(ctx(), e.UUID.String(), daosgo.PropPoolSpaceRB)
		assert.NilError(t, err)
		assert.Equal(t, props[0].Num, uint64(7))
		isErr(t, a.SetPoolProps(ctx(), label, daosgo.Props{daosgo.NumProp(daosgo.PropPoolUpgradeStatus, 1)}), daosgo.ErrNoPerm)
		isErr(t, a.SetPoolProps(ctx(), label, daosgo.Props{daosgo.NumProp(daosgo.PropContLayoutType, 1)}), daosgo.ErrInval)
		isErr(t, a.SetPoolProps(ctx(), "no-such-pool", daosgo.Props{daosgo.NumProp(daosgo.PropPoolSpaceRB, 1)}), daosgo.ErrNonexist)
		_, err = a.GetPoolProps(ctx(), "no-such-pool")
		isErr(t, err, daosgo.ErrNonexist)
	})
	t.Run("Relabel", func(t *testing.T) {
		l := s.name("relabel")
		_, err := a.CreatePool(ctx(), daosgo.PoolCreateReq{Label: l, Size: s.h.PoolSize})
		assert.NilError(t, err)
		l2 := l + "-renamed"
		t.Cleanup(func() { _ = a.DestroyPool(ctx(), l2, true); _ = a.DestroyPool(ctx(), l, true) })
		isErr(t, a.SetPoolProps(ctx(), l, daosgo.Props{daosgo.StrProp(daosgo.PropPoolLabel, label)}), daosgo.ErrExist)
		assert.NilError(t, a.SetPoolProps(ctx(), l, daosgo.Props{daosgo.StrProp(daosgo.PropPoolLabel, l2)}))
		p := s.connect(t, l2, daosgo.PoolRO)
		assert.Equal(t, p.Label(), l2)
		_, err = s.h.Backend.Connect(ctx(), l, daosgo.PoolRO)
		isErr(t, err, daosgo.ErrNonexist)
	})
	t.Run("Evict", func(t *testing.T) {
		p, err := s.h.Backend.Connect(ctx(), label, daosgo.PoolRW)
		assert.NilError(t, err)
		_, err = p.CreateContainer(ctx(), "evictme", nil)
		assert.NilError(t, err)
		c, err := p.OpenContainer(ctx(), "evictme", daosgo.ContRW)
		assert.NilError(t, err)
		o, err := c.OpenObject(ctx(), s.oid(t, c, daosgo.OTMultiHashed), daosgo.ObjRW)
		assert.NilError(t, err)
		n, err := a.EvictPool(ctx(), label)
		assert.NilError(t, err)
		if s.h.CountsHandles {
			assert.Assert(t, n >= 1)
		}
		_, err = p.Query(ctx())
		isErr(t, err, daosgo.ErrNoHdl)
		_, err = c.Query(ctx())
		isErr(t, err, daosgo.ErrNoHdl)
		isErr(t, daosgo.PutSingle(ctx(), o, []byte("d"), "a", []byte("v")), daosgo.ErrNoHdl)
		// A new connection works after an eviction.
		p2 := s.connect(t, label, daosgo.PoolRW)
		_, err = p2.Query(ctx())
		assert.NilError(t, err)
	})
	t.Run("Destroy", func(t *testing.T) {
		l := s.name("doomed")
		_, err := a.CreatePool(ctx(), daosgo.PoolCreateReq{Label: l, Size: s.h.PoolSize})
		assert.NilError(t, err)
		p, err := s.h.Backend.Connect(ctx(), l, daosgo.PoolRW)
		assert.NilError(t, err)
		isErr(t, a.DestroyPool(ctx(), l, false), daosgo.ErrBusy)
		assert.NilError(t, a.DestroyPool(ctx(), l, true))
		_, err = p.Query(ctx())
		assert.Assert(t, err != nil, "a handle of a destroyed pool still works")
		_, err = s.h.Backend.Connect(ctx(), l, daosgo.PoolRO)
		isErr(t, err, daosgo.ErrNonexist)
		isErr(t, a.DestroyPool(ctx(), l, false), daosgo.ErrNonexist)
		// Without handles, a plain destroy works.
		l2 := s.name("doomed")
		_, err = a.CreatePool(ctx(), daosgo.PoolCreateReq{Label: l2, Size: s.h.PoolSize})
		assert.NilError(t, err)
		assert.NilError(t, a.DestroyPool(ctx(), l2, false))
	})
}

// smallPool creates a 64 KiB pool with one container open RW; both go
// away with the test.
func (s *suite) smallPool(t *testing.T) (daosgo.Pool, daosgo.Container) {
	t.Helper()
	a := s.h.Backend.Admin()
	label := s.name("small")
	_, err := a.CreatePool(ctx(), daosgo.PoolCreateReq{Label: label, Size: 64 << 10})
	assert.NilError(t, err)
	t.Cleanup(func() { _ = a.DestroyPool(ctx(), label, true) })
	p := s.connect(t, label, daosgo.PoolRW)
	_, err = p.CreateContainer(ctx(), "c", nil)
	assert.NilError(t, err)
	c, err := p.OpenContainer(ctx(), "c", daosgo.ContRW)
	assert.NilError(t, err)
	t.Cleanup(func() { _ = c.Close(ctx()) })
	return p, c
}

// testQuota checks that a write beyond the pool's size fails DER_NOSPACE
// and changes nothing, and that punching gives the space back.
func (s *suite) testQuota(t *testing.T) {
	p, c := s.smallPool(t)
	o := s.obj(t, c, daosgo.OTMultiHashed)

	put(t, o, "d", "small", "12345")
	before, err := p.Query(ctx())
	assert.NilError(t, err)
	assert.Assert(t, before.UsedBytes > 0)

	big := make([]byte, 100<<10)
	err = o.Update(ctx(), []byte("d"), 0, []daosgo.IOD{
		daosgo.SingleIOD("small", []byte("changed")), daosgo.SingleIOD("big", big)})
	isErr(t, err, daosgo.ErrNoSpace)
	assert.Equal(t, get(t, o, "d", "small"), "12345", "a failed update must change nothing")
	after, err := p.Query(ctx())
	assert.NilError(t, err)
	assert.Equal(t, after.UsedBytes, before.UsedBytes)

	fill := make([]byte, 20<<10)
	for i := 0; i < 2; i++ {
		assert.NilError(t, daosgo.PutSingle(ctx(), o, []byte{byte('a' + i)}, "v", fill))
	}
	full, err := p.Query(ctx())
	assert.NilError(t, err)
	assert.NilError(t, o.Punch(ctx()))
	empty, err := p.Query(ctx())
	assert.NilError(t, err)
	assert.Equal(t, empty.UsedBytes, uint64(0))
	assert.Assert(t, full.UsedBytes > 40<<10)
}
