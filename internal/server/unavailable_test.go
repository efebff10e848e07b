package server_test

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/server"
	"github.com/hiretext/hiretext/internal/storetest"
)

// failingJobs is a store whose job list fails with err.
type failingJobs struct {
	server.Store
	err error
}

func (f failingJobs) ListJobs(context.Context, hiretext.OrgID) ([]*hiretext.Job, error) {
	return nil, f.err
}

// sqliteError is what modernc.org/sqlite returns: an error with its code.
type sqliteError int

func (e sqliteError) Error() string { return "database is locked (5) (SQLITE_BUSY)" }
func (e sqliteError) Code() int     { return int(e) }

// TestDatabaseUnavailableIs503 fails a request with the errors the drivers
// return while PostgreSQL restarts or another process holds SQLite's write
// lock: the API and the pages answer 503 with Retry-After, recognised by
// the drivers' codes; any other failure is still a 500.
func TestDatabaseUnavailableIs503(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		err  error
		want int
	}{
		{"PostgreSQL shutting down", &pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"}, http.StatusServiceUnavailable},
		{"PostgreSQL refusing connections", &pgconn.PgError{Code: "08006"}, http.StatusServiceUnavailable},
		{"SQLite locked by another process", sqliteError(5), http.StatusServiceUnavailable},
		{"SQLite busy with an extended code", sqliteError(517), http.StatusServiceUnavailable},
		{"a bug", errors.New("unexpected nil"), http.StatusInternalServerError},
		{"a constraint PostgreSQL enforces", &pgconn.PgError{Code: "23514"}, http.StatusInternalServerError},
	} {
		db := storetest.NewSQLite(t, storetest.Config{})
		ts := newTestServer(t, db, func(_ *server.Config, st *server.Store) { *st = failingJobs{*st, c.err} })
		org := storetest.MustCreateOrg(t, db, "Acme")
		u := storetest.MustCreateUser(t, db, org.ID, "Ann", hiretext.RoleAdmin)
		st, body := ts.api(t, token(t, db, u), "GET", "/api/v1/jobs", "")
		if st != c.want || (c.want == http.StatusServiceUnavailable && errorCode(body) != hiretext.EUnavailable) {
			t.Errorf("%s: API %d %v, want %d", c.name, st, body, c.want)
		}
		b := ts.browser(t)
		b.login(u.Email, storetest.TestPassword)
		st, page, h := b.do("GET", "/jobs", nil)
		if st != c.want || (c.want == http.StatusServiceUnavailable && (h.Get("Retry-After") == "" || !strings.Contains(page, "Try again"))) {
			t.Errorf("%s: page %d Retry-After %q, want %d", c.name, st, h.Get("Retry-After"), c.want)
		}
	}
}

// TestReadyzWhileSQLiteWritesFail holds the SQLite write lock from another
// connection, as another process would: reads still work, but /readyz says
// not ready until the lock is released.
func TestReadyzWhileSQLiteWritesFail(t *testing.T) {
	t.Parallel()
	u := storetest.SQLiteURL(t)
	db := storetest.Open(t, u, storetest.Config{})
	ts := newTestServer(t, db)
	other, err := sql.Open("sqlite", "file:"+strings.TrimPrefix(u, "sqlite:")+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(t.Context(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	ready := func() int {
		resp, err := http.Get(ts.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := ready(); st != http.StatusServiceUnavailable {
		t.Fatalf("/readyz while another connection holds the write lock: %d, want 503", st)
	}
	if _, err := conn.ExecContext(t.Context(), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	if st := ready(); st != http.StatusOK {
		t.Fatalf("/readyz after the lock is released: %d, want 200", st)
	}
}

// TestHSTSAndWebhookMethods: Strict-Transport-Security only when the public
// URL is https, and a webhook path answers another method with 405 and
// Allow, not 404.
func TestHSTSAndWebhookMethods(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	plain := newTestServer(t, db)
	secure := newTestServer(t, db, func(cfg *server.Config, _ *server.Store) {
		cfg.BaseURL, _ = url.Parse("https://ats.example.com")
	})
	for _, c := range []struct {
		ts   *testServer
		want string
	}{{plain, ""}, {secure, "max-age=31536000"}} {
		resp, err := http.Get(c.ts.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Strict-Transport-Security"); got != c.want {
			t.Errorf("Strict-Transport-Security = %q, want %q", got, c.want)
		}
	}
	for _, method := range []string{"GET", "PUT"} {
		req, _ := http.NewRequest(method, plain.URL+"/webhooks/simulator/inbound", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
			t.Errorf("%s on a webhook: %d Allow %q, want 405 Allow POST", method, resp.StatusCode, resp.Header.Get("Allow"))
		}
	}
}
