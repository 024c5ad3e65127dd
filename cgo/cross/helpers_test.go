//go:build daos

package cross

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/daosgo/daosgo/cgo/libdaos"
	"github.com/daosgo/daosgo/cgo/libdfs"
	"github.com/daosgo/daosgo/daosgo"
	"github.com/daosgo/daosgo/mwc/checker"
	"github.com/daosgo/daosgo/mwc/dfs"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

var (
	ctx       = context.Background()
	poolLabel string           // DAOSGO_TEST_POOL
	backend   *libdaos.Backend // daosgo's libdaos backend, shared by the tests
	daosgoBin string           // the CLI built with -tags daos, for what users type
)

// TestMain sets up libdfs and the libdaos backend once (dfs_init and
// daos_init are process-wide) and builds the CLI, when a DAOS pool is
// named; without one every test skips.
func TestMain(m *testing.M) {
	poolLabel = os.Getenv("DAOSGO_TEST_POOL")
	if poolLabel == "" {
		os.Exit(m.Run())
	}
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if err := libdfs.Init(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer libdfs.Fini()
	b, err := libdaos.New(libdaos.Options{System: os.Getenv("DAOS_SYSTEM"), DmgArgs: strings.Fields(os.Getenv("DAOSGO_DMG_ARGS"))})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer b.Close()
	backend = b
	dir, err := os.MkdirTemp("", "daosgo-cross-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	daosgoBin = filepath.Join(dir, "daosgo")
	build := exec.Command("go", "build", "-tags", "daos", "-o", daosgoBin, "../../cmd/daosgo")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build the CLI: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// connect returns a handle on the test pool, or skips without DAOS.
func connect(t *testing.T) daosgo.Pool {
	t.Helper()
	if poolLabel == "" {
		t.Skip("set DAOSGO_TEST_POOL to a pool of a DAOS system to run the cross tests")
	}
	p, err := backend.Connect(ctx, poolLabel, daosgo.PoolRW)
	assert.NilError(t, err)
	t.Cleanup(func() { p.Disconnect(ctx) })
	return p
}

var labels atomic.Int64

// label returns a container label no other run uses, and destroys the
// container of that label when the test ends.
func label(t *testing.T, p daosgo.Pool, what string) string {
	l := fmt.Sprintf("daosgo-x%d-%d-%s", os.Getpid(), labels.Add(1), what)
	t.Cleanup(func() {
		if err := p.DestroyContainer(ctx, l, true); err != nil && !errors.Is(err, daosgo.ErrNonexist) {
			t.Errorf("destroy container %s: %v", l, err)
		}
	})
	return l
}

// cli runs the daosgo CLI on DAOS and returns its standard output.
func cli(t *testing.T, stdin []byte, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(daosgoBin, append([]string{"--engine", "daos"}, args...)...)
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	assert.NilError(t, err, "daosgo %s: %s", strings.Join(args, " "), errb.String())
	return out.Bytes()
}

// entry is what both libdfs and daosgo must say of one namespace entry.
type entry struct {
	Type   string // "dir", "file" or "symlink"
	Mode   uint32 // type and permission bits
	Size   uint64 // files and symlinks (libdfs reports an in-memory struct size for directories)
	UID    uint32
	GID    uint32
	Mtime  int64 // nanoseconds since the epoch, as stat reports them
	Ctime  int64
	Target string // a symlink's value
	Sum    string // a file's content digest
	Chunk  uint64 // a file's chunk size (st_blksize)
	OID    string // directories and files
}

// view maps every path of a namespace to its entry.
type view map[string]entry

func digest(b []byte) string { return fmt.Sprintf("%d:%x", len(b), sha256.Sum256(b)) }

func typeOf(mode uint32) string {
	switch mode & 0o170000 { // S_IFMT
	case libdfs.IFDIR:
		return "dir"
	case libdfs.IFREG:
		return "file"
	case libdfs.IFLNK:
		return "symlink"
	}
	return fmt.Sprintf("mode %#o", mode)
}

// libdfsView walks the namespace as a libdfs application does: dfs_readdir
// of each directory, dfs_stat of each entry, dfs_open without O_CREAT and
// dfs_read of every file and directory (dfs_open asserts that a file's
// entry has a chunk size), dfs_lookup of every symlink, without and with
// following it.
func libdfsView(t *testing.T, cont string) view {
	t.Helper()
	fs, err := libdfs.Mount(poolLabel, os.Getenv("DAOS_SYSTEM"), cont, libdfs.RDONLY)
	assert.NilError(t, err)
	defer func() { assert.NilError(t, fs.Close()) }()
	v := view{}
	root, err := fs.Lookup("/", libdfs.RDONLY)
	assert.NilError(t, err)
	defer root.Release()
	st, err := fs.Stat(nil, "")
	assert.NilError(t, err)
	info, err := fs.ObjInfo(root)
	assert.NilError(t, err)
	v["/"] = libdfsEntry(st, "", "", 0, info.OID)
	libdfsWalk(t, fs, root, "/", v)
	return v
}

func libdfsEntry(st libdfs.Stat, target, sum string, chunk uint64, oid daosgo.OID) entry {
	e := entry{Type: typeOf(st.Mode), Mode: st.Mode, Size: st.Size, UID: st.UID, GID: st.GID,
		Mtime: st.Mtime.UnixNano(), Ctime: st.Ctime.UnixNano(), Target: target, Sum: sum, Chunk: chunk}
	if e.Type == "dir" {
		e.Size = 0 // sizeof(struct dfs_entry): nothing stored
	}
	if !oid.IsZero() {
		e.OID = oid.String()
	}
	return e
}

func libdfsWalk(t *testing.T, fs *libdfs.FS, dir *libdfs.Obj, p string, v view) {
	names, err := fs.Readdir(dir)
	assert.NilError(t, err, "readdir %s", p)
	for _, name := range names {
		child := path.Join(p, name)
		st, err := fs.Stat(dir, name)
		assert.NilError(t, err, "stat %s", child)
		switch typeOf(st.Mode) {
		case "dir":
			o, err := fs.Open(dir, name, libdfs.IFDIR, libdfs.RDONLY, 0, 0, "")
			assert.NilError(t, err, "open %s", child)
			info, err := fs.ObjInfo(o)
			assert.NilError(t, err)
			v[child] = libdfsEntry(st, "", "", 0, info.OID)
			libdfsWalk(t, fs, o, child, v)
			assert.NilError(t, o.Release())
		case "file":
			o, err := fs.Open(dir, name, libdfs.IFREG, libdfs.RDONLY, 0, 0, "")
			assert.NilError(t, err, "open %s", child)
			buf := make([]byte, st.Size+1)
			n, err := fs.Read(o, buf, 0)
			assert.NilError(t, err, "read %s", child)
			assert.Equal(t, uint64(n), st.Size, "%s: dfs_read ends where dfs_stat says", child)
			info, err := fs.ObjInfo(o)
			assert.NilError(t, err)
			assert.Equal(t, info.ChunkSize, st.Blksize, child)
			v[child] = libdfsEntry(st, "", digest(buf[:n]), info.ChunkSize, info.OID)
			assert.NilError(t, o.Release())
		case "symlink":
			o, err := fs.Lookup(child, libdfs.RDONLY|libdfs.NOFOLLOW)
			assert.NilError(t, err, "lookup %s", child)
			target, err := fs.Readlink(o)
			assert.NilError(t, err)
			assert.NilError(t, o.Release())
			v[child] = libdfsEntry(st, target, "", 0, daosgo.OID{})
			// Following it finds what it points at, or nothing. libdfs
			// resolves a target from the link's directory and refuses an
			// absolute one there unless that is the root (lookup_rel_path:
			// "only paths from root can be absolute"); daosgo takes it from
			// the container's root.
			if o, err := fs.Lookup(child, libdfs.RDONLY); err == nil {
				assert.NilError(t, o.Release())
			} else if strings.HasPrefix(target, "/") && p != "/" {
				assert.Assert(t, errors.Is(err, syscall.EINVAL), "follow %s: %v", child, err)
			} else {
				assert.Assert(t, errors.Is(err, syscall.ENOENT), "follow %s: %v", child, err)
			}
		default:
			t.Fatalf("%s: %s", child, typeOf(st.Mode))
		}
	}
}

// daosgoView walks the namespace with mwc/dfs over the libdaos backend:
// what daosgo's fs ls -l, stat and cat show.
func daosgoView(t *testing.T, p daosgo.Pool, cont string) view {
	t.Helper()
	c, err := p.OpenContainer(ctx, cont, daosgo.ContRO)
	assert.NilError(t, err)
	defer func() { assert.NilError(t, c.Close(ctx)) }()
	fs, err := dfs.Mount(ctx, c)
	assert.NilError(t, err)
	v := view{}
	root, err := fs.StatNode(ctx, dfs.Node{Name: "/", Entry: fs.Root})
	assert.NilError(t, err)
	v["/"] = daosgoEntry(root, "")
	var walk func(dir daosgo.OID, p string)
	walk = func(dir daosgo.OID, p string) {
		ents, err := fs.ReaddirAll(ctx, dir)
		assert.NilError(t, err, "readdir %s", p)
		for _, de := range ents {
			child := path.Join(p, de.Name)
			n, err := fs.Lookup(ctx, child)
			assert.NilError(t, err, "lookup %s", child)
			st, err := fs.StatNode(ctx, n)
			assert.NilError(t, err, "stat %s", child)
			sum := ""
			if n.IsRegular() {
				data, err := fs.ReadFile(ctx, child)
				assert.NilError(t, err, "cat %s", child)
				sum = digest(data)
			}
			v[child] = daosgoEntry(st, sum)
			if n.IsDir() {
				walk(n.OID, child)
			}
		}
	}
	walk(fs.Root.OID, "/")
	return v
}

func daosgoEntry(st dfs.Stat, sum string) entry {
	e := entry{Type: st.Type, Mode: st.Mode, Size: st.Size, UID: st.UID, GID: st.GID,
		Mtime: st.Mtime.UnixNano(), Ctime: st.Ctime.UnixNano(), Target: st.Target, Sum: sum, Chunk: st.ChunkSize}
	if st.Type != "symlink" {
		e.OID = st.OIDStr
	}
	return e
}

// sameView asserts that libdfs and daosgo see the same namespace, entry
// by entry, and returns it.
func sameView(t *testing.T, p daosgo.Pool, cont string) view {
	t.Helper()
	lv, gv := libdfsView(t, cont), daosgoView(t, p, cont)
	assert.DeepEqual(t, sortedKeys(lv), sortedKeys(gv))
	for _, k := range sortedKeys(lv) {
		assert.Check(t, is.DeepEqual(gv[k], lv[k]), "%q: daosgo (-) and libdfs (+) differ", k)
	}
	if t.Failed() {
		t.FailNow()
	}
	return lv
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// daosCheck runs DAOS's own checker (daos fs check --flags=print) and
// returns the leaked OIDs it lists.
func daosCheck(t *testing.T, cont string) []string {
	t.Helper()
	out, err := exec.Command("daos", "fs", "check", poolLabel, cont, "--flags=print").CombinedOutput()
	assert.NilError(t, err, "daos fs check: %s", out)
	leaked := []string{}
	total := -1
	for _, line := range strings.Split(string(out), "\n") {
		// "oid[0]: 937030203124606172.1"
		if strings.HasPrefix(line, "oid[") {
			if i := strings.Index(line, "]: "); i > 0 {
				leaked = append(leaked, strings.TrimSpace(line[i+3:]))
			}
		}
		fmt.Sscanf(line, "DFS checker: Number of leaked OIDs in namespace = %d", &total)
	}
	assert.Equal(t, total, len(leaked), "daos fs check's count and list disagree:\n%s", out)
	sort.Strings(leaked)
	return leaked
}

// daosgoCheck runs daosgo's checker on DAOS with one action.
func daosgoCheck(t *testing.T, p daosgo.Pool, cont string, action string, more ...func(*checker.Options)) *checker.Result {
	t.Helper()
	opts := checker.Options{Name: "cross"}
	switch action {
	case "report":
	case "punch":
		opts.Action = checker.Punch
	case "relink":
		opts.Action = checker.Relink
	default:
		t.Fatalf("action %q", action)
	}
	for _, f := range more {
		f(&opts)
	}
	res, err := checker.Check(ctx, p, cont, opts)
	assert.NilError(t, err, "daosgo checker %s on %s", action, cont)
	return res
}
