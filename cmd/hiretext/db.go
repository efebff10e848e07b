package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hiretext/hiretext/internal/store"
)

// openDB opens the database, creating a SQLite file's directory first.
func openDB(ctx context.Context, url string, cfg store.Config) (*store.DB, error) {
	if path, ok := strings.CutPrefix(url, "sqlite:"); ok && path != ":memory:" && path != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("create database directory: %w", err)
		}
	}
	return store.Open(ctx, url, cfg)
}

// sqliteFileExists refuses a sqlite:PATH URL whose file does not exist,
// naming the path so a typo is plain to see.
func sqliteFileExists(url string) error {
	path, ok := strings.CutPrefix(url, "sqlite:")
	if !ok || path == "" || path == ":memory:" {
		return nil
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("--database: no database at %s (check the path; \"hiretext admin org create\", \"hiretext migrate\" or \"hiretext serve\" creates one)", path)
	} else if err != nil {
		return fmt.Errorf("--database: %w", err)
	}
	return nil
}

// openMigrated opens the database and brings its schema up to date.
func openMigrated(ctx context.Context, url string) (*store.DB, error) {
	db, err := openDB(ctx, url, store.Config{})
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func runMigrate(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("migrate", "hiretext migrate [--database URL]", e)
	dbURL := databaseFlag(fs, e)
	if done, err := parseFlags(fs, args); done {
		return err
	}
	db, err := openDB(ctx, *dbURL, store.Config{})
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	_, known, _ := db.SchemaVersion(ctx)
	if len(applied) == 0 {
		fmt.Fprintf(e.stdout, "The database is up to date (schema version %d).\n", known)
		return nil
	}
	fmt.Fprintf(e.stdout, "Applied %d migration(s): %s. Schema version is now %d.\n", len(applied), strings.Join(applied, ", "), known)
	return nil
}
