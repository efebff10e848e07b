// Package storetest opens isolated test databases (SQLite always, PostgreSQL
// when HIRETEXT_TEST_POSTGRES_URL is set) and offers MustCreateX helpers. Its
// own tests are the behavioural suite both databases must pass.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/password"
	"github.com/hiretext/hiretext/internal/store"
)

// PostgresURLEnv names the environment variable holding the test server's URL.
const PostgresURLEnv = "HIRETEXT_TEST_POSTGRES_URL"

// Clock is a settable clock for tests. Its zero value starts at a fixed instant.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock set to t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.t.IsZero() {
		c.t = time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)
	}
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// Config adjusts a test database.
type Config struct {
	Clock  hiretext.Clock
	Hasher *password.Hasher // nil: argon2id at trivial cost (password.Fast)
}

// Each runs fn once per available database, as subtests "sqlite" and
// "postgres". PostgreSQL is skipped, saying why, when its URL is not set.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); fn(t, NewSQLite(t, Config{})) })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); fn(t, NewPostgres(t, Config{})) })
}

// EachWith is Each with options (a test clock, say) applied to both databases.
func EachWith(t *testing.T, opts func() Config, fn func(t *testing.T, db *store.DB, o Config)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); o := opts(); fn(t, NewSQLite(t, o), o) })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); o := opts(); fn(t, NewPostgres(t, o), o) })
}

// SQLiteURL returns the URL of a new, empty SQLite database file under the test's temp dir.
func SQLiteURL(tb testing.TB) string {
	return "sqlite:" + filepath.Join(tb.TempDir(), "hiretext.db")
}

// NewSQLite opens and migrates a fresh SQLite database in a temp dir.
func NewSQLite(tb testing.TB, o Config) *store.DB {
	tb.Helper()
	return open(tb, SQLiteURL(tb), o)
}

// PostgresURL creates a fresh schema on the test server and returns a URL
// whose connections use it, dropping the schema when the test ends. It skips
// the test when HIRETEXT_TEST_POSTGRES_URL is not set.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(PostgresURLEnv)
	if base == "" {
		tb.Skipf("PostgreSQL tests skipped: set %s (e.g. postgres://postgres@127.0.0.1:5432/test) to run them", PostgresURLEnv)
	}
	schema := "t_" + randomHex(8)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		_, _ = admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// NewPostgres opens and migrates a fresh PostgreSQL schema, or skips.
func NewPostgres(tb testing.TB, o Config) *store.DB {
	tb.Helper()
	return open(tb, PostgresURL(tb), o)
}

// Open opens and migrates the database at url with fast password hashing.
func Open(tb testing.TB, url string, o Config) *store.DB {
	tb.Helper()
	return open(tb, url, o)
}

func open(tb testing.TB, url string, o Config) *store.DB {
	tb.Helper()
	ctx := context.Background()
	if o.Hasher == nil {
		o.Hasher = password.NewHasher(password.Fast, 4)
	}
	db, err := store.Open(ctx, url, store.Config{Clock: o.Clock, Hasher: o.Hasher, MaxReadConns: 4})
	if err != nil {
		tb.Fatalf("open %s: %v", store.RedactURL(url), err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return db
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// MustCreateOrg creates an organization with a unique slug derived from name.
func MustCreateOrg(tb testing.TB, db *store.DB, name string) *hiretext.Organization {
	tb.Helper()
	o, err := db.CreateOrg(context.Background(), hiretext.NewOrganization{
		Name: name, Slug: "org-" + randomHex(4), Timezone: "America/Chicago", Region: "US"})
	if err != nil {
		tb.Fatalf("create org: %v", err)
	}
	MustOpenEveryHour(tb, db, o.ID)
	return o
}

// MustOpenEveryHour lets org text at any hour of every day, as the demo
// company does, and without an attempt limit, so a test that is not about
// send windows sends at once whatever the hour of its clock and however
// often it texts one candidate. A test of send windows sets the policy it
// needs (a new company's default: hiretext.DefaultSendPolicy).
func MustOpenEveryHour(tb testing.TB, db *store.DB, org hiretext.OrgID) {
	tb.Helper()
	p := hiretext.OpenSendPolicy(org)
	p.AttemptLimit = 0
	if _, err := db.UpdateSendPolicy(context.Background(), org, p.Update(), 0); err != nil {
		tb.Fatalf("open every hour: %v", err)
	}
}

// TestPassword is the password MustCreateUser gives every user.
const TestPassword = "correct-horse-battery"

// MustCreateUser creates an active user of org with TestPassword.
func MustCreateUser(tb testing.TB, db *store.DB, org hiretext.OrgID, name string, role hiretext.Role, perms ...hiretext.Permission) *hiretext.User {
	tb.Helper()
	u, err := db.CreateUser(context.Background(), hiretext.NewUser{
		OrgID: org, Email: "u-" + randomHex(4) + "@example.com", Name: name, Role: role,
		Permissions: perms, Password: TestPassword})
	if err != nil {
		tb.Fatalf("create user: %v", err)
	}
	return u
}
