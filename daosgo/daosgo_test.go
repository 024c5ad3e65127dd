package daosgo_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/daosgo/daosgo/daosgo"
	"gotest.tools/v3/assert"
)

func TestGenerateOIDEncoding(t *testing.T) {
	// Values computed by hand from DAOS's layout: type<<56 | redun<<48 |
	// groups<<32 | user hi.
	tests := []struct {
		userHi uint32
		lo     uint64
		ot     daosgo.ObjectType
		class  daosgo.ObjClass
		wantHi uint64
	}{
		{0, 0, daosgo.OTMultiHashed, daosgo.OCS1, 0x0001_0001_0000_0000},
		{1, 0, daosgo.OTMultiHashed, daosgo.OCSX, 0x0001_ffff_0000_0001},
		{0xdeadbeef, 7, daosgo.OTArrayByte, daosgo.OCS1, 0x0d01_0001_dead_beef},
		{0, 1, daosgo.OTKVHashed, daosgo.ObjClass(8<<24 | 1), 0x0808_0001_0000_0000}, // RP_2G1
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.ot, tc.class), func(t *testing.T) {
			o := daosgo.GenerateOID(tc.userHi, tc.lo, tc.ot, tc.class)
			assert.Equal(t, o.Hi, tc.wantHi)
			assert.Equal(t, o.Lo, tc.lo)
			assert.Equal(t, o.Type(), tc.ot)
			assert.Equal(t, o.Redundancy(), tc.class.Redundancy())
			assert.Equal(t, uint32(o.Groups()), tc.class.Groups())
			assert.Equal(t, o.UserHi(), tc.userHi)
			back, err := daosgo.ParseOID(o.String())
			assert.NilError(t, err)
			assert.Equal(t, back, o)
		})
	}
}

func TestObjectTypeKeys(t *testing.T) {
	assert.Assert(t, daosgo.OTArrayByte.DkeyUint64())
	assert.Assert(t, !daosgo.OTArrayByte.AkeyUint64())
	assert.Assert(t, daosgo.OTMultiUint64.AkeyUint64())
	assert.Assert(t, !daosgo.OTMultiHashed.DkeyUint64())
	assert.Assert(t, daosgo.OTKVHashed.IsKV())
	assert.Equal(t, daosgo.ObjectType(13).String(), "ARRAY_BYTE")
	assert.Equal(t, daosgo.ObjectType(99).String(), "OT(99)")
	assert.Assert(t, !daosgo.ObjectType(15).Valid())
}

func TestParseOIDErrors(t *testing.T) {
	for _, s := range []string{"", "12", "a.b", "1.2.3", "-1.0", "18446744073709551616.0"} {
		_, err := daosgo.ParseOID(s)
		assert.Assert(t, err != nil, "ParseOID(%q) accepted", s)
	}
}

func TestErrno(t *testing.T) {
	err := fmt.Errorf("open pool: %w", daosgo.Errorf(daosgo.ErrNonexist, "pool %q", "tank"))
	assert.Assert(t, errors.Is(err, daosgo.ErrNonexist))
	assert.Assert(t, !errors.Is(err, daosgo.ErrExist))
	assert.Equal(t, daosgo.Code(err), -1005)
	assert.Equal(t, err.Error(), `open pool: pool "tank": DER_NONEXIST(-1005): the specified entity does not exist`)
	assert.Equal(t, daosgo.Code(errors.New("plain")), 0)
	assert.Equal(t, daosgo.ErrnoFromCode(-2012), error(daosgo.ErrKey2Big))
	assert.Assert(t, daosgo.ErrnoFromCode(0) == nil)
	assert.Equal(t, daosgo.Errno(4242).Error(), "DER_UNKNOWN(-4242): unknown DAOS error")
	kb := &daosgo.KeyTooBigError{Need: 9}
	assert.Assert(t, errors.Is(kb, daosgo.ErrKey2Big))
}

func TestValidLabel(t *testing.T) {
	for _, ok := range []string{"tank", "a", "my_pool-1:x.y"} {
		assert.NilError(t, daosgo.ValidLabel(ok))
	}
	long := make([]byte, 128)
	for i := range long {
		long[i] = 'a'
	}
	for _, bad := range []string{"", "has space", "slash/", string(long), "8d5d2d2e-4b5f-4c2e-9a8e-0e7d1c2b3a4f"} {
		assert.ErrorIs(t, daosgo.ValidLabel(bad), daosgo.ErrInval, "label %q", bad)
	}
}

func TestParseProp(t *testing.T) {
	p, err := daosgo.ParseProp("layout_type:posix", false)
	assert.NilError(t, err)
	assert.Equal(t, p.ID, daosgo.PropContLayoutType)
	assert.Equal(t, p.Num, daosgo.LayoutPOSIX)
	assert.Equal(t, p.ValueString(), "POSIX")
	p, err = daosgo.ParseProp("label:tank", true)
	assert.NilError(t, err)
	assert.Equal(t, p.ID, daosgo.PropPoolLabel)
	assert.Equal(t, p.Str, "tank")
	p, err = daosgo.ParseProp("space_rb:0x10", true)
	assert.NilError(t, err)
	assert.Equal(t, p.Num, uint64(16))
	for _, bad := range []string{"nocolon", "nosuch:1", "space_rb:many", "layout_type:FORTRAN"} {
		_, err := daosgo.ParseProp(bad, bad != "layout_type:FORTRAN")
		assert.ErrorIs(t, err, daosgo.ErrInval, "%q", bad)
	}
	_, err = daosgo.ParseProp("roots:1", false)
	assert.ErrorIs(t, err, daosgo.ErrInval)
}

func TestPoolStatusNames(t *testing.T) {
	assert.Equal(t, daosgo.UpgradeNotStarted.PoolStatus(), "Online")
	assert.Equal(t, daosgo.UpgradeCompleted.PoolStatus(), "Online")
	assert.Equal(t, daosgo.UpgradeInProgress.PoolStatus(), "Upgrading")
	assert.Equal(t, daosgo.UpgradeFailed.PoolStatus(), "Failed")
	p := daosgo.NumProp(daosgo.PropPoolUpgradeStatus, 1)
	assert.Equal(t, p.Description(), "Pool status")
	assert.Equal(t, p.ValueString(), "Upgrading")
	assert.Equal(t, daosgo.NumProp(daosgo.PropPoolGlobalVersion, 2).Description(), "Pool version")
}

func TestUint64Key(t *testing.T) {
	k := daosgo.Uint64Key(0x0102)
	assert.DeepEqual(t, k, []byte{2, 1, 0, 0, 0, 0, 0, 0})
	n, err := daosgo.KeyUint64(k)
	assert.NilError(t, err)
	assert.Equal(t, n, uint64(0x0102))
	_, err = daosgo.KeyUint64([]byte{1})
	assert.ErrorIs(t, err, daosgo.ErrInval)
}
