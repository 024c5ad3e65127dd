package embedded

import (
	"testing"

	"github.com/daosgo/daosgo/daosgo"
	"gotest.tools/v3/assert"
)

// An array fetch that does not give the record size learns it and reads
// the records; over a hole it reports size 0.
func TestArrayFetchWithoutRecordSize(t *testing.T) {
	_, _, p := setup(t)
	c, err := p.OpenContainer(bg, "cont", daosgo.ContRW)
	assert.NilError(t, err)
	o, _ := c.OpenObject(bg, daosgo.GenerateOID(0, 9, daosgo.OTArray, daosgo.OCS1), daosgo.ObjRW)
	dk := daosgo.Uint64Key(1)
	assert.NilError(t, o.Update(bg, dk, 0, []daosgo.IOD{{Akey: []byte("r"), Type: daosgo.IODArray, Size: 4,
		Recxs: []daosgo.Recx{{Idx: 3, Nr: 2}}, Data: []byte("AAAABBBB")}}))
	fetch := func(size, idx uint64) daosgo.IOD {
		t.Helper()
		iods := []daosgo.IOD{{Akey: []byte("r"), Type: daosgo.IODArray, Size: size, Recxs: []daosgo.Recx{{Idx: idx, Nr: 1}}, Data: make([]byte, 4)}}
		assert.NilError(t, o.Fetch(bg, dk, 0, iods))
		return iods[0]
	}
	got := fetch(0, 4)
	assert.Equal(t, got.Size, uint64(4))
	assert.Equal(t, string(got.Data), "BBBB")
	assert.Equal(t, fetch(0, 0).Size, uint64(0), "a hole reports size 0")
	assert.Equal(t, fetch(4, 0).Size, uint64(0), "also when the record size is given")
	assert.Equal(t, string(fetch(4, 3).Data), "AAAA")
}
