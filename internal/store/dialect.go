package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect is everything that differs between SQLite and PostgreSQL.
type dialect interface {
	name() string
	open(dsn string, maxRead int) (write, read *sql.DB, err error)
	// openPool opens another pool of n connections (readers on SQLite), or
	// returns nil where the read pool must serve (SQLite in memory, whose
	// data lives in one pool's shared cache).
	openPool(dsn string, n int) (*sql.DB, error)
	// singleWriter reports whether one connection writes at a time (SQLite),
	// so a transaction must not wait on anything while it holds it.
	singleWriter() bool
	rebind(query string) string
	// pipelined reports whether write transactions send the statements
	// queued by execLater in batches (PostgreSQL; see pipeline).
	pipelined() bool
	isUniqueViolation(err error) bool
	// skipLocked is appended to a SELECT that claims rows for a worker:
	// PostgreSQL skips rows another transaction holds; SQLite's single
	// writer needs nothing.
	skipLocked() string
	// epochSeconds is an SQL expression for the whole seconds since the Unix
	// epoch of the timestamp expression expr, as an integer.
	epochSeconds(expr string) string
	// localDay is an SQL expression for the day, counted from 1970-01-01,
	// on which the timestamp expression ts falls in the time zone named by
	// the expression zone (see the daily counters, activity_count.go).
	localDay(ts, zone string) string
	// indexedBy names the index a query must read a table through, for
	// SQLite, which has no statistics to choose between a narrow index and a
	// wider one that also serves the ORDER BY; PostgreSQL's planner has them.
	indexedBy(index string) string
	// notIndexed makes SQLite read a table by its rowid alone. Without
	// statistics it takes an index on org_id for selective, and would scan
	// a whole company's rows for `org_id = ? AND id IN (…)` instead of
	// looking each id up; PostgreSQL's planner knows better.
	notIndexed() string
	// lockMigrations serializes migrators across processes; the returned
	// function releases the lock.
	lockMigrations(ctx context.Context, c *sql.Conn) (func(), error)
	// queryOnlyReaders reports whether the read pool's connections may
	// refuse writes (SQLite's query_only readers), so a write tried there,
	// such as creating the migrations table, may fail harmlessly.
	queryOnlyReaders() bool
	// lockKeys is a statement taking, until the transaction ends, an
	// advisory lock on each of n text keys of a class (its parameters: the
	// class, then the keys), or "" where the single writer serializes
	// transactions already (SQLite).
	lockKeys(n int) string
	// notifyEvent is an SQL expression announcing, at commit, the event
	// whose id is the column id to the other instances on the database, or
	// "" where one process, woken in memory, is all there is (SQLite).
	notifyEvent() string
	// notifyEvents is a statement announcing n events at commit (its
	// parameters: the n ids), or "" where notifyEvent is.
	notifyEvents(n int) string
	// timestampParam is a parameter holding a time in a VALUES list, where
	// PostgreSQL cannot infer its type from a column and needs a cast;
	// SQLite takes it as it takes any time parameter.
	timestampParam() string
}

// parseURL picks the dialect for a database URL and returns the driver DSN.
func parseURL(u string) (dialect, string, error) {
	switch {
	case u == "sqlite::memory:":
		return sqliteDialect{memory: true}, "file:hiretext-" + randomName() + "?mode=memory&cache=shared", nil
	case strings.HasPrefix(u, "sqlite:"):
		path := strings.TrimPrefix(u, "sqlite:")
		if path == "" {
			return nil, "", fmt.Errorf("store: database URL %q names no file", u)
		}
		return sqliteDialect{}, "file:" + path, nil
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		return &postgresDialect{}, u, nil
	}
	return nil, "", fmt.Errorf("store: unsupported database URL %q: use sqlite:PATH, sqlite::memory: or postgres://…", u)
}

type sqliteDialect struct{ memory bool }

func (sqliteDialect) name() string { return "sqlite" }

// sqlitePragmas apply to every connection: WAL so readers never block the
// writer, foreign keys on, a busy timeout for the rare cross-process writer,
// and synchronous=FULL because a lost commit is a lost candidate message.
const sqlitePragmas = "&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_time_format=sqlite"

func (d sqliteDialect) open(dsn string, maxRead int) (*sql.DB, *sql.DB, error) {
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	// BEGIN IMMEDIATE takes the write lock at the start of every write
	// transaction, so two writers never deadlock upgrading read locks.
	write, err := sql.Open("sqlite", dsn+sep+"_txlock=immediate"+sqlitePragmas)
	if err != nil {
		return nil, nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	if d.memory {
		// An in-memory database lives in one connection's shared cache; one
		// pool keeps it simple and consistent.
		return write, write, nil
	}
	read, err := d.openPool(dsn, maxRead)
	if err != nil {
		write.Close()
		return nil, nil, err
	}
	return write, read, nil
}

// openPool opens a pool of n query_only readers.
func (d sqliteDialect) openPool(dsn string, n int) (*sql.DB, error) {
	if d.memory {
		return nil, nil
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	read, err := sql.Open("sqlite", dsn+sep+"_pragma=query_only(1)"+sqlitePragmas)
	if err != nil {
		return nil, err
	}
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	return read, nil
}

func (sqliteDialect) rebind(q string) string { return q }

func (sqliteDialect) skipLocked() string { return "" }

func (sqliteDialect) epochSeconds(expr string) string { return "unixepoch(" + expr + ")" }

func (sqliteDialect) localDay(ts, zone string) string {
	return "hiretext_local_day(unixepoch(" + ts + "), " + zone + ")"
}

func (sqliteDialect) indexedBy(index string) string { return " INDEXED BY " + index }

func (sqliteDialect) notIndexed() string { return " NOT INDEXED" }

func (sqliteDialect) isUniqueViolation(err error) bool {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

func (sqliteDialect) lockMigrations(ctx context.Context, c *sql.Conn) (func(), error) {
	// The single writer connection plus BEGIN IMMEDIATE per migration
	// serializes migrators within a process; across processes SQLite's own
	// file lock does.
	return func() {}, nil
}

func (sqliteDialect) queryOnlyReaders() bool { return true }

func (sqliteDialect) singleWriter() bool { return true }

func (sqliteDialect) lockKeys(int) string { return "" }

func (sqliteDialect) pipelined() bool { return false }

func (sqliteDialect) notifyEvent() string { return "" }

func (sqliteDialect) notifyEvents(int) string { return "" }

func (sqliteDialect) timestampParam() string { return "?" }

type postgresDialect struct{ cache sync.Map }

func (*postgresDialect) name() string { return "postgres" }

func (*postgresDialect) open(dsn string, maxRead int) (*sql.DB, *sql.DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, nil, err
	}
	db.SetMaxOpenConns(maxRead + 4)
	db.SetMaxIdleConns(maxRead + 4)
	return db, db, nil
}

// openPool opens a pool of its own, of n connections, keeping one idle:
// exports and hand-offs come and go.
func (*postgresDialect) openPool(dsn string, n int) (*sql.DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(1)
	return db, nil
}

// rebind turns "?" placeholders into "$1", "$2", … once per distinct query.
// It rewrites every "?", even one inside a string literal: write such a
// character as a parameter instead (LIKE ? with "%?%" as its value).
func (d *postgresDialect) rebind(q string) string {
	if v, ok := d.cache.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	d.cache.Store(q, b.String())
	return b.String()
}

func (*postgresDialect) pipelined() bool { return true }

func (*postgresDialect) skipLocked() string { return " FOR UPDATE SKIP LOCKED" }

func (*postgresDialect) localDay(ts, zone string) string {
	return "(CAST(" + ts + " AT TIME ZONE " + zone + " AS DATE) - DATE '1970-01-01')"
}

func (*postgresDialect) indexedBy(string) string { return "" }

func (*postgresDialect) notIndexed() string { return "" }

func (*postgresDialect) epochSeconds(expr string) string {
	return "CAST(FLOOR(EXTRACT(EPOCH FROM " + expr + ")) AS BIGINT)"
}

func (*postgresDialect) isUniqueViolation(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}

// migrationLockKey is an arbitrary constant shared by every hiretext
// instance; with the schema name it scopes the advisory lock.
const migrationLockKey = 0x6869726574657874 // "hiretext"

func (*postgresDialect) lockMigrations(ctx context.Context, c *sql.Conn) (func(), error) {
	q := "SELECT pg_advisory_lock($1, hashtext(current_schema()))"
	if _, err := c.ExecContext(ctx, q, int32(migrationLockKey&0x7fffffff)); err != nil {
		return nil, fmt.Errorf("store: migration lock: %w", err)
	}
	return func() {
		_, _ = c.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1, hashtext(current_schema()))", int32(migrationLockKey&0x7fffffff))
	}, nil
}

func (*postgresDialect) queryOnlyReaders() bool { return false }

func (*postgresDialect) singleWriter() bool { return false }

func (*postgresDialect) lockKeys(n int) string {
	return "SELECT pg_advisory_xact_lock(CAST(? AS INTEGER), hashtext(column1)) FROM (VALUES " +
		repeatRows("(CAST(? AS TEXT))", n) + ") AS v"
}

func (*postgresDialect) notifyEvent() string {
	return "pg_notify('" + EventChannel + "', CAST(id AS TEXT))"
}

func (*postgresDialect) timestampParam() string { return "CAST(? AS TIMESTAMPTZ)" }

func (*postgresDialect) notifyEvents(n int) string {
	return "SELECT pg_notify('" + EventChannel + "', id) FROM (VALUES " + repeatRows("(CAST(? AS TEXT))", n) + ") AS ids (id)"
}

// RedactURL hides a password in a database URL for logs.
func RedactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.User == nil {
		return u
	}
	return p.Redacted()
}
