package embedded

import (
	"math/rand"
	"testing"

	"github.com/daosgo/daosgo/daosgo"
	"gotest.tools/v3/assert"
)

// TestSQLFunctionsMatchGo checks that the C functions SQLite runs during an
// upgrade compute exactly what the engine computes in Go on every write.
func TestSQLFunctionsMatchGo(t *testing.T) {
	_, e, _ := setup(t)
	_, s, err := e.resolve(bg, "pool")
	assert.NilError(t, err)
	rng := rand.New(rand.NewSource(1))
	assert.NilError(t, s.read(bg, func(tx *tx) error {
		for i := 0; i < 2000; i++ {
			class := []daosgo.ObjClass{daosgo.OCS1, daosgo.OCSX, daosgo.ObjClass(8<<24 | 3)}[i%3]
			oid := daosgo.GenerateOID(rng.Uint32(), rng.Uint64(), daosgo.ObjectType(i%15), class)
			dkey := make([]byte, rng.Intn(20)+1)
			rng.Read(dkey)
			val := make([]byte, rng.Intn(300))
			rng.Read(val)
			for _, p := range []uint32{PlacementV0, PlacementV1, PlacementV2} {
				var got int64
				assert.NilError(t, tx.row(`SELECT place(?, ?, ?, ?)`, []any{int64(p), int64(oid.Hi), int64(oid.Lo), dkey}, &got))
				assert.Equal(t, got, place(p, oid, dkey), "placement %d of %s/%x", p, oid, dkey)
			}
			var crc int64
			assert.NilError(t, tx.row(`SELECT crc32c(?)`, []any{val}, &crc))
			assert.Equal(t, crc, checksum(val))
		}
		return nil
	}))
}
