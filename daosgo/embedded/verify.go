package embedded

import (
	"context"

	"github.com/daosgo/daosgo/daosgo"
)

var _ daosgo.Verifier = (*contHandle)(nil)

// VerifyObject checks every record of oid against its checksum. Record
// checksums exist from record format 2 on (layout version 4 with the
// default registry); in an older pool it fails DER_NOTSUPPORTED.
func (c *contHandle) VerifyObject(ctx context.Context, oid daosgo.OID) (int, error) {
	if c.p.fmt.Records < RecordsCsum {
		return 0, daosgo.Errorf(daosgo.ErrNotSupported,
			"pool %s has no record checksums in its layout; upgrade it (daosgo pool upgrade) to verify data", c.p.label)
	}
	o := &object{c: c, oid: oid, mode: daosgo.ObjRO}
	n := 0
	err := c.readCheck(ctx, func(t *tx) error {
		rows, err := t.query(`SELECT dkey, akey, idx, val, csum FROM recs WHERE `+objWhere, o.args()...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var dk, ak, val []byte
			var idx int64
			var csum any
			if err := rows.Scan(&dk, &ak, &idx, &val, &csum); err != nil {
				return err
			}
			if csum == nil {
				return daosgo.Errorf(daosgo.ErrCsum, "object %s: dkey %q akey %q record %d has no checksum",
					oid, daosgo.KeyString(apiKey(dk, oid.Type().DkeyUint64())), daosgo.KeyString(ak), idx)
			}
			if err := o.verify(dk, ak, idx, val, csum); err != nil {
				return err
			}
			n++
		}
		return rows.Err()
	})
	return n, err
}
