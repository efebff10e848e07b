package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

//go:embed migrations
var migrationFS embed.FS

// migration is one numbered, forward-only schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the dialect's migrations in order. File names are
// "NNNN_description.sql"; numbers must be 1, 2, 3… without gaps.
func migrations(d dialect) ([]migration, error) {
	dir := path.Join("migrations", d.name())
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("store: bad migration file name %q", e.Name())
		}
		body, err := fs.ReadFile(migrationFS, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(body)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("store: migration %s out of sequence", m.name)
		}
	}
	return ms, nil
}

// SchemaVersion returns the newest migration applied to the database (0 for
// an empty one) and the newest this binary knows.
func (db *DB) SchemaVersion(ctx context.Context) (applied, known int, err error) {
	ms, err := migrations(db.dialect)
	if err != nil {
		return 0, 0, err
	}
	applied, err = db.appliedVersion(ctx, db.reader())
	return applied, len(ms), err
}

func (db *DB) appliedVersion(ctx context.Context, c conn) (int, error) {
	if _, err := c.exec(ctx, createMigrationsTable); err != nil && !db.dialect.queryOnlyReaders() {
		return 0, err
	}
	var v int
	err := c.queryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v)
	if err != nil && strings.Contains(err.Error(), "no such table") {
		return 0, nil // a read-only SQLite connection cannot create the table
	}
	return v, err
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at TEXT NOT NULL
)`

// CheckSchema returns an error unless the database has exactly the
// migrations this binary knows.
func (db *DB) CheckSchema(ctx context.Context) error {
	applied, known, err := db.SchemaVersion(ctx)
	switch {
	case err != nil:
		return fmt.Errorf("store: read schema version: %w", err)
	case applied < known:
		return fmt.Errorf("store: database schema is at version %d, this binary needs %d: run `hiretext migrate`", applied, known)
	case applied > known:
		return fmt.Errorf("store: database schema is at version %d, newer than this binary's %d: upgrade hiretext", applied, known)
	}
	return nil
}

// Migrate applies every pending migration, each in its own transaction. On
// PostgreSQL an advisory lock lets several instances start at once: one
// migrates, the others wait and then find nothing to do.
func (db *DB) Migrate(ctx context.Context) (applied []string, err error) {
	ms, err := migrations(db.dialect)
	if err != nil {
		return nil, err
	}
	c, err := db.write.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	unlock, err := db.dialect.lockMigrations(ctx, c)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if _, err := c.ExecContext(ctx, createMigrationsTable); err != nil {
		return nil, fmt.Errorf("store: create schema_migrations: %w", err)
	}
	for _, m := range ms {
		done, err := db.applyOne(ctx, c, m)
		if err != nil {
			return applied, err
		}
		if done {
			applied = append(applied, m.name)
		}
	}
	return applied, db.sealOn(ctx, c)
}

// sealOn seals the consent ledgers (sealLedgers) in a transaction on c, the
// connection that holds the migration lock.
func (db *DB) sealOn(ctx context.Context, c *sql.Conn) error {
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := db.sealLedgers(ctx, conn{q: tx, d: db.dialect}); err != nil {
		return fmt.Errorf("store: seal the consent ledgers: %w", err)
	}
	return tx.Commit()
}

// applyOne applies m unless it already is, reporting whether it did.
func (db *DB) applyOne(ctx context.Context, c interface {
	BeginTx(context.Context, *sql.TxOptions) (*sql.Tx, error)
}, m migration) (bool, error) {
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	t := conn{q: tx, d: db.dialect}
	var n int
	if err := t.queryRow(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", m.version).Scan(&n); err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, fmt.Errorf("store: migration %s: %w", m.name, err)
	}
	if _, err := t.exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
		m.version, m.name, db.now().Format("2006-01-02T15:04:05.000000Z")); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// randomName returns 16 random hex characters.
func randomName() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
