package pydaos

import (
	"context"
	"encoding/hex"
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/daosgo/daosgo/daosgo"
	"github.com/daosgo/daosgo/daosgo/embedded/embeddedtest"
	"gotest.tools/v3/assert"
)

var ctx = context.Background()

func newPy(t testing.TB) (*Container, daosgo.Pool) {
	t.Helper()
	p := embeddedtest.Pool(t, 1<<30, nil)
	_, err := CreateContainer(ctx, p, "py")
	assert.NilError(t, err)
	c, err := p.OpenContainer(ctx, "py", daosgo.ContRW)
	assert.NilError(t, err)
	pc, err := Open(ctx, c, daosgo.ObjRW)
	assert.NilError(t, err)
	return pc, p
}

// goldenRecord is struct pydaos_df written out by hand: oid {lo, hi},
// otype u32, res1 u32, res2 u64[5], little-endian.
var goldenRecord = "2a00000000000000" + // oid.lo = 42
	"0700000001000108" + // oid.hi = 0x0801000100000007: KV_HASHED, redundancy 1, groups 1, user 7
	"00000000" + // otype = PYDAOS_DICT
	"00000000" + // res1
	strings.Repeat("0000000000000000", 5) // res2[5]

func TestRecordGolden(t *testing.T) {
	want, _ := hex.DecodeString(goldenRecord)
	assert.Equal(t, len(want), RecordSize)
	r := Record{OID: daosgo.GenerateOID(7, 42, daosgo.OTKVHashed, daosgo.OCS1), Kind: Dict}
	assert.DeepEqual(t, r.Encode(), want)
	back, err := DecodeRecord(want)
	assert.NilError(t, err)
	assert.Equal(t, back, r)
}

func TestDecodeRejects(t *testing.T) {
	good, _ := hex.DecodeString(goldenRecord)
	badKind := append([]byte(nil), good...)
	badKind[16] = 9
	wrongType := Record{OID: daosgo.GenerateOID(7, 42, daosgo.OTArrayByte, daosgo.OCS1), Kind: Dict}.Encode()
	for name, b := range map[string][]byte{"short": good[:10], "kind": badKind, "type": wrongType} {
		_, err := DecodeRecord(b)
		var c *ErrCorrupt
		assert.Assert(t, errors.As(err, &c), "%s: %v", name, err)
	}
}

func TestRootOID(t *testing.T) {
	// DAOS gives a container roots[0] = OID 0.0 of type MULTI_HASHED; PyDAOS
	// opens it as a KV.
	plain := daosgo.GenerateOID(0, 0, daosgo.OTMultiHashed, daosgo.OCS1)
	root := RootOID(daosgo.Roots{plain})
	assert.Equal(t, root.Type(), daosgo.OTKVHashed)
	assert.Equal(t, root.Redundancy(), plain.Redundancy())
	assert.Equal(t, RootOID(daosgo.Roots{root}), root)
}

func TestDicts(t *testing.T) {
	pc, _ := newPy(t)
	d, err := pc.NewDict(ctx, "people")
	assert.NilError(t, err)
	assert.NilError(t, d.Put(ctx, "ada", []byte("lovelace")))
	assert.NilError(t, d.Put(ctx, "alan", []byte("turing")))
	v, err := d.Get(ctx, "ada")
	assert.NilError(t, err)
	assert.Equal(t, string(v), "lovelace")
	keys, err := d.Keys(ctx)
	assert.NilError(t, err)
	sort.Strings(keys)
	assert.DeepEqual(t, keys, []string{"ada", "alan"})
	assert.NilError(t, d.Remove(ctx, "alan"))
	_, err = d.Get(ctx, "alan")
	assert.ErrorIs(t, err, daosgo.ErrNonexist)

	_, err = pc.NewDict(ctx, "people")
	assert.ErrorIs(t, err, daosgo.ErrExist)

	// What PyDAOS 2.8's DCont.array() leaves: a record of kind array
	// with an ARRAY object ID, and no object.
	aoid, err := pc.Cont().GenerateOID(ctx, 101, 0, daosgo.OTArray, daosgo.OCUnknown)
	assert.NilError(t, err)
	arr := Record{OID: aoid, Kind: Array}
	assert.NilError(t, pc.Link(ctx, "vec", arr))
	names, err := pc.AllNames(ctx)
	assert.NilError(t, err)
	sort.Strings(names)
	assert.DeepEqual(t, names, []string{"people", "vec"})
	rec, err := pc.Lookup(ctx, "vec")
	assert.NilError(t, err)
	assert.Equal(t, rec, arr)

	// The root KV holds the 64-byte record under akey "0", as PyDAOS reads it.
	o, _ := pc.Cont().OpenObject(ctx, pc.RootOID(), daosgo.ObjRO)
	raw, err := daosgo.GetSingle(ctx, o, []byte("people"), "0")
	assert.NilError(t, err)
	assert.Equal(t, len(raw), RecordSize)

	assert.NilError(t, pc.Remove(ctx, "vec"))
	_, err = pc.Lookup(ctx, "vec")
	assert.ErrorIs(t, err, daosgo.ErrNonexist)
}

func TestOpenRejects(t *testing.T) {
	_, p := newPy(t)
	_, err := p.CreateContainer(ctx, "plain", daosgo.Props{daosgo.NumProp(daosgo.PropContLayoutType, daosgo.LayoutPOSIX)})
	assert.NilError(t, err)
	c, _ := p.OpenContainer(ctx, "plain", daosgo.ContRO)
	_, err = Open(ctx, c, daosgo.ObjRO)
	assert.ErrorIs(t, err, daosgo.ErrNotSupported)
	_, err = p.CreateContainer(ctx, "noroot", daosgo.Props{daosgo.NumProp(daosgo.PropContLayoutType, daosgo.LayoutPython)})
	assert.NilError(t, err)
	c, _ = p.OpenContainer(ctx, "noroot", daosgo.ContRO)
	_, err = Open(ctx, c, daosgo.ObjRO)
	assert.ErrorIs(t, err, daosgo.ErrInval)
}

func FuzzDecodeRecord(f *testing.F) {
	good, _ := hex.DecodeString(goldenRecord)
	f.Add(good)
	f.Add(Record{OID: daosgo.GenerateOID(1, 2, daosgo.OTArray, daosgo.OCSX), Kind: Array}.Encode())
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeRecord(b)
		if err == nil && string(r.Encode()[:20]) != string(b[:20]) {
			t.Fatalf("round trip changed the record")
		}
	})
}
