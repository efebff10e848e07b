package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

func TestLoginLogout(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db)
	org := storetest.MustCreateOrg(t, db, "Acme")
	ann := storetest.MustCreateUser(t, db, org.ID, "Ann Admin", hiretext.RoleAdmin)
	b := ts.browser(t)

	if st, _, h := b.do("GET", "/", nil); st != http.StatusSeeOther || h.Get("Location") != "/login?next=%2F" {
		t.Fatalf("anonymous home: %d %q, want redirect to login", st, h.Get("Location"))
	}
	if st := b.login(ann.Email, "wrong-password"); st != http.StatusUnauthorized {
		t.Fatalf("wrong password: status %d, want 401", st)
	}
	b.do("GET", "/login", nil)
	if st := b.login(ann.Email, storetest.TestPassword); st != http.StatusSeeOther {
		t.Fatalf("login: status %d, want 303", st)
	}
	st, body, _ := b.do("GET", "/", nil)
	if st != 200 || !strings.Contains(body, "Welcome, Ann Admin") {
		t.Fatalf("home after login: %d %q", st, body)
	}
	if st, _, _ := b.do("POST", "/logout", url.Values{}); st != http.StatusSeeOther {
		t.Fatalf("logout: %d", st)
	}
	if st, _, _ := b.do("GET", "/", nil); st != http.StatusSeeOther {
		t.Fatalf("home after logout: %d, want redirect", st)
	}
}

func TestLoginRotatesSessionAndSetsCookieFlags(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db)
	org := storetest.MustCreateOrg(t, db, "Acme")
	ann := storetest.MustCreateUser(t, db, org.ID, "Ann", hiretext.RoleUser)
	b := ts.browser(t)
	b.login(ann.Email, storetest.TestPassword)
	first := sessionCookie(b)
	_, _, h := b.do("POST", "/login", url.Values{"email": {ann.Email}, "password": {storetest.TestPassword}})
	second := sessionCookie(b)
	if first == "" || first == second {
		t.Fatalf("session id not rotated at login: %q then %q", first, second)
	}
	c := h.Get("Set-Cookie")
	if !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Lax") {
		t.Fatalf("session cookie flags: %q", c)
	}
	// The old session was ended, not left alive beside the new one.
	if _, err := db.SessionUser(t.Context(), first); err == nil {
		t.Fatal("the session from before the second login still works")
	}
}

func sessionCookie(b *browser) string {
	u, _ := url.Parse(b.ts.URL)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == "hiretext_session" {
			return c.Value
		}
	}
	return ""
}

func TestLoginThrottled(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db) // 3 failures allowed
	org := storetest.MustCreateOrg(t, db, "Acme")
	ann := storetest.MustCreateUser(t, db, org.ID, "Ann", hiretext.RoleUser)
	b := ts.browser(t)
	for range 3 {
		b.login(ann.Email, "nope-nope-nope")
	}
	st, body, h := b.do("POST", "/login", url.Values{"email": {ann.Email}, "password": {storetest.TestPassword}})
	if st != http.StatusTooManyRequests || h.Get("Retry-After") == "" || !strings.Contains(body, "Too many failed attempts") {
		t.Fatalf("after 3 failures: status %d Retry-After %q, want 429 with Retry-After", st, h.Get("Retry-After"))
	}
	if sessionCookie(b) != "" {
		t.Fatal("a throttled login still started a session")
	}
}

// TestLoginThrottleIsSharedByInstances fails logins on two servers, as
// behind a load balancer, on one database: together they allow the limit
// once, not once each.
func TestLoginThrottleIsSharedByInstances(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, b := newTestServer(t, db), newTestServer(t, db) // 3 failures allowed
		org := storetest.MustCreateOrg(t, db, "Acme")
		ann := storetest.MustCreateUser(t, db, org.ID, "Ann", hiretext.RoleUser)
		ba, bb := a.browser(t), b.browser(t)
		ba.login(ann.Email, "nope-nope-nope")
		bb.login(ann.Email, "nope-nope-nope")
		ba.login(ann.Email, "nope-nope-nope")
		for _, br := range []*browser{bb, ba} {
			if st := br.login(ann.Email, storetest.TestPassword); st != http.StatusTooManyRequests {
				t.Fatalf("after 3 failures spread over two instances: status %d, want 429 on both", st)
			}
		}
	})
}

func TestCrossOriginPostRefused(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db)
	org := storetest.MustCreateOrg(t, db, "Acme")
	ann := storetest.MustCreateUser(t, db, org.ID, "Ann", hiretext.RoleAdmin)
	b := ts.browser(t)
	b.login(ann.Email, storetest.TestPassword)
	req, _ := http.NewRequest("POST", ts.URL+"/admin/users", strings.NewReader(url.Values{
		"name": {"Eve"}, "email": {"eve@example.com"}, "role": {"admin"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site POST: status %d, want 403", resp.StatusCode)
	}
	if _, err := db.UserByEmail(t.Context(), org.ID, "eve@example.com"); err == nil {
		t.Fatal("a cross-site POST created a user")
	}
}

// TestSafeRedirectAfterLogin sends next values that leave the site, as such
// or once http.Redirect has cleaned them or a browser has read them (a
// backslash is a slash to browsers, which also drop tabs and newlines), to
// both places that redirect to next: the login form's POST and GET /login
// when already logged in. Only paths of this site survive.
func TestSafeRedirectAfterLogin(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db)
	org := storetest.MustCreateOrg(t, db, "Acme")
	ann := storetest.MustCreateUser(t, db, org.ID, "Ann", hiretext.RoleAdmin)
	cases := map[string]string{
		"/settings": "/settings", "/candidates?q=ann&page=2": "/candidates?q=ann&page=2",
		"//evil.example": "/", "https://evil.example/": "/", "/\\evil.example": "/",
		"/../\\evil.example": "/", "/./\\evil.example": "/", "/a/../\\evil.example": "/", "/%5C%5Cevil.example": "/",
		"/..%2F%5Cevil.example": "/", "/\t/evil.example": "/", "/\n/evil.example": "/", "/%2F%2Fevil.example": "/",
		"javascript:alert(1)": "/", "": "/",
	}
	for next, want := range cases {
		b := ts.browser(t)
		_, _, h := b.do("POST", "/login", url.Values{"email": {ann.Email}, "password": {storetest.TestPassword}, "next": {next}})
		if got := h.Get("Location"); got != want {
			t.Errorf("POST /login next=%q: redirected to %q, want %q", next, got, want)
		}
		st, _, h := b.do("GET", "/login?next="+url.QueryEscape(next), nil)
		if st == http.StatusUnprocessableEntity && strings.ContainsAny(next, "\t\n") {
			continue // a control character in the query is refused before anything reads it
		}
		if got := h.Get("Location"); got != want {
			t.Errorf("GET /login next=%q when logged in: redirected to %q, want %q", next, got, want)
		}
	}
}
