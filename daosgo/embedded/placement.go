package embedded

import (
	"encoding/binary"
	"hash/crc32"
	"hash/fnv"

	"github.com/daosgo/daosgo/daosgo"
)

// Format is the on-disk layout a pool's records follow.
type Format = daosgo.StorageFormat

// poolTargets is how many virtual targets a pool spreads its records over,
// as a DAOS pool spreads them over its engines' VOS targets.
const poolTargets = 8

// Placement algorithms (daosgo.StorageFormat.Placement), numbered as DAOS
// numbers object layout versions (DAOS_PROP_PO_OBJ_VERSION).
const (
	// PlacementV0 puts a record of a multi-group object on the target
	// after its object's home by the dkey's first bytes: dkeys that differ
	// in their low bits cluster, as DAOS's EC placement did before 2.4,
	// whose pools have no object layout version.
	PlacementV0 = 0
	// PlacementV1 spreads the records of multi-group objects with a jump
	// consistent hash of the object and a 32-bit CRC of the dkey, standing
	// for DAOS 2.4's object layout 1.
	PlacementV1 = 1
	// PlacementV2 feeds the jump consistent hash a 64-bit hash of the
	// whole dkey, standing for DAOS 2.8's object layout 2, where DAOS fixed
	// how its jump-consistent-hash placement called its CRC (DAOS-17843).
	PlacementV2 = 2
)

// Record formats (daosgo.StorageFormat.Records): 1 stores values alone,
// 2 adds a CRC32C of each value, verified on every read.
const (
	RecordsPlain = 1
	RecordsCsum  = 2
)

func hashOID(oid daosgo.OID) uint64 {
	h := fnv.New64a()
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:], oid.Hi)
	binary.LittleEndian.PutUint64(b[8:], oid.Lo)
	h.Write(b[:])
	return h.Sum64()
}

// place returns the target of a record under placement algorithm p. Objects
// of one redundancy group live on one target whatever the algorithm; only
// multi-group objects are affected by a placement change, and so migrated.
func place(p uint32, oid daosgo.OID, dkey []byte) int64 {
	home := hashOID(oid)
	if !affectedByPlacement(oid) {
		return int64(home % poolTargets)
	}
	switch p {
	case PlacementV0:
		var k uint64
		for i := 0; i < len(dkey) && i < 8; i++ {
			k |= uint64(dkey[i]) << (8 * i)
		}
		return int64((home + k) % poolTargets)
	case PlacementV1:
		return int64(jumpHash(home^uint64(crc32.Checksum(dkey, castagnoli)), poolTargets))
	default:
		h := fnv.New64a()
		h.Write(dkey)
		return int64(jumpHash(home^h.Sum64(), poolTargets))
	}
}

// affectedByPlacement reports whether an object's records move when the
// placement algorithm changes: those of objects striped over several groups.
func affectedByPlacement(oid daosgo.OID) bool { return oid.Groups() > 1 }

// jumpHash is Lamping and Veach's jump consistent hash.
func jumpHash(key uint64, buckets int32) int32 {
	var b, j int64 = -1, 0
	for j < int64(buckets) {
		b = j
		key = key*2862933555777941757 + 1
		j = int64(float64(b+1) * (float64(int64(1)<<31) / float64((key>>33)+1)))
	}
	return int32(b)
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// checksum is the per-record checksum of format RecordsCsum.
func checksum(val []byte) int64 { return int64(crc32.Checksum(val, castagnoli)) }

// recordCsum returns the value to store in the csum column: NULL before
// format RecordsCsum.
func recordCsum(f Format, val []byte) any {
	if f.Records < RecordsCsum {
		return nil
	}
	return checksum(val)
}
