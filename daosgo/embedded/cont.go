package embedded

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"sync/atomic"
	"time"

	"github.com/daosgo/daosgo/daosgo"
	"github.com/google/uuid"
)

// contRow identifies a container inside the pool file.
type contRow struct {
	id    int64
	uuid  uuid.UUID
	label string
}

func findCont(t *tx, cont string) (contRow, error) {
	var c contRow
	var u string
	var label sql.NullString
	err := t.row(`SELECT id, uuid, label FROM conts WHERE uuid = ? OR label = ?`, []any{cont, cont}, &c.id, &u, &label)
	if errors.Is(err, sql.ErrNoRows) {
		return c, daosgo.Errorf(daosgo.ErrNonexist, "container %q in pool %s", cont, t.s.name)
	}
	if err != nil {
		return c, err
	}
	c.uuid, c.label = uuid.MustParse(u), label.String
	return c, nil
}

func (p *poolHandle) CreateContainer(ctx context.Context, label string, props daosgo.Props) (uuid.UUID, error) {
	if err := p.checkWritable(); err != nil {
		return uuid.Nil, err
	}
	if l, ok := props.Get(daosgo.PropContLabel); ok && label == "" {
		label = l.Str
	}
	if label != "" {
		if err := daosgo.ValidLabel(label); err != nil {
			return uuid.Nil, err
		}
	}
	for _, pr := range props {
		if pr.ID == daosgo.PropContAllocedOID {
			continue // DAOS takes the first OID to allocate at creation
		}
		if err := checkSettableContProp(pr); err != nil {
			return uuid.Nil, err
		}
	}
	if !props.Has(daosgo.PropContRoots) {
		// As daos_cont_create does, give the container a root OID (lo 0,
		// hi 0) generated for the redundancy factor its properties ask for
		// (rf 0 if none: libdaos does not look at the pool's).
		root, err := generateOID(props.Num(daosgo.PropContRedunFac, 0), 0, 0, daosgo.OTMultiHashed, daosgo.OCUnknown)
		if err != nil {
			return uuid.Nil, err
		}
		props = append(append(daosgo.Props{}, props...), daosgo.RootsProp(daosgo.Roots{root}))
	}
	id := uuid.New()
	err := p.s.write(ctx, func(t *tx) error {
		if err := p.check(t); err != nil {
			return err
		}
		pprops, err := getPoolProps(t, []daosgo.PropID{daosgo.PropPoolGlobalVersion})
		if err != nil {
			return err
		}
		version := pprops[0].Num
		var lab any
		if label != "" {
			lab = label
		}
		r, err := t.exec(`INSERT INTO conts(uuid, label, created) VALUES(?, ?, ?)`, id.String(), lab, time.Now().UnixNano())
		if err != nil {
			if errors.Is(err, daosgo.ErrExist) {
				return daosgo.Errorf(daosgo.ErrExist, "container label %q is already used in pool %s", label, p.label)
			}
			return err
		}
		cid, _ := r.LastInsertId()
		// A container gets the features of its pool's layout version when
		// it is created, and keeps that version: an old pool's new
		// containers do not get newer features until the pool is upgraded.
		all := p.e.layout.ContDefaults(uint32(version))
		// As in DAOS, the container's global version (none before DAOS
		// 2.2, version 1) is its pool's, and it inherits the pool's object
		// layout (none before DAOS 2.4).
		if version >= 1 {
			all.Set(daosgo.NumProp(daosgo.PropContGlobalVersion, version))
		}
		if p.fmt.Placement > 0 {
			all.Set(daosgo.NumProp(daosgo.PropContObjVersion, uint64(p.fmt.Placement)))
		}
		// As in DAOS, a container of a pool with a global version inherits
		// the pool's redundancy factor unless it asks for its own.
		if _, asked := props.Get(daosgo.PropContRedunFac); !asked && version > 0 {
			var rf int64
			if err := t.row(`SELECT ival FROM pool_props WHERE id = ?`, []any{int64(daosgo.PropPoolRedunFac)}, &rf); err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			all.Set(daosgo.NumProp(daosgo.PropContRedunFac, uint64(rf)))
		}
		if rf, ok := props.Get(daosgo.PropContRedunFac); ok && rf.Num >= poolDomains {
			return daosgo.Errorf(daosgo.ErrInval, "container redundancy factor %d needs %d fault domains; the pool has %d", rf.Num, rf.Num+1, poolDomains)
		}
		for _, pr := range props {
			if pr.ID != daosgo.PropContLabel {
				all.Set(pr)
			}
		}
		return putContProps(t, cid, all)
	})
	return id, err
}

func checkSettableContProp(p daosgo.Prop) error {
	if !p.ID.IsContainer() || !p.ID.Known() {
		return daosgo.Errorf(daosgo.ErrInval, "%s is not a container property", p.ID)
	}
	if p.ID.Info().ReadOnly {
		return daosgo.Errorf(daosgo.ErrNoPerm, "container property %s is set by the system", p.Name())
	}
	return nil
}

func putContProps(t *tx, cid int64, props daosgo.Props) error {
	for _, p := range props {
		var bval []byte
		if p.Kind() == daosgo.KindRoots {
			bval = encodeRoots(p.Roots)
		}
		if _, err := t.exec(`INSERT OR REPLACE INTO cont_props(cont, id, sval, ival, bval) VALUES(?, ?, ?, ?, ?)`,
			cid, int64(p.ID), p.Str, int64(p.Num), bval); err != nil {
			return err
		}
	}
	return nil
}

// encodeRoots stores the four root OIDs as struct daos_prop_co_roots lays
// them out: lo then hi of each OID (daos_obj_id_t), little-endian.
func encodeRoots(r daosgo.Roots) []byte {
	b := make([]byte, 0, 64)
	for _, o := range r {
		b = binary.LittleEndian.AppendUint64(b, o.Lo)
		b = binary.LittleEndian.AppendUint64(b, o.Hi)
	}
	return b
}

func decodeRoots(b []byte) daosgo.Roots {
	var r daosgo.Roots
	for i := range r {
		if len(b) >= (i+1)*16 {
			r[i].Lo = binary.LittleEndian.Uint64(b[i*16:])
			r[i].Hi = binary.LittleEndian.Uint64(b[i*16+8:])
		}
	}
	return r
}

func (p *poolHandle) DestroyContainer(ctx context.Context, cont string, force bool) error {
	if err := p.checkWritable(); err != nil {
		return err
	}
	return p.s.write(ctx, func(t *tx) error {
		if err := p.check(t); err != nil {
			return err
		}
		c, err := findCont(t, cont)
		if err != nil {
			return err
		}
		n, err := liveHandles(t, `SELECT id, owner FROM handles WHERE cont = ?`, c.id)
		if err != nil {
			return err
		}
		if n > 0 && !force {
			return daosgo.Errorf(daosgo.ErrBusy, "container %s has %d open handle(s); close them or use force", cont, n)
		}
		if err := uncharge(t, `SELECT tgt, SUM(length(dkey) + length(akey) + length(val)) FROM recs WHERE cont = ? GROUP BY tgt`, c.id); err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM recs WHERE cont = ?`, `DELETE FROM hollow WHERE cont = ?`, `DELETE FROM punch_epochs WHERE cont = ?`, `DELETE FROM oit WHERE cont = ?`, `DELETE FROM snaps WHERE cont = ?`,
			`DELETE FROM cont_props WHERE cont = ?`, `DELETE FROM cont_attrs WHERE cont = ?`,
			`DELETE FROM handles WHERE cont = ?`, `DELETE FROM conts WHERE id = ?`,
		} {
			if _, err := t.exec(q, c.id); err != nil {
				return err
			}
		}
		return nil
	})
}

// contHandle is an open container (daos_cont_open).
type contHandle struct {
	p     *poolHandle
	s     *store
	c     contRow
	hdl   int64
	flags daosgo.ContFlags
	// rf is the container's redundancy factor (rd_fac), which objects
	// opened in it must honour; it cannot change after creation.
	rf uint64
	// open counts the object, KV and OIT handles opened through this
	// handle and not yet closed: as in libdaos, the container cannot be
	// closed while any is (DER_BUSY).
	open atomic.Int64
}

var _ daosgo.Container = (*contHandle)(nil)

func (p *poolHandle) OpenContainer(ctx context.Context, cont string, flags daosgo.ContFlags) (daosgo.Container, error) {
	modes := flags & (daosgo.ContRO | daosgo.ContRW | daosgo.ContEX)
	if modes != daosgo.ContRO && modes != daosgo.ContRW && modes != daosgo.ContEX {
		return nil, daosgo.Errorf(daosgo.ErrInval, "open container %s: flags need exactly one of RO, RW, EX", cont)
	}
	if flags&daosgo.ContEvictAll != 0 && modes != daosgo.ContEX {
		return nil, daosgo.Errorf(daosgo.ErrInval, "open container %s: EVICT_ALL goes with EX only", cont)
	}
	// A read-only pool handle opens containers read-write, as in DAOS:
	// the container's access control decides.
	h := &contHandle{p: p, s: p.s, flags: flags}
	err := p.s.write(ctx, func(t *tx) error {
		if err := p.check(t); err != nil {
			return err
		}
		c, err := findCont(t, cont)
		if err != nil {
			return err
		}
		h.c = c
		var rf int64
		if err := t.row(`SELECT ival FROM cont_props WHERE cont = ? AND id = ?`, []any{c.id, int64(daosgo.PropContRedunFac)}, &rf); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		h.rf = uint64(rf)
		others, err := liveHandles(t, `SELECT id, owner FROM handles WHERE cont = ?`, c.id)
		if err != nil {
			return err
		}
		exclusive, err := liveHandles(t, `SELECT id, owner FROM handles WHERE cont = ? AND (flags & ?) != 0`, c.id, int64(daosgo.ContEX))
		if err != nil {
			return err
		}
		switch {
		case exclusive > 0:
			return daosgo.Errorf(daosgo.ErrBusy, "container %s is open exclusively by another handle", cont)
		case modes == daosgo.ContEX && others > 0 && flags&daosgo.ContEvictAll == 0:
			return daosgo.Errorf(daosgo.ErrBusy, "container %s has %d other open handle(s); evict them to open it exclusively", cont, others)
		case modes == daosgo.ContEX && others > 0:
			if _, err := t.exec(`DELETE FROM handles WHERE cont = ?`, c.id); err != nil {
				return err
			}
		}
		r, err := t.exec(`INSERT INTO handles(parent, cont, flags, owner, opened) VALUES(?, ?, ?, ?, ?)`,
			p.hdl, c.id, int64(flags), p.e.owner, time.Now().UnixNano())
		if err != nil {
			return err
		}
		h.hdl, err = r.LastInsertId()
		return err
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

func (c *contHandle) UUID() uuid.UUID { return c.c.uuid }
func (c *contHandle) Label() string   { return c.c.label }

func (c *contHandle) name() string {
	if c.c.label != "" {
		return c.c.label
	}
	return c.c.uuid.String()
}

// check fails DER_NO_HDL once the handle was evicted or closed, and
// DER_NONEXIST once its container was destroyed, as DAOS answers.
func (c *contHandle) check(t *tx) error {
	var flags int64
	err := t.row(`SELECT flags FROM handles WHERE id = ?`, []any{c.hdl}, &flags)
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if ok, err := exists(t, `SELECT 1 FROM conts WHERE id = ?`, []any{c.c.id}); err != nil || !ok {
		if err == nil {
			err = daosgo.Errorf(daosgo.ErrNonexist, "container %s was destroyed", c.name())
		}
		return err
	}
	return daosgo.Errorf(daosgo.ErrNoHdl, "container %s: handle was evicted or closed", c.name())
}

func (c *contHandle) checkWritable() error {
	if !c.flags.Writable() {
		return daosgo.Errorf(daosgo.ErrNoPerm, "container %s is open read-only", c.name())
	}
	return nil
}

// writeCheck runs fn in a write transaction after checking the handle.
func (c *contHandle) writeCheck(ctx context.Context, fn func(*tx) error) error {
	if err := c.checkWritable(); err != nil {
		return err
	}
	return c.s.write(ctx, func(t *tx) error {
		if err := c.check(t); err != nil {
			return err
		}
		return fn(t)
	})
}

// readCheck runs fn in a read transaction after checking the handle.
func (c *contHandle) readCheck(ctx context.Context, fn func(*tx) error) error {
	return c.s.read(ctx, func(t *tx) error {
		if err := c.check(t); err != nil {
			return err
		}
		return fn(t)
	})
}

func (c *contHandle) Query(ctx context.Context) (daosgo.ContInfo, error) {
	info := daosgo.ContInfo{UUID: c.c.uuid, Label: c.c.label}
	err := c.readCheck(ctx, func(t *tx) error {
		var created, used int64
		if err := t.row(`SELECT created, COALESCE(label, '') FROM conts WHERE id = ?`, []any{c.c.id}, &created, &info.Label); err != nil {
			return err
		}
		info.Created = time.Unix(0, created)
		if err := t.row(`SELECT COUNT(*), COALESCE(SUM(b), 0) FROM (SELECT SUM(length(dkey) + length(akey) + length(val)) AS b FROM recs WHERE cont = ? GROUP BY hi, lo)`,
			[]any{c.c.id}, &info.Objects, &used); err != nil {
			return err
		}
		info.UsedBytes = uint64(used)
		if err := t.row(`SELECT COUNT(*) FROM snaps WHERE cont = ?`, []any{c.c.id}, &info.Snapshots); err != nil {
			return err
		}
		n, err := liveHandles(t, `SELECT id, owner FROM handles WHERE cont = ?`, c.c.id)
		info.Handles = n
		if err != nil {
			return err
		}
		props, err := c.props(t, []daosgo.PropID{daosgo.PropContLayoutType})
		if err != nil {
			return err
		}
		info.LayoutType = daosgo.LayoutName(props[0].Num)
		return nil
	})
	return info, err
}

func (c *contHandle) props(t *tx, ids []daosgo.PropID) (daosgo.Props, error) {
	rows, err := t.query(`SELECT id, sval, ival, bval FROM cont_props WHERE cont = ? ORDER BY id`, c.c.id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var all daosgo.Props
	for rows.Next() {
		var id, ival int64
		var sval sql.NullString
		var bval []byte
		if err := rows.Scan(&id, &sval, &ival, &bval); err != nil {
			return nil, err
		}
		p := daosgo.Prop{ID: daosgo.PropID(id)}
		switch p.Kind() {
		case daosgo.KindString:
			p.Str = sval.String
		case daosgo.KindRoots:
			p.Roots = decodeRoots(bval)
		default:
			p.Num = uint64(ival)
		}
		all = append(all, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var label string
	var next int64
	if err := t.row(`SELECT COALESCE(label, ''), next_oid FROM conts WHERE id = ?`, []any{c.c.id}, &label, &next); err != nil {
		return nil, err
	}
	if label != "" {
		all.Set(daosgo.StrProp(daosgo.PropContLabel, label))
	}
	all.Set(daosgo.NumProp(daosgo.PropContAllocedOID, uint64(next-1)))
	if !all.Has(daosgo.PropContRoots) {
		all.Set(daosgo.RootsProp(daosgo.Roots{}))
	}
	return selectProps(all.Sorted(), ids, "container "+c.name())
}

func (c *contHandle) GetProps(ctx context.Context, ids ...daosgo.PropID) (daosgo.Props, error) {
	var props daosgo.Props
	err := c.readCheck(ctx, func(t *tx) error {
		var err error
		props, err = c.props(t, ids)
		return err
	})
	return props, err
}

func (c *contHandle) SetProps(ctx context.Context, props daosgo.Props) error {
	for _, p := range props {
		if err := checkSettableContProp(p); err != nil {
			return err
		}
	}
	var newLabel string
	err := c.writeCheck(ctx, func(t *tx) error {
		rest := make(daosgo.Props, 0, len(props))
		for _, p := range props {
			if p.ID != daosgo.PropContLabel {
				rest = append(rest, p)
				continue
			}
			if err := daosgo.ValidLabel(p.Str); err != nil {
				return err
			}
			if _, err := t.exec(`UPDATE conts SET label = ? WHERE id = ?`, p.Str, c.c.id); err != nil {
				if errors.Is(err, daosgo.ErrExist) {
					return daosgo.Errorf(daosgo.ErrExist, "container label %q is already used", p.Str)
				}
				return err
			}
			newLabel = p.Str
		}
		return putContProps(t, c.c.id, rest)
	})
	if err == nil && newLabel != "" {
		c.c.label = newLabel
	}
	return err
}

func (c *contHandle) ListAttrs(ctx context.Context) ([]string, error) {
	return listAttrs(ctx, c.s, c.check, `SELECT name FROM cont_attrs WHERE cont = ? ORDER BY name`, c.c.id)
}

func (c *contHandle) GetAttr(ctx context.Context, name string) ([]byte, error) {
	return getAttr(ctx, c.s, c.check, "container "+c.name(), name, `SELECT value FROM cont_attrs WHERE cont = ? AND name = ?`, c.c.id)
}

func (c *contHandle) SetAttr(ctx context.Context, name string, value []byte) error {
	if err := c.checkWritable(); err != nil {
		return err
	}
	return setAttr(ctx, c.s, c.check, name, value, `INSERT OR REPLACE INTO cont_attrs(cont, name, value) VALUES(?, ?, ?)`, c.c.id)
}

func (c *contHandle) DelAttr(ctx context.Context, name string) error {
	if err := c.checkWritable(); err != nil {
		return err
	}
	return delAttr(ctx, c.s, c.check, "container "+c.name(), name, `DELETE FROM cont_attrs WHERE cont = ? AND name = ?`, c.c.id)
}

func (c *contHandle) AllocOIDs(ctx context.Context, n uint64) (uint64, error) {
	if n == 0 || n > 1<<40 {
		return 0, daosgo.Errorf(daosgo.ErrInval, "allocate %d OIDs: want 1 to 2^40", n)
	}
	// DAOS allocates OIDs through a read-only handle too.
	var first int64
	err := c.s.write(ctx, func(t *tx) error {
		if err := c.check(t); err != nil {
			return err
		}
		return t.row(`UPDATE conts SET next_oid = next_oid + ? WHERE id = ? RETURNING next_oid - ?`,
			[]any{int64(n), c.c.id, int64(n)}, &first)
	})
	return uint64(first), err
}

// GenerateOID encodes the OID as daos_obj_generate_oid does: with
// OCUnknown the class DAOS would choose for the container's redundancy
// factor (chooseClass), else the class given, fitted to the pool.
func (c *contHandle) GenerateOID(ctx context.Context, userHi uint32, lo uint64, t daosgo.ObjectType, class daosgo.ObjClass) (daosgo.OID, error) {
	return generateOID(c.rf, userHi, lo, t, class)
}

// GenerateOIDByRF does the same for a container of redundancy factor rf
// (daos_obj_generate_oid_by_rf).
func (p *poolHandle) GenerateOIDByRF(ctx context.Context, rf uint64, userHi uint32, lo uint64, t daosgo.ObjectType, class daosgo.ObjClass) (daosgo.OID, error) {
	if rf >= poolDomains {
		return daosgo.OID{}, daosgo.Errorf(daosgo.ErrInval, "redundancy factor %d needs %d fault domains; the pool has %d", rf, rf+1, poolDomains)
	}
	return generateOID(rf, userHi, lo, t, class)
}

func generateOID(rf uint64, userHi uint32, lo uint64, t daosgo.ObjectType, class daosgo.ObjClass) (daosgo.OID, error) {
	if !t.Valid() {
		return daosgo.OID{}, daosgo.Errorf(daosgo.ErrInval, "object type %d", uint8(t))
	}
	var r daosgo.Redundancy
	var groups uint32
	var err error
	if class == daosgo.OCUnknown {
		r, groups, err = chooseClass(rf, t)
	} else {
		r, groups, err = fitClass(class, rf)
	}
	if err != nil {
		return daosgo.OID{}, err
	}
	return daosgo.GenerateOID(userHi, lo, t, daosgo.MakeClass(r, groups)), nil
}

// CreateSnapshot takes a snapshot at a new epoch. Epochs are numbered as
// DAOS's hybrid logical clock numbers them (daosgo.TimeEpoch): the current
// time, or one more than the last epoch if the clock has not moved on. As
// in DAOS, snapshots have no names (the snaps table's name column stays
// empty; it is kept so that pool files of earlier releases still open).
func (c *contHandle) CreateSnapshot(ctx context.Context, oit bool) (uint64, error) {
	var epoch int64
	err := c.writeCheck(ctx, func(t *tx) error {
		now := time.Now()
		if err := t.row(`UPDATE conts SET epoch = MAX(epoch + 1, ?) WHERE id = ? RETURNING epoch`,
			[]any{int64(daosgo.TimeEpoch(now)), c.c.id}, &epoch); err != nil {
			return err
		}
		if _, err := t.exec(`INSERT INTO snaps(cont, epoch, name, oit, created) VALUES(?, ?, '', ?, ?)`,
			c.c.id, epoch, oit, now.UnixNano()); err != nil {
			return err
		}
		if !oit {
			return nil
		}
		// The OIT holds the objects that exist now, as in DAOS: those with
		// a value, and those whose keys were all punched; never-written
		// objects and punched ones are not in it.
		if _, err := t.exec(`INSERT INTO oit(cont, epoch, hi, lo, marker)
			SELECT DISTINCT cont, ?, hi, lo, NULL FROM recs WHERE cont = ?`, epoch, c.c.id); err != nil {
			return err
		}
		_, err := t.exec(`INSERT OR IGNORE INTO oit(cont, epoch, hi, lo, marker)
			SELECT cont, ?, hi, lo, NULL FROM hollow WHERE cont = ?`, epoch, c.c.id)
		return err
	})
	return uint64(epoch), err
}

// ListSnapshots lists the snapshots by epoch. Their times are read from
// the epochs, as on DAOS, which records no other.
func (c *contHandle) ListSnapshots(ctx context.Context) ([]daosgo.Snapshot, error) {
	var out []daosgo.Snapshot
	err := c.readCheck(ctx, func(t *tx) error {
		rows, err := t.query(`SELECT epoch FROM snaps WHERE cont = ? ORDER BY epoch`, c.c.id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s daosgo.Snapshot
			var epoch int64
			if err := rows.Scan(&epoch); err != nil {
				return err
			}
			s.Epoch = uint64(epoch)
			s.Time = daosgo.EpochTime(s.Epoch)
			out = append(out, s)
		}
		return rows.Err()
	})
	return out, err
}

func (c *contHandle) DestroySnapshot(ctx context.Context, epoch uint64) error {
	return c.writeCheck(ctx, func(t *tx) error {
		r, err := t.exec(`DELETE FROM snaps WHERE cont = ? AND epoch = ?`, c.c.id, int64(epoch))
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return daosgo.Errorf(daosgo.ErrNonexist, "container %s: snapshot at epoch %d", c.name(), epoch)
		}
		_, err = t.exec(`DELETE FROM oit WHERE cont = ? AND epoch = ?`, c.c.id, int64(epoch))
		return err
	})
}

func (c *contHandle) OpenObject(ctx context.Context, oid daosgo.OID, mode daosgo.ObjMode) (daosgo.Object, error) {
	return c.openObject(oid, mode)
}

func (c *contHandle) openObject(oid daosgo.OID, mode daosgo.ObjMode) (*object, error) {
	if !oid.Type().Valid() {
		return nil, daosgo.Errorf(daosgo.ErrInval, "object %s has unknown type %d", oid, uint8(oid.Type()))
	}
	if oid.Type() == daosgo.OTOIT || oid.Type() == daosgo.OTOITV2 {
		return nil, daosgo.Errorf(daosgo.ErrInval, "object %s: OIT objects are opened with OpenOIT", oid)
	}
	if mode != daosgo.ObjRO && mode != daosgo.ObjRW {
		return nil, daosgo.Errorf(daosgo.ErrInval, "object %s: mode must be RO or RW", oid)
	}
	if err := checkRedundancy(oid, c.rf); err != nil {
		return nil, err
	}
	// As in libdaos, an object opens read-write in a read-only container:
	// its writes are what fail (writeCheck).
	c.open.Add(1)
	return &object{c: c, oid: oid, mode: mode}, nil
}

func (c *contHandle) OpenKV(ctx context.Context, oid daosgo.OID, mode daosgo.ObjMode) (daosgo.KV, error) {
	if !oid.Type().IsKV() {
		return nil, daosgo.Errorf(daosgo.ErrInval, "object %s is %s, not a KV type", oid, oid.Type())
	}
	o, err := c.openObject(oid, mode)
	if err != nil {
		return nil, err
	}
	return daosgo.NewObjectKV(o), nil
}

// Close closes the handle. As libdaos's daos_cont_close, it fails DER_BUSY
// while objects opened through it are open.
func (c *contHandle) Close(ctx context.Context) error {
	if n := c.open.Load(); n > 0 {
		return daosgo.Errorf(daosgo.ErrBusy, "close container %s: %d object handles opened through it are still open", c.name(), n)
	}
	return c.s.write(ctx, func(t *tx) error {
		if err := c.check(t); err != nil {
			return err
		}
		_, err := t.exec(`DELETE FROM handles WHERE id = ?`, c.hdl)
		return err
	})
}
