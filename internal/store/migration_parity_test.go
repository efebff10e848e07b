package store_test

import (
	"context"
	"database/sql"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

// The two migration sets are written by hand, one per dialect. These tests
// keep them from drifting apart: the same files, and after migrating, the
// same tables, columns and indexes by name. Types, constraints and triggers
// are each dialect's own and are not compared.

func TestMigrationFilesPairUp(t *testing.T) {
	t.Parallel()
	lite, pg := migrationFiles(t, "sqlite"), migrationFiles(t, "postgres")
	if diff := difference(lite, pg, "SQLite", "PostgreSQL"); diff != "" {
		t.Fatalf("the migration directories differ:\n%s", diff)
	}
}

func TestMigrationsGiveBothDatabasesTheSameSchema(t *testing.T) {
	t.Parallel()
	lite := sqliteSchema(t, storetest.NewSQLite(t, storetest.Config{}))
	if !slices.Contains(lite, "table messages") || !slices.Contains(lite, "index messages.messages_due") {
		t.Fatalf("the SQLite schema as read lacks the messages table or its index: %v", lite)
	}
	pg := postgresSchema(t, storetest.NewPostgres(t, storetest.Config{}))
	if diff := difference(lite, pg, "SQLite", "PostgreSQL"); diff != "" {
		t.Fatalf("the migrations give the two databases different schemas:\n%s", diff)
	}
}

func migrationFiles(t *testing.T, dialect string) []string {
	t.Helper()
	entries, err := os.ReadDir("migrations/" + dialect)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// sqliteSchema lists "table t", "column t.c" and "index t.i" lines for
// every table, leaving out SQLite's own tables and the indexes it makes
// for keys (sqlite_autoindex_…): PostgreSQL's key indexes are left out too.
func sqliteSchema(t *testing.T, db *store.DB) []string {
	t.Helper()
	read, _ := db.Pools()
	var lines []string
	for _, table := range firstColumn(t, read, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`) {
		lines = append(lines, "table "+table)
		for _, c := range firstColumn(t, read, `SELECT name FROM pragma_table_info(?)`, table) {
			lines = append(lines, "column "+table+"."+c)
		}
		for _, i := range firstColumn(t, read, `SELECT name FROM pragma_index_list(?) WHERE origin = 'c'`, table) {
			lines = append(lines, "index "+table+"."+i)
		}
	}
	slices.Sort(lines)
	return lines
}

// postgresSchema lists the same lines for the test's schema, leaving out
// the indexes that back a primary key, unique or exclusion constraint.
func postgresSchema(t *testing.T, db *store.DB) []string {
	t.Helper()
	read, _ := db.Pools()
	lines := firstColumn(t, read, `SELECT 'table ' || table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
	lines = append(lines, firstColumn(t, read, `SELECT 'column ' || table_name || '.' || column_name FROM information_schema.columns
		WHERE table_schema = current_schema()`)...)
	lines = append(lines, firstColumn(t, read, `SELECT 'index ' || tablename || '.' || indexname FROM pg_indexes i
		WHERE schemaname = current_schema() AND NOT EXISTS (SELECT 1 FROM pg_constraint c
			WHERE c.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass AND c.contype IN ('p', 'u', 'x'))`)...)
	slices.Sort(lines)
	return lines
}

// firstColumn returns the first column of every row query returns.
func firstColumn(t *testing.T, db *sql.DB, query string, args ...any) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// difference lists, one a line, what only a or only b holds (both sorted),
// or returns "" when they are equal.
func difference(a, b []string, aName, bName string) string {
	var out strings.Builder
	for _, s := range a {
		if _, found := slices.BinarySearch(b, s); !found {
			out.WriteString("  only in " + aName + ": " + s + "\n")
		}
	}
	for _, s := range b {
		if _, found := slices.BinarySearch(a, s); !found {
			out.WriteString("  only in " + bName + ": " + s + "\n")
		}
	}
	return out.String()
}
