// Package store implements hiretext's services on database/sql, for SQLite
// (modernc.org/sqlite, the embedded default) and PostgreSQL (pgx). Queries are
// written once with "?" placeholders; what differs between the two databases
// lives in dialect.go.
package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/password"
)

// Config configures a DB.
type Config struct {
	Clock    hiretext.Clock
	Hasher   *password.Hasher       // defaults to OWASP argon2id, two at a time
	Sessions hiretext.SessionPolicy // defaults to hiretext.DefaultSessionPolicy
	// MaxReadConns bounds the read pool (SQLite) or the whole pool (PostgreSQL).
	MaxReadConns int
	// ExportConns bounds the export pool: the connections that streaming
	// exports hold for as long as their client downloads, kept apart so an
	// export never takes one a page needs. Default 4.
	ExportConns int
}

// DB is an open hiretext database. It implements the domain's services.
type DB struct {
	write      *sql.DB      // SQLite: exactly one connection, so writers queue in Go, not in busy loops
	read       *sql.DB      // SQLite: a pool of readers; PostgreSQL: the same pool as write
	export     *sql.DB      // a small pool of readers for streaming exports (the read pool for SQLite in memory)
	handoff    *sql.DB      // PostgreSQL: the pool hand-offs hold their candidate's lock on (see handoff.go)
	gate       *consentGate // SQLite: hand-offs against consent changes (see handoff.go)
	dialect    dialect
	clock      hiretext.Clock
	hasher     *password.Hasher
	sessions   hiretext.SessionPolicy
	broker     hiretext.Waker         // woken after commits that recorded events; see SetBroker
	dispatcher hiretext.Waker         // woken after commits that queued messages; see SetDispatcher
	publicURL  string                 // the start of the links in emails; see SetPublicURL
	ledgerKey  atomic.Pointer[[]byte] // the consent ledger's HMAC key, once read (see ledgerKeyOn)
	stmts      *stmtCache             // SQLite: the write transactions' prepared statements
	groups     *groupCommitter        // webhooks' shared transactions (see group.go)
	locations  sync.Map               // OrgID → *time.Location: each company's time zone (see orgLocation)
}

// Open connects to the database named by url: "sqlite:PATH", "sqlite::memory:"
// or "postgres://…". It does not migrate; call Migrate or CheckSchema next.
func Open(ctx context.Context, url string, cfg Config) (*DB, error) {
	d, dsn, err := parseURL(url)
	if err != nil {
		return nil, err
	}
	db := &DB{dialect: d, clock: cfg.Clock, hasher: cfg.Hasher, sessions: cfg.Sessions}
	if db.hasher == nil {
		db.hasher = password.NewHasher(password.OWASP, 2)
	}
	if db.sessions == (hiretext.SessionPolicy{}) {
		db.sessions = hiretext.DefaultSessionPolicy
	}
	if cfg.MaxReadConns <= 0 {
		cfg.MaxReadConns = 8
	}
	if cfg.ExportConns <= 0 {
		cfg.ExportConns = 4
	}
	if db.write, db.read, err = d.open(dsn, cfg.MaxReadConns); err != nil {
		return nil, err
	}
	if db.export, err = d.openPool(dsn, cfg.ExportConns); err != nil {
		db.Close()
		return nil, err
	}
	if db.export == nil {
		db.export = db.read
	}
	db.groups = newGroupCommitter(db, postgresGroups)
	if d.singleWriter() {
		db.groups = newGroupCommitter(db, 1)
		db.gate = &consentGate{}
		db.stmts = newStmtCache(db.write)
	} else if db.handoff, err = openHandOffPool(d, dsn); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.connect(ctx); err != nil {
		db.Close()
		// The driver's message does not say which file or server it could not open.
		return nil, fmt.Errorf("store: open %s: %w", RedactURL(url), err)
	}
	return db, nil
}

// Close closes every connection.
func (db *DB) Close() error {
	if db.stmts != nil {
		db.stmts.close()
	}
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	if db.export != nil && db.export != db.read {
		err = errors.Join(err, db.export.Close())
	}
	if db.handoff != nil {
		err = errors.Join(err, db.handoff.Close())
	}
	return err
}

// Dialect names the database: "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect.name() }

// Rebind writes query's "?" placeholders the way the database takes them,
// for tests and tools that run their own SQL on Pools().
func (db *DB) Rebind(query string) string { return db.dialect.rebind(query) }

// now returns the current time in UTC, truncated to microseconds so that
// both databases store and return exactly the same instant.
func (db *DB) now() time.Time { return db.clock.Now().UTC().Truncate(time.Microsecond) }

// Ready reports whether the database answers, takes writes and has a
// current schema. With SQLite, whose readers keep answering while another
// process holds the write lock, it begins (and commits, empty) a write
// transaction: every write would fail meanwhile.
func (db *DB) Ready(ctx context.Context) error {
	if err := db.read.PingContext(ctx); err != nil {
		return err
	}
	if db.write != db.read {
		if err := db.inTx(ctx, func(conn) error { return nil }); err != nil {
			return err
		}
	}
	return db.CheckSchema(ctx)
}

// queryer is what both *sql.DB and *sql.Tx offer; helpers take it so they
// compose inside and outside transactions.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// conn rebinds "?" placeholders for the dialect on every call and, in
// SQLite's write transactions, runs statements prepared once (stmtCache);
// in PostgreSQL's, it sends the statements queued by execLater before (or
// with) the next one (pipeline).
type conn struct {
	q     queryer
	d     dialect
	stmts *stmtCache // nil: every statement is sent as text
	pipe  *pipeline  // nil: every statement runs at once
}

func (c conn) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	query = c.d.rebind(query)
	if c.pipe != nil && len(c.pipe.pending) > 0 {
		return c.pipe.send(ctx, &queuedExec{query: query, args: args}) // one round trip for the queue and this
	}
	if s := c.prepared(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return c.q.ExecContext(ctx, query, args...)
}

func (c conn) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := c.pipe.flush(ctx); err != nil {
		return nil, err
	}
	query = c.d.rebind(query)
	if s := c.prepared(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return c.q.QueryContext(ctx, query, args...)
}

// queryRow runs a query of one row. A failure of the statements queued
// before it (see pipeline) aborted the transaction, so the query fails
// too; the transaction then returns the queued statement's error.
func (c conn) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	_ = c.pipe.flush(ctx)
	query = c.d.rebind(query)
	if s := c.prepared(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return c.q.QueryRowContext(ctx, query, args...)
}

// scanner is a row to scan: *sql.Row, or *sql.Rows at one row.
type scanner interface{ Scan(dest ...any) error }

// queryEach runs query on c and calls each with every row, then closes the
// rows. It returns the first error: the query's, each's or the rows'.
func queryEach(ctx context.Context, c conn, each func(row scanner) error, query string, args ...any) error {
	rows, err := c.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return eachRow(rows, each)
}

// rowCursor is rows being read: database/sql's, or a pgx batch's.
type rowCursor interface {
	scanner
	Next() bool
	Err() error
}

// eachRow calls each with every row of rows, returning the first error:
// each's or the rows'. The caller closes rows.
func eachRow(rows rowCursor, each func(row scanner) error) error {
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// queryAll runs query on c and returns every row, read by scan (nil for
// none). Readers that must not hold every row at once (exports, the report's
// summary) use the rows themselves instead.
func queryAll[T any](ctx context.Context, c conn, scan func(row scanner) (T, error), query string, args ...any) ([]T, error) {
	var out []T
	err := queryEach(ctx, c, func(row scanner) error {
		v, err := scan(row)
		out = append(out, v)
		return err
	}, query, args...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// scanValue reads a row of one column.
func scanValue[T any](row scanner) (T, error) {
	var v T
	err := row.Scan(&v)
	return v, err
}

// reader returns a conn on the read pool.
func (db *DB) reader() conn { return conn{q: db.read, d: db.dialect} }

// exporter returns a conn on the export pool, for a read that lasts as long
// as a client downloads.
func (db *DB) exporter() conn { return conn{q: db.export, d: db.dialect} }

// inTx runs fn in one write transaction (BEGIN IMMEDIATE on SQLite), committing
// when fn returns nil and rolling back otherwise.
func (db *DB) inTx(ctx context.Context, fn func(tx conn) error) error {
	if db.dialect.pipelined() {
		return db.inPipelinedTx(ctx, fn)
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	err = endTx(tx, fn(conn{q: tx, d: db.dialect, stmts: db.stmts}))
	if db.stmts != nil {
		db.stmts.prepareMissed(ctx) // the write connection is free again
	}
	return err
}

// inPipelinedTx is inTx on PostgreSQL: the transaction runs on a connection
// of its own, whose pgx batch sends the statements fn queued with
// execLater (see pipeline); the last of them go just before the commit.
func (db *DB) inPipelinedTx(ctx context.Context, fn func(tx conn) error) error {
	c, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer c.Close()
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	p := &pipeline{conn: c}
	err = fn(conn{q: tx, d: db.dialect, pipe: p})
	if err == nil {
		err = p.flush(ctx)
	}
	// A queued statement's failure came first; what failed after it (the
	// transaction being aborted) only echoes it.
	return endTx(tx, cmp.Or(p.failed(), err))
}

// endTx commits tx when err is nil and rolls it back otherwise.
func endTx(tx *sql.Tx, err error) error {
	if err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// notFound returns the domain's not-found error for a kind of object.
func notFound(kind string) error {
	return hiretext.Errorf(hiretext.ENotFound, "%s not found.", kind)
}

// orNotFound maps sql.ErrNoRows to a not-found error and passes others through.
func orNotFound(err error, kind string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return notFound(kind)
	}
	return err
}

// Pools returns the read and write connection pools (the same pool on
// PostgreSQL), for metrics.
func (db *DB) Pools() (read, write *sql.DB) { return db.read, db.write }

// ExportPool returns the pool streaming exports read from, for metrics.
func (db *DB) ExportPool() *sql.DB { return db.export }

// SetDispatcher names who to wake after a transaction that queued outbound
// messages commits (the dispatcher). Call it before the DB is shared.
func (db *DB) SetDispatcher(w hiretext.Waker) { db.dispatcher = w }

// wakeDispatcher tells the dispatcher new messages are due.
func (db *DB) wakeDispatcher() {
	if db.dispatcher != nil {
		db.dispatcher.Wake()
	}
}

// connect opens the first connection. A SQLite file that another process is
// just switching to WAL answers SQLITE_BUSY without waiting for the busy
// timeout, so that case is retried for a few seconds: several instances
// starting at once must all come up.
func (db *DB) connect(ctx context.Context) error {
	var err error
	for attempt := 0; attempt < 50; attempt++ {
		if err = db.write.PingContext(ctx); err == nil || !isBusy(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return err
}

// isBusy reports whether err is SQLite's "database is locked".
func isBusy(err error) bool {
	var e interface{ Code() int }
	return errors.As(err, &e) && e.Code()&0xff == 5 // SQLITE_BUSY, with any extended code
}
