package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Backups of a SQLite database: a consistent copy taken while serve keeps
// writing (VACUUM INTO reads one snapshot of the database, the WAL
// included, so the copy holds exactly the transactions committed before it
// began), the checks a copy must pass before anyone relies on it, and the
// test of whether a database file is in use. PostgreSQL is backed up with
// its own tools (pg_dump), as the README says.

// FileReport describes a SQLite database file as a backup or a restore
// checks it.
type FileReport struct {
	Size          int64     // bytes
	SchemaVersion int       // the newest migration applied
	KnownVersion  int       // the newest migration this binary knows
	Integrity     string    // "ok", or what PRAGMA integrity_check found first
	Messages      int64     // texts held, both directions
	LastMessageAt time.Time // the newest text's time; zero when there is none
}

// ErrNotHiretext says a file is not a hiretext database: not SQLite at all,
// or SQLite without hiretext's migrations.
var ErrNotHiretext = errors.New("not a hiretext database")

// sqliteMagic starts every SQLite database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// BackupSQLite writes a consistent copy of the SQLite database file at src
// to dst, which must not exist, and checks the copy. Other connections, in
// this process or another, may read and write src meanwhile: the copy is
// read in one read transaction, which never blocks the writer (WAL).
func BackupSQLite(ctx context.Context, src, dst string) (*FileReport, error) {
	db, err := openReadOnly(src)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
		return nil, fmt.Errorf("store: copy %s: %w", src, err)
	}
	return InspectSQLite(ctx, dst)
}

// InspectSQLite checks the database file at path without changing it: that
// it is a hiretext database (ErrNotHiretext otherwise), its integrity, its
// schema version against this binary's, and the texts it holds.
func InspectSQLite(ctx context.Context, path string) (*FileReport, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := checkMagic(path); err != nil {
		return nil, err
	}
	db, err := openReadOnly(path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rep := &FileReport{Size: st.Size()}
	if rep.SchemaVersion, rep.KnownVersion, err = hiretextVersion(ctx, db); err != nil {
		return nil, err
	}
	// integrity_check lists up to 100 problems; the first says enough.
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&rep.Integrity); err != nil {
		return nil, fmt.Errorf("store: integrity check of %s: %w", path, err)
	}
	if rep.Integrity != "ok" {
		return rep, nil
	}
	return rep, messageStats(ctx, db, rep)
}

// openReadOnly opens one read-only connection to a SQLite file.
func openReadOnly(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// checkMagic reads the file's first bytes: a SQLite database starts with a
// known header, so anything else is refused before SQLite reads it.
func checkMagic(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, len(sqliteMagic))
	if _, err := io.ReadFull(f, head); err != nil || !bytes.Equal(head, sqliteMagic) {
		return fmt.Errorf("%w: it is not a SQLite database file", ErrNotHiretext)
	}
	return nil
}

// hiretextVersion returns the newest migration applied to db and the newest
// this binary knows, after checking that every applied migration is one of
// this binary's SQLite migrations by number and name: that is what makes a
// SQLite file a hiretext database.
func hiretextVersion(ctx context.Context, db *sql.DB) (applied, known int, err error) {
	ms, err := migrations(sqliteDialect{})
	if err != nil {
		return 0, 0, err
	}
	rows, err := db.QueryContext(ctx, "SELECT version, name FROM schema_migrations ORDER BY version")
	if err != nil {
		return 0, 0, fmt.Errorf("%w: it has no hiretext schema (%v)", ErrNotHiretext, err)
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		var name string
		if err := rows.Scan(&v, &name); err != nil {
			return 0, 0, err
		}
		if v <= len(ms) && ms[v-1].name != name {
			return 0, 0, fmt.Errorf("%w: its migration %d is %q, not hiretext's %q", ErrNotHiretext, v, name, ms[v-1].name)
		}
		applied = v
	}
	if err := rows.Err(); err != nil {
		return 0, 0, err
	}
	if applied == 0 {
		return 0, 0, fmt.Errorf("%w: it has no hiretext migrations", ErrNotHiretext)
	}
	return applied, len(ms), nil
}

// messageStats counts the texts and finds the newest one's time, when the
// schema has texts yet.
func messageStats(ctx context.Context, db *sql.DB, rep *FileReport) error {
	var tables int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'messages'").Scan(&tables); err != nil || tables == 0 {
		return err
	}
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM messages").Scan(&rep.Messages); err != nil || rep.Messages == 0 {
		return err
	}
	// Ordering by the declared TIMESTAMP column lets the driver read the time.
	return db.QueryRowContext(ctx, "SELECT created_at FROM messages ORDER BY created_at DESC LIMIT 1").Scan(&rep.LastMessageAt)
}

// ErrInUse says a database file is open in some process.
var ErrInUse = errors.New("the database is in use")

// CheckSQLiteUnused returns ErrInUse when any connection, in this process
// or another, has the SQLite database at path open; nil when none has. It
// asks SQLite itself, which knows: a connection to a WAL database holds a
// shared lock for as long as it is open, so taking the exclusive lock (in
// exclusive locking mode, without waiting) fails exactly when another is
// open. Other errors (a damaged file) are returned as they are.
func CheckSQLiteUnused(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=rw&_pragma=busy_timeout(0)&_pragma=locking_mode(EXCLUSIVE)&_txlock=exclusive")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	tx, err := db.BeginTx(ctx, nil)
	if err == nil {
		var n int // a read makes sure the lock is taken
		err = tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_schema").Scan(&n)
		_ = tx.Rollback()
	}
	if isBusy(err) {
		return ErrInUse
	}
	return err
}
