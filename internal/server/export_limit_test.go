package server_test

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/server"
	"github.com/hiretext/hiretext/internal/storetest"
)

// heldExports is a store whose exports hold on, as a slow download does,
// until released.
type heldExports struct {
	server.Store
	started chan hiretext.OrgID
	release chan struct{}
}

func (h heldExports) EachActivity(ctx context.Context, org hiretext.OrgID, f hiretext.ActivityFilter, fn func(*hiretext.ActivityRow) error) error {
	h.started <- org
	<-h.release
	return nil
}

// endlessExport is a store whose export never runs out of rows.
type endlessExport struct{ server.Store }

func (e endlessExport) EachActivity(ctx context.Context, org hiretext.OrgID, f hiretext.ActivityFilter, fn func(*hiretext.ActivityRow) error) error {
	row := &hiretext.ActivityRow{MessageID: 1, Body: "Tuesday works for me", Direction: hiretext.Inbound}
	for {
		if err := fn(row); err != nil {
			return err
		}
	}
}

const exportPath = "/api/v1/reports/sms-activity?format=csv"

// get downloads path with token and returns the status and Retry-After.
func get(t *testing.T, ts *testServer, token, path string) (int, string) {
	req, _ := http.NewRequest("GET", ts.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0, ""
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Retry-After")
}

// TestExportsHaveABudget runs report downloads that hold on: a company gets
// two at once and the instance three, the rest are refused with 429 and
// Retry-After, and a slot freed is taken again.
func TestExportsHaveABudget(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	held := heldExports{started: make(chan hiretext.OrgID, 8), release: make(chan struct{})}
	ts := newTestServer(t, db, func(cfg *server.Config, st *server.Store) {
		cfg.Exports = server.ExportLimits{PerCompany: 2, Max: 3}
		held.Store = *st
		*st = held
	})
	acme, beta := storetest.MustCreateOrg(t, db, "Acme"), storetest.MustCreateOrg(t, db, "Beta")
	a := token(t, db, storetest.MustCreateUser(t, db, acme.ID, "Ann", hiretext.RoleAdmin))
	b := token(t, db, storetest.MustCreateUser(t, db, beta.ID, "Bea", hiretext.RoleAdmin))
	done := make(chan int, 8)
	start := func(tok string) {
		go func() { st, _ := get(t, ts, tok, exportPath); done <- st }()
		<-held.started
	}
	start(a)
	start(a)
	if st, retry := get(t, ts, a, exportPath); st != http.StatusTooManyRequests || retry == "" {
		t.Fatalf("a company's third export at once: %d Retry-After %q, want 429 with Retry-After", st, retry)
	}
	start(b) // another company still may: the instance's third
	if st, retry := get(t, ts, b, exportPath); st != http.StatusTooManyRequests || retry == "" {
		t.Fatalf("the instance's fourth export at once: %d Retry-After %q, want 429 with Retry-After", st, retry)
	}
	held.release <- struct{}{}
	if st := <-done; st != http.StatusOK {
		t.Fatalf("a held export, released: %d", st)
	}
	start(b) // the freed slot
	close(held.release)
	for range 3 {
		if st := <-done; st != http.StatusOK {
			t.Fatalf("a held export, released: %d", st)
		}
	}
}

// TestExportHasAMaximumDuration downloads an export that never ends as fast
// as the client can read: it is cut at the limit, not held for ever.
func TestExportHasAMaximumDuration(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db, func(cfg *server.Config, st *server.Store) {
		cfg.Exports = server.ExportLimits{MaxDuration: 200 * time.Millisecond}
		*st = endlessExport{*st}
	})
	org := storetest.MustCreateOrg(t, db, "Acme")
	tok := token(t, db, storetest.MustCreateUser(t, db, org.ID, "Ann", hiretext.RoleAdmin))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // bounds a broken test only
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+exportPath, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	if err == nil || ctx.Err() != nil {
		t.Fatalf("an endless export read at full speed ended with %v (context: %v), want it cut by the server", err, ctx.Err())
	}
}
