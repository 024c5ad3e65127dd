package daosgo

import "fmt"

// Redundancy is an object class's data protection (enum daos_obj_redun):
// replication RP_N or Reed-Solomon erasure coding EC_NPK.
type Redundancy uint8

// Redundancy classes, DAOS's values.
const (
	OrRP1 Redundancy = 1  // OR_RP_1: one replica, no protection
	OrRP2 Redundancy = 8  // OR_RP_2
	OrRP3 Redundancy = 9  // OR_RP_3
	OrRP4 Redundancy = 10 // OR_RP_4
	OrRP5 Redundancy = 11 // OR_RP_5
	OrRP6 Redundancy = 12 // OR_RP_6

	OrRS2P1  Redundancy = 32 // OR_RS_2P1
	OrRS2P2  Redundancy = 33
	OrRS4P1  Redundancy = 34
	OrRS4P2  Redundancy = 35
	OrRS8P1  Redundancy = 36
	OrRS8P2  Redundancy = 37
	OrRS16P1 Redundancy = 38
	OrRS16P2 Redundancy = 39
	OrRS4P3  Redundancy = 40
	OrRS8P3  Redundancy = 41
	OrRS16P3 Redundancy = 42
)

// shape is how a redundancy class lays a group out: replicas, or data and
// parity cells.
type shape struct {
	replicas     int // RP: copies; 0 for EC
	data, parity int // EC
}

var redundancies = map[Redundancy]shape{
	OrRP1: {replicas: 1}, OrRP2: {replicas: 2}, OrRP3: {replicas: 3},
	OrRP4: {replicas: 4}, OrRP5: {replicas: 5}, OrRP6: {replicas: 6},
	13: {replicas: 8}, 14: {replicas: 12}, 15: {replicas: 16}, 16: {replicas: 24},
	17: {replicas: 32}, 18: {replicas: 48}, 19: {replicas: 64}, 20: {replicas: 128},
	OrRS2P1: {data: 2, parity: 1}, OrRS2P2: {data: 2, parity: 2},
	OrRS4P1: {data: 4, parity: 1}, OrRS4P2: {data: 4, parity: 2},
	OrRS8P1: {data: 8, parity: 1}, OrRS8P2: {data: 8, parity: 2},
	OrRS16P1: {data: 16, parity: 1}, OrRS16P2: {data: 16, parity: 2},
	OrRS4P3: {data: 4, parity: 3}, OrRS8P3: {data: 8, parity: 3}, OrRS16P3: {data: 16, parity: 3},
}

// Known reports whether DAOS defines the redundancy class.
func (r Redundancy) Known() bool { _, ok := redundancies[r]; return ok }

// GroupSize is how many targets one redundancy group spans.
func (r Redundancy) GroupSize() int {
	s := redundancies[r]
	if s.replicas > 0 {
		return s.replicas
	}
	return s.data + s.parity
}

// Tolerates is how many failed targets of a group the class survives, as
// DAOS counts it when checking an object against its container's
// redundancy factor (dc_obj_redun_check).
func (r Redundancy) Tolerates() int {
	s := redundancies[r]
	if s.replicas > 0 {
		return s.replicas - 1
	}
	return s.parity
}

// DataCells is how many data cells an erasure-coded group has (0 for
// replication).
func (r Redundancy) DataCells() int { return redundancies[r].data }

// IsEC reports whether the class is erasure coded.
func (r Redundancy) IsEC() bool { return redundancies[r].data > 0 }

func (r Redundancy) String() string {
	s, ok := redundancies[r]
	switch {
	case !ok:
		return fmt.Sprintf("OR(%d)", uint8(r))
	case s.replicas > 0:
		return fmt.Sprintf("RP_%d", s.replicas)
	default:
		return fmt.Sprintf("EC_%dP%d", s.data, s.parity)
	}
}

// GroupsMax in a class's group count means "as many groups as the pool
// allows" (MAX_NUM_GROUPS, the X of OC_SX and OC_RP_2GX).
const GroupsMax = 1<<16 - 1

// MakeClass composes an object class from redundancy and group count
// (OBJ_CLASS_DEF).
func MakeClass(r Redundancy, groups uint32) ObjClass { return ObjClass(uint32(r)<<24 | groups) }

// String names the class as DAOS does: S1, SX, RP_2G1, EC_2P1GX.
func (c ObjClass) String() string {
	if c == OCUnknown {
		return "UNKNOWN"
	}
	r := Redundancy(c.Redundancy())
	if !r.Known() {
		return fmt.Sprintf("OC(%#x)", uint32(c))
	}
	g := fmt.Sprint(c.Groups())
	if c.Groups() == GroupsMax {
		g = "X"
	}
	if r == OrRP1 {
		return "S" + g
	}
	return r.String() + "G" + g
}

// RFTolerates is how many failures a container's redundancy factor asks
// every object to survive (daos_cont_rf2allowedfailures: rf N allows N).
func RFTolerates(rf uint64) int { return int(rf) }
