package daosgo

import "time"

// DAOS epochs are hybrid logical clock values (gurt's d_hlc): the physical
// time since 2021-01-01 UTC in units of 1/16 ns, whose low 18 bits are
// replaced by a logical counter. Snapshot epochs are such values, so a
// snapshot's time can be read from its epoch on any backend.
const (
	hlcStartSec    = 1609459200 // D_HLC_START_SEC: 2021-01-01T00:00:00Z
	hlcPerNsec     = 16         // D_HLC_NSEC
	hlcLogicalMask = 0x3ffff    // D_HLC_MASK: the 18 logical bits
)

// EpochTime returns the wall-clock time an epoch stands for
// (d_hlc2unixnsec); the zero epoch gives the zero time.
func EpochTime(epoch uint64) time.Time {
	if epoch == 0 {
		return time.Time{}
	}
	return time.Unix(hlcStartSec, int64(epoch/hlcPerNsec)).UTC()
}

// TimeEpoch returns the epoch of time t with a zero logical part, as
// d_hlc_get would have issued it at t: what an engine uses to number
// epochs as DAOS does.
func TimeEpoch(t time.Time) uint64 {
	ns := t.Sub(time.Unix(hlcStartSec, 0))
	if ns < 0 {
		return 0
	}
	return uint64(ns) * hlcPerNsec &^ hlcLogicalMask
}
