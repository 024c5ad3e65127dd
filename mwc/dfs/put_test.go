package dfs

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/daosgo/daosgo/daosgo"
	"github.com/daosgo/daosgo/daosgo/embedded/embeddedtest"
	"gotest.tools/v3/assert"
)

// names lists a directory's entry names.
func names(t *testing.T, fs *FS, p string) []string {
	t.Helper()
	n, err := fs.Lookup(ctx, p)
	assert.NilError(t, err)
	ents, err := fs.ReaddirAll(ctx, n.OID)
	assert.NilError(t, err)
	out := []string{}
	for _, e := range ents {
		out = append(out, e.Name)
	}
	return out
}

func objects(t *testing.T, fs *FS) uint64 {
	t.Helper()
	info, err := fs.Container().Query(ctx)
	assert.NilError(t, err)
	return info.Objects
}

// TestPutReplacesWhole puts over existing files: the new content replaces
// the old entirely (no old tail left), the old object is punched, the
// entry stores its chunk size, and no temporary name is left.
func TestPutReplacesWhole(t *testing.T) {
	big := bytes.Repeat([]byte("old."), 50000) // 200,000 bytes
	tests := []struct {
		name string
		data []byte
	}{
		{"smaller", bytes.Repeat([]byte("n"), 1000)},
		{"empty", nil},
		{"larger", bytes.Repeat([]byte("new!"), 60000)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs, _ := newFS(t, Attr{ChunkSize: 4096})
			_, err := fs.PutFile(ctx, "/f", bytes.NewReader(big), 0o600)
			assert.NilError(t, err)
			first, _ := fs.Lookup(ctx, "/f")
			n, err := fs.PutFile(ctx, "/f", bytes.NewReader(tc.data), 0o644)
			assert.NilError(t, err)
			assert.Equal(t, n, int64(len(tc.data)))
			got, err := fs.ReadFile(ctx, "/f")
			assert.NilError(t, err)
			assert.DeepEqual(t, got, append([]byte{}, tc.data...))
			e, _ := fs.Lookup(ctx, "/f")
			assert.Equal(t, e.Mode, ModeRegular|0o600, "a replaced file keeps its permissions")
			assert.Equal(t, e.ChunkSize, uint64(4096), "a file entry stores its chunk size")
			assert.Assert(t, e.OID != first.OID)
			o, _ := fs.Container().OpenObject(ctx, first.OID, daosgo.ObjRO)
			defer o.Close()
			q, err := o.QueryMax(ctx, []byte("0"))
			assert.NilError(t, err)
			assert.Assert(t, !q.Found(), "the replaced object is punched")
			assert.DeepEqual(t, names(t, fs, "/"), []string{"f"})
		})
	}
}

// TestPutChunkSize: a new file takes its directory's chunk size, else the
// container's; never 0.
func TestPutChunkSize(t *testing.T) {
	fs, _ := newFS(t, Attr{ChunkSize: 8192})
	dir, err := fs.MkdirIn(ctx, fs.Root, "big", 0o755)
	assert.NilError(t, err)
	dir.ChunkSize = 16384 // as libdfs records a chunk size set on a directory
	assert.NilError(t, insertEntry(ctx, fs.c, fs.Root.OID, "big", dir, "", daosgo.CondDkeyUpdate))
	for p, want := range map[string]uint64{"/f": 8192, "/big/f": 16384} {
		_, err := fs.PutFile(ctx, p, strings.NewReader("x"), 0o644)
		assert.NilError(t, err)
		e, err := fs.Lookup(ctx, p)
		assert.NilError(t, err)
		assert.Equal(t, e.ChunkSize, want, p)
	}
}

// failingReader yields n bytes, then fails (or cancels a context).
type failingReader struct {
	n      int
	cancel context.CancelFunc
}

func (r *failingReader) Read(b []byte) (int, error) {
	if r.n == 0 {
		if r.cancel != nil {
			r.cancel()
			return 0, io.ErrNoProgress
		}
		return 0, errors.New("disk on fire")
	}
	k := min(len(b), r.n)
	clear(b[:k])
	r.n -= k
	return k, nil
}

// TestPutFailsCleanly: a put that cannot finish leaves the old file as it
// was, and no temporary entry, object or space behind.
func TestPutFailsCleanly(t *testing.T) {
	tests := []struct {
		name string
		size uint64 // pool quota
		in   func(cancel context.CancelFunc) io.Reader
		want error
	}{
		{"no space", 64 << 10, func(context.CancelFunc) io.Reader { return bytes.NewReader(make([]byte, 5<<20)) }, daosgo.ErrNoSpace},
		{"read error", 1 << 30, func(context.CancelFunc) io.Reader { return &failingReader{n: 3 << 20} }, nil},
		{"canceled", 1 << 30, func(c context.CancelFunc) io.Reader { return &failingReader{n: 3 << 20, cancel: c} }, daosgo.ErrCanceled},
		{"canceled while the input stalls", 1 << 30, func(c context.CancelFunc) io.Reader {
			pr, pw := io.Pipe()
			go func() {
				pw.Write(make([]byte, 3<<20)) // then nothing more, and no EOF
				c()
			}()
			return pr
		}, daosgo.ErrCanceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := embeddedtest.Pool(t, tc.size, nil)
			_, err := CreateContainer(ctx, p, "posix", Attr{ChunkSize: 1 << 20})
			assert.NilError(t, err)
			c, err := p.OpenContainer(ctx, "posix", daosgo.ContRW)
			assert.NilError(t, err)
			defer c.Close(ctx)
			fs, err := Mount(ctx, c)
			assert.NilError(t, err)
			_, err = fs.PutFile(ctx, "/f", strings.NewReader("the old file"), 0o644)
			assert.NilError(t, err)
			objs := objects(t, fs)
			used, _ := p.Query(ctx)

			cctx, cancel := context.WithCancel(ctx)
			defer cancel()
			_, err = fs.PutFile(cctx, "/f", tc.in(cancel), 0o644)
			assert.Assert(t, err != nil)
			if tc.want != nil {
				assert.ErrorIs(t, err, tc.want)
			}
			got, err := fs.ReadFile(ctx, "/f")
			assert.NilError(t, err)
			assert.Equal(t, string(got), "the old file")
			assert.DeepEqual(t, names(t, fs, "/"), []string{"f"})
			assert.Equal(t, objects(t, fs), objs)
			after, _ := p.Query(ctx)
			assert.Equal(t, after.UsedBytes, used.UsedBytes)
		})
	}
}

// TestConcurrentPuts: two puts of different files to one path both
// succeed and the file is then one of them, whole.
func TestConcurrentPuts(t *testing.T) {
	fs, _ := newFS(t, Attr{ChunkSize: 64 << 10})
	a := bytes.Repeat([]byte("A"), 3<<20)
	b := bytes.Repeat([]byte("B"), 2<<20)
	for round := 0; round < 3; round++ {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, data := range [][]byte{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = fs.PutFile(ctx, "/shared", bytes.NewReader(data), 0o644)
			}()
		}
		wg.Wait()
		assert.NilError(t, errors.Join(errs...))
		got, err := fs.ReadFile(ctx, "/shared")
		assert.NilError(t, err)
		assert.Assert(t, bytes.Equal(got, a) || bytes.Equal(got, b), "round %d: a mix of %d bytes", round, len(got))
		assert.DeepEqual(t, names(t, fs, "/"), []string{"shared"})
	}
}

// TestPutRefuses: a directory, a symlink or a missing parent is not
// replaced, and nothing is written.
func TestPutRefuses(t *testing.T) {
	fs, _ := newFS(t, Attr{})
	_, err := fs.Mkdir(ctx, "/d", 0o755)
	assert.NilError(t, err)
	assert.NilError(t, fs.Symlink(ctx, "d", "/l"))
	for p, want := range map[string]error{"/d": daosgo.ErrExist, "/l": daosgo.ErrInval, "/nope/f": daosgo.ErrNonexist} {
		_, err := fs.PutFile(ctx, p, strings.NewReader("x"), 0o644)
		assert.ErrorIs(t, err, want, p)
	}
	assert.DeepEqual(t, names(t, fs, "/"), []string{"d", "l"})
}

func TestPutTempNames(t *testing.T) {
	for _, name := range []string{"f", strings.Repeat("é", 200)} {
		tmp, err := putTempName(name)
		assert.NilError(t, err)
		assert.Assert(t, len(tmp) <= maxName, len(tmp))
		assert.Assert(t, IsPutTemp(tmp), tmp)
		assert.NilError(t, checkName(tmp))
	}
	for _, name := range []string{"f", ".daosgo-put.", ".daosgo-put.xyz.f", ".daosgo-put.0123456789abcdefg"} {
		assert.Assert(t, !IsPutTemp(name), name)
	}
}
