package embedded

import (
	"testing"

	"github.com/daosgo/daosgo/daosgo"
	"gotest.tools/v3/assert"
)

// TestChooseClass pins the classes DAOS's dc_set_oclass gives a pool of 8
// targets on 4 fault domains, worked out by hand from its rules.
func TestChooseClass(t *testing.T) {
	for _, tc := range []struct {
		rf   uint64
		t    daosgo.ObjectType
		want string
	}{
		{0, daosgo.OTMultiHashed, "S1"},
		{0, daosgo.OTArrayByte, "S8"}, // striped over every target, nothing reserved
		{0, daosgo.OTKVHashed, "S8"},
		{1, daosgo.OTMultiHashed, "RP_2G1"},
		{1, daosgo.OTArrayByte, "EC_2P1G1"}, // 2 groups fit, 1 is reserved for rebuild
		{1, daosgo.OTKVHashed, "RP_2G3"},
		{2, daosgo.OTMultiHashed, "RP_3G1"},
		{2, daosgo.OTArray, "EC_2P2G1"},
		{3, daosgo.OTMultiHashed, "RP_4G1"},
		{3, daosgo.OTArrayByte, "RP_4G1"}, // EC for rf 3 needs 10 domains
	} {
		r, groups, err := chooseClass(tc.rf, tc.t)
		assert.NilError(t, err)
		assert.Equal(t, daosgo.MakeClass(r, groups).String(), tc.want, "rf %d %s", tc.rf, tc.t)
		assert.Assert(t, r.Tolerates() >= int(tc.rf))
	}
	_, _, err := chooseClass(4, daosgo.OTMultiHashed)
	assert.ErrorIs(t, err, daosgo.ErrInval, "RP_5 does not fit 4 domains")

	r, groups, err := fitClass(daosgo.OCSX, 0)
	assert.NilError(t, err)
	assert.Equal(t, daosgo.MakeClass(r, groups), daosgo.MakeClass(daosgo.OrRP1, 8))
	_, _, err = fitClass(daosgo.MakeClass(daosgo.OrRP6, 1), 0)
	assert.ErrorIs(t, err, daosgo.ErrInval)

	assert.NilError(t, checkRedundancy(daosgo.GenerateOID(0, 1, daosgo.OTMultiHashed, daosgo.MakeClass(daosgo.OrRP2, 1)), 1))
	assert.ErrorIs(t, checkRedundancy(daosgo.GenerateOID(0, 1, daosgo.OTMultiHashed, daosgo.OCS1), 1), daosgo.ErrInval)
	assert.NilError(t, checkRedundancy(daosgo.GenerateOID(0, 1, daosgo.OTArray, daosgo.MakeClass(daosgo.OrRS2P1, 1)), 1))
}
