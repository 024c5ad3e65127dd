// Package inject breaks DFS and PyDAOS containers the way a catastrophic
// recovery can leave them, for testing the checker: it knows the data
// models, picks its targets with a seeded generator, and returns a manifest
// of exactly what it broke and which objects it left unreachable.
package inject

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path"
	"sort"

	"github.com/daosgo/daosgo/daosgo"
	"github.com/daosgo/daosgo/mwc/dfs"
	"github.com/daosgo/daosgo/mwc/pydaos"
)

// Fault names a kind of damage.
type Fault string

// DFS faults.
const (
	LostDirObject  Fault = "lost-dir-object"  // a directory's object is gone: what it held is orphaned
	LostDentry     Fault = "lost-dentry"      // an entry is gone: its file or subtree is orphaned
	LostFileObject Fault = "lost-file-object" // a file's object is gone: its entry dangles
	LostChunks     Fault = "lost-chunks"      // some chunks of a file are gone (undetectable)
	LostSB         Fault = "lost-sb"          // the superblock's values are gone
	CorruptSB      Fault = "corrupt-sb"       // the superblock's magic is wrong
	LostRoot       Fault = "lost-root"        // the root entry and directory are gone: everything is orphaned
)

// PyDAOS faults.
const (
	LostKVEntry Fault = "lost-kv-entry" // a root KV entry is gone: its dict or array is orphaned
	LostKV      Fault = "lost-kv"       // the root KV is gone: every dict and array is orphaned
)

// DFSFaults and PythonFaults list the faults of each data model.
var (
	DFSFaults    = []Fault{LostDirObject, LostDentry, LostFileObject, LostChunks, LostSB, CorruptSB, LostRoot}
	PythonFaults = []Fault{LostKVEntry, LostKV}
)

// Item is one thing a fault broke.
type Item struct {
	Path   string `json:"path,omitempty"` // namespace path (DFS) or root KV name (PyDAOS)
	OID    string `json:"oid,omitempty"`
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
}

// Manifest says exactly what an injection did.
type Manifest struct {
	Fault Fault  `json:"fault"`
	Seed  uint64 `json:"seed"`
	Items []Item `json:"items"`
	// Orphans are the objects left unreachable, which a check must find,
	// no more and no less.
	Orphans []string `json:"orphans"`
	// Dangling are entries left pointing at an object that is gone.
	Dangling []string `json:"dangling"`
	// LostData are paths whose data is damaged beyond repair.
	LostData []string `json:"lost_data"`
	// Needs are the checker options the damage requires ("fix-sb",
	// "fix-root").
	Needs []string `json:"needs"`
}

// Inject applies count faults of one kind to container c (opened RW); it
// breaks fewer when fewer targets qualify.
func Inject(ctx context.Context, c daosgo.Container, fault Fault, count int, seed uint64) (*Manifest, error) {
	if count <= 0 {
		return nil, daosgo.Errorf(daosgo.ErrInval, "inject %s: count %d: want at least 1", fault, count)
	}
	props, err := c.GetProps(ctx, daosgo.PropContLayoutType)
	if err != nil {
		return nil, err
	}
	// Lists start empty, not nil: JSON readers get [] rather than null.
	m := &Manifest{Fault: fault, Seed: seed, Items: []Item{}, Orphans: []string{}, Dangling: []string{}, LostData: []string{}, Needs: []string{}}
	r := rand.New(rand.NewPCG(seed, 0x1a7ec7))
	switch layout := props[0].Num; {
	case layout == daosgo.LayoutPOSIX && contains(DFSFaults, fault):
		err = injectDFS(ctx, c, fault, count, r, m)
	case layout == daosgo.LayoutPython && contains(PythonFaults, fault):
		err = injectPython(ctx, c, fault, count, r, m)
	default:
		return nil, daosgo.Errorf(daosgo.ErrInval, "fault %q does not apply to a %s container (DFS: %v; PYTHON: %v)",
			fault, daosgo.LayoutName(layout), DFSFaults, PythonFaults)
	}
	if err != nil {
		return nil, err
	}
	sort.Strings(m.Orphans)
	return m, nil
}

func contains(fs []Fault, f Fault) bool {
	for _, x := range fs {
		if x == f {
			return true
		}
	}
	return false
}

// exists reports whether an object holds anything: what puts it in an OIT.
func exists(ctx context.Context, c daosgo.Container, oid daosgo.OID) (bool, error) {
	o, err := c.OpenObject(ctx, oid, daosgo.ObjRO)
	if err != nil {
		return false, err
	}
	defer o.Close()
	a := &daosgo.Anchor{}
	keys, err := o.ListDkeys(ctx, a, 1, nil)
	return len(keys) > 0, err
}

// writtenChunks lists the chunks (integer dkeys) a file object holds, in
// order.
func writtenChunks(ctx context.Context, c daosgo.Container, oid daosgo.OID) ([]uint64, error) {
	o, err := c.OpenObject(ctx, oid, daosgo.ObjRO)
	if err != nil {
		return nil, err
	}
	defer o.Close()
	keys, err := daosgo.ListAll(func(a *daosgo.Anchor) ([][]byte, error) { return o.ListDkeys(ctx, a, 256, nil) })
	if err != nil {
		return nil, err
	}
	out := make([]uint64, 0, len(keys))
	for _, k := range keys {
		n, err := daosgo.KeyUint64(k)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

func punchDkey(ctx context.Context, c daosgo.Container, oid daosgo.OID, dkey []byte) error {
	o, err := c.OpenObject(ctx, oid, daosgo.ObjRW)
	if err != nil {
		return err
	}
	defer o.Close()
	return o.PunchDkeys(ctx, daosgo.CondPunch, [][]byte{dkey})
}

// node is an entry of a walked DFS tree.
type node struct {
	path, name string
	parent     daosgo.OID
	dfs.Entry
}

func walk(ctx context.Context, fs *dfs.FS, dir daosgo.OID, p string, out *[]node) error {
	ents, err := fs.ReaddirAll(ctx, dir)
	if err != nil {
		return err
	}
	sort.Slice(ents, func(i, j int) bool { return ents[i].Name < ents[j].Name })
	for _, e := range ents {
		child := path.Join(p, e.Name)
		*out = append(*out, node{child, e.Name, dir, e.Entry})
		if e.IsDir() {
			if err := walk(ctx, fs, e.OID, child, out); err != nil {
				return err
			}
		}
	}
	return nil
}

// subtreeObjects lists the objects that exist at or below n.
func subtreeObjects(ctx context.Context, c daosgo.Container, all []node, n node) ([]string, error) {
	var out []string
	for _, x := range all {
		if x.path != n.path && !isBelow(x.path, n.path) {
			continue
		}
		if x.IsSymlink() {
			continue
		}
		ok, err := exists(ctx, c, x.OID)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, x.OID.String())
		}
	}
	return out, nil
}

func isBelow(p, dir string) bool {
	return len(p) > len(dir) && p[:len(dir)] == dir && p[len(dir)] == '/'
}

// pick chooses count distinct nodes satisfying ok, none inside another's
// subtree, so that the damage of one does not hide another's.
func pick(r *rand.Rand, all []node, count int, ok func(node) bool) []node {
	var cand []node
	for _, n := range all {
		if ok(n) {
			cand = append(cand, n)
		}
	}
	r.Shuffle(len(cand), func(i, j int) { cand[i], cand[j] = cand[j], cand[i] })
	var out []node
	for _, n := range cand {
		clash := false
		for _, o := range out {
			clash = clash || n.path == o.path || isBelow(n.path, o.path) || isBelow(o.path, n.path)
		}
		if !clash {
			out = append(out, n)
		}
		if len(out) == count {
			break
		}
	}
	return out
}

func injectDFS(ctx context.Context, c daosgo.Container, fault Fault, count int, r *rand.Rand, m *Manifest) error {
	props, err := c.GetProps(ctx, daosgo.PropContRoots)
	if err != nil {
		return err
	}
	roots := props[0].Roots
	switch fault {
	case LostSB:
		m.Items = append(m.Items, Item{OID: roots[0].String(), Kind: "superblock", Detail: "punched dkey " + dfs.SBDkey})
		m.Needs = []string{"fix-sb"}
		return punchDkey(ctx, c, roots[0], []byte(dfs.SBDkey))
	case CorruptSB:
		o, err := c.OpenObject(ctx, roots[0], daosgo.ObjRW)
		if err != nil {
			return err
		}
		defer o.Close()
		m.Items = append(m.Items, Item{OID: roots[0].String(), Kind: "superblock", Detail: "overwrote DFS_MAGIC"})
		m.Needs = []string{"fix-sb"}
		return daosgo.PutSingle(ctx, o, []byte(dfs.SBDkey), "DFS_MAGIC", []byte("not-dfs!"))
	}
	fs, err := dfs.Mount(ctx, c)
	if err != nil {
		return fmt.Errorf("inject %s: %w", fault, err)
	}
	var all []node
	if err := walk(ctx, fs, fs.Root.OID, "/", &all); err != nil {
		return err
	}
	if fault == LostRoot {
		// Everything that exists below the root is orphaned.
		for _, n := range all {
			if path.Dir(n.path) == "/" {
				objs, err := subtreeObjects(ctx, c, all, n)
				if err != nil {
					return err
				}
				m.Orphans = append(m.Orphans, objs...)
			}
		}
		m.Items = append(m.Items, Item{Path: "/", OID: roots[1].String(), Kind: "root", Detail: "punched the root entry and the root directory"})
		m.Needs = []string{"fix-root"}
		if err := punchDkey(ctx, c, roots[0], []byte(dfs.RootEntryName)); err != nil {
			return err
		}
		return daosgo.PunchObject(ctx, c, roots[1])
	}
	// The target predicates read the container; the first error they meet
	// is kept and returned rather than taken for "not a target".
	var probeErr error
	hasObject := func(n node) bool {
		ok, err := exists(ctx, c, n.OID)
		if err != nil && probeErr == nil {
			probeErr = err
		}
		return ok
	}
	var targets []node
	switch fault {
	case LostDirObject:
		targets = pick(r, all, count, func(n node) bool { return n.IsDir() && hasObject(n) })
	case LostDentry:
		targets = pick(r, all, count, func(n node) bool { return !n.IsSymlink() })
	case LostFileObject:
		targets = pick(r, all, count, func(n node) bool { return n.IsRegular() && hasObject(n) })
	case LostChunks:
		targets = pick(r, all, count, func(n node) bool {
			if !n.IsRegular() {
				return false
			}
			chunks, err := writtenChunks(ctx, c, n.OID)
			if err != nil && probeErr == nil {
				probeErr = err
			}
			return len(chunks) > 1
		})
	}
	if probeErr != nil {
		return fmt.Errorf("inject %s: %w", fault, probeErr)
	}
	if len(targets) == 0 {
		return daosgo.Errorf(daosgo.ErrNonexist, "inject %s: the namespace has nothing to break that way (populate it first)", fault)
	}
	for _, n := range targets {
		switch fault {
		case LostDirObject:
			// The directory's children, and what they hold, are orphaned;
			// the directory itself is left as an entry without object.
			objs, err := subtreeObjects(ctx, c, all, n)
			if err != nil {
				return err
			}
			for _, o := range objs {
				if o != n.OID.String() {
					m.Orphans = append(m.Orphans, o)
				}
			}
			m.Items = append(m.Items, Item{Path: n.path, OID: n.OID.String(), Kind: "directory", Detail: "punched the directory object"})
			m.Dangling = append(m.Dangling, n.path)
			if err := daosgo.PunchObject(ctx, c, n.OID); err != nil {
				return err
			}
		case LostDentry:
			objs, err := subtreeObjects(ctx, c, all, n)
			if err != nil {
				return err
			}
			m.Orphans = append(m.Orphans, objs...)
			kind := "file"
			if n.IsDir() {
				kind = "directory"
			}
			m.Items = append(m.Items, Item{Path: n.path, OID: n.OID.String(), Kind: kind, Detail: "punched the entry in its parent"})
			if err := punchDkey(ctx, c, n.parent, []byte(n.name)); err != nil {
				return err
			}
		case LostFileObject:
			m.Items = append(m.Items, Item{Path: n.path, OID: n.OID.String(), Kind: "file", Detail: "punched the file object"})
			m.Dangling = append(m.Dangling, n.path)
			m.LostData = append(m.LostData, n.path)
			if err := daosgo.PunchObject(ctx, c, n.OID); err != nil {
				return err
			}
		case LostChunks:
			chunks, err := writtenChunks(ctx, c, n.OID)
			if err != nil {
				return err
			}
			// Lose a written chunk before the last, so the size stays the
			// same and nothing shows it: the design's undetectable case.
			// (Chunks are counted in the file's own chunk size, which
			// libdfs lets each file have, and a sparse file's holes are
			// no chunks to lose.)
			lost := chunks[r.IntN(len(chunks)-1)]
			size, err := fs.Size(ctx, n.Entry)
			if err != nil {
				return err
			}
			cs := fs.ChunkSize(n.Entry)
			m.Items = append(m.Items, Item{Path: n.path, OID: n.OID.String(), Kind: "file",
				Detail: fmt.Sprintf("punched chunk %d of %d", lost, (size+cs-1)/cs)})
			m.LostData = append(m.LostData, n.path)
			if err := punchDkey(ctx, c, n.OID, daosgo.Uint64Key(lost)); err != nil {
				return err
			}
		}
	}
	sort.Strings(m.Dangling)
	return nil
}

func injectPython(ctx context.Context, c daosgo.Container, fault Fault, count int, r *rand.Rand, m *Manifest) error {
	pc, err := pydaos.Open(ctx, c, daosgo.ObjRW)
	if err != nil {
		return err
	}
	defer pc.Close()
	names, err := pc.AllNames(ctx)
	if err != nil {
		return err
	}
	sort.Strings(names)
	if len(names) == 0 {
		return daosgo.Errorf(daosgo.ErrNonexist, "inject %s: the root KV is empty (populate it first)", fault)
	}
	// orphan looks name up and records its object as orphaned if it has one.
	orphan := func(name string) (pydaos.Record, error) {
		rec, err := pc.Lookup(ctx, name)
		if err != nil {
			return rec, err
		}
		ok, err := exists(ctx, c, rec.OID)
		if ok {
			m.Orphans = append(m.Orphans, rec.OID.String())
		}
		return rec, err
	}
	switch fault {
	case LostKV:
		for _, n := range names {
			if _, err := orphan(n); err != nil {
				return err
			}
		}
		m.Items = append(m.Items, Item{OID: pc.RootOID().String(), Kind: "root KV", Detail: "punched the root KV"})
		return daosgo.PunchObject(ctx, c, pc.RootOID())
	case LostKVEntry:
		r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
		for _, n := range names[:min(count, len(names))] {
			rec, err := orphan(n)
			if err != nil {
				return err
			}
			m.Items = append(m.Items, Item{Path: n, OID: rec.OID.String(), Kind: rec.Kind.String(), Detail: "removed the root KV entry"})
			o, err := c.OpenObject(ctx, pc.RootOID(), daosgo.ObjRW)
			if err != nil {
				return err
			}
			err = o.PunchDkeys(ctx, daosgo.CondPunch, [][]byte{[]byte(n)})
			o.Close()
			if err != nil {
				return err
			}
		}
		return nil
	}
	return errors.New("unreachable")
}
