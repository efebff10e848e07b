package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/server"
	"github.com/hiretext/hiretext/internal/store"
)

// testServer is a hiretext server on a real HTTP listener.
type testServer struct {
	*httptest.Server
	db  *store.DB
	srv *server.Server
}

// testOption adjusts a test server before it starts: its configuration, or
// the store it serves (a wrapper that fails on cue, say).
type testOption func(cfg *server.Config, st *server.Store)

func newTestServer(t *testing.T, db *store.DB, opts ...testOption) *testServer {
	t.Helper()
	ts := &testServer{db: db}
	hs := httptest.NewUnstartedServer(nil)
	base, _ := url.Parse("http://" + hs.Listener.Addr().String())
	cfg := server.Config{BaseURL: base, Clock: hiretext.SystemClock, Logger: testLogger(t),
		LoginLimit: hiretext.ThrottleRule{Limit: 3, Window: 60e9, Block: 60e9}}
	var st server.Store = db
	for _, o := range opts {
		o(&cfg, &st)
	}
	srv, err := server.New(context.Background(), cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	hs.Config.Handler = srv
	hs.Start()
	t.Cleanup(hs.Close)
	ts.Server, ts.srv = hs, srv
	return ts
}

// browser is an HTTP client with cookies that does not follow redirects.
type browser struct {
	t      *testing.T
	ts     *testServer
	client *http.Client
	header http.Header // sent with every request, such as X-Forwarded-For
}

func (ts *testServer) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, ts: ts, header: http.Header{}, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// do sends a request as a same-origin browser form post or GET and returns
// the status and body.
func (b *browser) do(method, path string, form url.Values) (int, string, http.Header) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.ts.URL+path, body)
	for k, v := range b.header {
		req.Header[k] = v
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data), resp.Header
}

func (b *browser) login(email, password string) int {
	b.t.Helper()
	st, _, _ := b.do("POST", "/login", url.Values{"email": {email}, "password": {password}})
	return st
}

// api sends a JSON API request with a bearer token.
func (ts *testServer) api(t *testing.T, token, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	data, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("%s %s: body is not JSON: %q", method, path, data)
	}
	return resp.StatusCode, out
}

func token(t *testing.T, db *store.DB, u *hiretext.User) string {
	t.Helper()
	_, secret, err := db.CreateToken(context.Background(), u.OrgID, u.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

func errorCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

// testLogger sends server logs to the test's log, shown when it fails.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
