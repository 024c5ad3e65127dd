// Package embedded is daosgo's embedded engine: a real DAOS-like engine
// that keeps each pool in one SQLite file (WAL mode) under a root
// directory, so that several processes can use a pool at once and nothing
// needs to be installed. It keeps DAOS semantics: handles and their
// eviction, exclusive container opens, snapshots with a materialised Object
// ID Table, DAOS error codes, a space quota per pool, and every operation
// atomic.
package embedded

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/daosgo/daosgo/daosgo"
	"github.com/google/uuid"
)

// Layout tells the engine which layout versions it knows and which
// properties a pool or container gets by default at each version, so that
// a pool created at an old version, and the containers created in it, look
// as an older release made them. The upgrade registry provides one; Base
// is used otherwise.
type Layout interface {
	// MaxVersion is the newest pool layout version the software knows.
	MaxVersion() uint32
	// PoolDefaults are the properties a pool created at version v gets.
	PoolDefaults(v uint32) daosgo.Props
	// ContDefaults are the properties a container created in a pool at
	// version v gets.
	ContDefaults(v uint32) daosgo.Props
	// Format is the record placement and format of a pool at version v.
	Format(v uint32) Format
}

// BaseLayout is the layout of version 0 alone: the properties DAOS 2.0
// pools and containers had, before the layout version existed.
type BaseLayout struct{}

// MaxVersion is 0.
func (BaseLayout) MaxVersion() uint32 { return 0 }

// PoolDefaults returns DAOS's defaults for the original pool properties.
func (BaseLayout) PoolDefaults(uint32) daosgo.Props { return daosgo.BasePoolProps() }

// Format is the original placement and record format.
func (BaseLayout) Format(uint32) Format { return daosgo.BaseFormat }

// ContDefaults returns DAOS's defaults for the original container properties.
func (BaseLayout) ContDefaults(uint32) daosgo.Props { return daosgo.BaseContProps() }

// Options configure an Engine.
type Options struct {
	// Root is the directory holding the pool files. Default: $DAOSGO_HOME,
	// else ~/.local/share/daosgo.
	Root string
	// LockWait bounds how long an operation waits for another process's
	// write lock before failing DER_BUSY. Default: $DAOSGO_LOCK_TIMEOUT
	// (a Go duration), else 10s.
	LockWait time.Duration
	// Layout gives the known layout versions. Default: BaseLayout.
	Layout Layout
}

// DefaultRoot returns the root directory used when Options.Root is empty.
func DefaultRoot() (string, error) {
	if d := os.Getenv("DAOSGO_HOME"); d != "" {
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no DAOSGO_HOME and no home directory: %w", err)
	}
	return filepath.Join(home, ".local", "share", "daosgo"), nil
}

// Engine is the embedded backend. It is safe for concurrent use.
type Engine struct {
	root     string
	lockWait time.Duration
	layout   Layout
	owner    string

	mu     sync.Mutex
	stores map[uuid.UUID]*store
	closed bool

	// upgrading marks the pools whose upgrade this process is running: the
	// owner recorded in the pool is per process, so goroutines are told
	// apart here.
	upgrading map[uuid.UUID]bool

	// upgradeBatch is how many objects one upgrade transaction migrates.
	upgradeBatch int

	// testHook, if set, is called at named points of an upgrade so that
	// tests can kill the process there (see faults.go).
	testHook func(point string)

	// resumer, if set, restarts abandoned upgrades in another process.
	resumer Resumer
}

var _ daosgo.Backend = (*Engine)(nil)
var _ daosgo.Admin = (*Engine)(nil)

const poolSuffix = ".pool"

// Open opens (creating if needed) the engine's root directory.
func Open(opts Options) (*Engine, error) {
	root := opts.Root
	if root == "" {
		var err error
		if root, err = DefaultRoot(); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("embedded engine root %s: %w", root, err)
	}
	wait := opts.LockWait
	if wait == 0 {
		wait = 10 * time.Second
		if s := os.Getenv("DAOSGO_LOCK_TIMEOUT"); s != "" {
			d, err := time.ParseDuration(s)
			if err != nil || d <= 0 {
				return nil, fmt.Errorf("DAOSGO_LOCK_TIMEOUT=%q: want a positive duration such as 30s", s)
			}
			wait = d
		}
	}
	layout := opts.Layout
	if layout == nil {
		layout = BaseLayout{}
	}
	hook, err := faultHook()
	if err != nil {
		return nil, err
	}
	return &Engine{root: root, lockWait: wait, layout: layout, owner: processOwner(),
		stores: map[uuid.UUID]*store{}, upgrading: map[uuid.UUID]bool{}, upgradeBatch: defaultUpgradeBatch,
		testHook: hook}, nil
}

// Name returns "embedded".
func (e *Engine) Name() string { return "embedded" }

// Root returns the directory holding the pool files.
func (e *Engine) Root() string { return e.root }

// Admin returns the engine itself: it plays the management service too.
func (e *Engine) Admin() daosgo.Admin { return e }

// Close closes every pool file this engine opened. Handles of this process
// that were not closed stay recorded until evicted or found dead.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	var errs []error
	for id, s := range e.stores {
		errs = append(errs, s.close())
		delete(e.stores, id)
	}
	e.closed = true
	return errors.Join(errs...)
}

func (e *Engine) poolPath(id uuid.UUID) string {
	return filepath.Join(e.root, id.String()+poolSuffix)
}

// lockRoot serialises pool creation and destruction across processes, so
// that two processes cannot create pools with the same label.
func (e *Engine) lockRoot() (func(), error) {
	f, err := os.OpenFile(filepath.Join(e.root, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}

// resolveLocked finds a pool while holding the root lock, for operations
// that change which pools exist or what they are called.
func (e *Engine) resolveLocked(ctx context.Context, pool string) (uuid.UUID, *store, func(), error) {
	unlock, err := e.lockRoot()
	if err != nil {
		return uuid.Nil, nil, nil, err
	}
	id, s, err := e.resolve(ctx, pool)
	if err != nil {
		unlock()
		return uuid.Nil, nil, nil, err
	}
	return id, s, unlock, nil
}

// storeFor returns this process's store for a pool file, opening it once.
func (e *Engine) storeFor(id uuid.UUID) (*store, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, daosgo.Errorf(daosgo.ErrUninit, "embedded engine is closed")
	}
	if s, ok := e.stores[id]; ok {
		return s, nil
	}
	path := e.poolPath(id)
	if _, err := os.Stat(path); err != nil {
		return nil, daosgo.Errorf(daosgo.ErrNonexist, "pool %s", id)
	}
	s, err := openStore(path, id.String(), e.lockWait)
	if err != nil {
		return nil, err
	}
	e.stores[id] = s
	return s, nil
}

func (e *Engine) dropStore(id uuid.UUID) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if s, ok := e.stores[id]; ok {
		s.close()
		delete(e.stores, id)
	}
}

// poolIDs lists the UUIDs of the pool files under the root.
func (e *Engine) poolIDs() ([]uuid.UUID, error) {
	ents, err := os.ReadDir(e.root)
	if err != nil {
		return nil, err
	}
	var ids []uuid.UUID
	for _, de := range ents {
		name := de.Name()
		if !strings.HasSuffix(name, poolSuffix) {
			continue
		}
		id, err := uuid.Parse(strings.TrimSuffix(name, poolSuffix))
		if err == nil {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// resolve finds a pool by UUID or label.
func (e *Engine) resolve(ctx context.Context, pool string) (uuid.UUID, *store, error) {
	if pool == "" {
		return uuid.Nil, nil, daosgo.Errorf(daosgo.ErrInval, "no pool named")
	}
	if id, err := uuid.Parse(pool); err == nil {
		s, err := e.storeFor(id)
		return id, s, err
	}
	ids, err := e.poolIDs()
	if err != nil {
		return uuid.Nil, nil, err
	}
	for _, id := range ids {
		s, err := e.storeFor(id)
		if err != nil {
			continue // destroyed meanwhile
		}
		label, err := s.poolLabel(ctx)
		if err != nil {
			continue
		}
		if label == pool {
			s.name = label
			return id, s, nil
		}
	}
	return uuid.Nil, nil, daosgo.Errorf(daosgo.ErrNonexist, "pool %q%s", pool, e.unreadableHint(ctx))
}

func (s *store) poolLabel(ctx context.Context) (string, error) {
	var label string
	err := s.read(ctx, func(t *tx) error {
		err := t.row(`SELECT sval FROM pool_props WHERE id = ?`, []any{int64(daosgo.PropPoolLabel)}, &label)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	return label, err
}

// CreatePool creates a pool file (dmg pool create).
func (e *Engine) CreatePool(ctx context.Context, req daosgo.PoolCreateReq) (daosgo.PoolEntry, error) {
	if err := daosgo.ValidLabel(req.Label); err != nil {
		return daosgo.PoolEntry{}, err
	}
	if req.Size == 0 || req.Size > math.MaxInt64 {
		// The quota is kept as SQLite's signed 64-bit integer.
		return daosgo.PoolEntry{}, daosgo.Errorf(daosgo.ErrInval, "pool %q: size %d is out of range: want 1 to %d bytes", req.Label, req.Size, int64(math.MaxInt64))
	}
	version := e.layout.MaxVersion()
	if req.LayoutVersion != nil {
		version = *req.LayoutVersion
	}
	if version > e.layout.MaxVersion() {
		return daosgo.PoolEntry{}, daosgo.Errorf(daosgo.ErrInval,
			"pool %q: layout version %d is newer than this software's %d (it knows versions 0 to %d)",
			req.Label, version, e.layout.MaxVersion(), e.layout.MaxVersion())
	}
	id := req.UUID
	if id == uuid.Nil {
		id = uuid.New()
	}
	unlock, err := e.lockRoot()
	if err != nil {
		return daosgo.PoolEntry{}, err
	}
	defer unlock()
	if _, _, err := e.resolve(ctx, req.Label); err == nil {
		return daosgo.PoolEntry{}, daosgo.Errorf(daosgo.ErrExist, "pool label %q is already used", req.Label)
	}
	final := e.poolPath(id)
	if _, err := os.Stat(final); err == nil {
		return daosgo.PoolEntry{}, daosgo.Errorf(daosgo.ErrExist, "pool %s", id)
	}
	props := e.layout.PoolDefaults(version)
	f := e.layout.Format(version)
	for _, p := range req.Props {
		if !p.ID.IsPool() {
			return daosgo.PoolEntry{}, daosgo.Errorf(daosgo.ErrInval, "%s is not a pool property", p.ID)
		}
		if p.ID.Info().ReadOnly {
			return daosgo.PoolEntry{}, daosgo.Errorf(daosgo.ErrNoPerm, "pool property %s is set by the system", p.Name())
		}
		props.Set(p)
	}
	// A pool made at this software's own version gets this release's
	// redundancy factor; one made as an older release would have keeps
	// that release's (DAOS_PROP_PO_REDUN_FAC_DEFAULT was 0 from 2.2, which
	// introduced it, to 2.6), and a DAOS 2.0 pool has none.
	if rf, asked := req.Props.Get(daosgo.PropPoolRedunFac); !asked {
		if version == e.layout.MaxVersion() && props.Has(daosgo.PropPoolRedunFac) {
			props.Set(daosgo.NumProp(daosgo.PropPoolRedunFac, defaultPoolRF()))
		}
	} else if rf.Num >= poolDomains {
		return daosgo.PoolEntry{}, daosgo.Errorf(daosgo.ErrInval, "pool %q: redundancy factor %d needs %d fault domains; the pool has %d", req.Label, rf.Num, rf.Num+1, poolDomains)
	}
	props.Set(daosgo.StrProp(daosgo.PropPoolLabel, req.Label))
	// DAOS 2.2 (version 1) introduced the global version and the upgrade
	// status; a pool made as DAOS 2.0 would have has neither, and the
	// pool service reads them as 0 (see getPoolProps).
	if version >= 1 {
		props.Set(daosgo.NumProp(daosgo.PropPoolGlobalVersion, uint64(version)))
		props.Set(daosgo.NumProp(daosgo.PropPoolUpgradeStatus, uint64(daosgo.UpgradeNotStarted)))
	}
	// Pools have an object layout version from DAOS 2.4 on.
	if f.Placement > 0 {
		props.Set(daosgo.NumProp(daosgo.PropPoolObjVersion, uint64(f.Placement)))
	}

	// Build the file under a temporary name and rename it into place, so
	// that a crash never leaves a half-made pool that lookups would find.
	tmp := final + ".tmp"
	os.Remove(tmp)
	s, err := openStore(tmp, req.Label, e.lockWait)
	if err != nil {
		return daosgo.PoolEntry{}, err
	}
	err = s.write(ctx, func(t *tx) error {
		if err := t.execScript(schema); err != nil {
			return err
		}
		for k, v := range map[string]any{
			"schema_version": schemaVersion, "uuid": id.String(), "quota": int64(req.Size),
			"created": time.Now().UnixNano(), "rebuild": daosgo.RebuildIdle,
			"placement": int64(f.Placement), "records": int64(f.Records),
		} {
			if _, err := t.exec(`INSERT INTO meta(k, v) VALUES(?, ?)`, k, v); err != nil {
				return err
			}
		}
		for tgt := 0; tgt < poolTargets; tgt++ {
			if _, err := t.exec(`INSERT INTO space(tgt, used) VALUES(?, 0)`, tgt); err != nil {
				return err
			}
		}
		return putPoolProps(t, props)
	})
	if cerr := s.close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, final)
	}
	if err != nil {
		os.Remove(tmp)
		return daosgo.PoolEntry{}, fmt.Errorf("create pool %q: %w", req.Label, err)
	}
	return daosgo.PoolEntry{UUID: id, Label: req.Label}, nil
}

func putPoolProps(t *tx, props daosgo.Props) error {
	for _, p := range props {
		if _, err := t.exec(`INSERT OR REPLACE INTO pool_props(id, sval, ival) VALUES(?, ?, ?)`,
			int64(p.ID), p.Str, int64(p.Num)); err != nil {
			return err
		}
	}
	return nil
}

// ListPools lists the pools under the root, sorted by label. Pool files
// that cannot be read are left out; PoolFiles lists them with the reason.
func (e *Engine) ListPools(ctx context.Context) ([]daosgo.PoolEntry, error) {
	files, err := e.PoolFiles(ctx)
	if err != nil {
		return nil, err
	}
	var out []daosgo.PoolEntry
	for _, f := range files {
		if f.Damage == "" {
			out = append(out, daosgo.PoolEntry{UUID: f.UUID, Label: f.Label})
		}
	}
	return out, nil
}

// PoolFile is one pool file under the engine's root.
type PoolFile struct {
	UUID  uuid.UUID `json:"uuid"`
	Label string    `json:"label"`
	Path  string    `json:"path"`
	// Damage says why the file cannot be read as a pool (truncated,
	// overwritten, not readable by this user); empty when it can.
	Damage string `json:"damage,omitempty"`
}

// PoolFiles lists every pool file under the root, sorted by label (those
// that cannot be read last, by UUID), so that a damaged pool shows up
// rather than vanishing: DestroyPool with force removes one by UUID.
func (e *Engine) PoolFiles(ctx context.Context) ([]PoolFile, error) {
	ids, err := e.poolIDs()
	if err != nil {
		return nil, fmt.Errorf("list pools under %s: %w", e.root, err)
	}
	var out []PoolFile
	for _, id := range ids {
		f := PoolFile{UUID: id, Path: e.poolPath(id)}
		s, err := e.storeFor(id)
		if err == nil {
			f.Label, err = s.poolLabel(ctx)
		}
		switch {
		case errors.Is(err, daosgo.ErrNonexist):
			continue // destroyed meanwhile
		case err != nil:
			f.Damage = err.Error()
		}
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.Damage == "") != (b.Damage == "") {
			return a.Damage == ""
		}
		if a.Label != b.Label {
			return a.Label < b.Label
		}
		return a.UUID.String() < b.UUID.String()
	})
	return out, nil
}

// unreadableHint tells a lookup that found no pool by a label about the
// pool files it could not read, one of which may be the pool asked for.
func (e *Engine) unreadableHint(ctx context.Context) string {
	files, err := e.PoolFiles(ctx)
	if err != nil {
		return ""
	}
	var ids []string
	for _, f := range files {
		if f.Damage != "" {
			ids = append(ids, f.UUID.String())
		}
	}
	if len(ids) == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d pool file(s) under %s cannot be read and may hold it: %s; see 'pool list')", len(ids), e.root, strings.Join(ids, ", "))
}

// DestroyPool removes a pool file. Without force it fails DER_BUSY while any
// live process has a handle open; with force it evicts them first.
func (e *Engine) DestroyPool(ctx context.Context, pool string, force bool) error {
	if !force {
		// An abandoned upgrade is restarted first: destroying the pool
		// without force is refused while its upgrade runs.
		if id, s, err := e.resolve(ctx, pool); err == nil {
			// A file too damaged to read its upgrade state fails below,
			// where the damage is named and force is offered.
			if err := e.touch(ctx, id, s, pool); errors.Is(err, daosgo.ErrBusy) {
				return err
			}
		}
	}
	id, s, unlock, err := e.resolveLocked(ctx, pool)
	if err != nil {
		if damaged, ok := e.damagedFile(pool, err); ok {
			return e.destroyDamaged(damaged, force, err)
		}
		return err
	}
	defer unlock()
	err = s.write(ctx, func(t *tx) error {
		if running, _, err := upgradeOwner(t); err != nil {
			return err
		} else if running && !force {
			return daosgo.Errorf(daosgo.ErrBusy, "pool %s is being upgraded; wait until its status is Online, or use force", pool)
		}
		n, err := liveHandles(t, `SELECT id, owner FROM handles`)
		if err != nil {
			return err
		}
		if n > 0 && !force {
			return daosgo.Errorf(daosgo.ErrBusy, "pool %s has %d open handle(s); disconnect them or use force", pool, n)
		}
		// Evict before unlinking: a process still holding the file open
		// then sees its handles gone, instead of writing to a removed file.
		_, err = t.exec(`DELETE FROM handles`)
		return err
	})
	if errors.Is(err, daosgo.ErrBusy) {
		return err
	}
	if err != nil && !force {
		// The file opened but its handle table cannot be read: damaged.
		return fmt.Errorf("pool %s cannot be read, so its open handles cannot be checked; destroy it with force: %w", pool, err)
	}
	return e.removePoolFile(id, pool)
}

// damagedFile reports whether a pool named by UUID failed to resolve
// because its file exists but cannot be read.
func (e *Engine) damagedFile(pool string, err error) (uuid.UUID, bool) {
	id, perr := uuid.Parse(pool)
	if perr != nil || errors.Is(err, daosgo.ErrNonexist) || errors.Is(err, daosgo.ErrBusy) {
		return uuid.Nil, false
	}
	if _, serr := os.Stat(e.poolPath(id)); serr != nil {
		return uuid.Nil, false
	}
	return id, true
}

// destroyDamaged removes a pool file that cannot be read: only with force,
// since whether handles are open cannot be told.
func (e *Engine) destroyDamaged(id uuid.UUID, force bool, why error) error {
	if !force {
		return fmt.Errorf("pool %s cannot be read, so its open handles cannot be checked; destroy it with force: %w", id, why)
	}
	unlock, err := e.lockRoot()
	if err != nil {
		return err
	}
	defer unlock()
	return e.removePoolFile(id, id.String())
}

func (e *Engine) removePoolFile(id uuid.UUID, pool string) error {
	e.dropStore(id)
	path := e.poolPath(id)
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("destroy pool %s: %w", pool, err)
	}
	return nil
}

// GetPoolProps returns pool properties without a pool handle, as dmg does.
func (e *Engine) GetPoolProps(ctx context.Context, pool string, ids ...daosgo.PropID) (daosgo.Props, error) {
	id, s, err := e.resolve(ctx, pool)
	if err != nil {
		return nil, err
	}
	if err := e.touch(ctx, id, s, pool); err != nil {
		return nil, err
	}
	var props daosgo.Props
	err = s.read(ctx, func(t *tx) error {
		if err := checkSchema(t, pool); err != nil {
			return err
		}
		props, err = getPoolProps(t, ids)
		return err
	})
	return props, err
}

func getPoolProps(t *tx, ids []daosgo.PropID) (daosgo.Props, error) {
	rows, err := t.query(`SELECT id, sval, ival FROM pool_props ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var all daosgo.Props
	for rows.Next() {
		var id, ival int64
		var sval sql.NullString
		if err := rows.Scan(&id, &sval, &ival); err != nil {
			return nil, err
		}
		p := daosgo.Prop{ID: daosgo.PropID(id), Num: uint64(ival)}
		if p.Kind() == daosgo.KindString {
			p.Str, p.Num = sval.String, 0
		}
		all = append(all, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// A pool made by DAOS 2.0 (layout version 0) has no global version
	// nor upgrade status; DAOS's pool service answers them as 0, "not
	// started" (pool_prop_read, with DAOS_PROP_ENTRY_NOT_SET), and so
	// does this one.
	for _, id := range []daosgo.PropID{daosgo.PropPoolGlobalVersion, daosgo.PropPoolUpgradeStatus} {
		if !all.Has(id) {
			all = append(all, daosgo.NumProp(id, 0))
		}
	}
	sort.Sort(all)
	return selectProps(all, ids, "pool")
}

// selectProps keeps the requested properties, in request order; an ID the
// object does not have fails DER_NONEXIST, as daos_pool_query with a
// property the pool lacks does.
func selectProps(all daosgo.Props, ids []daosgo.PropID, what string) (daosgo.Props, error) {
	if len(ids) == 0 {
		return all, nil
	}
	out := make(daosgo.Props, 0, len(ids))
	for _, id := range ids {
		p, ok := all.Get(id)
		if !ok {
			return nil, daosgo.Errorf(daosgo.ErrNonexist, "%s property %s", what, id)
		}
		out = append(out, p)
	}
	return out, nil
}

// SetPoolProps sets user-settable pool properties (dmg pool set-prop).
func (e *Engine) SetPoolProps(ctx context.Context, pool string, props daosgo.Props) error {
	for _, p := range props {
		if !p.ID.IsPool() || !p.ID.Known() {
			return daosgo.Errorf(daosgo.ErrInval, "%s is not a pool property", p.ID)
		}
		if p.ID.Info().ReadOnly {
			return daosgo.Errorf(daosgo.ErrNoPerm, "pool property %s is set by the system", p.Name())
		}
	}
	id, s, unlock, err := e.resolveLocked(ctx, pool) // a label change must stay unique
	if err != nil {
		return err
	}
	defer unlock()
	if err := e.touch(ctx, id, s, pool); err != nil {
		return err
	}
	if p, ok := props.Get(daosgo.PropPoolLabel); ok {
		if err := daosgo.ValidLabel(p.Str); err != nil {
			return err
		}
		if other, _, err := e.resolve(ctx, p.Str); err == nil && other != id {
			return daosgo.Errorf(daosgo.ErrExist, "pool label %q is already used", p.Str)
		}
	}
	err = s.write(ctx, func(t *tx) error {
		if err := checkSchema(t, pool); err != nil {
			return err
		}
		return putPoolProps(t, props)
	})
	if err == nil {
		if p, ok := props.Get(daosgo.PropPoolLabel); ok {
			s.name = p.Str
		}
	}
	return err
}

// EvictPool revokes every handle on the pool (dmg pool evict).
func (e *Engine) EvictPool(ctx context.Context, pool string) (int, error) {
	id, s, err := e.resolve(ctx, pool)
	if err != nil {
		return 0, err
	}
	if err := e.touch(ctx, id, s, pool); err != nil {
		return 0, err
	}
	var n int64
	err = s.write(ctx, func(t *tx) error {
		r, err := t.exec(`DELETE FROM handles WHERE cont IS NULL`)
		if err != nil {
			return err
		}
		n, _ = r.RowsAffected()
		_, err = t.exec(`DELETE FROM handles`)
		return err
	})
	return int(n), err
}

// SetRebuildState records the pool's rebuild state. DAOS's engines set it
// when a target is excluded or reintegrated; the embedded engine has no
// targets, so tests and the CLI set it to exercise what depends on it (an
// upgrade must refuse to start during a rebuild).
func (e *Engine) SetRebuildState(ctx context.Context, pool string, state string) error {
	switch state {
	case daosgo.RebuildIdle, daosgo.RebuildBusy, daosgo.RebuildDone:
	default:
		return daosgo.Errorf(daosgo.ErrInval, "rebuild state %q (want idle, busy or done)", state)
	}
	_, s, err := e.resolve(ctx, pool)
	if err != nil {
		return err
	}
	return s.write(ctx, func(t *tx) error {
		_, err := t.exec(`UPDATE meta SET v = ? WHERE k = 'rebuild'`, state)
		return err
	})
}
