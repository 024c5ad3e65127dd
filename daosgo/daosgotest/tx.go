package daosgotest

import (
	"bytes"
	"testing"

	"github.com/daosgo/daosgo/daosgo"
	"gotest.tools/v3/assert"
)

// testTx checks transactions: writes through a transaction's objects are
// seen by no one before the commit, all of them after, and none after an
// abort, a close or a failed condition.
func (s *suite) testTx(t *testing.T) {
	p, c := s.cont(t)
	// Two objects, so that atomicity spans objects, not only one update.
	a := s.obj(t, c, daosgo.OTMultiHashed)
	b := s.obj(t, c, daosgo.OTArrayByte)
	put(t, a, "keep", "v", "old")

	open := func(t *testing.T, x daosgo.Tx, oid daosgo.OID) daosgo.Object {
		t.Helper()
		o, err := x.OpenObject(ctx(), oid, daosgo.ObjRW)
		assert.NilError(t, err)
		t.Cleanup(func() { _ = o.Close() })
		return o
	}
	absent := func(t *testing.T, o daosgo.Object, dkey, akey string) {
		t.Helper()
		_, err := daosgo.GetSingle(ctx(), o, []byte(dkey), akey)
		isErr(t, err, daosgo.ErrNonexist)
	}
	readArray := func(t *testing.T, n int) []byte {
		t.Helper()
		buf := make([]byte, n)
		iod := []daosgo.IOD{daosgo.ArrayIOD([]byte("0"), 0, buf)}
		assert.NilError(t, b.Fetch(ctx(), daosgo.Uint64Key(0), 0, iod))
		return buf[:iod[0].Size*uint64(n)]
	}

	t.Run("Commit", func(t *testing.T) {
		x, err := c.OpenTx(ctx())
		assert.NilError(t, err)
		defer x.Close(ctx())
		xa, xb := open(t, x, a.OID()), open(t, x, b.OID())
		val := []byte("new")
		assert.NilError(t, xa.Update(ctx(), []byte("keep"), 0, []daosgo.IOD{daosgo.SingleIOD("v", val)}))
		copy(val, "BAD") // the transaction copied the buffer
		put(t, xa, "d2", "v", "two")
		data := []byte("bytes of a file")
		assert.NilError(t, xb.Update(ctx(), daosgo.Uint64Key(0), 0, []daosgo.IOD{daosgo.ArrayIOD([]byte("0"), 0, data)}))
		assert.NilError(t, xa.PunchDkeys(ctx(), 0, [][]byte{[]byte("d2")}))
		put(t, xa, "d3", "v", "three")

		// Nothing shows before the commit, not even through the transaction.
		assert.Equal(t, get(t, a, "keep", "v"), "old")
		assert.Equal(t, get(t, xa, "keep", "v"), "old")
		absent(t, a, "d3", "v")
		assert.Equal(t, len(readArray(t, len(data))), 0)

		assert.NilError(t, x.Commit(ctx()))
		assert.Equal(t, get(t, a, "keep", "v"), "new")
		absent(t, a, "d2", "v") // writes apply in call order
		assert.Equal(t, get(t, a, "d3", "v"), "three")
		assert.Assert(t, bytes.Equal(readArray(t, len(data)), data))

		// An ended transaction takes no more work.
		isErr(t, x.Commit(ctx()), daosgo.ErrAlready)
		isErr(t, daosgo.PutSingle(ctx(), xa, []byte("late"), "v", []byte("x")), daosgo.ErrNoPerm)
		absent(t, a, "late", "v")
		assert.NilError(t, x.Close(ctx()))
		_, err = x.OpenObject(ctx(), a.OID(), daosgo.ObjRW)
		isErr(t, err, daosgo.ErrNoHdl)
	})

	t.Run("Abort", func(t *testing.T) {
		x, err := c.OpenTx(ctx())
		assert.NilError(t, err)
		xa := open(t, x, a.OID())
		put(t, xa, "keep", "v", "aborted")
		put(t, xa, "gone", "v", "aborted")
		assert.NilError(t, x.Abort(ctx()))
		isErr(t, x.Abort(ctx()), daosgo.ErrAlready)
		isErr(t, x.Commit(ctx()), daosgo.ErrNoPerm)
		assert.NilError(t, x.Close(ctx()))
		assert.Equal(t, get(t, a, "keep", "v"), "new")
		absent(t, a, "gone", "v")
	})

	t.Run("CloseDiscards", func(t *testing.T) {
		x, err := c.OpenTx(ctx())
		assert.NilError(t, err)
		put(t, open(t, x, a.OID()), "unclosed", "v", "x")
		assert.NilError(t, x.Close(ctx()))
		isErr(t, x.Commit(ctx()), daosgo.ErrNoHdl)
		absent(t, a, "unclosed", "v")
	})

	t.Run("FailedCondition", func(t *testing.T) {
		// DAOS checks a condition when the update is called, the embedded
		// engine at the commit; either way nothing of the transaction stays.
		err := daosgo.RunTx(ctx(), c, func(x daosgo.Tx) error {
			xa := open(t, x, a.OID())
			put(t, xa, "before", "v", "x")
			return xa.Update(ctx(), []byte("keep"), daosgo.CondDkeyInsert, []daosgo.IOD{daosgo.SingleIOD("v", []byte("dup"))})
		})
		isErr(t, err, daosgo.ErrExist)
		absent(t, a, "before", "v")
		assert.Equal(t, get(t, a, "keep", "v"), "new")
	})

	t.Run("ReadOnlyObject", func(t *testing.T) {
		x, err := c.OpenTx(ctx())
		assert.NilError(t, err)
		defer x.Close(ctx())
		o, err := x.OpenObject(ctx(), a.OID(), daosgo.ObjRO)
		assert.NilError(t, err)
		defer o.Close()
		isErr(t, daosgo.PutSingle(ctx(), o, []byte("ro"), "v", []byte("x")), daosgo.ErrNoPerm)
		assert.Equal(t, get(t, o, "keep", "v"), "new")
	})

	t.Run("ClosedContainer", func(t *testing.T) {
		label := s.name("txcont")
		_, err := p.CreateContainer(ctx(), label, nil)
		assert.NilError(t, err)
		t.Cleanup(func() { _ = p.DestroyContainer(ctx(), label, true) })
		c2, err := p.OpenContainer(ctx(), label, daosgo.ContRW)
		assert.NilError(t, err)
		x, err := c2.OpenTx(ctx())
		assert.NilError(t, err)
		defer x.Close(ctx())
		o, err := x.OpenObject(ctx(), a.OID(), daosgo.ObjRW)
		assert.NilError(t, err)
		put(t, o, "d", "v", "x")
		assert.NilError(t, o.Close())
		assert.NilError(t, c2.Close(ctx()))
		assert.Assert(t, x.Commit(ctx()) != nil, "a commit through a closed container handle succeeded")
	})
}

// testTxQuota checks that a transaction beyond the pool's size fails as a
// whole with DER_NOSPACE.
func (s *suite) testTxQuota(t *testing.T) {
	p, c := s.smallPool(t)
	o := s.obj(t, c, daosgo.OTMultiHashed)
	before, err := p.Query(ctx())
	assert.NilError(t, err)

	// Each write fits; together they do not.
	err = daosgo.RunTx(ctx(), c, func(x daosgo.Tx) error {
		xo, err := x.OpenObject(ctx(), o.OID(), daosgo.ObjRW)
		if err != nil {
			return err
		}
		defer xo.Close()
		for i := 0; i < 4; i++ {
			if err := daosgo.PutSingle(ctx(), xo, []byte{byte('a' + i)}, "v", make([]byte, 20<<10)); err != nil {
				return err
			}
		}
		return nil
	})
	isErr(t, err, daosgo.ErrNoSpace)
	after, err := p.Query(ctx())
	assert.NilError(t, err)
	assert.Equal(t, after.UsedBytes, before.UsedBytes)
	_, err = daosgo.GetSingle(ctx(), o, []byte("a"), "v")
	isErr(t, err, daosgo.ErrNonexist)
}
