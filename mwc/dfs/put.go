package dfs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/daosgo/daosgo/daosgo"
)

// PutTempPrefix starts the name a file being put is written under, in the
// directory of its final name, until one transaction moves it there.
const PutTempPrefix = ".daosgo-put."

// putTempName returns a fresh temporary name for a put of name:
// ".daosgo-put.<16 hex digits>.<name>", the name cut (at a character
// boundary) so that the whole fits DFS's 255 bytes.
func putTempName(name string) (string, error) {
	var id [8]byte
	if _, err := rand.Read(id[:]); err != nil {
		return "", err
	}
	head := PutTempPrefix + hex.EncodeToString(id[:]) + "."
	room := maxName - len(head)
	for len(name) > room {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return head + name, nil
}

// IsPutTemp reports whether an entry name is a put's temporary name. One
// found while nothing writes the container (the checker holds it
// exclusively) was left by a put that died before it finished.
func IsPutTemp(name string) bool {
	rest, ok := strings.CutPrefix(name, PutTempPrefix)
	if !ok || len(rest) < 17 || rest[16] != '.' {
		return false
	}
	_, err := hex.DecodeString(rest[:16])
	return err == nil
}

// putBuffer bounds how much of a put is read before it is written.
const putBuffer = 4 << 20

// PutFile stores what r yields as the file at p, whole or not at all, as
// cp and mv users expect: the data goes to a new object under a temporary
// name in p's directory, then one transaction makes the final name point at
// it and removes the temporary name. Readers of p see the old file or the
// whole new one, never a mix, and the replaced file's object is punched.
// A file that is replaced keeps its permissions, owner and chunk size; a
// new one gets perm and its directory's chunk size (else the container's).
//
// If writing fails (DER_NOSPACE, a read error, ctx canceled) the temporary
// entry and its object are removed and p is left as it was. A process
// killed during a put leaves the temporary entry (IsPutTemp), never a
// partial file under p; the checker reports such entries and --punch
// removes them. Of two puts to one path at once, the last to commit wins
// whole; the loser punches its own object.
func (fs *FS) PutFile(ctx context.Context, p string, r io.Reader, perm uint32) (int64, error) {
	dir, name, err := fs.parentOf(ctx, p)
	if err != nil {
		return 0, err
	}
	if err := checkName(name); err != nil {
		return 0, err
	}
	old, exists, err := fs.putTarget(ctx, dir.OID, name, p)
	if err != nil {
		return 0, err
	}
	oid, err := fs.newOID(ctx, kindFile, dir.Entry)
	if err != nil {
		return 0, err
	}
	e := newEntry(ModeRegular|perm&0o7777, oid)
	e.ChunkSize = fs.childChunkSize(dir.Entry)
	if exists {
		e.Mode, e.UID, e.GID = ModeRegular|old.Mode&0o7777, old.UID, old.GID
		if old.ChunkSize != 0 {
			e.ChunkSize = old.ChunkSize
		}
	}
	tmp, err := putTempName(name)
	if err != nil {
		return 0, err
	}
	if err := insertEntry(ctx, fs.objs, dir.OID, tmp, e, "", daosgo.CondDkeyInsert); err != nil {
		return 0, fmt.Errorf("put %s: %w", p, err)
	}
	n, err := fs.putData(ctx, e, r)
	if err == nil {
		err = fs.swapIn(ctx, dir.OID, name, tmp, e)
	}
	if err != nil {
		if cerr := fs.dropTemp(dir.OID, tmp, e.OID); cerr != nil {
			err = errors.Join(err, fmt.Errorf("removing temporary %s: %w", path.Join(path.Dir(p), tmp), cerr))
		}
		return 0, fmt.Errorf("put %s: %w", p, err)
	}
	// The old object is unreachable now; a crash before this punch leaves
	// it an orphan, which the checker reclaims.
	after := context.WithoutCancel(ctx)
	if exists && old.OID != e.OID {
		if err := daosgo.PunchObject(after, fs.objs, old.OID); err != nil && !errors.Is(err, daosgo.ErrNonexist) {
			return n, fmt.Errorf("put %s: written, but the replaced file's object %s was not punched: %w", p, old.OID, err)
		}
	}
	// Another put to p may have committed after this one: then this
	// object is what it replaced without knowing it.
	if now, err := fs.readEntry(after, dir.OID, name); err == nil && now.OID != e.OID {
		if err := daosgo.PunchObject(after, fs.objs, e.OID); err != nil && !errors.Is(err, daosgo.ErrNonexist) {
			return n, fmt.Errorf("put %s: replaced by a concurrent put, and this put's object %s was not punched: %w", p, e.OID, err)
		}
	}
	return n, nil
}

// putTarget reads the entry a put would replace: a regular file, or
// nothing.
func (fs *FS) putTarget(ctx context.Context, dir daosgo.OID, name, p string) (Entry, bool, error) {
	old, err := fs.readEntry(ctx, dir, name)
	switch {
	case errors.Is(err, daosgo.ErrNonexist):
		return Entry{}, false, nil
	case err != nil:
		return Entry{}, false, err
	case old.IsDir():
		return Entry{}, false, daosgo.Errorf(daosgo.ErrExist, "%s is a directory", p)
	case old.IsSymlink():
		return Entry{}, false, daosgo.Errorf(daosgo.ErrInval, "%s is a symlink: put to the file it points to", p)
	case !old.IsRegular():
		return Entry{}, false, daosgo.Errorf(daosgo.ErrInval, "%s is not a regular file", p)
	}
	return old, true, nil
}

// putData writes r into the new file's object.
func (fs *FS) putData(ctx context.Context, e Entry, r io.Reader) (int64, error) {
	r = ctxReader{ctx, r}
	buf := make([]byte, min(e.ChunkSize, putBuffer))
	var off uint64
	for {
		if err := ctx.Err(); err != nil {
			return 0, daosgo.CanceledError(ctx, "put")
		}
		n, rerr := io.ReadFull(r, buf)
		if n > 0 {
			if err := fs.WriteAt(ctx, e, buf[:n], off); err != nil {
				return 0, err
			}
			off += uint64(n)
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			return int64(off), nil
		}
		if rerr != nil && ctx.Err() != nil {
			return 0, daosgo.CanceledError(ctx, "put")
		}
		if rerr != nil {
			return 0, fmt.Errorf("reading the input: %w", rerr)
		}
	}
}

// ctxReader ends a read when ctx is done, so that a put waiting on input
// that does not come (a stalled pipe) still stops at Ctrl-C. The read it
// abandons finishes into a buffer no one reads again.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() {
		n, err := c.r.Read(p)
		done <- result{n, err}
	}()
	select {
	case res := <-done:
		return res.n, res.err
	case <-c.ctx.Done():
		return 0, c.ctx.Err()
	}
}

// swapIn makes name point at e and removes the temporary name, in one
// transaction. What is under name is read again first: a file made or
// removed there meanwhile changes how the entry is written (conditional
// insert, or update of an existing one), and a directory or symlink made
// there is never overwritten.
func (fs *FS) swapIn(ctx context.Context, dir daosgo.OID, name, tmp string, e Entry) error {
	const attempts = 8
	var err error
	for range attempts {
		var exists bool
		if _, exists, err = fs.putTarget(ctx, dir, name, name); err != nil {
			return err
		}
		flags := daosgo.CondDkeyInsert
		if exists {
			flags = daosgo.CondDkeyUpdate
		}
		now := newEntry(e.Mode, e.OID)
		e.Mtime, e.Ctime, e.MtimeNsec, e.CtimeNsec = now.Mtime, now.Ctime, now.MtimeNsec, now.CtimeNsec
		err = daosgo.RunTx(ctx, fs.c, func(x daosgo.Tx) error {
			o, err := x.OpenObject(ctx, dir, daosgo.ObjRW)
			if err != nil {
				return err
			}
			defer o.Close()
			if err := o.Update(ctx, []byte(name), flags, []daosgo.IOD{daosgo.ArrayIOD([]byte(InodeAkey), 0, e.Encode())}); err != nil {
				return err
			}
			return o.PunchDkeys(ctx, daosgo.CondPunch, [][]byte{[]byte(tmp)})
		})
		// The embedded engine evaluates conditions at the commit, DAOS at
		// the update: either way a failed condition means name changed.
		raced := errors.Is(err, daosgo.ErrExist) || exists && errors.Is(err, daosgo.ErrNonexist)
		if !raced {
			return err
		}
	}
	return fmt.Errorf("%s changed under this put %d times: %w", name, attempts, err)
}

// dropTemp removes a failed put's temporary entry, then its object, whether
// or not the put's context was canceled: the entry first, so that a crash
// in between leaves an orphan for the checker, never a dangling entry.
func (fs *FS) dropTemp(dir daosgo.OID, tmp string, oid daosgo.OID) error {
	ctx := context.Background()
	o, err := fs.objs.OpenObject(ctx, dir, daosgo.ObjRW)
	if err != nil {
		return err
	}
	err = o.PunchDkeys(ctx, 0, [][]byte{[]byte(tmp)})
	o.Close()
	if err != nil {
		return err
	}
	if err := daosgo.PunchObject(ctx, fs.objs, oid); err != nil && !errors.Is(err, daosgo.ErrNonexist) {
		return err
	}
	return nil
}

// LookupFollow resolves p as Lookup does, then follows a symlink in its
// last component to what it points at.
func (fs *FS) LookupFollow(ctx context.Context, p string) (Node, error) {
	n, err := fs.Lookup(ctx, p)
	if err != nil {
		return Node{}, err
	}
	return fs.follow(ctx, p, n)
}
