package embedded

import "github.com/daosgo/daosgo/daosgo"

// An embedded pool stands for a DAOS pool of poolTargets targets on
// poolDomains engines (its fault domains), two targets each. The topology
// decides what DAOS would choose: the default redundancy factor of pools
// and containers, and the class of each generated object ID. The engine
// keeps one copy of every record whatever the class says, but it checks
// classes against the container's redundancy factor as libdaos does, so
// that a tool that hard-codes a class fails here as it would on a
// multi-engine DAOS system (single-engine test systems accept anything).
const (
	poolDomains      = 4
	targetsPerDomain = poolTargets / poolDomains
)

// FaultDomains is how many fault domains an embedded pool stands for.
const FaultDomains = poolDomains

// defaultPoolRF is the redundancy factor a new pool gets when none is
// asked for: DAOS_PROP_PO_REDUN_FAC_DEFAULT (3), lowered to what the pool's
// domains can meet (ds_pool's create path does the same).
func defaultPoolRF() uint64 { return min(3, poolDomains-1) }

// chooseClass is DAOS's choice of a class for an object of type t in a
// container of redundancy factor rf, without hints (dc_set_oclass): single
// replicas without protection, N+1 replicas for rf N, erasure coding for
// arrays where the domains allow it; one group, or for arrays and KVs as
// many as the targets allow, less a reserve for rebuild.
func chooseClass(rf uint64, t daosgo.ObjectType) (daosgo.Redundancy, uint32, error) {
	array := t.IsArray()
	var r daosgo.Redundancy
	switch rf {
	case 0:
		r = daosgo.OrRP1
	case 1:
		r = daosgo.OrRP2
		if array && poolDomains >= 3 {
			r = byDomains(daosgo.OrRS2P1, daosgo.OrRS4P1, daosgo.OrRS8P1, daosgo.OrRS16P1, 6, 10, 18)
		}
	case 2:
		r = daosgo.OrRP3
		if array && poolDomains >= 4 {
			r = byDomains(daosgo.OrRS2P2, daosgo.OrRS4P2, daosgo.OrRS8P2, daosgo.OrRS16P2, 8, 12, 20)
		}
	case 3:
		r = daosgo.OrRP4
		if array && poolDomains >= 10 {
			r = byDomains(daosgo.OrRS4P3, daosgo.OrRS4P3, daosgo.OrRS8P3, daosgo.OrRS16P3, 0, 14, 22)
		}
	default:
		r = daosgo.OrRP5
	}
	size := r.GroupSize()
	if size > poolDomains {
		return 0, 0, daosgo.Errorf(daosgo.ErrInval, "redundancy factor %d needs %s over %d fault domains; the pool has %d", rf, r, size, poolDomains)
	}
	if !array && !t.IsKV() {
		return r, 1, nil
	}
	return r, maxGroups(size, rf), nil
}

// byDomains picks the widest EC class the domains allow.
func byDomains(small, mid, large, huge daosgo.Redundancy, midAt, largeAt, hugeAt int) daosgo.Redundancy {
	switch {
	case poolDomains >= hugeAt:
		return huge
	case poolDomains >= largeAt:
		return large
	case midAt > 0 && poolDomains >= midAt:
		return mid
	}
	return small
}

// maxGroups is how many groups of size targets an object striped "over
// everything" (GX) gets: all that fit, less those reserved so that a
// rebuild after rf failed domains still finds room (reserve_grp_by_rf, for
// pools of fewer than 16 domains: rf domains are reserved).
func maxGroups(size int, rf uint64) uint32 {
	groups := poolTargets / size
	reserve := min(int(rf)*targetsPerDomain, poolTargets-size)
	reserveGroups := (reserve + size - 1) / size
	if groups > reserveGroups {
		groups -= reserveGroups
	}
	return uint32(max(1, groups))
}

// fitClass is DAOS's fit of an explicit class to the pool
// (daos_oclass_fit_max): a GX class gets the groups the targets allow; a
// group wider than the domains, or more groups than targets, is refused.
func fitClass(c daosgo.ObjClass, rf uint64) (daosgo.Redundancy, uint32, error) {
	r := daosgo.Redundancy(c.Redundancy())
	if !r.Known() {
		return 0, 0, daosgo.Errorf(daosgo.ErrInval, "object class %#x is unknown", uint32(c))
	}
	size := r.GroupSize()
	groups := c.Groups()
	if groups == daosgo.GroupsMax {
		groups = maxGroups(size, rf)
	}
	if size > poolDomains {
		return 0, 0, daosgo.Errorf(daosgo.ErrInval, "object class %s spans %d fault domains; the pool has %d", c, size, poolDomains)
	}
	if int(groups)*size > poolTargets {
		return 0, 0, daosgo.Errorf(daosgo.ErrInval, "object class %s needs %d targets; the pool has %d", c, int(groups)*size, poolTargets)
	}
	return r, groups, nil
}

// checkRedundancy is libdaos's check when an object is opened
// (dc_obj_redun_check): its class must survive as many failures as the
// container's redundancy factor asks.
func checkRedundancy(oid daosgo.OID, rf uint64) error {
	r := daosgo.Redundancy(oid.Redundancy())
	if !r.Known() {
		return daosgo.Errorf(daosgo.ErrInval, "object %s has unknown redundancy class %d", oid, oid.Redundancy())
	}
	if r.Tolerates() < daosgo.RFTolerates(rf) {
		return daosgo.Errorf(daosgo.ErrInval, "object %s is %s, which survives %d failures, but its container's redundancy factor is %d: choose the class for the container (GenerateOID with OCUnknown)",
			oid, r, r.Tolerates(), rf)
	}
	return nil
}
