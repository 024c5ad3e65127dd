// Package checker is daosgo's middleware consistency checker: a generic
// mark and sweep over a container's Object ID Table (OIT), with walkers for
// the DFS (POSIX) and PyDAOS data models.
//
// Check opens the container exclusively, takes an OIT snapshot, lets the
// data model's walker mark every object reachable from its roots, then
// handles what is left unmarked: it reports it (the default, which changes
// nothing), punches it, or relinks it under lost+found. The snapshot is
// destroyed on every path.
//
// It never punches what it cannot prove unreachable: only objects of the
// snapshot that no walk reached, after the walk has succeeded.
package checker

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/daosgo/daosgo/daosgo"
)

// Action is what the checker does with orphaned objects.
type Action int

// Actions.
const (
	Report Action = iota // list them, change nothing
	Punch                // punch them, reclaiming their space
	Relink               // link them under lost+found (see LostFoundPrefix for PyDAOS)
)

func (a Action) String() string {
	return [...]string{"report", "punch", "relink"}[a]
}

// Options configure a check.
type Options struct {
	Action Action
	// Evict revokes other handles on the container to open it
	// exclusively; without it a container in use fails DER_BUSY.
	Evict bool
	// Name is the directory under /lost+found (DFS), or the part of the
	// root KV names after lost+found/ (PyDAOS), that relinked objects go
	// to; default a timestamp.
	Name string
	// Workers is how many directories are walked at once (default 8).
	Workers int
	// Verify checks every object's records against their checksums where
	// the pool's layout has them; elsewhere objects count as skipped.
	Verify bool
	// FixSB rebuilds a lost or corrupt DFS superblock from the container's
	// properties and DFS's defaults.
	FixSB bool
	// FixRoot recreates a lost DFS root directory entry. What the old root
	// held is then relinked under lost+found, unless Action is Punch.
	FixRoot bool
	// Progress, if set, is called now and then during the walk.
	Progress func(Progress)
}

// Progress is reported during a check.
type Progress struct {
	Phase   string `json:"phase"`
	Scanned uint64 `json:"scanned"` // objects in the OIT
	Marked  uint64 `json:"marked"`
	Entries uint64 `json:"entries"` // namespace entries walked
}

// Orphan is an object no walk reached.
type Orphan struct {
	OID        daosgo.OID `json:"-"`
	OIDStr     string     `json:"oid"`
	Kind       string     `json:"kind"`
	Bytes      uint64     `json:"bytes"`
	Subtree    bool       `json:"in_orphan_subtree"` // reached from another orphan, so not relinked itself
	RelinkedAs string     `json:"relinked_as"`
}

// Result is a check's summary.
type Result struct {
	Container      string         `json:"container"`
	Layout         string         `json:"layout"`
	Action         string         `json:"action"`
	Scanned        uint64         `json:"scanned"`
	Marked         uint64         `json:"marked"`
	Entries        uint64         `json:"entries"`
	Orphans        []Orphan       `json:"orphans"`
	OrphansByKind  map[string]int `json:"orphans_by_kind"`
	Punched        int            `json:"punched"`
	Relinked       int            `json:"relinked"`
	BytesReclaimed uint64         `json:"bytes_reclaimed"`
	Dangling       []string       `json:"dangling"` // entries whose object is absent
	// PartialPuts are the temporary entries of DFS puts that died before
	// they finished (see dfs.PutFile); Punch removes them.
	PartialPuts        []string       `json:"partial_puts"`
	PartialPutsRemoved int            `json:"partial_puts_removed"`
	Verified           int            `json:"verified"`
	CsumErrors         []string       `json:"checksum_errors"`
	Skipped            int            `json:"skipped"`
	SkippedWhy         map[string]int `json:"skipped_why"` // reason: objects
	SBRebuilt          bool           `json:"superblock_rebuilt"`
	RootRecreated      bool           `json:"root_recreated"`
	LostFound          string         `json:"lost_found"`
	Duration           time.Duration  `json:"-"`
	Seconds            float64        `json:"seconds"`
}

// Clean reports whether the check found nothing to repair.
func (r *Result) Clean() bool {
	return len(r.Orphans) == 0 && !r.SBRebuilt && !r.RootRecreated && len(r.CsumErrors) == 0 && len(r.PartialPuts) == 0
}

// Unrepaired reports whether the check found damage it left in place:
// orphans a report did not touch, checksum errors (never repaired), put
// temporaries not removed.
func (r *Result) Unrepaired() bool {
	return r.Action == Report.String() && len(r.Orphans) > 0 || len(r.CsumErrors) > 0 ||
		len(r.PartialPuts) > r.PartialPutsRemoved
}

// Repaired reports whether the check changed anything to repair the
// container.
func (r *Result) Repaired() bool {
	return r.Punched > 0 || r.Relinked > 0 || r.SBRebuilt || r.RootRecreated || r.PartialPutsRemoved > 0
}

// model is what the checker needs of a data model.
type model interface {
	// prepare checks, and with the options fixes, what must hold before
	// the namespace can be walked. It runs before the OIT snapshot, so
	// objects it writes are in it.
	prepare(ctx context.Context, res *Result) error
	// walk marks every object reachable from the model's roots.
	walk(ctx context.Context, m *marker) error
	// markSubtree marks what an orphaned object reaches; it reports
	// whether the object is a container of others (a directory).
	markSubtree(ctx context.Context, oid daosgo.OID, m *marker) error
	// relink links an orphan under lost+found and returns where.
	relink(ctx context.Context, oid daosgo.OID) (string, error)
	// kind names what an object is in the data model.
	kind(oid daosgo.OID) string
	// close closes the objects the model keeps open.
	close() error
	// sweepLeftovers removes, under Punch, what the model's own writers
	// leave when they die (DFS: the temporary entries of puts).
	sweepLeftovers(ctx context.Context, res *Result) error
}

// markerValue is what the checker stores in the OIT for reached objects.
var markerValue = []byte("daosgo-mwc")

// ValidName checks a relink directory name (Options.Name): one DFS entry
// name, so that relinked objects land in /lost+found/NAME and nowhere else.
func ValidName(name string) error {
	switch {
	case name == "":
		return daosgo.Errorf(daosgo.ErrInval, "lost+found name is empty")
	case name == "." || name == "..":
		return daosgo.Errorf(daosgo.ErrInval, "lost+found name %q is not a directory name", name)
	case strings.ContainsAny(name, "/\x00"):
		return daosgo.Errorf(daosgo.ErrInval, "lost+found name %q: one directory name, without / or NUL", name)
	case len(name) > maxName:
		return daosgo.Errorf(daosgo.ErrInval, "lost+found name of %d bytes: at most %d", len(name), maxName)
	}
	return nil
}

// maxName is DFS_MAX_NAME.
const maxName = 255

// Check checks container cont of pool p.
func Check(ctx context.Context, p daosgo.Pool, cont string, opts Options) (res *Result, err error) {
	start := time.Now()
	if opts.Workers <= 0 {
		opts.Workers = 8
	}
	// The name only matters to a relink; it is checked before anything.
	named := opts.Name != "" && opts.Action == Relink
	if named {
		if err := ValidName(opts.Name); err != nil {
			return nil, err
		}
	}
	if opts.Name == "" {
		opts.Name = start.UTC().Format("20060102-150405")
	}
	flags := daosgo.ContEX
	if opts.Evict {
		flags |= daosgo.ContEvictAll
	}
	c, err := p.OpenContainer(ctx, cont, flags)
	if errors.Is(err, daosgo.ErrBusy) {
		return nil, fmt.Errorf("check container %s: it is in use; close it or run with --evict: %w", cont, err)
	}
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := c.Close(context.Background()); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close container %s: %w", cont, cerr))
		}
	}()
	if err := dropStaleSnapshot(ctx, c); err != nil {
		return nil, err
	}
	props, err := c.GetProps(ctx, daosgo.PropContLayoutType)
	if err != nil {
		return nil, err
	}
	layout := props[0].Num
	// Lists start empty, not nil: JSON readers get [] rather than null.
	res = &Result{Container: cont, Layout: daosgo.LayoutName(layout), Action: opts.Action.String(),
		Orphans: []Orphan{}, OrphansByKind: map[string]int{}, SkippedWhy: map[string]int{}, Dangling: []string{}, PartialPuts: []string{}, CsumErrors: []string{}}
	var md model
	switch layout {
	case daosgo.LayoutPOSIX:
		md = &dfsModel{c: c, opts: opts}
	case daosgo.LayoutPython:
		md = &pyModel{c: c, opts: opts}
	default:
		return nil, daosgo.Errorf(daosgo.ErrNotSupported, "check container %s: its layout type is %s; the checker knows POSIX and PYTHON",
			cont, daosgo.LayoutName(layout))
	}
	defer func() { err = errors.Join(err, md.close()) }()
	if err := md.prepare(ctx, res); err != nil {
		return res, err
	}
	if res.RootRecreated && opts.Action == Report {
		// Everything the lost root held is orphaned now: recreating the
		// root means putting it in lost+found, or the namespace is empty.
		opts.Action, res.Action = Relink, Relink.String()
	}
	var before daosgo.PoolInfo
	if opts.Action == Punch {
		if before, err = p.Query(ctx); err != nil {
			return res, err
		}
	}

	epoch, release, err := ownSnapshot(ctx, c)
	if err != nil {
		return res, fmt.Errorf("check container %s: %w", cont, err)
	}
	// Destroy the snapshot whatever happens, Ctrl-C included.
	defer func() { err = errors.Join(err, release()) }()
	oit, err := c.OpenOIT(ctx, epoch)
	if err != nil {
		return res, err
	}
	defer oit.Close()

	m := &marker{oit: oit, progress: opts.Progress, res: res}
	if res.Scanned, err = countOIT(ctx, oit); err != nil {
		return res, err
	}
	m.report("walk")
	if err := md.walk(ctx, m); err != nil {
		return res, err
	}
	if err := m.flush(ctx); err != nil {
		return res, err
	}
	res.Marked, res.Entries = m.marked, m.entries
	res.Dangling = m.danglingPaths()
	res.PartialPuts = m.partialPuts()

	orphans, err := listUnmarked(ctx, oit)
	if err != nil {
		return res, err
	}
	if opts.Action == Relink {
		// An orphaned directory keeps its subtree: mark what each one
		// reaches, so that only the roots of orphaned subtrees are left
		// to relink.
		m.report("subtrees")
		for _, oid := range orphans {
			if err := md.markSubtree(ctx, oid, m); err != nil {
				return res, err
			}
		}
		if err := m.flush(ctx); err != nil {
			return res, err
		}
	}
	roots := map[daosgo.OID]bool{}
	if opts.Action == Relink {
		left, err := listUnmarked(ctx, oit)
		if err != nil {
			return res, err
		}
		for _, oid := range left {
			roots[oid] = true
		}
	}
	m.report("sweep")
	for i, oid := range orphans {
		if afterOrphan != nil && i > 0 {
			afterOrphan(i)
		}
		o := Orphan{OID: oid, OIDStr: oid.String(), Kind: md.kind(oid)}
		if o.Bytes, err = objectBytes(ctx, c, oid); err != nil {
			return res, err
		}
		switch opts.Action {
		case Punch:
			if err := daosgo.PunchObject(ctx, c, oid); err != nil {
				return res, err
			}
			res.Punched++
		case Relink:
			if !roots[oid] {
				o.Subtree = true
				break
			}
			if o.RelinkedAs, err = md.relink(ctx, oid); err != nil {
				return res, fmt.Errorf("relink %s: %w", oid, err)
			}
			res.Relinked++
		}
		res.Orphans = append(res.Orphans, o)
		res.OrphansByKind[o.Kind]++
	}
	if opts.Action == Relink && res.Relinked > 0 {
		res.LostFound = lostFoundPath(md, opts)
	}
	if opts.Action == Punch {
		if err := md.sweepLeftovers(ctx, res); err != nil {
			return res, err
		}
	}
	if opts.Verify {
		if err := verify(ctx, c, oit, res); err != nil {
			return res, err
		}
	}
	if opts.Action == Punch && res.Punched > 0 {
		after, err := p.Query(ctx)
		if err != nil {
			return res, err
		}
		if before.UsedBytes > after.UsedBytes {
			res.BytesReclaimed = before.UsedBytes - after.UsedBytes
		}
	}
	res.Duration = time.Since(start)
	res.Seconds = res.Duration.Seconds()
	return res, nil
}

// afterOrphan, if set, is called before each orphan but the first is
// handled: tests kill the process there.
var afterOrphan func(i int)

// lostFoundPath is where a check relinks orphans: a directory of a DFS
// namespace, the start of PyDAOS root KV names.
func lostFoundPath(md model, opts Options) string {
	if _, ok := md.(*dfsModel); ok {
		return "/lost+found/" + opts.Name
	}
	return LostFoundPrefix + opts.Name + "/"
}

func countOIT(ctx context.Context, oit daosgo.OIT) (uint64, error) {
	all, err := daosgo.ListAll(func(a *daosgo.Anchor) ([]daosgo.OID, error) { return oit.List(ctx, a, 8192) })
	return uint64(len(all)), err
}

func listUnmarked(ctx context.Context, oit daosgo.OIT) ([]daosgo.OID, error) {
	out, err := daosgo.ListAll(func(a *daosgo.Anchor) ([]daosgo.OID, error) { return oit.ListUnmarked(ctx, a, 8192) })
	if err != nil {
		return out, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Hi < out[j].Hi || out[i].Hi == out[j].Hi && out[i].Lo < out[j].Lo })
	return out, nil
}

// objectBytes sums the bytes an object's values hold, by listing them: a
// figure for the report, whatever the backend.
func objectBytes(ctx context.Context, c daosgo.Container, oid daosgo.OID) (uint64, error) {
	o, err := c.OpenObject(ctx, oid, daosgo.ObjRO)
	if err != nil {
		return 0, err
	}
	defer o.Close()
	var total uint64
	da := &daosgo.Anchor{}
	for !da.EOF() {
		dkeys, err := o.ListDkeys(ctx, da, 256, nil)
		if err != nil {
			return total, err
		}
		for _, dk := range dkeys {
			aa := &daosgo.Anchor{}
			for !aa.EOF() {
				akeys, err := o.ListAkeys(ctx, dk, aa, 256, nil)
				if err != nil {
					return total, err
				}
				for _, ak := range akeys {
					// A single-value fetch finds an array akey's size 0 (as
					// DAOS answers; some backends refuse it DER_INVAL), and
					// an array query finds a single value's extent empty.
					iod := []daosgo.IOD{{Akey: ak, Type: daosgo.IODSingle}}
					if err := o.Fetch(ctx, dk, 0, iod); err == nil && iod[0].Size > 0 {
						total += iod[0].Size
						continue
					} else if err != nil && !errors.Is(err, daosgo.ErrInval) {
						return total, err
					}
					// An array: its records up to the last extent, times
					// the record size (a PyDAOS array's cell is 8 bytes,
					// a DFS file's record 1), which a fetch of the last
					// record without a size or buffer tells.
					r, err := o.QueryMaxRecx(ctx, dk, ak)
					if err != nil {
						return total, err
					}
					if r.Nr == 0 {
						continue
					}
					rec := []daosgo.IOD{{Akey: ak, Type: daosgo.IODArray, Recxs: []daosgo.Recx{{Idx: r.End() - 1, Nr: 1}}}}
					if err := o.Fetch(ctx, dk, 0, rec); err != nil {
						return total, err
					}
					total += r.End() * max(rec[0].Size, 1)
				}
			}
		}
	}
	return total, nil
}

func (r *Result) skip(why string) {
	r.Skipped++
	if r.SkippedWhy == nil {
		r.SkippedWhy = map[string]int{}
	}
	r.SkippedWhy[why]++
}

// verify checks every object of the snapshot against its checksums.
func verify(ctx context.Context, c daosgo.Container, oit daosgo.OIT, res *Result) error {
	v, ok := c.(daosgo.Verifier)
	a := &daosgo.Anchor{}
	for !a.EOF() {
		oids, err := oit.List(ctx, a, 4096)
		if err != nil {
			return err
		}
		for _, oid := range oids {
			if !ok {
				res.skip("the backend cannot verify objects")
				continue
			}
			_, err := v.VerifyObject(ctx, oid)
			switch {
			case errors.Is(err, daosgo.ErrNotSupported):
				res.skip(daosgo.Reason(err))
			case errors.Is(err, daosgo.ErrCsum), errors.Is(err, daosgo.ErrMismatch):
				res.CsumErrors = append(res.CsumErrors, err.Error())
			case errors.Is(err, daosgo.ErrNonexist):
				// punched by this check
			case err != nil:
				return err
			default:
				res.Verified++
			}
		}
	}
	return nil
}

// marker batches OIT marks: one MarkMany per batch instead of a mark per
// object, the main thing that makes this checker faster than a serial one.
type marker struct {
	oit      daosgo.OIT
	progress func(Progress)
	res      *Result

	mu       sync.Mutex
	batch    []daosgo.OID
	paths    map[daosgo.OID]string // where an entry pointing at an OID was seen
	absent   []daosgo.OID
	partial  []string // put temporaries met on the walk
	marked   uint64
	entries  uint64
	lastSeen time.Time
}

const markBatch = 2048

// add marks oid, found at path p ("" for objects that are not entries).
// It reports whether the batch should be flushed.
func (m *marker) add(ctx context.Context, oid daosgo.OID, p string) error {
	m.mu.Lock()
	m.batch = append(m.batch, oid)
	m.entries++
	if p != "" {
		if m.paths == nil {
			m.paths = map[daosgo.OID]string{}
		}
		m.paths[oid] = p
	}
	full := len(m.batch) >= markBatch
	m.mu.Unlock()
	if full {
		return m.flush(ctx)
	}
	return nil
}

func (m *marker) flush(ctx context.Context) error {
	m.mu.Lock()
	batch := m.batch
	m.batch = nil
	m.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	absent, err := m.oit.MarkMany(ctx, batch, markerValue)
	if err != nil {
		return err
	}
	m.mu.Lock()
	m.marked += uint64(len(batch) - len(absent))
	m.absent = append(m.absent, absent...)
	seen := m.lastSeen
	m.mu.Unlock()
	if time.Since(seen) > 200*time.Millisecond {
		m.report("walk")
	}
	return nil
}

func (m *marker) report(phase string) {
	if m.progress == nil {
		return
	}
	m.mu.Lock()
	p := Progress{Phase: phase, Scanned: m.res.Scanned, Marked: m.marked, Entries: m.entries}
	m.lastSeen = time.Now()
	m.mu.Unlock()
	m.progress(p)
}

// addPartialPut records a put's temporary entry met at path p.
func (m *marker) addPartialPut(p string) {
	m.mu.Lock()
	m.partial = append(m.partial, p)
	m.mu.Unlock()
}

func (m *marker) partialPuts() []string {
	out := append([]string{}, m.partial...)
	sort.Strings(out)
	return out
}

// danglingPaths lists the entries whose objects were not in the OIT.
func (m *marker) danglingPaths() []string {
	out := []string{}
	for _, oid := range m.absent {
		if p, ok := m.paths[oid]; ok {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}
