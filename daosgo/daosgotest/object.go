package daosgotest

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/daosgo/daosgo/daosgo"
	"gotest.tools/v3/assert"
)

func (s *suite) testSingleValues(t *testing.T) {
	_, c := s.cont(t)
	o := s.obj(t, c, daosgo.OTMultiHashed)

	// Several akeys in one update.
	assert.NilError(t, o.Update(ctx(), []byte("d1"), 0, []daosgo.IOD{
		daosgo.SingleIOD("a1", []byte("hello")), daosgo.SingleIOD("a2", []byte("world!"))}))
	assert.Equal(t, get(t, o, "d1", "a1"), "hello")
	assert.Equal(t, get(t, o, "d1", "a2"), "world!")

	// A fetch with no buffer returns the size only.
	iod := []daosgo.IOD{{Akey: []byte("a2"), Type: daosgo.IODSingle}}
	assert.NilError(t, o.Fetch(ctx(), []byte("d1"), 0, iod))
	assert.Equal(t, iod[0].Size, uint64(6))

	// A buffer too small fails DER_REC2BIG and says the size.
	iod[0].Data = make([]byte, 3)
	err := o.Fetch(ctx(), []byte("d1"), 0, iod)
	isErr(t, err, daosgo.ErrRec2Big)
	var rb *daosgo.RecTooBigError
	assert.Assert(t, errors.As(err, &rb))
	assert.Equal(t, rb.Size, uint64(6))

	// Absent values read as size 0 without a condition.
	iod = []daosgo.IOD{{Akey: []byte("zz"), Type: daosgo.IODSingle, Data: make([]byte, 4)}}
	assert.NilError(t, o.Fetch(ctx(), []byte("d1"), 0, iod))
	assert.Equal(t, iod[0].Size, uint64(0))
	assert.NilError(t, o.Fetch(ctx(), []byte("nope"), 0, iod))
	assert.Equal(t, iod[0].Size, uint64(0))

	// Overwrite, shorter.
	put(t, o, "d1", "a1", "hi")
	assert.Equal(t, get(t, o, "d1", "a1"), "hi")

	// Binary values and keys round-trip.
	bin := []byte{0, 1, 2, 255, 0}
	assert.NilError(t, o.Update(ctx(), []byte{0, 0xff}, 0, []daosgo.IOD{{Akey: []byte{0}, Type: daosgo.IODSingle, Size: 5, Data: bin}}))
	v, err := daosgo.GetSingle(ctx(), o, []byte{0, 0xff}, "\x00")
	assert.NilError(t, err)
	assert.DeepEqual(t, v, bin)

	// A zero-size single value punches the value: it reads as size 0.
	assert.NilError(t, o.Update(ctx(), []byte("d1"), 0, []daosgo.IOD{{Akey: []byte("a2"), Type: daosgo.IODSingle}}))
	zero := []daosgo.IOD{{Akey: []byte("a2"), Type: daosgo.IODSingle}}
	assert.NilError(t, o.Fetch(ctx(), []byte("d1"), 0, zero))
	assert.Equal(t, zero[0].Size, uint64(0))
	_, err = daosgo.GetSingle(ctx(), o, []byte("d1"), "a2")
	isErr(t, err, daosgo.ErrNonexist)

	// Bad input.
	isErr(t, o.Update(ctx(), nil, 0, []daosgo.IOD{daosgo.SingleIOD("a", []byte("v"))}), daosgo.ErrInval)
	isErr(t, o.Update(ctx(), []byte("d"), 0, []daosgo.IOD{daosgo.SingleIOD("", []byte("v"))}), daosgo.ErrInval)
	isErr(t, o.Update(ctx(), []byte("d"), 0, nil), daosgo.ErrInval)
	isErr(t, o.Update(ctx(), []byte("d"), 0, []daosgo.IOD{{Akey: []byte("a"), Type: daosgo.IODSingle, Size: 9, Data: []byte("v")}}), daosgo.ErrInval)

	// An object of an unknown type cannot be opened.
	_, err = c.OpenObject(ctx(), daosgo.OID{Hi: 99 << 56, Lo: 1}, daosgo.ObjRW)
	isErr(t, err, daosgo.ErrInval)
}

func (s *suite) testConditional(t *testing.T) {
	_, c := s.cont(t)
	o := s.obj(t, c, daosgo.OTMultiHashed)
	upd := func(dkey, akey, val string, f daosgo.CondFlags) error {
		return o.Update(ctx(), []byte(dkey), f, []daosgo.IOD{daosgo.SingleIOD(akey, []byte(val))})
	}
	assert.NilError(t, upd("d", "a", "1", daosgo.CondDkeyInsert))
	isErr(t, upd("d", "b", "2", daosgo.CondDkeyInsert), daosgo.ErrExist)
	assert.NilError(t, upd("d", "a", "3", daosgo.CondDkeyUpdate))
	isErr(t, upd("new", "a", "4", daosgo.CondDkeyUpdate), daosgo.ErrNonexist)
	isErr(t, upd("d", "a", "5", daosgo.CondAkeyInsert), daosgo.ErrExist)
	assert.NilError(t, upd("d", "b", "6", daosgo.CondAkeyInsert))
	isErr(t, upd("d", "c", "7", daosgo.CondAkeyUpdate), daosgo.ErrNonexist)
	assert.NilError(t, upd("d", "b", "8", daosgo.CondAkeyUpdate))
	// Failed conditional updates changed nothing.
	assert.Equal(t, get(t, o, "d", "a"), "3")
	assert.Equal(t, get(t, o, "d", "b"), "8")
	iod := []daosgo.IOD{{Akey: []byte("c"), Type: daosgo.IODSingle}}
	isErr(t, o.Fetch(ctx(), []byte("d"), daosgo.CondAkeyFetch, iod), daosgo.ErrNonexist)
	isErr(t, o.Fetch(ctx(), []byte("new"), daosgo.CondDkeyFetch, iod), daosgo.ErrNonexist)
	assert.NilError(t, o.Fetch(ctx(), []byte("d"), daosgo.CondDkeyFetch, iod))
	assert.Equal(t, iod[0].Size, uint64(0))
	// An update of several akeys is all or nothing.
	err := o.Update(ctx(), []byte("d"), daosgo.CondAkeyInsert, []daosgo.IOD{
		daosgo.SingleIOD("fresh", []byte("x")), daosgo.SingleIOD("a", []byte("y"))})
	isErr(t, err, daosgo.ErrExist)
	_, err = daosgo.GetSingle(ctx(), o, []byte("d"), "fresh")
	isErr(t, err, daosgo.ErrNonexist)
}

func (s *suite) testArrays(t *testing.T) {
	_, c := s.cont(t)
	o := s.obj(t, c, daosgo.OTArrayByte)
	dk := daosgo.Uint64Key(1)
	ak := []byte("0")
	write := func(idx uint64, data string) {
		t.Helper()
		assert.NilError(t, o.Update(ctx(), dk, 0, []daosgo.IOD{daosgo.ArrayIOD(ak, idx, []byte(data))}))
	}
	read := func(idx, n uint64) (string, uint64) {
		t.Helper()
		buf := bytes.Repeat([]byte("."), int(n))
		iod := []daosgo.IOD{daosgo.ArrayIOD(ak, idx, buf)}
		assert.NilError(t, o.Fetch(ctx(), dk, 0, iod))
		return string(buf), iod[0].Size
	}
	write(0, "abcdefghij")
	got, size := read(0, 10)
	assert.Equal(t, got, "abcdefghij")
	assert.Equal(t, size, uint64(1))

	write(3, "XYZ")   // inside one extent
	write(8, "1234")  // across its end
	write(20, "tail") // past a hole
	got, _ = read(0, 24)
	assert.Equal(t, got, "abcXYZgh1234........tail", "holes are left untouched")
	got, _ = read(5, 4)
	assert.Equal(t, got, "Zgh1")
	write(0, "0123456789abcdefghijklmnop") // covers everything
	got, _ = read(0, 26)
	assert.Equal(t, got, "0123456789abcdefghijklmnop")

	// A read of a hole only reports size 0.
	got, size = read(100, 4)
	assert.Equal(t, got, "....")
	assert.Equal(t, size, uint64(0))

	// DAOS refuses an update that names an akey twice (DER_NO_PERM) and
	// one whose extents overlap (DER_INVAL), and writes nothing of it.
	dk2 := daosgo.Uint64Key(50)
	isErr(t, o.Update(ctx(), dk2, 0, []daosgo.IOD{
		daosgo.ArrayIOD(ak, 0, []byte("aaaaaa")), daosgo.ArrayIOD(ak, 2, []byte("BB"))}), daosgo.ErrNoPerm)
	isErr(t, o.Update(ctx(), dk2, 0, []daosgo.IOD{{Akey: ak, Type: daosgo.IODArray, Size: 1,
		Recxs: []daosgo.Recx{{Idx: 0, Nr: 4}, {Idx: 2, Nr: 4}}, Data: []byte("aaaaBBBB")}}), daosgo.ErrInval)
	_, size = func() (string, uint64) {
		buf := make([]byte, 6)
		iod := []daosgo.IOD{daosgo.ArrayIOD(ak, 0, buf)}
		assert.NilError(t, o.Fetch(ctx(), dk2, 0, iod))
		return "", iod[0].Size
	}()
	assert.Equal(t, size, uint64(0), "a refused update wrote nothing")

	// Several extents in one IOD.
	multi := daosgo.IOD{Akey: ak, Type: daosgo.IODArray, Size: 1,
		Recxs: []daosgo.Recx{{Idx: 0, Nr: 2}, {Idx: 10, Nr: 3}}, Data: make([]byte, 5)}
	assert.NilError(t, o.Fetch(ctx(), dk, 0, []daosgo.IOD{multi}))
	assert.Equal(t, string(multi.Data), "01abc")

	// Records of 8 bytes.
	o8 := s.obj(t, c, daosgo.OTArray)
	rec := daosgo.IOD{Akey: []byte("r"), Type: daosgo.IODArray, Size: 8,
		Recxs: []daosgo.Recx{{Idx: 2, Nr: 2}}, Data: []byte("AAAAAAAABBBBBBBB")}
	assert.NilError(t, o8.Update(ctx(), dk, 0, []daosgo.IOD{rec}))
	back := daosgo.IOD{Akey: []byte("r"), Type: daosgo.IODArray, Size: 8, Recxs: []daosgo.Recx{{Idx: 3, Nr: 1}}, Data: make([]byte, 8)}
	assert.NilError(t, o8.Fetch(ctx(), dk, 0, []daosgo.IOD{back}))
	assert.Equal(t, string(back.Data), "BBBBBBBB")
	bad := rec
	bad.Size, bad.Data = 4, []byte("CCCCCCCC")
	isErr(t, o8.Update(ctx(), dk, 0, []daosgo.IOD{bad}), daosgo.ErrInval) // record size differs

	// An akey is either a single value or an array: an update of the
	// other kind is refused (DER_NO_PERM), a fetch of the other kind finds
	// nothing.
	isErr(t, o.Update(ctx(), dk, 0, []daosgo.IOD{daosgo.SingleIOD("0", []byte("v"))}), daosgo.ErrNoPerm)
	put(t, o8, string(daosgo.Uint64Key(7)), "sv", "single")
	isErr(t, o8.Update(ctx(), daosgo.Uint64Key(7), 0, []daosgo.IOD{{Akey: []byte("sv"), Type: daosgo.IODArray, Size: 8,
		Recxs: []daosgo.Recx{{Idx: 0, Nr: 1}}, Data: []byte("12345678")}}), daosgo.ErrNoPerm)
	single := []daosgo.IOD{{Akey: ak, Type: daosgo.IODSingle}}
	assert.NilError(t, o.Fetch(ctx(), dk, 0, single))
	assert.Equal(t, single[0].Size, uint64(0), "a single-value fetch of an array akey")
	arr := []daosgo.IOD{{Akey: []byte("sv"), Type: daosgo.IODArray, Recxs: []daosgo.Recx{{Idx: 0, Nr: 1}}}}
	assert.NilError(t, o8.Fetch(ctx(), daosgo.Uint64Key(7), 0, arr))
	assert.Equal(t, arr[0].Size, uint64(0), "an array fetch of a single-value akey")

	// Bad IODs.
	isErr(t, o.Update(ctx(), dk, 0, []daosgo.IOD{{Akey: ak, Type: daosgo.IODArray, Size: 1, Data: []byte("x")}}), daosgo.ErrInval)
	isErr(t, o.Update(ctx(), dk, 0, []daosgo.IOD{{Akey: ak, Type: daosgo.IODArray, Size: 1,
		Recxs: []daosgo.Recx{{Idx: 0, Nr: 4}}, Data: []byte("x")}}), daosgo.ErrIOInval)
	isErr(t, o.Update(ctx(), []byte("short"), 0, []daosgo.IOD{daosgo.ArrayIOD(ak, 0, []byte("x"))}), daosgo.ErrInval)
}

func (s *suite) testPunch(t *testing.T) {
	_, c := s.cont(t)
	o := s.obj(t, c, daosgo.OTMultiHashed)
	for _, d := range []string{"d1", "d2", "d3"} {
		assert.NilError(t, o.Update(ctx(), []byte(d), 0, []daosgo.IOD{
			daosgo.SingleIOD("a1", []byte("v")), daosgo.SingleIOD("a2", []byte("w"))}))
	}
	assert.NilError(t, o.PunchAkeys(ctx(), []byte("d1"), 0, [][]byte{[]byte("a1")}))
	_, err := daosgo.GetSingle(ctx(), o, []byte("d1"), "a1")
	isErr(t, err, daosgo.ErrNonexist)
	assert.Equal(t, get(t, o, "d1", "a2"), "w")
	isErr(t, o.PunchAkeys(ctx(), []byte("d1"), daosgo.CondPunch, [][]byte{[]byte("a1")}), daosgo.ErrNonexist)
	assert.NilError(t, o.PunchAkeys(ctx(), []byte("d1"), 0, [][]byte{[]byte("a1")}))
	assert.NilError(t, o.PunchAkeys(ctx(), []byte("nodkey"), 0, [][]byte{[]byte("a1")}), "punching what is absent is no error")

	assert.NilError(t, o.PunchDkeys(ctx(), 0, [][]byte{[]byte("d2")}))
	iod := []daosgo.IOD{{Akey: []byte("a2"), Type: daosgo.IODSingle}}
	isErr(t, o.Fetch(ctx(), []byte("d2"), daosgo.CondDkeyFetch, iod), daosgo.ErrNonexist)
	assert.NilError(t, o.PunchDkeys(ctx(), 0, [][]byte{[]byte("d2")}), "punching what is absent is no error")
	isErr(t, o.PunchDkeys(ctx(), daosgo.CondPunch, [][]byte{[]byte("d2")}), daosgo.ErrNonexist)
	// DAOS 2.8 punches one dkey a call.
	isErr(t, o.PunchDkeys(ctx(), 0, [][]byte{[]byte("d3"), []byte("d1")}), daosgo.ErrInval)
	assert.Equal(t, get(t, o, "d3", "a1"), "v")
	isErr(t, o.PunchDkeys(ctx(), 0, nil), daosgo.ErrInval)

	assert.NilError(t, o.Punch(ctx()))
	a := &daosgo.Anchor{}
	keys, err := o.ListDkeys(ctx(), a, 10, nil)
	assert.NilError(t, err)
	assert.Equal(t, len(keys), 0)
	assert.Assert(t, a.EOF())
	assert.NilError(t, o.Punch(ctx()), "punching an empty object is not an error")
}

func (s *suite) testListKeys(t *testing.T) {
	_, c := s.cont(t)
	o := s.obj(t, c, daosgo.OTMultiHashed)
	var want []string
	for i := 0; i < 50; i++ {
		k := fmt.Sprintf("key-%03d", i)
		want = append(want, k)
		put(t, o, k, "a", "v")
		if i < 5 {
			put(t, o, k, "b", "w") // several akeys must not repeat the dkey
		}
	}
	var got []string
	a := &daosgo.Anchor{}
	for calls := 0; !a.EOF(); calls++ {
		assert.Assert(t, calls < 100, "listing does not end")
		keys, err := o.ListDkeys(ctx(), a, 7, make([]byte, 1024))
		assert.NilError(t, err)
		assert.Assert(t, len(keys) <= 7)
		for _, k := range keys {
			got = append(got, string(k))
		}
	}
	sort.Strings(got)
	assert.DeepEqual(t, got, want)

	// A buffer that holds two keys returns two, and the listing resumes.
	a.Reset()
	keys, err := o.ListDkeys(ctx(), a, 10, make([]byte, 15))
	assert.NilError(t, err)
	assert.Equal(t, len(keys), 2)
	assert.Assert(t, !a.EOF())
	keys2, err := o.ListDkeys(ctx(), a, 10, make([]byte, 15))
	assert.NilError(t, err)
	assert.Equal(t, len(keys2), 2)
	assert.Assert(t, string(keys2[0]) != string(keys[0]) && string(keys2[0]) != string(keys[1]))

	// A buffer smaller than the next key fails DER_KEY2BIG with the size.
	a.Reset()
	_, err = o.ListDkeys(ctx(), a, 10, make([]byte, 3))
	isErr(t, err, daosgo.ErrKey2Big)
	var kb *daosgo.KeyTooBigError
	assert.Assert(t, errors.As(err, &kb))
	assert.Equal(t, kb.Need, 7)
	_, err = o.ListDkeys(ctx(), a, 0, nil)
	isErr(t, err, daosgo.ErrInval)

	a.Reset()
	akeys, err := o.ListAkeys(ctx(), []byte("key-001"), a, 10, nil)
	assert.NilError(t, err)
	assert.Assert(t, a.EOF())
	var names []string
	for _, k := range akeys {
		names = append(names, string(k))
	}
	sort.Strings(names)
	assert.DeepEqual(t, names, []string{"a", "b"})

	// Integer dkeys round-trip through listing.
	oa := s.obj(t, c, daosgo.OTArrayByte)
	for _, n := range []uint64{256, 2, 10} {
		assert.NilError(t, oa.Update(ctx(), daosgo.Uint64Key(n), 0, []daosgo.IOD{daosgo.ArrayIOD([]byte("0"), 0, []byte("x"))}))
	}
	a.Reset()
	ik, err := oa.ListDkeys(ctx(), a, 10, nil)
	assert.NilError(t, err)
	var nums []uint64
	for _, k := range ik {
		n, err := daosgo.KeyUint64(k)
		assert.NilError(t, err)
		nums = append(nums, n)
	}
	sort.Slice(nums, func(i, j int) bool { return nums[i] < nums[j] })
	assert.DeepEqual(t, nums, []uint64{2, 10, 256})
}

func (s *suite) testQueryKey(t *testing.T) {
	_, c := s.cont(t)
	o := s.obj(t, c, daosgo.OTArrayByte)
	ak := []byte("0")
	// An empty object answers success with nothing found, as DAOS does.
	q, err := o.QueryMax(ctx(), ak)
	assert.NilError(t, err)
	assert.Equal(t, q, daosgo.KeyQuery{})
	assert.Assert(t, !q.Found())
	// Integer dkeys are compared as numbers: 256 > 10 > 2, though the
	// little-endian bytes of 256 sort first.
	for _, n := range []uint64{2, 256, 10} {
		assert.NilError(t, o.Update(ctx(), daosgo.Uint64Key(n), 0, []daosgo.IOD{daosgo.ArrayIOD(ak, 0, []byte("x"))}))
	}
	assert.NilError(t, o.Update(ctx(), daosgo.Uint64Key(256), 0, []daosgo.IOD{daosgo.ArrayIOD(ak, 100, []byte("0123456789"))}))
	q, err = o.QueryMax(ctx(), ak)
	assert.NilError(t, err)
	assert.Equal(t, q, daosgo.KeyQuery{Dkey: 256, Recx: daosgo.Recx{Idx: 100, Nr: 10}})
	assert.Assert(t, q.Found())

	// Once every dkey is punched, nothing is found again.
	for _, n := range []uint64{2, 10, 256} {
		assert.NilError(t, o.PunchDkeys(ctx(), 0, [][]byte{daosgo.Uint64Key(n)}))
	}
	q, err = o.QueryMax(ctx(), ak)
	assert.NilError(t, err)
	assert.Assert(t, !q.Found(), "got %+v", q)

	assert.NilError(t, o.Update(ctx(), daosgo.Uint64Key(300), 0, []daosgo.IOD{daosgo.ArrayIOD([]byte("other"), 4, []byte("yz"))}))
	r, err := o.QueryMaxRecx(ctx(), daosgo.Uint64Key(300), []byte("other"))
	assert.NilError(t, err)
	assert.Equal(t, r, daosgo.Recx{Idx: 4, Nr: 2})
	// A dkey without records, and a single value, have no extent. (What
	// DAOS answers for an akey absent from a dkey that has others is not
	// to be relied on: it answered another akey's extent.)
	for _, k := range []struct{ dkey, akey string }{{"7", "other"}, {"8", "sv"}} {
		dk, _ := strconv.Atoi(k.dkey)
		if k.akey == "sv" {
			put(t, o, string(daosgo.Uint64Key(uint64(dk))), "sv", "single")
		}
		r, err := o.QueryMaxRecx(ctx(), daosgo.Uint64Key(uint64(dk)), []byte(k.akey))
		assert.NilError(t, err)
		assert.Equal(t, r, daosgo.Recx{}, "dkey %s akey %s", k.dkey, k.akey)
	}

	// DAOS sizes only objects with integer dkeys this way.
	kv := s.obj(t, c, daosgo.OTMultiHashed)
	put(t, kv, "d", "a", "v")
	_, err = kv.QueryMax(ctx(), []byte("a"))
	isErr(t, err, daosgo.ErrInval)
}

// testMaxEpoch checks the epoch of an object's latest write, from which
// libdfs derives files' and directories' mtimes: HLC time, raised by every
// update and key punch and by nothing else.
func (s *suite) testMaxEpoch(t *testing.T) {
	_, c := s.cont(t)
	o := s.obj(t, c, daosgo.OTMultiHashed)
	maxEpoch := func() uint64 {
		t.Helper()
		e, err := o.QueryMaxEpoch(ctx())
		assert.NilError(t, err)
		return e
	}
	assert.Equal(t, maxEpoch(), uint64(0), "an object never written")
	before := time.Now()
	put(t, o, "d1", "a", "v1")
	e1 := maxEpoch()
	// The epoch is the time of the write (the HLC runs within a second of
	// the clock).
	at := daosgo.EpochTime(e1)
	assert.Assert(t, at.After(before.Add(-2*time.Second)) && at.Before(time.Now().Add(2*time.Second)), "epoch %d is %s", e1, at)
	get(t, o, "d1", "a")
	other := s.obj(t, c, daosgo.OTMultiHashed)
	put(t, other, "d", "a", "v")
	assert.Equal(t, maxEpoch(), e1, "reads and other objects' writes leave it")
	snap, err := c.CreateSnapshot(ctx(), false)
	assert.NilError(t, err)
	assert.Assert(t, snap > e1, "a later snapshot's epoch %d, the write's %d", snap, e1)
	assert.NilError(t, c.DestroySnapshot(ctx(), snap))
	put(t, o, "d2", "a", "v2")
	e2 := maxEpoch()
	assert.Assert(t, e2 > snap, "a later write: %d after %d", e2, snap)
	assert.NilError(t, o.PunchDkeys(ctx(), 0, [][]byte{[]byte("d1")}))
	e3 := maxEpoch()
	assert.Assert(t, e3 > e2, "a key punch is a write: %d after %d", e3, e2)
	assert.NilError(t, o.PunchAkeys(ctx(), []byte("d2"), 0, [][]byte{[]byte("a")}))
	assert.Assert(t, maxEpoch() > e3, "an akey punch too")
}

func (s *suite) testKV(t *testing.T) {
	_, c := s.cont(t)
	oid := s.oid(t, c, daosgo.OTKVHashed)
	kv, err := c.OpenKV(ctx(), oid, daosgo.ObjRW)
	assert.NilError(t, err)
	defer kv.Close()
	assert.Equal(t, kv.OID(), oid)

	assert.NilError(t, kv.Put(ctx(), "alpha", []byte("1")))
	assert.NilError(t, kv.Put(ctx(), "beta", []byte("22")))
	assert.NilError(t, kv.Put(ctx(), "alpha", []byte("111")))
	v, err := kv.Get(ctx(), "alpha")
	assert.NilError(t, err)
	assert.Equal(t, string(v), "111")
	_, err = kv.Get(ctx(), "gamma")
	isErr(t, err, daosgo.ErrNonexist)
	_, err = kv.Get(ctx(), "")
	isErr(t, err, daosgo.ErrInval)

	a := &daosgo.Anchor{}
	keys, err := kv.List(ctx(), a, 10)
	assert.NilError(t, err)
	sort.Strings(keys)
	assert.DeepEqual(t, keys, []string{"alpha", "beta"})

	assert.NilError(t, kv.Remove(ctx(), "alpha"))
	_, err = kv.Get(ctx(), "alpha")
	isErr(t, err, daosgo.ErrNonexist)

	// The layout is libdaos's: dkey = key, single value under akey "0".
	o, err := c.OpenObject(ctx(), oid, daosgo.ObjRO)
	assert.NilError(t, err)
	assert.Equal(t, get(t, o, "beta", "0"), "22")

	_, err = c.OpenKV(ctx(), s.oid(t, c, daosgo.OTMultiHashed), daosgo.ObjRW)
	isErr(t, err, daosgo.ErrInval)
}
