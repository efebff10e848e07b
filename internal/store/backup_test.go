package store_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

// TestBackupCopiesWhatCommittedWhileTheDatabaseIsInUse: the copy of an
// open database holds every text committed before it, passes the checks,
// and the database in use is reported as such.
func TestBackupCopiesWhatCommittedWhileTheDatabaseIsInUse(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := filepath.Join(t.TempDir(), "hiretext.db")
	db := storetest.Open(t, "sqlite:"+src, storetest.Config{})
	fx := storetest.MustSetUpTexting(t, db, 100)
	c, phone := fx.MustCandidate(t, db, "Ann")
	fx.MustSend(t, db, "Hello Ann", c.ID)
	fx.Receive(t, db, "SMb1", phone, "Hi! Yes, I can come.")

	if err := store.CheckSQLiteUnused(ctx, src); !errors.Is(err, store.ErrInUse) {
		t.Fatalf("CheckSQLiteUnused of an open database: %v, want ErrInUse", err)
	}
	dst := filepath.Join(t.TempDir(), "copy.db")
	rep, err := store.BackupSQLite(ctx, src, dst)
	if err != nil {
		t.Fatal(err)
	}
	_, known, _ := db.SchemaVersion(ctx)
	if rep.Integrity != "ok" || rep.SchemaVersion != known || rep.KnownVersion != known || rep.Messages != 2 || rep.LastMessageAt.IsZero() || rep.Size <= 0 {
		t.Fatalf("report: %+v", rep)
	}
	if err := store.CheckSQLiteUnused(ctx, dst); err != nil {
		t.Fatalf("CheckSQLiteUnused of the closed copy: %v", err)
	}
	copyDB := storetest.Open(t, "sqlite:"+dst, storetest.Config{})
	rec, err := copyDB.CandidateRecord(ctx, fx.Org.ID, c.ID)
	if err != nil || len(rec.Messages) != 2 || rec.Messages[1].Body != "Hi! Yes, I can come." {
		t.Fatalf("the copy's texts with Ann: %+v, %v", rec, err)
	}
	if _, err := store.BackupSQLite(ctx, src, dst); err == nil {
		t.Fatal("a backup overwrote an existing file")
	}
}

// TestInspectRefusesWhatIsNotAHiretextDatabase: a text file, an empty
// SQLite database and another application's SQLite database are refused as
// not hiretext's; a damaged one fails its integrity check; a newer schema
// says so.
func TestInspectRefusesWhatIsNotAHiretextDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte("not a database at all, just some words\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other.db")
	exec(t, other, "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)",
		"INSERT INTO schema_migrations VALUES (1, '0001_init.sql', '')")
	empty := filepath.Join(dir, "empty.db")
	exec(t, empty, "CREATE TABLE t (x)")
	for path, want := range map[string]string{text: "not a SQLite database file", other: `migration 1 is "0001_init.sql"`, empty: "no hiretext schema"} {
		if _, err := store.InspectSQLite(ctx, path); !errors.Is(err, store.ErrNotHiretext) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want ErrNotHiretext saying %q", filepath.Base(path), err, want)
		}
	}

	newer := filepath.Join(dir, "newer.db")
	storetest.Open(t, "sqlite:"+newer, storetest.Config{}).Close()
	exec(t, newer, "INSERT INTO schema_migrations VALUES (99, '0099_future.sql', '')")
	if rep, err := store.InspectSQLite(ctx, newer); err != nil || rep.SchemaVersion != 99 || rep.KnownVersion >= 99 {
		t.Fatalf("newer schema: %+v, %v", rep, err)
	}

	damaged := filepath.Join(dir, "damaged.db")
	db := storetest.Open(t, "sqlite:"+damaged, storetest.Config{})
	org := storetest.MustCreateOrg(t, db, "Acme")
	for range 50 {
		storetest.MustCreateUser(t, db, org.ID, "Someone With A Long Enough Name", hiretext.RoleAdmin)
	}
	db.Close()
	damage(t, damaged)
	if rep, err := store.InspectSQLite(ctx, damaged); err == nil && rep.Integrity == "ok" {
		t.Fatalf("a damaged file passed: %+v", rep)
	}
}

// exec runs statements on a new connection to the SQLite file at path.
func exec(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// damage overwrites the file's last pages with garbage, as a failing disk
// might, leaving its header intact.
func damage(t *testing.T, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	junk := []byte(strings.Repeat("\xde\xad\xbe\xef", 2048))
	if _, err := f.WriteAt(junk, st.Size()-int64(len(junk))); err != nil {
		t.Fatal(err)
	}
}
