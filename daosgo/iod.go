package daosgo

import (
	"bytes"
	"cmp"
	"slices"
)

// CheckIODs checks the IODs of an update (update set) or a fetch before any
// backend sees them, so that bad input fails the same clear way on every
// backend, before any C call: no IOD, an empty akey, a single value whose
// size is not its buffer's, an array without extents or records, extents
// that overflow or overlap (DER_INVAL), a buffer too short for the extents
// (DER_IO_INVAL), and an update naming an akey twice (DER_NO_PERM, as DAOS
// refuses it).
func CheckIODs(iods []IOD, update bool) error {
	if len(iods) == 0 {
		return Errorf(ErrInval, "no IOD given")
	}
	for i := range iods {
		d := &iods[i]
		if len(d.Akey) == 0 {
			return Errorf(ErrInval, "IOD %d has an empty akey", i)
		}
		switch d.Type {
		case IODSingle:
			if update && d.Size != uint64(len(d.Data)) {
				return Errorf(ErrInval, "akey %q: single value size %d does not match its %d-byte buffer", d.Akey, d.Size, len(d.Data))
			}
		case IODArray:
			if len(d.Recxs) == 0 {
				return Errorf(ErrInval, "akey %q: array IOD without extents", d.Akey)
			}
			if update && d.Size == 0 {
				return Errorf(ErrInval, "akey %q: array record size is 0", d.Akey)
			}
			var total uint64
			for _, r := range d.Recxs {
				if r.Nr == 0 {
					return Errorf(ErrInval, "akey %q: empty extent at %d", d.Akey, r.Idx)
				}
				if r.Idx+r.Nr < r.Idx || r.Idx+r.Nr > 1<<62 {
					return Errorf(ErrOverflow, "akey %q: extent [%d, +%d) out of range", d.Akey, r.Idx, r.Nr)
				}
				total += r.Nr
			}
			if (update || d.Size != 0) && uint64(len(d.Data)) < total*d.Size {
				return Errorf(ErrIOInval, "akey %q: %d records of %d bytes need %d bytes, buffer has %d",
					d.Akey, total, d.Size, total*d.Size, len(d.Data))
			}
			if update {
				if err := checkNoOverlap(d); err != nil {
					return err
				}
			}
		default:
			return Errorf(ErrInval, "akey %q: IOD type %d", d.Akey, d.Type)
		}
	}
	if update {
		return checkDistinctAkeys(iods)
	}
	return nil
}

// checkNoOverlap refuses an update IOD whose extents overlap each other, as
// libdaos does (DER_INVAL).
func checkNoOverlap(d *IOD) error {
	rs := slices.Clone(d.Recxs)
	slices.SortFunc(rs, func(a, b Recx) int { return cmp.Compare(a.Idx, b.Idx) })
	for i := 1; i < len(rs); i++ {
		if rs[i].Idx < rs[i-1].End() {
			return Errorf(ErrInval, "akey %q: extents [%d, +%d) and [%d, +%d) overlap", d.Akey, rs[i-1].Idx, rs[i-1].Nr, rs[i].Idx, rs[i].Nr)
		}
	}
	return nil
}

// checkDistinctAkeys refuses an update naming an akey twice, as DAOS does
// (DER_NO_PERM).
func checkDistinctAkeys(iods []IOD) error {
	for i := range iods {
		for _, prev := range iods[:i] {
			if bytes.Equal(prev.Akey, iods[i].Akey) {
				return Errorf(ErrNoPerm, "akey %q is given twice in one update", KeyString(iods[i].Akey))
			}
		}
	}
	return nil
}
