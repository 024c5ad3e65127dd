package embedded

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"sort"
	"sync/atomic"
	"time"

	"github.com/daosgo/daosgo/daosgo"
)

// object is an object handle. Opening one touches no storage, as in DAOS;
// each operation checks the container handle in its own transaction, or,
// for an object opened through a transaction (tx set), joins it.
type object struct {
	c      *contHandle
	oid    daosgo.OID
	mode   daosgo.ObjMode
	tx     *txHandle
	closed atomic.Bool
}

var _ daosgo.Object = (*object)(nil)

func (o *object) OID() daosgo.OID { return o.oid }

// Close releases the handle; a second close fails DER_NO_HDL, as
// daos_obj_close of a closed handle does.
func (o *object) Close() error {
	if o.closed.Swap(true) {
		return o.closedErr()
	}
	o.c.open.Add(-1)
	return nil
}

func (o *object) closedErr() error {
	return daosgo.Errorf(daosgo.ErrNoHdl, "object %s: handle closed", o.oid)
}

// Keys are stored so that memcmp order is DAOS's order: integer keys of
// uint64-keyed object types are turned from host (little-endian) order into
// big-endian bytes.

func storeKey(k []byte, integer bool, what string) ([]byte, error) {
	if len(k) == 0 {
		return nil, daosgo.Errorf(daosgo.ErrInval, "%s is empty", what)
	}
	if !integer {
		return k, nil
	}
	if len(k) != 8 {
		return nil, daosgo.Errorf(daosgo.ErrInval, "%s must be an 8-byte integer for this object type, got %d bytes", what, len(k))
	}
	return binary.BigEndian.AppendUint64(nil, binary.LittleEndian.Uint64(k)), nil
}

func apiKey(k []byte, integer bool) []byte {
	if !integer || len(k) != 8 {
		return k
	}
	return binary.LittleEndian.AppendUint64(nil, binary.BigEndian.Uint64(k))
}

func (o *object) dkey(k []byte) ([]byte, error) {
	return storeKey(k, o.oid.Type().DkeyUint64(), "dkey")
}
func (o *object) akey(k []byte) ([]byte, error) {
	return storeKey(k, o.oid.Type().AkeyUint64(), "akey")
}

// objArgs are the leading arguments of every per-object query.
func (o *object) args(more ...any) []any {
	return append([]any{o.c.c.id, int64(o.oid.Hi), int64(o.oid.Lo)}, more...)
}

const objWhere = `cont = ? AND hi = ? AND lo = ?`

// write runs fn in a transaction of its own, or queues it in the object's
// transaction. Callers of a queued write must not let fn depend on buffers
// the caller may reuse (see cloneIODs).
func (o *object) write(ctx context.Context, fn func(*tx) error) error {
	if o.closed.Load() {
		return o.closedErr()
	}
	if o.mode != daosgo.ObjRW {
		return daosgo.Errorf(daosgo.ErrNoPerm, "object %s is open read-only", o.oid)
	}
	if o.tx != nil {
		if ctx.Err() != nil {
			return daosgo.CanceledError(ctx, "object "+o.oid.String())
		}
		return o.tx.add(fn)
	}
	return o.c.writeCheck(ctx, fn)
}

// read runs fn in a read transaction. Reads through a transaction see the
// committed state, not the transaction's own writes, as in DAOS.
func (o *object) read(ctx context.Context, fn func(*tx) error) error {
	if o.closed.Load() {
		return o.closedErr()
	}
	if o.tx != nil {
		if err := o.tx.usable(); err != nil {
			return err
		}
	}
	return o.c.readCheck(ctx, fn)
}

func exists(t *tx, query string, args []any) (bool, error) {
	var one int
	err := t.row(query, args, &one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// akeyKindQuery finds any row of an akey: whether it exists, and of which
// kind. An akey holds a single value (idx -1) or array extents, never both,
// so any row answers; without an ORDER BY SQLite stops at the first one,
// several times faster than asking for the lowest idx.
const akeyKindQuery = `SELECT idx, rsize FROM recs WHERE ` + objWhere + ` AND dkey = ? AND akey = ? LIMIT 1`

func rowCost(dkey, akey, val []byte) int64 { return int64(len(dkey) + len(akey) + len(val)) }

// Update writes all IODs under dkey in one transaction. A single value of
// size 0 punches the akey: it reads as size 0 afterwards, as in DAOS.
func (o *object) Update(ctx context.Context, dkey []byte, flags daosgo.CondFlags, iods []daosgo.IOD) error {
	if o.tx != nil { // the write runs at the commit: keep a copy
		dkey, iods = bytes.Clone(dkey), cloneIODs(iods)
	}
	dk, err := o.dkey(dkey)
	if err != nil {
		return err
	}
	if err := daosgo.CheckIODs(iods, true); err != nil {
		return err
	}
	return o.write(ctx, func(t *tx) error {
		newDkey := false // known to hold nothing yet
		if flags&(daosgo.CondDkeyInsert|daosgo.CondDkeyUpdate) != 0 {
			ok, err := exists(t, `SELECT 1 FROM recs WHERE `+objWhere+` AND dkey = ? LIMIT 1`, o.args(dk))
			if err != nil {
				return err
			}
			if ok && flags&daosgo.CondDkeyInsert != 0 {
				return daosgo.Errorf(daosgo.ErrExist, "object %s: dkey %q", o.oid, daosgo.KeyString(dkey))
			}
			if !ok && flags&daosgo.CondDkeyUpdate != 0 {
				return daosgo.Errorf(daosgo.ErrNonexist, "object %s: dkey %q", o.oid, daosgo.KeyString(dkey))
			}
			newDkey = !ok
		}
		// Every akey of a dkey lives on the same target.
		tgt := place(o.c.p.fmt.Placement, o.oid, dk)
		var delta int64
		for i := range iods {
			d, err := o.updateIOD(t, dk, tgt, flags, newDkey, &iods[i])
			if err != nil {
				return err
			}
			delta += d
		}
		charge(t, tgt, delta)
		return nil
	})
}

// punched records a punch of the object or of some of its keys at the
// current epoch: DAOS raises an object's vo_max_write with punches as
// with updates, whose epochs its records keep.
func (o *object) punched(t *tx) error {
	_, err := t.exec(`INSERT INTO punch_epochs(cont, hi, lo, epoch) VALUES(?, ?, ?, ?)
		ON CONFLICT(cont, hi, lo) DO UPDATE SET epoch = MAX(epoch, excluded.epoch)`,
		o.args(nowEpoch())...)
	return err
}

// nowEpoch is the epoch of a write made now: the time's, or one more than
// the last this process gave if the clock has not moved past it, as DAOS's
// hybrid logical clock counts within a tick (d_hlc_get).
func nowEpoch() int64 {
	now := int64(daosgo.TimeEpoch(time.Now()))
	for {
		last := lastEpoch.Load()
		next := max(now, last+1)
		if lastEpoch.CompareAndSwap(last, next) {
			return next
		}
	}
}

var lastEpoch atomic.Int64

// QueryMaxEpoch answers the epoch of the object's latest write, an update
// (its newest record's) or a punch, 0 if none.
func (o *object) QueryMaxEpoch(ctx context.Context) (uint64, error) {
	var epoch int64
	err := o.read(ctx, func(t *tx) error {
		return t.row(`SELECT MAX(COALESCE((SELECT MAX(epoch) FROM recs WHERE `+objWhere+`), 0),
			COALESCE((SELECT epoch FROM punch_epochs WHERE `+objWhere+`), 0))`, o.args(o.args()...), &epoch)
	})
	return uint64(epoch), err
}

// updateIOD applies one IOD and returns the change in stored bytes.
func (o *object) updateIOD(t *tx, dk []byte, tgt int64, flags daosgo.CondFlags, newDkey bool, iod *daosgo.IOD) (int64, error) {
	ak, err := o.akey(iod.Akey)
	if err != nil {
		return 0, err
	}
	var firstIdx, firstSize int64
	found := false
	if !newDkey || len(iod.Recxs) > 1 || iod.Type == daosgo.IODSingle {
		err = t.row(akeyKindQuery, o.args(dk, ak), &firstIdx, &firstSize)
		found = err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
	}
	if found && flags&daosgo.CondAkeyInsert != 0 {
		return 0, daosgo.Errorf(daosgo.ErrExist, "object %s: akey %q", o.oid, daosgo.KeyString(iod.Akey))
	}
	if !found && flags&daosgo.CondAkeyUpdate != 0 {
		return 0, daosgo.Errorf(daosgo.ErrNonexist, "object %s: akey %q", o.oid, daosgo.KeyString(iod.Akey))
	}
	if iod.Type == daosgo.IODSingle {
		if found && firstIdx >= 0 {
			return 0, daosgo.Errorf(daosgo.ErrNoPerm, "object %s: akey %q holds an array, not a single value", o.oid, daosgo.KeyString(iod.Akey))
		}
		var old int64
		if found {
			old = rowCost(dk, ak, make([]byte, firstSize))
		}
		if iod.Size == 0 { // DAOS: a zero-size single value punches the akey
			if _, err := t.exec(`DELETE FROM recs WHERE `+objWhere+` AND dkey = ? AND akey = ?`, o.args(dk, ak)...); err != nil {
				return 0, err
			}
			if err := o.punched(t); err != nil {
				return 0, err
			}
			return -old, o.keepIfHollow(t)
		}
		_, err := t.exec(`INSERT OR REPLACE INTO recs(cont, hi, lo, dkey, akey, idx, rsize, val, tgt, csum, epoch) VALUES(?, ?, ?, ?, ?, -1, ?, ?, ?, ?, ?)`,
			o.args(dk, ak, int64(len(iod.Data)), iod.Data, tgt, recordCsum(o.c.p.fmt, iod.Data), nowEpoch())...)
		return rowCost(dk, ak, iod.Data) - old, err
	}
	if found && firstIdx < 0 {
		return 0, daosgo.Errorf(daosgo.ErrNoPerm, "object %s: akey %q holds a single value, not an array", o.oid, daosgo.KeyString(iod.Akey))
	}
	if found && uint64(firstSize) != iod.Size {
		return 0, daosgo.Errorf(daosgo.ErrInval, "object %s: akey %q has %d-byte records, not %d", o.oid, daosgo.KeyString(iod.Akey), firstSize, iod.Size)
	}
	var delta int64
	off := uint64(0)
	for _, r := range iod.Recxs {
		n := r.Nr * iod.Size
		d, err := o.writeExtent(t, dk, ak, tgt, int64(iod.Size), int64(r.Idx), iod.Data[off:off+n], found)
		if err != nil {
			return 0, err
		}
		delta += d
		off += n
	}
	return delta, nil
}

// extent is one stored array extent.
type extent struct {
	idx   int64
	rsize int64
	data  []byte
	csum  *int64
}

// overlapping returns the extents of an akey that intersect [start, end),
// ordered by index. Extents never overlap each other, so at most one starts
// before start: the one with the greatest index at or below it, found with
// an indexed MAX; the others start inside the range. (Asking SQLite for the
// same with ORDER BY ... LIMIT was ten times slower.)
func (o *object) overlapping(t *tx, dk, ak []byte, rsize, start, end int64) ([]extent, error) {
	var out []extent
	var before any
	if start == 0 { // no extent starts before 0: one range scan does
		return o.extentsIn(t, dk, ak, -1, end)
	}
	if err := t.row(`SELECT MAX(idx) FROM recs WHERE `+objWhere+` AND dkey = ? AND akey = ? AND idx >= 0 AND idx <= ?`,
		o.args(dk, ak, start), &before); err != nil {
		return nil, err
	}
	if b, ok := before.(int64); ok {
		e, err := o.extentAt(t, dk, ak, b)
		if err != nil {
			return nil, err
		}
		if e.idx+int64(len(e.data))/rsize > start {
			out = append(out, e)
		}
	}
	in, err := o.extentsIn(t, dk, ak, start, end)
	return append(out, in...), err
}

// extentsIn returns the extents of an akey starting in (after, end), in
// index order.
func (o *object) extentsIn(t *tx, dk, ak []byte, after, end int64) ([]extent, error) {
	rows, err := t.query(`SELECT idx, rsize, val, csum FROM recs WHERE `+objWhere+` AND dkey = ? AND akey = ? AND idx > ? AND idx < ?`,
		o.args(dk, ak, after, end)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []extent
	for rows.Next() {
		e, err := scanExtent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].idx < out[j].idx })
	return out, nil
}

func (o *object) extentAt(t *tx, dk, ak []byte, idx int64) (extent, error) {
	rows, err := t.query(`SELECT idx, rsize, val, csum FROM recs WHERE `+objWhere+` AND dkey = ? AND akey = ? AND idx = ?`, o.args(dk, ak, idx)...)
	if err != nil {
		return extent{}, err
	}
	defer rows.Close()
	if !rows.Next() {
		if rows.Err() != nil {
			return extent{}, rows.Err()
		}
		return extent{}, daosgo.Errorf(daosgo.ErrIO, "object %s: extent at %d vanished", o.oid, idx)
	}
	return scanExtent(rows)
}

func scanExtent(rows *rows) (extent, error) {
	var e extent
	var csum any
	if err := rows.Scan(&e.idx, &e.rsize, &e.data, &csum); err != nil {
		return e, err
	}
	if c, ok := csum.(int64); ok {
		e.csum = &c
	}
	return e, nil
}

// writeExtent stores data as records [idx, idx+len/rsize), trimming the
// extents it overlaps, and returns the change in stored bytes.
//
// When the akey held nothing before this update (existing false), there is
// nothing to trim and the overlap search is skipped: the common case of a
// new DFS entry's inode or the first write to a file chunk.
func (o *object) writeExtent(t *tx, dk, ak []byte, tgt, rsize, idx int64, data []byte, existing bool) (int64, error) {
	end := idx + int64(len(data))/rsize
	var olds []extent
	if existing {
		var err error
		if olds, err = o.overlapping(t, dk, ak, rsize, idx, end); err != nil {
			return 0, err
		}
	}
	var delta int64
	epoch := nowEpoch()
	put := func(at int64, b []byte) error {
		delta += rowCost(dk, ak, b)
		_, err := t.exec(`INSERT OR REPLACE INTO recs(cont, hi, lo, dkey, akey, idx, rsize, val, tgt, csum, epoch) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			o.args(dk, ak, at, rsize, b, tgt, recordCsum(o.c.p.fmt, b), epoch)...)
		return err
	}
	for _, e := range olds {
		delta -= rowCost(dk, ak, e.data)
		if _, err := t.exec(`DELETE FROM recs WHERE `+objWhere+` AND dkey = ? AND akey = ? AND idx = ?`, o.args(dk, ak, e.idx)...); err != nil {
			return 0, err
		}
		eEnd := e.idx + int64(len(e.data))/rsize
		if e.idx < idx { // the part before the new extent survives
			if err := put(e.idx, e.data[:(idx-e.idx)*rsize]); err != nil {
				return 0, err
			}
		}
		if eEnd > end { // and the part after it
			if err := put(end, e.data[(end-e.idx)*rsize:]); err != nil {
				return 0, err
			}
		}
	}
	if err := put(idx, data); err != nil {
		return 0, err
	}
	return delta, nil
}

// Fetch reads all IODs under dkey from one consistent view.
func (o *object) Fetch(ctx context.Context, dkey []byte, flags daosgo.CondFlags, iods []daosgo.IOD) error {
	dk, err := o.dkey(dkey)
	if err != nil {
		return err
	}
	if err := daosgo.CheckIODs(iods, false); err != nil {
		return err
	}
	return o.read(ctx, func(t *tx) error {
		found := false
		for i := range iods {
			if err := o.fetchIOD(t, dk, flags, &iods[i]); err != nil {
				return err
			}
			found = found || iods[i].Size != 0
		}
		// A value found proves the dkey exists; only when none was does
		// the condition need asking.
		if flags&daosgo.CondDkeyFetch != 0 && !found {
			ok, err := exists(t, `SELECT 1 FROM recs WHERE `+objWhere+` AND dkey = ? LIMIT 1`, o.args(dk))
			if err != nil {
				return err
			}
			if !ok {
				return daosgo.Errorf(daosgo.ErrNonexist, "object %s: dkey %q", o.oid, daosgo.KeyString(dkey))
			}
		}
		return nil
	})
}

func (o *object) fetchIOD(t *tx, dk []byte, flags daosgo.CondFlags, iod *daosgo.IOD) error {
	ak, err := o.akey(iod.Akey)
	if err != nil {
		return err
	}
	triedExtents := false
	if iod.Type == daosgo.IODArray && iod.Size != 0 && iod.Data != nil {
		// The caller knows the record size, as DFS does: read the extents
		// straight away, and ask what the akey holds only if none is found.
		found, err := o.readExtents(t, dk, ak, iod)
		if err != nil || found {
			return err
		}
		triedExtents = true
	}
	var firstIdx, rsize int64
	err = t.row(akeyKindQuery, o.args(dk, ak), &firstIdx, &rsize)
	if errors.Is(err, sql.ErrNoRows) {
		if flags&daosgo.CondAkeyFetch != 0 {
			return daosgo.Errorf(daosgo.ErrNonexist, "object %s: akey %q", o.oid, daosgo.KeyString(iod.Akey))
		}
		iod.Size = 0
		return nil
	}
	if err != nil {
		return err
	}
	// As in DAOS, a fetch of the other kind than the akey holds finds
	// nothing: size 0.
	if (iod.Type == daosgo.IODSingle) != (firstIdx < 0) {
		iod.Size = 0
		return nil
	}
	if iod.Type == daosgo.IODSingle {
		iod.Size = uint64(rsize)
		if iod.Data == nil {
			return nil // the caller asked for the size only
		}
		if uint64(len(iod.Data)) < iod.Size {
			return &daosgo.RecTooBigError{Akey: iod.Akey, Size: iod.Size}
		}
		var val []byte
		var csum any
		if err := t.row(`SELECT val, csum FROM recs WHERE `+objWhere+` AND dkey = ? AND akey = ? AND idx = -1`, o.args(dk, ak), &val, &csum); err != nil {
			return err
		}
		if err := o.verify(dk, iod.Akey, -1, val, csum); err != nil {
			return err
		}
		copy(iod.Data, val)
		return nil
	}
	if iod.Size != 0 && iod.Size != uint64(rsize) {
		return daosgo.Errorf(daosgo.ErrInval, "object %s: akey %q has %d-byte records, not %d", o.oid, daosgo.KeyString(iod.Akey), rsize, iod.Size)
	}
	if iod.Data == nil || triedExtents {
		// The size only, or the extents were read already: none is in range.
		iod.Size = uint64(rsize)
		if triedExtents {
			iod.Size = 0
		}
		return nil
	}
	withSize := *iod
	withSize.Size = uint64(rsize)
	found, err := o.readExtents(t, dk, ak, &withSize)
	if err != nil {
		return err
	}
	iod.Size = 0
	if found {
		iod.Size = uint64(rsize)
	}
	return nil
}

// verify checks a record against its stored checksum, if it has one.
func (o *object) verify(dk, akey []byte, idx int64, val []byte, csum any) error {
	want, ok := csum.(int64)
	if !ok || checksum(val) == want {
		return nil
	}
	return daosgo.Errorf(daosgo.ErrCsum, "object %s: dkey %q akey %q record %d does not match its checksum",
		o.oid, daosgo.KeyString(apiKey(dk, o.oid.Type().DkeyUint64())), daosgo.KeyString(akey), idx)
}

// readExtents copies the records of an array IOD of known record size into
// its buffer and reports whether any was found.
func (o *object) readExtents(t *tx, dk, ak []byte, iod *daosgo.IOD) (bool, error) {
	rsize := int64(iod.Size)
	var total uint64
	for _, r := range iod.Recxs {
		total += r.Nr
	}
	if uint64(len(iod.Data)) < total*iod.Size {
		return false, daosgo.Errorf(daosgo.ErrIOInval, "akey %q: %d records of %d bytes need %d bytes, buffer has %d",
			iod.Akey, total, rsize, total*iod.Size, len(iod.Data))
	}
	found := false
	off := int64(0)
	for _, r := range iod.Recxs {
		start, end := int64(r.Idx), int64(r.End())
		exts, err := o.overlapping(t, dk, ak, rsize, start, end)
		if err != nil {
			return false, err
		}
		for _, e := range exts {
			if e.rsize != rsize {
				return false, daosgo.Errorf(daosgo.ErrInval, "object %s: akey %q has %d-byte records, not %d", o.oid, daosgo.KeyString(iod.Akey), e.rsize, rsize)
			}
			var csum any
			if e.csum != nil {
				csum = *e.csum
			}
			if err := o.verify(dk, iod.Akey, e.idx, e.data, csum); err != nil {
				return false, err
			}
			eEnd := e.idx + int64(len(e.data))/rsize
			lo, hi := max(e.idx, start), min(eEnd, end)
			copy(iod.Data[off+(lo-start)*rsize:off+(hi-start)*rsize], e.data[(lo-e.idx)*rsize:(hi-e.idx)*rsize])
			found = true
		}
		off += (end - start) * rsize
	}
	return found, nil
}

func (o *object) Punch(ctx context.Context) error {
	return o.write(ctx, func(t *tx) error {
		if err := o.punch(t, ``, nil, false, ""); err != nil {
			return err
		}
		if _, err := t.exec(`DELETE FROM hollow WHERE `+objWhere, o.args()...); err != nil {
			return err
		}
		return o.punched(t)
	})
}

// keepIfHollow records the object as existing after a punch of its keys
// took its last value, as a DAOS object outlives its keys.
func (o *object) keepIfHollow(t *tx) error {
	left, err := exists(t, `SELECT 1 FROM recs WHERE `+objWhere+` LIMIT 1`, o.args())
	if err != nil || left {
		return err
	}
	_, err = t.exec(`INSERT OR IGNORE INTO hollow(cont, hi, lo) VALUES(?, ?, ?)`, o.args()...)
	return err
}

// punch deletes the rows matching objWhere+extra and charges back their
// bytes; with cond it fails DER_NONEXIST when there were none.
func (o *object) punch(t *tx, extra string, args []any, cond bool, what string) error {
	if cond {
		ok, err := exists(t, `SELECT 1 FROM recs WHERE `+objWhere+extra+` LIMIT 1`, o.args(args...))
		if err != nil {
			return err
		}
		if !ok {
			return daosgo.Errorf(daosgo.ErrNonexist, "object %s: %s", o.oid, what)
		}
	}
	if err := uncharge(t, `SELECT tgt, SUM(length(dkey) + length(akey) + length(val)) FROM recs WHERE `+objWhere+extra+` GROUP BY tgt`,
		o.args(args...)...); err != nil {
		return err
	}
	_, err := t.exec(`DELETE FROM recs WHERE `+objWhere+extra, o.args(args...)...)
	return err
}

// PunchDkeys punches one dkey: libdaos 2.8 refuses more in one call
// (DER_INVAL), and so does the engine, so that tools punch them one by one.
func (o *object) PunchDkeys(ctx context.Context, flags daosgo.CondFlags, dkeys [][]byte) error {
	if len(dkeys) != 1 {
		return daosgo.Errorf(daosgo.ErrInval, "object %s: punch %d dkeys: DAOS punches one dkey a call", o.oid, len(dkeys))
	}
	if o.tx != nil {
		dkeys = cloneKeys(dkeys)
	}
	keys := make([][]byte, len(dkeys))
	for i, k := range dkeys {
		var err error
		if keys[i], err = o.dkey(k); err != nil {
			return err
		}
	}
	return o.write(ctx, func(t *tx) error {
		for i, dk := range keys {
			if err := o.punch(t, ` AND dkey = ?`, []any{dk}, flags&daosgo.CondPunch != 0, "dkey "+daosgo.KeyString(dkeys[i])); err != nil {
				return err
			}
		}
		if err := o.punched(t); err != nil {
			return err
		}
		return o.keepIfHollow(t)
	})
}

func (o *object) PunchAkeys(ctx context.Context, dkey []byte, flags daosgo.CondFlags, akeys [][]byte) error {
	if o.tx != nil {
		dkey, akeys = bytes.Clone(dkey), cloneKeys(akeys)
	}
	dk, err := o.dkey(dkey)
	if err != nil {
		return err
	}
	if len(akeys) == 0 {
		return daosgo.Errorf(daosgo.ErrInval, "object %s: no akey to punch", o.oid)
	}
	keys := make([][]byte, len(akeys))
	for i, k := range akeys {
		if keys[i], err = o.akey(k); err != nil {
			return err
		}
	}
	return o.write(ctx, func(t *tx) error {
		for i, ak := range keys {
			if err := o.punch(t, ` AND dkey = ? AND akey = ?`, []any{dk, ak}, flags&daosgo.CondPunch != 0, "akey "+daosgo.KeyString(akeys[i])); err != nil {
				return err
			}
		}
		if err := o.punched(t); err != nil {
			return err
		}
		return o.keepIfHollow(t)
	})
}

func (o *object) ListDkeys(ctx context.Context, anchor *daosgo.Anchor, nr int, buf []byte) ([][]byte, error) {
	return o.listKeys(ctx, anchor, nr, buf, `SELECT DISTINCT dkey FROM recs WHERE `+objWhere+` AND dkey > ? ORDER BY dkey LIMIT ?`,
		nil, o.oid.Type().DkeyUint64())
}

func (o *object) ListAkeys(ctx context.Context, dkey []byte, anchor *daosgo.Anchor, nr int, buf []byte) ([][]byte, error) {
	dk, err := o.dkey(dkey)
	if err != nil {
		return nil, err
	}
	return o.listKeys(ctx, anchor, nr, buf, `SELECT DISTINCT akey FROM recs WHERE `+objWhere+` AND dkey = ? AND akey > ? ORDER BY akey LIMIT ?`,
		[]any{dk}, o.oid.Type().AkeyUint64())
}

// listKeys pages through distinct keys after the anchor's last key. Keys are
// packed into buf (nil: no limit); when the first key does not fit it fails
// with *daosgo.KeyTooBigError, as DAOS fails DER_KEY2BIG.
func (o *object) listKeys(ctx context.Context, anchor *daosgo.Anchor, nr int, buf []byte, query string, args []any, integer bool) ([][]byte, error) {
	if anchor == nil || nr <= 0 {
		return nil, daosgo.Errorf(daosgo.ErrInval, "list keys of %s: need an anchor and nr > 0", o.oid)
	}
	if anchor.EOF() {
		return nil, nil
	}
	after := anchor.State()
	if after == nil {
		after = []byte{}
	}
	var keys [][]byte
	err := o.read(ctx, func(t *tx) error {
		rows, err := t.query(query, o.args(append(args, after, nr+1)...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		used, seen := 0, 0
		last := after
		for rows.Next() {
			var k []byte
			if err := rows.Scan(&k); err != nil {
				return err
			}
			seen++
			if seen > nr {
				anchor.SetState(last, false)
				return nil
			}
			out := apiKey(k, integer)
			if buf != nil {
				if used+len(out) > len(buf) {
					if len(keys) == 0 {
						return &daosgo.KeyTooBigError{Need: len(out)}
					}
					anchor.SetState(last, false)
					return nil
				}
				n := copy(buf[used:], out)
				out = buf[used : used+n : used+n]
				used += n
			}
			keys = append(keys, out)
			last = k
		}
		if err := rows.Err(); err != nil {
			return err
		}
		anchor.SetState(last, true)
		return nil
	})
	return keys, err
}

// QueryMax answers as DAOS does: the largest dkey, and the highest extent
// of akey under it (none if akey has no records there: DAOS looks no
// further). SQLite answers the indexed MAX aggregates from the primary key
// alone (ORDER BY ... DESC LIMIT 1 was several times slower).
func (o *object) QueryMax(ctx context.Context, akey []byte) (daosgo.KeyQuery, error) {
	if !o.oid.Type().DkeyUint64() {
		return daosgo.KeyQuery{}, daosgo.Errorf(daosgo.ErrInval, "query %s: its %s dkeys are not integers", o.oid, o.oid.Type())
	}
	ak, err := o.akey(akey)
	if err != nil {
		return daosgo.KeyQuery{}, err
	}
	var q daosgo.KeyQuery
	err = o.read(ctx, func(t *tx) error {
		var dk any
		if err := t.row(`SELECT MAX(dkey) FROM recs WHERE `+objWhere, o.args(), &dk); err != nil {
			return err
		}
		dkb, ok := dk.([]byte)
		if !ok {
			return nil // an empty object: nothing found
		}
		q.Dkey = binary.BigEndian.Uint64(dkb)
		q.Recx, err = o.queryRecx(t, dkb, ak)
		return err
	})
	return q, err
}

func (o *object) QueryMaxRecx(ctx context.Context, dkey, akey []byte) (daosgo.Recx, error) {
	dk, err := o.dkey(dkey)
	if err != nil {
		return daosgo.Recx{}, err
	}
	ak, err := o.akey(akey)
	if err != nil {
		return daosgo.Recx{}, err
	}
	var r daosgo.Recx
	err = o.read(ctx, func(t *tx) error {
		r, err = o.queryRecx(t, dk, ak)
		return err
	})
	return r, err
}

// queryRecx is the highest extent of an array akey, or the zero Recx when
// the akey is absent or holds a single value, as DAOS answers.
func (o *object) queryRecx(t *tx, dk, ak []byte) (daosgo.Recx, error) {
	r, err := o.maxRecx(t, dk, ak)
	if errors.Is(err, daosgo.ErrNonexist) {
		return daosgo.Recx{}, nil
	}
	return r, err
}

// maxRecx returns the last extent of an array akey, the zero Recx for a
// single value, and DER_NONEXIST for an absent akey.
func (o *object) maxRecx(t *tx, dk, ak []byte) (daosgo.Recx, error) {
	var last any
	if err := t.row(`SELECT MAX(idx) FROM recs WHERE `+objWhere+` AND dkey = ? AND akey = ?`, o.args(dk, ak), &last); err != nil {
		return daosgo.Recx{}, err
	}
	idx, ok := last.(int64)
	if !ok {
		return daosgo.Recx{}, daosgo.Errorf(daosgo.ErrNonexist, "object %s: no such akey", o.oid)
	}
	if idx < 0 {
		return daosgo.Recx{}, nil
	}
	var rsize, n int64
	if err := t.row(`SELECT rsize, length(val) FROM recs WHERE `+objWhere+` AND dkey = ? AND akey = ? AND idx = ?`,
		o.args(dk, ak, idx), &rsize, &n); err != nil {
		return daosgo.Recx{}, err
	}
	return daosgo.Recx{Idx: uint64(idx), Nr: uint64(n / rsize)}, nil
}
