package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hiretext/hiretext/internal/store"
)

// hiretext backup and hiretext restore copy a SQLite database: backup while
// serve keeps running, restore while nothing uses the database. Both write
// the new file under a temporary name beside its destination and rename it
// into place, so an interrupted command never leaves a half-written file
// under the real name. PostgreSQL is backed up with pg_dump (see README).

// jsonFileReport is a checked database file in --json output.
type jsonFileReport struct {
	Path          string     `json:"path"`
	Bytes         int64      `json:"bytes"`
	SchemaVersion int        `json:"schema_version"`
	Integrity     string     `json:"integrity"`
	Messages      int64      `json:"messages"`
	LastMessageAt *time.Time `json:"last_message_at"`
}

func toJSONFileReport(path string, r *store.FileReport) jsonFileReport {
	out := jsonFileReport{Path: path, Bytes: r.Size, SchemaVersion: r.SchemaVersion, Integrity: r.Integrity, Messages: r.Messages}
	if !r.LastMessageAt.IsZero() {
		at := r.LastMessageAt.UTC()
		out.LastMessageAt = &at
	}
	return out
}

// describeFile says what a checked copy holds, for people.
func describeFile(r *store.FileReport) string {
	texts := "no texts"
	if r.Messages > 0 {
		texts = fmt.Sprintf("%d text%s, the newest at %s", r.Messages, plural(int(r.Messages), "", "s"),
			r.LastMessageAt.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	return fmt.Sprintf("%s, schema version %d, integrity %s; %s", humanBytes(r.Size), r.SchemaVersion, r.Integrity, texts)
}

// humanBytes writes a size such as "2.4 MiB".
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d bytes", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// sqlitePath returns the file of a sqlite:PATH database URL, or an error
// saying what to use for the other databases.
func sqlitePath(url, command, postgresTool string) (string, error) {
	path, ok := strings.CutPrefix(url, "sqlite:")
	if !ok || path == "" || path == ":memory:" {
		return "", fmt.Errorf("--database %s: hiretext %s works on a SQLite file (sqlite:PATH); for PostgreSQL use %s, as the README's PostgreSQL section shows",
			store.RedactURL(url), command, postgresTool)
	}
	return path, nil
}

func runBackup(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("backup", "hiretext backup --to FILE [--force] [--database sqlite:PATH] [--json]", e)
	dbURL := databaseFlag(fs, e)
	to := fs.String("to", "", "the file to write the copy to")
	force := fs.Bool("force", false, "replace FILE when it exists")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a sentence")
	if done, err := parseFlags(fs, args); done {
		return err
	}
	if *to == "" {
		fmt.Fprintln(e.stderr, "--to is required")
		fs.Usage()
		return errUsage
	}
	src, err := sqlitePath(*dbURL, "backup", "pg_dump")
	if err != nil {
		return err
	}
	if err := sqliteFileExists(*dbURL); err != nil {
		return err
	}
	if err := checkDestination("--to", *to, *force); err != nil {
		return err
	}
	if same, _ := sameFile(src, *to); same {
		return fmt.Errorf("--to %s is the database itself: write the copy somewhere else", *to)
	}
	started := time.Now()
	rep, err := writeReplacing(*to, func(tmp string) (*store.FileReport, error) { return store.BackupSQLite(ctx, src, tmp) })
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e, struct {
			jsonFileReport
			Database string  `json:"database"`
			Seconds  float64 `json:"seconds"`
		}{toJSONFileReport(*to, rep), src, time.Since(started).Seconds()})
	}
	fmt.Fprintf(e.stdout, "Backed up %s to %s: %s.\n", src, *to, describeFile(rep))
	return nil
}

func runRestore(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("restore", "hiretext restore --from FILE [--database sqlite:PATH] [--json]", e)
	dbURL := databaseFlag(fs, e)
	from := fs.String("from", "", "the backup to restore")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a sentence")
	if done, err := parseFlags(fs, args); done {
		return err
	}
	if *from == "" {
		fmt.Fprintln(e.stderr, "--from is required")
		fs.Usage()
		return errUsage
	}
	dst, err := sqlitePath(*dbURL, "restore", "pg_restore")
	if err != nil {
		return err
	}
	rep, err := checkBackup(ctx, *from)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return fmt.Errorf("--database: create the directory: %w", err)
	}
	if same, _ := sameFile(*from, dst); same {
		return fmt.Errorf("--from %s is the database itself", *from)
	}
	kept, err := setAside(ctx, dst)
	if err != nil {
		return err
	}
	if _, err := writeReplacing(dst, func(tmp string) (*store.FileReport, error) { return rep, copyFile(*from, tmp) }); err != nil {
		if kept != "" {
			err = errors.Join(err, moveDatabase(kept, dst))
		}
		return fmt.Errorf("restore %s: %w; the database is as it was", *from, err)
	}
	return printRestored(e, *asJSON, *from, dst, kept, rep)
}

// checkBackup refuses a file that is missing, not a hiretext database,
// damaged, or newer than this binary, changing nothing.
func checkBackup(ctx context.Context, from string) (*store.FileReport, error) {
	if st, err := os.Stat(from); err != nil {
		return nil, fmt.Errorf("--from: no backup at %s", from)
	} else if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("--from: %s is not a file", from)
	}
	rep, err := store.InspectSQLite(ctx, from)
	switch {
	case errors.Is(err, store.ErrNotHiretext):
		return nil, fmt.Errorf("--from %s: %v; nothing was changed", from, err)
	case err != nil:
		return nil, fmt.Errorf("--from: %s cannot be read as a database (%v); nothing was changed", from, err)
	case rep.Integrity != "ok":
		return nil, fmt.Errorf("--from: %s is damaged (integrity check: %s); nothing was changed", from, rep.Integrity)
	case rep.SchemaVersion > rep.KnownVersion:
		return nil, fmt.Errorf("--from: %s has schema version %d, newer than this hiretext's %d: restore it with the hiretext that made it; nothing was changed",
			from, rep.SchemaVersion, rep.KnownVersion)
	}
	return rep, nil
}

// setAside moves the database at dst (and its WAL files) out of the way,
// unless nothing is there, and returns where it is kept. A database in use
// is refused, changing nothing; a damaged one is set aside like any other.
func setAside(ctx context.Context, dst string) (string, error) {
	if _, err := os.Stat(dst); errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err := store.CheckSQLiteUnused(ctx, dst); errors.Is(err, store.ErrInUse) {
		return "", fmt.Errorf("--database: %s is in use: stop hiretext serve (and any other command using it), then restore again; nothing was changed", dst)
	}
	kept := dst + ".replaced-" + time.Now().UTC().Format("20060102T150405Z")
	if err := moveDatabase(dst, kept); err != nil {
		return "", fmt.Errorf("set the current database aside: %w", err)
	}
	return kept, nil
}

// moveDatabase renames a SQLite database file and its WAL files.
func moveDatabase(from, to string) error {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Rename(from+suffix, to+suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

func printRestored(e env, asJSON bool, from, dst, kept string, rep *store.FileReport) error {
	if asJSON {
		return printJSON(e, struct {
			jsonFileReport
			Database    string `json:"database"`
			Replaced    string `json:"replaced,omitempty"`
			WillMigrate bool   `json:"will_migrate"`
		}{toJSONFileReport(from, rep), dst, kept, rep.SchemaVersion < rep.KnownVersion})
	}
	fmt.Fprintf(e.stdout, "Restored %s to %s: %s.\n", from, dst, describeFile(rep))
	if rep.SchemaVersion < rep.KnownVersion {
		fmt.Fprintf(e.stdout, "This hiretext migrates it from schema version %d to %d when it starts.\n", rep.SchemaVersion, rep.KnownVersion)
	}
	if kept != "" {
		fmt.Fprintf(e.stdout, "The database it replaced is kept at %s; delete it once the restored one works.\n", kept)
	}
	return nil
}

// checkDestination refuses a destination in a missing directory, one that
// is a directory, or an existing file without force.
func checkDestination(flagName, path string, force bool) error {
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil {
		return fmt.Errorf("%s %s: the directory %s does not exist", flagName, path, dir)
	} else if !st.IsDir() {
		return fmt.Errorf("%s %s: %s is not a directory", flagName, path, dir)
	}
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("%s %s: %w", flagName, path, err)
	case st.IsDir():
		return fmt.Errorf("%s %s is a directory: name the file to write", flagName, path)
	case !force:
		return fmt.Errorf("%s %s exists: add --force to replace it", flagName, path)
	}
	return nil
}

// writeReplacing has write produce the file under a temporary name beside
// path, makes it durable, and renames it to path; on failure it removes the
// temporary file and path is as it was.
func writeReplacing(path string, write func(tmp string) (*store.FileReport, error)) (*store.FileReport, error) {
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	tmp := path + ".partial-" + hex.EncodeToString(suffix)
	rep, err := write(tmp)
	if err == nil && rep.Integrity != "ok" {
		err = fmt.Errorf("the copy failed its integrity check: %s", rep.Integrity)
	}
	if err == nil {
		err = os.Chmod(tmp, 0o600) // it holds everyone's personal data
	}
	if err == nil {
		err = syncFile(tmp)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return nil, err
	}
	return rep, syncFile(filepath.Dir(path)) // the rename itself
}

// syncFile flushes a file or directory to stable storage.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// copyFile copies src to a new file dst.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// sameFile reports whether a and b name the same existing file.
func sameFile(a, b string) (bool, error) {
	sa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	sb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(sa, sb), nil
}
