package embedded

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sync"
	"time"

	"github.com/daosgo/daosgo/daosgo"
	sqlite3 "github.com/mattn/go-sqlite3"
)

// store is this process's access to one pool file.
//
// It talks to SQLite through the driver's connections directly rather than
// through database/sql: every daosgo operation is a short transaction of a
// few statements, and database/sql's per-statement and per-transaction costs
// (connection pool lookups, a goroutine per transaction) were most of the
// time spent.
//
// Write transactions are serialised in the process by the single writer
// connection's mutex and take SQLite's write lock at BEGIN (IMMEDIATE), so a
// transaction never fails half-way on a lock upgrade; only other processes
// contend for the lock, bounded by lockWait. Reads use a pool of connections
// that see the last committed state (WAL mode), so readers never wait for
// writers, in this process or another.
type store struct {
	path     string
	name     string // for messages: the pool label or UUID
	lockWait time.Duration

	wmu    sync.Mutex // held by the goroutine committing on writer
	writer *conn      // nil once closed

	qmu   sync.Mutex
	queue []*writeReq // writes waiting for the next commit

	rmu     sync.Mutex
	readers []*conn // idle read connections
	closed  bool

	quotaOnce sync.Once
	quota     int64
}

// conn is one SQLite connection with its prepared statements.
type conn struct {
	c     *sqlite3.SQLiteConn
	stmts map[string]driver.Stmt
}

func dsn(path string, lockWait time.Duration, write bool) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	// NORMAL in WAL mode: a commit is atomic and survives a process crash;
	// only an OS crash may lose the last commits, never corrupt the file.
	q.Set("_synchronous", "NORMAL")
	q.Set("_busy_timeout", fmt.Sprint(lockWait.Milliseconds()))
	q.Set("_foreign_keys", "0")
	if !write {
		q.Set("_query_only", "1")
	}
	return "file:" + url.PathEscape(path) + "?" + q.Encode()
}

func openStore(path, name string, lockWait time.Duration) (*store, error) {
	s := &store{path: path, name: name, lockWait: lockWait}
	// Open the writer now so that a missing or unreadable file fails here.
	w, err := s.dial(true)
	if err != nil {
		return nil, err
	}
	s.writer = w
	return s, nil
}

func (s *store) dial(write bool) (*conn, error) {
	c, err := (&sqlite3.SQLiteDriver{}).Open(dsn(s.path, s.lockWait, write))
	if err != nil {
		return nil, s.mapErr(err)
	}
	sc := c.(*sqlite3.SQLiteConn)
	// Reads through a memory map share the OS page cache between
	// connections and skip a system call per page; a larger page cache
	// keeps the B-trees' upper levels of big pools in memory.
	pragmas := `PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -32768`
	if write {
		// The writer checkpoints when the WAL passes this many pages
		// (40 MiB): a page written by several commits is copied back to
		// the pool file once per checkpoint, and the checkpoint's syncs
		// are paid less often. With the default of 1000, a transaction
		// of a few thousand records (populate commits a directory at a
		// time) was followed by a checkpoint nearly every time.
		pragmas += `; PRAGMA wal_autocheckpoint = 10000`
	}
	if _, err := sc.Exec(pragmas, nil); err != nil { //nolint:staticcheck
		sc.Close()
		return nil, s.mapErr(err)
	}
	return &conn{c: sc, stmts: map[string]driver.Stmt{}}, nil
}

func (c *conn) prepare(query string) (driver.Stmt, error) {
	if st, ok := c.stmts[query]; ok {
		return st, nil
	}
	st, err := c.c.Prepare(query)
	if err != nil {
		return nil, err
	}
	c.stmts[query] = st
	return st, nil
}

func (c *conn) close() error {
	for _, st := range c.stmts {
		st.Close()
	}
	return c.c.Close()
}

func (s *store) close() error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.rmu.Lock()
	defer s.rmu.Unlock()
	var errs []error
	if s.writer != nil {
		errs = append(errs, s.writer.close())
		s.writer = nil
	}
	for _, r := range s.readers {
		errs = append(errs, r.close())
	}
	s.readers, s.closed = nil, true
	return errors.Join(errs...)
}

func (s *store) getReader() (*conn, error) {
	s.rmu.Lock()
	if s.closed {
		s.rmu.Unlock()
		return nil, daosgo.Errorf(daosgo.ErrNoHdl, "pool %s was closed", s.name)
	}
	if n := len(s.readers); n > 0 {
		c := s.readers[n-1]
		s.readers = s.readers[:n-1]
		s.rmu.Unlock()
		return c, nil
	}
	s.rmu.Unlock()
	return s.dial(false)
}

// maxIdleReaders bounds the read connections kept open between uses.
const maxIdleReaders = 8

func (s *store) putReader(c *conn) {
	s.rmu.Lock()
	defer s.rmu.Unlock()
	if s.closed || len(s.readers) >= maxIdleReaders {
		c.close()
		return
	}
	s.readers = append(s.readers, c)
}

// tx is one SQLite transaction on one connection.
type tx struct {
	ctx   context.Context
	s     *store
	c     *conn
	write bool
	// charges are bytes stored (or freed) per target and not yet settled
	// into the space table; see settle.
	charges map[int64]int64
}

func toValues(args []any) ([]driver.Value, error) {
	vals := make([]driver.Value, len(args))
	for i, a := range args {
		v, err := driver.DefaultParameterConverter.ConvertValue(a)
		if err != nil {
			return nil, fmt.Errorf("argument %d: %w", i, err)
		}
		vals[i] = v
	}
	return vals, nil
}

func (t *tx) exec(query string, args ...any) (driver.Result, error) {
	st, err := t.c.prepare(query)
	if err != nil {
		return nil, t.s.mapErr(err)
	}
	vals, err := toValues(args)
	if err != nil {
		return nil, err
	}
	r, err := st.Exec(vals) //nolint:staticcheck // the driver's own API, on purpose
	return r, t.s.mapErr(err)
}

// execScript runs statements that are not worth preparing (the schema).
func (t *tx) execScript(query string, args ...any) error {
	vals, err := toValues(args)
	if err != nil {
		return err
	}
	_, err = t.c.c.Exec(query, vals) //nolint:staticcheck
	return t.s.mapErr(err)
}

func (t *tx) query(query string, args ...any) (*rows, error) {
	st, err := t.c.prepare(query)
	if err != nil {
		return nil, t.s.mapErr(err)
	}
	vals, err := toValues(args)
	if err != nil {
		return nil, err
	}
	r, err := st.Query(vals) //nolint:staticcheck
	if err != nil {
		return nil, t.s.mapErr(err)
	}
	return &rows{r: r, s: t.s}, nil
}

// row runs a query expected to return one row and scans it; sql.ErrNoRows
// is returned as is so callers can turn it into the right DAOS error.
func (t *tx) row(query string, args []any, dest ...any) error {
	r, err := t.query(query, args...)
	if err != nil {
		return err
	}
	defer r.Close()
	if !r.Next() {
		if r.err != nil {
			return r.err
		}
		return sql.ErrNoRows
	}
	return r.Scan(dest...)
}

// rows iterates a query's result with database/sql's method names.
type rows struct {
	r   driver.Rows
	s   *store
	cur []driver.Value
	err error
}

func (r *rows) Next() bool {
	if r.err != nil {
		return false
	}
	if r.cur == nil {
		r.cur = make([]driver.Value, len(r.r.Columns()))
	}
	err := r.r.Next(r.cur)
	if err == io.EOF {
		return false
	}
	if err != nil {
		r.err = r.s.mapErr(err)
		return false
	}
	return true
}

// column runs a query of one column and returns its values in order.
func column[T any](t *tx, query string, args ...any) ([]T, error) {
	rows, err := t.query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func (r *rows) Err() error   { return r.err }
func (r *rows) Close() error { return r.r.Close() }

func (r *rows) Scan(dest ...any) error {
	if len(dest) != len(r.cur) {
		return fmt.Errorf("scan: %d destinations for %d columns", len(dest), len(r.cur))
	}
	for i, d := range dest {
		if err := assign(d, r.cur[i]); err != nil {
			return fmt.Errorf("scan column %d: %w", i, err)
		}
	}
	return nil
}

// assign stores a column value in one of the destination types the engine
// uses.
func assign(dest any, v driver.Value) error {
	switch d := dest.(type) {
	case *int64, *uint64, *uint32, *int, *bool:
		n, ok := v.(int64)
		if !ok {
			return fmt.Errorf("want an integer, got %T", v)
		}
		switch d := d.(type) {
		case *int64:
			*d = n
		case *uint64:
			*d = uint64(n)
		case *uint32:
			*d = uint32(n)
		case *int:
			*d = int(n)
		case *bool:
			*d = n != 0
		}
	case *string:
		switch x := v.(type) {
		case string:
			*d = x
		case []byte:
			*d = string(x)
		case nil:
			*d = ""
		default:
			*d = fmt.Sprint(x)
		}
	case *sql.NullString:
		switch x := v.(type) {
		case nil:
			*d = sql.NullString{}
		case string:
			*d = sql.NullString{String: x, Valid: true}
		case []byte:
			*d = sql.NullString{String: string(x), Valid: true}
		default:
			return fmt.Errorf("want text, got %T", v)
		}
	case *[]byte:
		switch x := v.(type) {
		case nil:
			*d = nil
		case []byte:
			*d = x // the driver hands out a copy
		case string:
			*d = []byte(x)
		default:
			return fmt.Errorf("want a blob, got %T", v)
		}
	case *any:
		*d = v
	default:
		return fmt.Errorf("unsupported destination %T", dest)
	}
	return nil
}

// write runs fn in a write transaction: all of fn's changes commit together
// or none does.
//
// Writes from concurrent goroutines are group-committed: one goroutine at a
// time (the leader) takes the writer connection and runs every write queued
// meanwhile in one SQLite transaction; the one COMMIT makes them all
// durable. Each write is still atomic (a failing one is retried alone, see
// commitQueued) and is acknowledged only after the commit; only the
// transaction's cost is shared.
func (s *store) write(ctx context.Context, fn func(*tx) error) error {
	if ctx.Err() != nil {
		return daosgo.CanceledError(ctx, "pool "+s.name)
	}
	req := &writeReq{ctx: ctx, fn: fn, done: make(chan struct{})}
	s.qmu.Lock()
	s.queue = append(s.queue, req)
	s.qmu.Unlock()
	// Whoever gets the writer next commits everything queued so far,
	// possibly including req; if req was taken by another leader, wait.
	s.wmu.Lock()
	select {
	case <-req.done:
		s.wmu.Unlock()
	default:
		s.commitQueued()
		s.wmu.Unlock()
		<-req.done
	}
	if req.panicked != nil {
		panic(req.panicked)
	}
	return req.err
}

// writeReq is one queued write.
type writeReq struct {
	ctx      context.Context
	fn       func(*tx) error
	err      error
	panicked any
	done     chan struct{}
}

// maxGroup bounds how many writes share one transaction.
const maxGroup = 64

// commitQueued runs the queued writes in one transaction; s.wmu is held.
func (s *store) commitQueued() {
	s.qmu.Lock()
	n := min(len(s.queue), maxGroup)
	group := s.queue[:n:n]
	s.queue = s.queue[n:]
	s.qmu.Unlock()
	defer func() {
		for _, r := range group {
			close(r.done)
		}
	}()
	if s.writer == nil {
		for _, r := range group {
			r.err = daosgo.Errorf(daosgo.ErrNoHdl, "pool %s was closed", s.name)
		}
		return
	}
	if len(group) == 1 { // alone: no savepoint needed
		r := group[0]
		r.err = s.run(r.ctx, s.writer, true, func(t *tx) error { return runGuarded(r, t) })
		return
	}
	// Optimistically, all in one transaction. Should one fail, the whole
	// transaction is rolled back and each write runs again in its own, so
	// that a failure never takes others with it. (Write functions only
	// assign their results, so running one twice is safe.)
	failed := false
	err := s.run(context.Background(), s.writer, true, func(t *tx) error {
		for _, r := range group {
			if r.ctx.Err() != nil {
				r.err = daosgo.CanceledError(r.ctx, "pool "+s.name)
				continue
			}
			t.ctx = r.ctx
			if r.err = runGuarded(r, t); r.err != nil {
				failed = true
				return r.err
			}
		}
		return nil
	})
	if err == nil {
		return
	}
	if !failed { // BEGIN or COMMIT failed: nothing of the group stands
		for _, r := range group {
			if r.err == nil {
				r.err = err
			}
		}
		return
	}
	for _, r := range group {
		if r.ctx.Err() != nil {
			r.err = daosgo.CanceledError(r.ctx, "pool "+s.name)
			continue
		}
		r.panicked = nil
		r.err = s.run(r.ctx, s.writer, true, func(t *tx) error { return runGuarded(r, t) })
	}
}

// runGuarded runs a write's function, turning a panic into an error here
// and re-raising it in the writer's own goroutine.
func runGuarded(r *writeReq, t *tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			r.panicked = p
			err = fmt.Errorf("panic in write: %v", p)
		}
	}()
	if err := r.fn(t); err != nil {
		return err
	}
	// Every write goes through here: settled per write, so that in a group
	// commit a write over the quota fails alone.
	return settle(t)
}

// read runs fn in a read transaction: a consistent view of the last commit.
func (s *store) read(ctx context.Context, fn func(*tx) error) error {
	c, err := s.getReader()
	if err != nil {
		return err
	}
	err = s.run(ctx, c, false, fn)
	s.putReader(c)
	return err
}

func (s *store) run(ctx context.Context, c *conn, write bool, fn func(*tx) error) (err error) {
	if ctx.Err() != nil {
		return daosgo.CanceledError(ctx, "pool "+s.name)
	}
	t := &tx{ctx: ctx, s: s, c: c, write: write}
	begin := "BEGIN"
	if write {
		begin = "BEGIN IMMEDIATE"
	}
	start := time.Now()
	if _, err := t.exec(begin); err != nil {
		return s.mapErrSince(unwrapSQLite(err), start)
	}
	done := false
	defer func() {
		if !done {
			t.exec("ROLLBACK")
		}
	}()
	if err := fn(t); err != nil {
		return err
	}
	if _, err := t.exec("COMMIT"); err != nil {
		return s.mapErrSince(unwrapSQLite(err), start)
	}
	done = true
	return nil
}

// unwrapSQLite digs the driver error out of an already-mapped error so it
// can be mapped again with the time waited.
func unwrapSQLite(err error) error {
	var serr sqlite3.Error
	if errors.As(err, &serr) {
		return serr
	}
	return err
}

// quotaBytes returns the pool's size, read once: it never changes.
func (s *store) quotaBytes(t *tx) (int64, error) {
	var err error
	s.quotaOnce.Do(func() {
		err = t.row(`SELECT v FROM meta WHERE k = 'quota'`, nil, &s.quota)
	})
	return s.quota, err
}

func (s *store) mapErr(err error) error { return s.mapErrSince(err, time.Time{}) }

// mapErrSince turns SQLite errors into DAOS errors that say what happened.
func (s *store) mapErrSince(err error, start time.Time) error {
	if err == nil {
		return nil
	}
	var serr sqlite3.Error
	if errors.As(err, &serr) {
		switch serr.Code {
		case sqlite3.ErrBusy, sqlite3.ErrLocked:
			waited := s.lockWait
			if !start.IsZero() {
				waited = time.Since(start).Round(time.Millisecond)
			}
			return &busyError{daosgo.Errorf(daosgo.ErrBusy, "pool %s: another process held its write lock; gave up after %s (set DAOSGO_LOCK_TIMEOUT to wait longer)", s.name, waited), serr}
		case sqlite3.ErrFull:
			return daosgo.Errorf(daosgo.ErrNoSpace, "pool %s: the file system holding it is full", s.name)
		case sqlite3.ErrCorrupt, sqlite3.ErrNotADB:
			return daosgo.Errorf(daosgo.ErrIO, "pool %s: file %s is damaged: %v", s.name, s.path, err)
		case sqlite3.ErrInterrupt:
			return daosgo.Errorf(daosgo.ErrCanceled, "pool %s: operation interrupted", s.name)
		case sqlite3.ErrConstraint:
			if serr.ExtendedCode == sqlite3.ErrConstraintUnique || serr.ExtendedCode == sqlite3.ErrConstraintPrimaryKey {
				return daosgo.Errorf(daosgo.ErrExist, "pool %s: %v", s.name, err)
			}
		case sqlite3.ErrReadonly, sqlite3.ErrPerm, sqlite3.ErrCantOpen:
			return daosgo.Errorf(daosgo.ErrNoPerm, "pool %s: %v", s.name, err)
		}
		return daosgo.Errorf(daosgo.ErrIO, "pool %s: %v", s.name, err)
	}
	return err
}

// busyError keeps the driver error reachable for unwrapSQLite.
type busyError struct {
	error
	cause sqlite3.Error
}

func (e *busyError) Unwrap() []error { return []error{e.error, e.cause} }
