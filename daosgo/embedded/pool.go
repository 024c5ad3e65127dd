package embedded

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/daosgo/daosgo/daosgo"
	"github.com/google/uuid"
)

// poolHandle is a connected pool (daos_pool_connect).
type poolHandle struct {
	e     *Engine
	s     *store
	id    uuid.UUID
	label string
	hdl   int64
	flags daosgo.PoolFlags
	fmt   Format // fixed while the handle lives: an upgrade revokes it
}

var _ daosgo.Pool = (*poolHandle)(nil)

// Connect opens a pool by label or UUID. It fails DER_DF_INCOMPT when the
// pool's layout version is newer than this software knows, and DER_BUSY
// while the pool is being upgraded. An upgrade whose process died is
// restarted in the background when the engine has a Resumer (the pool
// stays busy until it ends), and resumed here otherwise, as DAOS's engines
// resume one when they restart.
func (e *Engine) Connect(ctx context.Context, pool string, flags daosgo.PoolFlags) (daosgo.Pool, error) {
	if flags&(daosgo.PoolRO|daosgo.PoolRW|daosgo.PoolEX) == 0 {
		return nil, daosgo.Errorf(daosgo.ErrInval, "connect pool %s: flags must include RO, RW or EX", pool)
	}
	id, s, err := e.resolve(ctx, pool)
	if err != nil {
		return nil, err
	}
	if e.hasResumer() {
		if err := e.touch(ctx, id, s, pool); err != nil {
			return nil, err
		}
	} else if err := e.resumeAbandoned(ctx, s, id.String()); err != nil {
		return nil, err
	}
	p := &poolHandle{e: e, s: s, id: id, flags: flags}
	err = s.write(ctx, func(t *tx) error {
		props, err := getPoolProps(t, []daosgo.PropID{daosgo.PropPoolLabel, daosgo.PropPoolGlobalVersion, daosgo.PropPoolUpgradeStatus})
		if err != nil {
			return err
		}
		p.label = props.Str(daosgo.PropPoolLabel)
		if err := checkSchema(t, p.label); err != nil {
			return err
		}
		if err := addEpochs(t); err != nil {
			return err
		}
		if err := e.checkOpenable(p.label, props); err != nil {
			return err
		}
		if p.fmt, err = readFormat(t); err != nil {
			return err
		}
		r, err := t.exec(`INSERT INTO handles(parent, cont, flags, owner, opened) VALUES(NULL, NULL, ?, ?, ?)`,
			int64(flags), e.owner, time.Now().UnixNano())
		if err != nil {
			return err
		}
		p.hdl, err = r.LastInsertId()
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// checkOpenable refuses pools this software must not open: a newer layout
// than it knows, or an upgrade in progress.
func (e *Engine) checkOpenable(label string, props daosgo.Props) error {
	v := uint32(props.Num(daosgo.PropPoolGlobalVersion, 0))
	if max := e.layout.MaxVersion(); v > max {
		return daosgo.Errorf(daosgo.ErrDFIncompat,
			"pool %s has layout version %d but this software supports at most version %d; use a newer daosgo", label, v, max)
	}
	if daosgo.UpgradeStatus(props.Num(daosgo.PropPoolUpgradeStatus, 0)) == daosgo.UpgradeInProgress {
		return daosgo.Errorf(daosgo.ErrBusy, "pool %s is being upgraded; retry when its status is Online", label)
	}
	return nil
}

func (p *poolHandle) UUID() uuid.UUID { return p.id }
func (p *poolHandle) Label() string   { return p.label }

// check fails DER_NO_HDL once the handle was evicted or disconnected.
func (p *poolHandle) check(t *tx) error {
	var flags int64
	err := t.row(`SELECT flags FROM handles WHERE id = ?`, []any{p.hdl}, &flags)
	if errors.Is(err, sql.ErrNoRows) {
		return daosgo.Errorf(daosgo.ErrNoHdl, "pool %s: handle was evicted or disconnected", p.label)
	}
	return err
}

func (p *poolHandle) checkWritable() error {
	if p.flags&(daosgo.PoolRW|daosgo.PoolEX) == 0 {
		return daosgo.Errorf(daosgo.ErrNoPerm, "pool %s is connected read-only", p.label)
	}
	return nil
}

func (p *poolHandle) Query(ctx context.Context) (daosgo.PoolInfo, error) {
	info := daosgo.PoolInfo{UUID: p.id, Label: p.label, MaxVersion: p.e.layout.MaxVersion()}
	err := p.s.read(ctx, func(t *tx) error {
		if err := p.check(t); err != nil {
			return err
		}
		var quota, used int64
		if err := t.row(`SELECT (SELECT v FROM meta WHERE k = 'quota'), (SELECT v FROM meta WHERE k = 'rebuild')`,
			nil, &quota, &info.Rebuild.State); err != nil {
			return err
		}
		perTarget, err := column[int64](t, `SELECT used FROM space ORDER BY tgt`)
		if err != nil {
			return err
		}
		for _, u := range perTarget {
			info.TargetUsed = append(info.TargetUsed, uint64(u))
			used += u
		}
		info.Targets = len(info.TargetUsed)
		info.TotalBytes, info.UsedBytes = uint64(quota), uint64(used)
		if used < quota {
			info.FreeBytes = uint64(quota - used)
		}
		if err := t.row(`SELECT COUNT(*) FROM conts`, nil, &info.Containers); err != nil {
			return err
		}
		n, err := liveHandles(t, `SELECT id, owner FROM handles WHERE cont IS NULL`)
		if err != nil {
			return err
		}
		info.Handles = n
		props, err := getPoolProps(t, nil)
		if err != nil {
			return err
		}
		info.Label = props.Str(daosgo.PropPoolLabel)
		info.LayoutVersion = uint32(props.Num(daosgo.PropPoolGlobalVersion, 0))
		info.UpgradeStatus = daosgo.UpgradeStatus(props.Num(daosgo.PropPoolUpgradeStatus, 0))
		info.Status = info.UpgradeStatus.PoolStatus()
		return nil
	})
	return info, err
}

func (p *poolHandle) GetProps(ctx context.Context, ids ...daosgo.PropID) (daosgo.Props, error) {
	var props daosgo.Props
	err := p.s.read(ctx, func(t *tx) error {
		if err := p.check(t); err != nil {
			return err
		}
		var err error
		props, err = getPoolProps(t, ids)
		return err
	})
	return props, err
}

func (p *poolHandle) ListAttrs(ctx context.Context) ([]string, error) {
	return listAttrs(ctx, p.s, p.check, `SELECT name FROM pool_attrs ORDER BY name`)
}

func (p *poolHandle) GetAttr(ctx context.Context, name string) ([]byte, error) {
	return getAttr(ctx, p.s, p.check, "pool "+p.label, name, `SELECT value FROM pool_attrs WHERE name = ?`)
}

// SetAttr and DelAttr work through a read-only pool handle, as in DAOS,
// where the pool's access control decides.
func (p *poolHandle) SetAttr(ctx context.Context, name string, value []byte) error {
	return setAttr(ctx, p.s, p.check, name, value, `INSERT OR REPLACE INTO pool_attrs(name, value) VALUES(?, ?)`)
}

func (p *poolHandle) DelAttr(ctx context.Context, name string) error {
	return delAttr(ctx, p.s, p.check, "pool "+p.label, name, `DELETE FROM pool_attrs WHERE name = ?`)
}

func (p *poolHandle) ListContainers(ctx context.Context) ([]daosgo.ContEntry, error) {
	var out []daosgo.ContEntry
	err := p.s.read(ctx, func(t *tx) error {
		if err := p.check(t); err != nil {
			return err
		}
		rows, err := t.query(`SELECT uuid, COALESCE(label, '') FROM conts ORDER BY label, uuid`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var u, label string
			if err := rows.Scan(&u, &label); err != nil {
				return err
			}
			out = append(out, daosgo.ContEntry{UUID: uuid.MustParse(u), Label: label})
		}
		return rows.Err()
	})
	return out, err
}

func (p *poolHandle) Disconnect(ctx context.Context) error {
	return p.s.write(ctx, func(t *tx) error {
		if err := p.check(t); err != nil {
			return err
		}
		_, err := t.exec(`DELETE FROM handles WHERE id = ? OR parent = ?`, p.hdl, p.hdl)
		return err
	})
}

// readFormat returns the pool's current placement and record format.
func readFormat(t *tx) (Format, error) {
	var f Format
	err := t.row(`SELECT (SELECT v FROM meta WHERE k = 'placement'), (SELECT v FROM meta WHERE k = 'records')`,
		nil, &f.Placement, &f.Records)
	return f, err
}

// charge records delta bytes stored on (or, negative, freed from) target
// tgt; settle applies what the write charged.
func charge(t *tx, tgt, delta int64) {
	if delta == 0 {
		return
	}
	if t.charges == nil {
		t.charges = map[int64]int64{}
	}
	t.charges[tgt] += delta
}

// settle applies the space charged since the last settlement to the
// per-target table and, if the write stored more than it freed, fails
// DER_NOSPACE (rolling the write back) when the pool is over its quota.
// Settling once per write rather than once per record saves two statements
// a record, most of a small write's cost.
func settle(t *tx) error {
	var total int64
	for tgt, delta := range t.charges {
		if delta == 0 {
			continue
		}
		if _, err := t.exec(`UPDATE space SET used = used + ? WHERE tgt = ?`, delta, tgt); err != nil {
			return err
		}
		total += delta
	}
	clear(t.charges)
	if total <= 0 { // used only shrank: it was within the quota, it still is
		return nil
	}
	quota, used, err := spaceUsed(t)
	if err != nil {
		return err
	}
	if used > quota {
		return daosgo.Errorf(daosgo.ErrNoSpace, "pool %s: %d more bytes would exceed its %d-byte size (%d used)",
			t.s.name, total, quota, used-total)
	}
	return nil
}

// spaceUsed returns the pool's size and the bytes stored in it.
func spaceUsed(t *tx) (quota, used int64, err error) {
	if quota, err = t.s.quotaBytes(t); err != nil {
		return 0, 0, err
	}
	err = t.row(`SELECT SUM(used) FROM space`, nil, &used)
	return quota, used, err
}

// uncharge gives back the space of the rows a query selects, grouped by
// target; the query must return (tgt, bytes) pairs.
func uncharge(t *tx, query string, args ...any) error {
	rows, err := t.query(query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var tgt, bytes int64
		if err := rows.Scan(&tgt, &bytes); err != nil {
			return err
		}
		charge(t, tgt, -bytes)
	}
	return rows.Err()
}

// Attribute helpers shared by pools and containers.

func listAttrs(ctx context.Context, s *store, check func(*tx) error, query string, args ...any) ([]string, error) {
	var names []string
	err := s.read(ctx, func(t *tx) error {
		if err := check(t); err != nil {
			return err
		}
		var err error
		names, err = column[string](t, query, args...)
		return err
	})
	return names, err
}

func getAttr(ctx context.Context, s *store, check func(*tx) error, what, name, query string, args ...any) ([]byte, error) {
	var v []byte
	err := s.read(ctx, func(t *tx) error {
		if err := check(t); err != nil {
			return err
		}
		err := t.row(query, append(args, name), &v)
		if errors.Is(err, sql.ErrNoRows) {
			return daosgo.Errorf(daosgo.ErrNonexist, "%s: attribute %q", what, name)
		}
		return err
	})
	return v, err
}

func setAttr(ctx context.Context, s *store, check func(*tx) error, name string, value []byte, query string, args ...any) error {
	if name == "" {
		return daosgo.Errorf(daosgo.ErrInval, "attribute name is empty")
	}
	if len(value) == 0 {
		// libdaos refuses a zero-size value (DER_INVAL) before asking the
		// server.
		return daosgo.Errorf(daosgo.ErrInval, "attribute %q: an empty value cannot be stored", name)
	}
	return s.write(ctx, func(t *tx) error {
		if err := check(t); err != nil {
			return err
		}
		_, err := t.exec(query, append(args, name, value)...)
		return err
	})
}

func delAttr(ctx context.Context, s *store, check func(*tx) error, what, name, query string, args ...any) error {
	return s.write(ctx, func(t *tx) error {
		if err := check(t); err != nil {
			return err
		}
		// Deleting an absent attribute is no error, as in DAOS.
		_, err := t.exec(query, append(args, name)...)
		return err
	})
}
