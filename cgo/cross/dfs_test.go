//go:build daos

package cross

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/daosgo/daosgo/cgo/libdfs"
	"github.com/daosgo/daosgo/daosgo"
	"github.com/daosgo/daosgo/mwc/dfs"
	"github.com/daosgo/daosgo/mwc/populate"
	"gotest.tools/v3/assert"
)

// oddNames are entry names that are legal in DFS (any bytes but '/' and
// NUL, at most 255 of them) and awkward for tools.
var oddNames = []string{
	"with space", "ünïcødé ☃", "tab\there", "new\nline", "-dash", ".hidden", `quote'"`, "%s%n", "a:b=c,d",
	strings.Repeat("é", 85) + strings.Repeat("n", 85), // 255 bytes
}

// bytesOf returns n reproducible bytes for a name.
func bytesOf(name string, n int) []byte { return populate.Content(11, name, n) }

// tree is what a test wrote: file contents and symlink targets by path.
type tree struct {
	files map[string][]byte
	links map[string]string
	dirs  []string
}

func newTree() *tree { return &tree{files: map[string][]byte{}, links: map[string]string{}} }

// check asserts that a view holds exactly what was written, where it says.
func (tr *tree) check(t *testing.T, v view) {
	t.Helper()
	for p, data := range tr.files {
		e, ok := v[p]
		assert.Assert(t, ok, "%s is missing", p)
		assert.Equal(t, e.Type, "file", p)
		assert.Equal(t, e.Sum, digest(data), "%s: content", p)
	}
	for p, target := range tr.links {
		assert.Equal(t, v[p].Type, "symlink", p)
		assert.Equal(t, v[p].Target, target, p)
	}
	for _, p := range tr.dirs {
		assert.Equal(t, v[p].Type, "dir", p)
	}
}

// libdfsChunk is the libdfs container's chunk size: not libdfs's default.
const libdfsChunk = 256 << 10

// writeWithLibdfs makes a tree through libdfs as applications do: dfs_mkdir,
// dfs_open with O_CREAT (a file with a chunk size of its own among them),
// dfs_write, symlinks made by dfs_open, a file whose mtime is set with
// dfs_osetattr; and a file deep directories down.
func writeWithLibdfs(t *testing.T, cont string, deep int) *tree {
	fs, err := libdfs.Create(poolLabel, os.Getenv("DAOS_SYSTEM"), cont, &libdfs.Attr{ChunkSize: libdfsChunk})
	assert.NilError(t, err)
	defer func() { assert.NilError(t, fs.Close()) }()
	tr := newTree()
	mkdir := func(parent *libdfs.Obj, p string) *libdfs.Obj {
		t.Helper()
		assert.NilError(t, fs.Mkdir(parent, path.Base(p), libdfs.IFDIR|0o755, 0))
		o, err := fs.Open(parent, path.Base(p), libdfs.IFDIR|0o755, libdfs.RDWR, 0, 0, "")
		assert.NilError(t, err)
		tr.dirs = append(tr.dirs, p)
		return o
	}
	create := func(parent *libdfs.Obj, p string, chunk uint64, writes ...func(*libdfs.Obj)) {
		t.Helper()
		o, err := fs.Open(parent, path.Base(p), libdfs.IFREG|0o640, libdfs.RDWR|libdfs.CREAT|libdfs.EXCL, 0, chunk, "")
		assert.NilError(t, err, p)
		for _, w := range writes {
			w(o)
		}
		assert.NilError(t, o.Release())
	}
	write := func(p string, off int, data []byte) func(*libdfs.Obj) {
		return func(o *libdfs.Obj) {
			assert.NilError(t, fs.Write(o, data, uint64(off)))
			cur := tr.files[p]
			if end := off + len(data); end > len(cur) {
				cur = append(cur, make([]byte, end-len(cur))...)
			}
			copy(cur[off:], data)
			tr.files[p] = cur
		}
	}
	symlink := func(parent *libdfs.Obj, p, target string) {
		t.Helper()
		o, err := fs.Open(parent, path.Base(p), libdfs.IFLNK|0o777, libdfs.RDWR|libdfs.CREAT|libdfs.EXCL, 0, 0, target)
		assert.NilError(t, err, p)
		assert.NilError(t, o.Release())
		tr.links[p] = target
	}

	empty := mkdir(nil, "/empty-dir")
	assert.NilError(t, empty.Release())
	files := mkdir(nil, "/files")
	create(files, "/files/empty", 0)
	tr.files["/files/empty"] = []byte{}
	create(files, "/files/small", 0, write("/files/small", 0, bytesOf("small", 100)))
	// 3.5 chunks of the container's chunk size, in one write.
	create(files, "/files/multi", 0, write("/files/multi", 0, bytesOf("multi", 7*libdfsChunk/2)))
	// A chunk size of its own, not a power of two, over 9 chunks.
	create(files, "/files/odd-chunk", 12345, write("/files/odd-chunk", 0, bytesOf("odd", 100000)))
	// A hole: only bytes past 2.5 chunks were written.
	create(files, "/files/sparse", 0, write("/files/sparse", 5*libdfsChunk/2+3, bytesOf("sparse", 10)))
	// Written, then partly overwritten across a chunk boundary.
	create(files, "/files/overwritten", 0, write("/files/overwritten", 0, bytesOf("ow1", 2*libdfsChunk)),
		write("/files/overwritten", libdfsChunk-50, bytesOf("ow2", 100)))
	// A file whose mtime was set by hand after it was written (touch -m):
	// libdfs then keeps the time in the entry, with the object's epoch.
	create(files, "/files/touched", 0, write("/files/touched", 0, bytesOf("touched", 5000)), func(o *libdfs.Obj) {
		assert.NilError(t, fs.SetMtime(o, time.Date(2023, 4, 5, 6, 7, 8, 9, time.UTC)))
	})
	links := mkdir(nil, "/links")
	symlink(links, "/links/abs", "/files/small")
	symlink(links, "/links/rel", "../files/small")
	symlink(links, "/links/dangling", "/no/such/file")
	symlink(links, "/links/to-dir", "../files")
	names := mkdir(nil, "/names")
	for _, n := range oddNames {
		p := "/names/" + n
		create(names, p, 0, write(p, 0, []byte(n)))
	}
	oddDir := mkdir(names, "/names/dir "+oddNames[1])
	symlink(oddDir, "/names/dir "+oddNames[1]+"/"+oddNames[0], "../"+oddNames[2])
	assert.NilError(t, oddDir.Release())
	for _, o := range []*libdfs.Obj{files, links, names} {
		assert.NilError(t, o.Release())
	}
	dir, p := (*libdfs.Obj)(nil), ""
	for i := 0; i < deep; i++ {
		p += fmt.Sprintf("/l%02d", i)
		next := mkdir(dir, p)
		if dir != nil {
			assert.NilError(t, dir.Release())
		}
		dir = next
	}
	create(dir, p+"/leaf", 0, write(p+"/leaf", 0, bytesOf("leaf", 3000)))
	assert.NilError(t, dir.Release())
	return tr
}

// A tree written by libdfs reads the same through daosgo: every entry's
// type, mode, size, owner, times (as libdfs derives them from the
// objects' epochs), chunk size and object ID, every byte of every file,
// every symlink's target; the CLI's ls -l, stat and cat show it; daosgo
// then writes into it and libdfs reads that back; both checkers find it
// clean.
func TestCrossLibdfsWrites(t *testing.T) {
	p := connect(t)
	cont := label(t, p, "libdfs")
	tr := writeWithLibdfs(t, cont, 30)
	v := sameView(t, p, cont)
	tr.check(t, v)
	assert.Equal(t, v["/files/odd-chunk"].Chunk, uint64(12345))
	assert.Equal(t, v["/files/multi"].Chunk, uint64(libdfsChunk))
	assert.Equal(t, v["/files/touched"].Mtime, time.Date(2023, 4, 5, 6, 7, 8, 9, time.UTC).UnixNano())

	// What a user sees through the CLI.
	var ls []dfs.Stat
	assert.NilError(t, json.Unmarshal(cli(t, nil, "--json", "fs", "ls", poolLabel, cont, "/files", "-l"), &ls))
	assert.Equal(t, len(ls), 7)
	for _, st := range ls {
		want := v["/files/"+st.Name]
		assert.Equal(t, st.Size, want.Size, st.Name)
		assert.Equal(t, st.Mode, want.Mode, st.Name)
		assert.Equal(t, st.Mtime.UnixNano(), want.Mtime, st.Name)
	}
	var st dfs.Stat
	assert.NilError(t, json.Unmarshal(cli(t, nil, "--json", "fs", "stat", poolLabel, cont, "/links/rel"), &st))
	assert.Equal(t, st.Target, "../files/small")
	for _, f := range []string{"/files/multi", "/files/sparse", "/links/rel", "/names/" + oddNames[len(oddNames)-1]} {
		want := tr.files[f]
		if f == "/links/rel" {
			want = tr.files["/files/small"]
		}
		assert.Equal(t, digest(cli(t, nil, "fs", "cat", poolLabel, cont, f)), digest(want), f)
	}

	// daosgo writes into libdfs's tree; libdfs reads it back.
	data := bytesOf("from-daosgo", 3*libdfsChunk+17)
	cli(t, data, "fs", "put", poolLabel, cont, "-", "/files/from-daosgo")
	tr.files["/files/from-daosgo"] = data
	cli(t, nil, "fs", "mkdir", poolLabel, cont, "/l00/l01/daosgo/x", "-p")
	tr.dirs = append(tr.dirs, "/l00/l01/daosgo/x")
	cli(t, data[:10], "fs", "put", poolLabel, cont, "-", "/l00/l01/daosgo/x/"+oddNames[1])
	tr.files["/l00/l01/daosgo/x/"+oddNames[1]] = data[:10]
	v = sameView(t, p, cont)
	tr.check(t, v)
	// The new file takes the container's chunk size, as libdfs's would.
	assert.Equal(t, v["/files/from-daosgo"].Chunk, uint64(libdfsChunk))

	assert.DeepEqual(t, daosCheck(t, cont), []string{})
	assert.Assert(t, daosgoCheck(t, p, cont, "report").Clean())
}

// A tree written by daosgo reads the same through libdfs: fs mkdir, fs put
// (a 3.5 MB file, an empty one, odd names), container populate, symlinks,
// a deep path, with the default chunk size and with one of the user's.
func TestCrossDaosgoWrites(t *testing.T) {
	p := connect(t)
	for _, chunk := range []string{"", "64KiB"} {
		t.Run("chunk="+chunk, func(t *testing.T) {
			cont := label(t, p, "daosgo")
			args := []string{"container", "create", poolLabel, cont, "--type", "POSIX"}
			if chunk != "" {
				args = append(args, "--chunk-size", chunk)
			}
			cli(t, nil, args...)
			tr := writeWithDaosgo(t, p, cont)
			v := sameView(t, p, cont)
			tr.check(t, v)
			if chunk != "" {
				assert.Equal(t, v["/put/big"].Chunk, uint64(64<<10))
			}
			assert.DeepEqual(t, daosCheck(t, cont), []string{})
		})
	}
}

func writeWithDaosgo(t *testing.T, p daosgo.Pool, cont string) *tree {
	tr := newTree()
	dir := t.TempDir()
	put := func(p string, data []byte) {
		t.Helper()
		src := filepath.Join(dir, "src")
		assert.NilError(t, os.WriteFile(src, data, 0o644))
		cli(t, nil, "fs", "put", poolLabel, cont, src, p)
		tr.files[p] = data
	}
	cli(t, nil, "fs", "mkdir", poolLabel, cont, "/put", "-p")
	tr.dirs = append(tr.dirs, "/put", "/empty-dir")
	cli(t, nil, "fs", "mkdir", poolLabel, cont, "/empty-dir")
	put("/put/big", bytesOf("big", 3_500_000))
	put("/put/empty", nil)
	put("/put/small", bytesOf("small", 1))
	for _, n := range oddNames {
		put("/put/"+n, []byte(n))
	}
	deep := ""
	for i := 0; i < 30; i++ {
		deep += fmt.Sprintf("/d%02d", i)
	}
	cli(t, nil, "fs", "mkdir", poolLabel, cont, deep, "-p")
	put(deep+"/leaf", bytesOf("leaf", 5000))
	cli(t, nil, "container", "populate", poolLabel, cont, "--top", "/pop", "--depth", "2", "--dirs", "2", "--files", "5",
		"--max-size", "300KiB", "--symlink-every", "2", "--seed", "9")

	// Symlinks through the library (the CLI makes none).
	c, err := p.OpenContainer(ctx, cont, daosgo.ContRW)
	assert.NilError(t, err)
	fs, err := dfs.Mount(ctx, c)
	assert.NilError(t, err)
	for p, target := range map[string]string{
		"/put/abs": "/put/small", "/put/rel": "../put/big", "/put/dangling": "/no/such", "/put/to-dir": "/put",
		"/put/" + oddNames[1] + "-link": oddNames[0],
	} {
		assert.NilError(t, fs.Symlink(ctx, target, p))
		tr.links[p] = target
	}
	// A file written in pieces, out of order, across chunks.
	r := rand.New(rand.NewPCG(1, 2))
	n, err := fs.CreateFile(ctx, "/put/pieces", 0o600)
	assert.NilError(t, err)
	whole := bytesOf("pieces", 200_000)
	for _, i := range r.Perm(10) {
		assert.NilError(t, fs.WriteAt(ctx, n.Entry, whole[i*20_000:(i+1)*20_000], uint64(i*20_000)))
	}
	tr.files["/put/pieces"] = whole
	assert.NilError(t, c.Close(ctx))
	return tr
}
