package embedded

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/daosgo/daosgo/daosgo"
	sqlite3 "github.com/mattn/go-sqlite3"
)

// store is this process's access to one pool file. Write transactions are
// serialised in the process by wmu and take SQLite's write lock at BEGIN
// (IMMEDIATE), so a transaction never fails half-way on a lock upgrade and
// goroutines never meet in SQLite's sleeping busy handler; only other
// processes do, bounded by lockWait. Reads use a pool of connections that
// see the last committed state (WAL mode), so readers never wait for
// writers, in this process or another.
type store struct {
	path     string
	name     string // for messages: the pool label or UUID
	wdb, rdb *sql.DB
	wmu      sync.Mutex
	lockWait time.Duration

	mu    sync.Mutex
	stmts map[*sql.DB]map[string]*sql.Stmt
}

func dsn(path string, lockWait time.Duration, write bool) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	// NORMAL in WAL mode: a commit is atomic and survives a process crash;
	// only an OS crash may lose the last commits, never corrupt the file.
	q.Set("_synchronous", "NORMAL")
	q.Set("_busy_timeout", fmt.Sprint(lockWait.Milliseconds()))
	q.Set("_foreign_keys", "0")
	if write {
		q.Set("_txlock", "immediate")
	} else {
		q.Set("_query_only", "1")
	}
	return "file:" + url.PathEscape(path) + "?" + q.Encode()
}

func openStore(path, name string, lockWait time.Duration) (*store, error) {
	wdb, err := sql.Open("sqlite3", dsn(path, lockWait, true))
	if err != nil {
		return nil, err
	}
	// Two connections: one for the transaction wmu lets through, one on
	// which database/sql prepares statements the first time they are used
	// (it cannot prepare on a connection a transaction holds).
	wdb.SetMaxOpenConns(2)
	wdb.SetMaxIdleConns(2)
	rdb, err := sql.Open("sqlite3", dsn(path, lockWait, false))
	if err != nil {
		wdb.Close()
		return nil, err
	}
	// No limit on readers: a read transaction may need a second connection
	// to prepare a statement, and a fixed limit could deadlock.
	rdb.SetMaxIdleConns(8)
	s := &store{path: path, name: name, wdb: wdb, rdb: rdb, lockWait: lockWait,
		stmts: map[*sql.DB]map[string]*sql.Stmt{}}
	return s, nil
}

func (s *store) close() error {
	err1 := s.wdb.Close()
	err2 := s.rdb.Close()
	return errors.Join(err1, err2)
}

// stmt returns a statement prepared once per database handle; database/sql
// re-prepares it per connection as needed and reuses it inside transactions.
func (s *store) stmt(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.stmts[db]
	if m == nil {
		m = map[string]*sql.Stmt{}
		s.stmts[db] = m
	}
	if st, ok := m[query]; ok {
		return st, nil
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, s.mapErr(err)
	}
	m[query] = st
	return st, nil
}

// tx is one SQLite transaction with prepared-statement helpers.
type tx struct {
	*sql.Tx
	ctx context.Context
	s   *store
	db  *sql.DB
}

func (t *tx) prep(query string) (*sql.Stmt, error) {
	st, err := t.s.stmt(t.ctx, t.db, query)
	if err != nil {
		return nil, err
	}
	return t.StmtContext(t.ctx, st), nil
}

func (t *tx) exec(query string, args ...any) (sql.Result, error) {
	st, err := t.prep(query)
	if err != nil {
		return nil, err
	}
	r, err := st.ExecContext(t.ctx, args...)
	return r, t.s.mapErr(err)
}

func (t *tx) query(query string, args ...any) (*sql.Rows, error) {
	st, err := t.prep(query)
	if err != nil {
		return nil, err
	}
	r, err := st.QueryContext(t.ctx, args...)
	return r, t.s.mapErr(err)
}

// row runs a query expected to return one row and scans it; sql.ErrNoRows
// is returned as is so callers can turn it into the right DAOS error.
func (t *tx) row(query string, args []any, dest ...any) error {
	st, err := t.prep(query)
	if err != nil {
		return err
	}
	err = st.QueryRowContext(t.ctx, args...).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return err
	}
	return t.s.mapErr(err)
}

// write runs fn in a write transaction: all of fn's changes commit together
// or none does.
func (s *store) write(ctx context.Context, fn func(*tx) error) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.run(ctx, s.wdb, fn)
}

// read runs fn in a read transaction: a consistent view of the last commit.
func (s *store) read(ctx context.Context, fn func(*tx) error) error {
	return s.run(ctx, s.rdb, fn)
}

func (s *store) run(ctx context.Context, db *sql.DB, fn func(*tx) error) (err error) {
	if err := ctx.Err(); err != nil {
		return daosgo.Errorf(daosgo.ErrCanceled, "%v", err)
	}
	start := time.Now()
	sqlTx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return s.mapErrSince(err, start)
	}
	t := &tx{Tx: sqlTx, ctx: ctx, s: s, db: db}
	defer func() {
		if p := recover(); p != nil {
			sqlTx.Rollback()
			panic(p)
		}
	}()
	if err := fn(t); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return s.mapErrSince(err, start)
	}
	return nil
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
			return daosgo.Errorf(daosgo.ErrBusy, "pool %s: another process held its write lock; gave up after %s (set DAOSGO_LOCK_TIMEOUT to wait longer)", s.name, waited)
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
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return daosgo.Errorf(daosgo.ErrCanceled, "pool %s: %v", s.name, err)
	}
	return err
}
