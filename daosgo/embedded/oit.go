package embedded

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"strings"
	"sync/atomic"

	"github.com/daosgo/daosgo/daosgo"
)

// oitHandle is an open Object ID Table of one snapshot (daos_oit_open).
type oitHandle struct {
	c      *contHandle
	epoch  int64
	closed atomic.Bool
}

var _ daosgo.OIT = (*oitHandle)(nil)

func (c *contHandle) OpenOIT(ctx context.Context, epoch uint64) (daosgo.OIT, error) {
	h := &oitHandle{c: c, epoch: int64(epoch)}
	err := c.readCheck(ctx, h.checkSnap)
	if err != nil {
		return nil, err
	}
	c.open.Add(1) // daos_oit_open opens the OIT object
	return h, nil
}

func (h *oitHandle) checkSnap(t *tx) error {
	if h.closed.Load() {
		return daosgo.Errorf(daosgo.ErrNoHdl, "OIT of epoch %d: handle closed", h.epoch)
	}
	// A snapshot taken without the OIT has no rows in oit: its table
	// opens and holds nothing, as in DAOS.
	var oit bool
	err := t.row(`SELECT oit FROM snaps WHERE cont = ? AND epoch = ?`, []any{h.c.c.id, h.epoch}, &oit)
	if errors.Is(err, sql.ErrNoRows) {
		return daosgo.Errorf(daosgo.ErrNonexist, "container %s: no snapshot at epoch %d", h.c.name(), h.epoch)
	}
	return err
}

func (h *oitHandle) Epoch() uint64 { return uint64(h.epoch) }

// Close releases the handle; a second close fails DER_NO_HDL.
func (h *oitHandle) Close() error {
	if h.closed.Swap(true) {
		return daosgo.Errorf(daosgo.ErrNoHdl, "OIT of epoch %d: handle already closed", h.epoch)
	}
	h.c.open.Add(-1)
	return nil
}

// The anchor holds the last OID returned, as stored (two int64s).
func oitAnchor(a *daosgo.Anchor) (hi, lo int64, started bool) {
	s := a.State()
	if len(s) != 16 {
		return 0, 0, false
	}
	return int64(binary.BigEndian.Uint64(s)), int64(binary.BigEndian.Uint64(s[8:])), true
}

func setOITAnchor(a *daosgo.Anchor, hi, lo int64, eof bool) {
	b := binary.BigEndian.AppendUint64(make([]byte, 0, 16), uint64(hi))
	a.SetState(binary.BigEndian.AppendUint64(b, uint64(lo)), eof)
}

type oitRow struct {
	hi, lo int64
	marker []byte
}

// page reads up to n rows after the anchor, with an extra condition.
func (h *oitHandle) page(ctx context.Context, anchor *daosgo.Anchor, n int, cond string) ([]oitRow, error) {
	hi, lo, started := oitAnchor(anchor)
	q := `SELECT hi, lo, marker FROM oit WHERE cont = ? AND epoch = ?` + cond
	args := []any{h.c.c.id, h.epoch}
	if started {
		q += ` AND (hi, lo) > (?, ?)`
		args = append(args, hi, lo)
	}
	q += ` ORDER BY hi, lo LIMIT ?`
	args = append(args, n)
	var out []oitRow
	err := h.c.readCheck(ctx, func(t *tx) error {
		if err := h.checkSnap(t); err != nil {
			return err
		}
		rows, err := t.query(q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r oitRow
			if err := rows.Scan(&r.hi, &r.lo, &r.marker); err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

func (h *oitHandle) list(ctx context.Context, anchor *daosgo.Anchor, nr int, cond string) ([]daosgo.OID, error) {
	if anchor == nil || nr <= 0 {
		return nil, daosgo.Errorf(daosgo.ErrInval, "OIT list: need an anchor and nr > 0")
	}
	if anchor.EOF() {
		return nil, nil
	}
	rows, err := h.page(ctx, anchor, nr+1, cond)
	if err != nil {
		return nil, err
	}
	eof := len(rows) <= nr
	if !eof {
		rows = rows[:nr]
	}
	out := make([]daosgo.OID, len(rows))
	for i, r := range rows {
		out[i] = daosgo.OID{Hi: uint64(r.hi), Lo: uint64(r.lo)}
	}
	if len(rows) > 0 {
		last := rows[len(rows)-1]
		setOITAnchor(anchor, last.hi, last.lo, eof)
	} else {
		anchor.SetState(anchor.State(), true)
	}
	return out, nil
}

func (h *oitHandle) List(ctx context.Context, anchor *daosgo.Anchor, nr int) ([]daosgo.OID, error) {
	return h.list(ctx, anchor, nr, "")
}

func (h *oitHandle) ListUnmarked(ctx context.Context, anchor *daosgo.Anchor, nr int) ([]daosgo.OID, error) {
	return h.list(ctx, anchor, nr, ` AND marker IS NULL`)
}

// ListFilter reads the table in pages and calls filter outside any
// transaction, so a filter may itself use the container.
func (h *oitHandle) ListFilter(ctx context.Context, anchor *daosgo.Anchor, nr int, filter daosgo.OITFilter) ([]daosgo.OID, error) {
	if anchor == nil || nr <= 0 || filter == nil {
		return nil, daosgo.Errorf(daosgo.ErrInval, "OIT list filter: need an anchor, nr > 0 and a filter")
	}
	var out []daosgo.OID
	for !anchor.EOF() && len(out) < nr {
		const pageSize = 4096
		rows, err := h.page(ctx, anchor, pageSize, "")
		if err != nil {
			return nil, err
		}
		if len(rows) == 0 {
			anchor.SetState(anchor.State(), true)
			break
		}
		for i, r := range rows {
			oid := daosgo.OID{Hi: uint64(r.hi), Lo: uint64(r.lo)}
			keep, err := filter.Call(oid, r.marker)
			if err != nil {
				return out, err
			}
			if keep {
				out = append(out, oid)
			}
			eof := len(rows) < pageSize && i == len(rows)-1
			setOITAnchor(anchor, r.hi, r.lo, eof)
			if len(out) == nr {
				break
			}
		}
	}
	return out, nil
}

func checkMarker(marker []byte) error {
	if len(marker) > daosgo.MarkerMaxLen {
		return daosgo.Errorf(daosgo.ErrInval, "OIT marker of %d bytes exceeds %d", len(marker), daosgo.MarkerMaxLen)
	}
	return nil
}

func markerValue(marker []byte) any {
	if len(marker) == 0 {
		return nil // clears the marker
	}
	return marker
}

func (h *oitHandle) Mark(ctx context.Context, oid daosgo.OID, marker []byte) error {
	absent, err := h.MarkMany(ctx, []daosgo.OID{oid}, marker)
	if err == nil && len(absent) > 0 {
		return daosgo.Errorf(daosgo.ErrNonexist, "OID %s is not in the OIT of epoch %d", oid, h.epoch)
	}
	return err
}

// markBatch bounds how long one MarkMany transaction holds the write lock.
const markBatch = 16384

// markChunk is how many OIDs one UPDATE statement marks.
const markChunk = 128

// markChunk marks up to markChunk OIDs with one statement and returns how
// many rows it changed.
func (h *oitHandle) markChunk(t *tx, mv any, oids []daosgo.OID) (int, error) {
	var q strings.Builder
	q.WriteString(`UPDATE oit SET marker = ? WHERE cont = ? AND epoch = ? AND (hi, lo) IN (VALUES `)
	args := make([]any, 0, 3+2*len(oids))
	args = append(args, mv, h.c.c.id, h.epoch)
	for i, oid := range oids {
		if i > 0 {
			q.WriteString(",")
		}
		q.WriteString("(?, ?)")
		args = append(args, int64(oid.Hi), int64(oid.Lo))
	}
	q.WriteString(")")
	r, err := t.exec(q.String(), args...)
	if err != nil {
		return 0, err
	}
	n, _ := r.RowsAffected()
	return int(n), nil
}

func (h *oitHandle) MarkMany(ctx context.Context, oids []daosgo.OID, marker []byte) ([]daosgo.OID, error) {
	if err := checkMarker(marker); err != nil {
		return nil, err
	}
	mv := markerValue(marker)
	var absent []daosgo.OID
	for len(oids) > 0 {
		n := min(len(oids), markBatch)
		batch := oids[:n]
		oids = oids[n:]
		var missing []daosgo.OID
		err := h.c.s.write(ctx, func(t *tx) error {
			missing = missing[:0] // a group-commit retry runs this again
			if err := h.c.check(t); err != nil {
				return err
			}
			if err := h.checkSnap(t); err != nil {
				return err
			}
			for chunk := batch; len(chunk) > 0; {
				n := min(len(chunk), markChunk)
				got, err := h.markChunk(t, mv, chunk[:n])
				if err != nil {
					return err
				}
				if got < n { // some are absent: find which, one by one
					for _, oid := range chunk[:n] {
						r, err := t.exec(`UPDATE oit SET marker = ? WHERE cont = ? AND epoch = ? AND hi = ? AND lo = ?`,
							mv, h.c.c.id, h.epoch, int64(oid.Hi), int64(oid.Lo))
						if err != nil {
							return err
						}
						if k, _ := r.RowsAffected(); k == 0 {
							missing = append(missing, oid)
						}
					}
				}
				chunk = chunk[n:]
			}
			return nil
		})
		if err != nil {
			return absent, err
		}
		absent = append(absent, missing...)
	}
	return absent, nil
}
