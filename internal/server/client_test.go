package server_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/server"
	"github.com/hiretext/hiretext/internal/storetest"
)

// behindProxy makes the test client (127.0.0.1) a trusted reverse proxy.
func behindProxy(cfg *server.Config, _ *server.Store) {
	cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
}

// from returns a browser whose requests a proxy forwards for addr (the
// header ends with the address the proxy saw, after whatever the client
// claimed).
func from(ts *testServer, t *testing.T, xff string) *browser {
	b := ts.browser(t)
	b.header.Set("X-Forwarded-For", xff)
	return b
}

// TestLoginBehindAProxyThrottlesEachClient puts hiretext behind a trusted
// proxy: an attacker who fails too often is stopped, yet the victim, from
// their own address, and another user, from the attacker's, still log in;
// the attacker cannot dodge the count by claiming another address.
func TestLoginBehindAProxyThrottlesEachClient(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db, behindProxy) // 3 failures allowed
	org := storetest.MustCreateOrg(t, db, "Acme")
	ann := storetest.MustCreateUser(t, db, org.ID, "Ann", hiretext.RoleUser)
	bob := storetest.MustCreateUser(t, db, org.ID, "Bob", hiretext.RoleUser)
	attacker := from(ts, t, "203.0.113.9")
	for range 3 {
		attacker.login(ann.Email, "guess-guess-guess")
	}
	if st := attacker.login(ann.Email, storetest.TestPassword); st != http.StatusTooManyRequests {
		t.Fatalf("the attacker's fourth try: %d, want 429", st)
	}
	spoofer := from(ts, t, "198.51.100.4, 203.0.113.9") // claims to be Ann's address
	if st := spoofer.login(ann.Email, "guess-guess-guess"); st != http.StatusTooManyRequests {
		t.Fatalf("the attacker claiming another address: %d, want 429 (the rightmost untrusted hop counts)", st)
	}
	if st := from(ts, t, "198.51.100.4").login(ann.Email, storetest.TestPassword); st != http.StatusSeeOther {
		t.Fatalf("Ann from her own address after the attack: %d, want logged in", st)
	}
	if st := from(ts, t, "203.0.113.9").login(bob.Email, storetest.TestPassword); st != http.StatusSeeOther {
		t.Fatalf("Bob from the attacker's address: %d, want logged in", st)
	}
}

// TestForwardedForIsIgnoredFromUntrustedPeers: without trusted proxies the
// header is the client's word only, so changing it does not reset the count.
func TestForwardedForIsIgnoredFromUntrustedPeers(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db) // no trusted proxies, 3 failures allowed
	org := storetest.MustCreateOrg(t, db, "Acme")
	ann := storetest.MustCreateUser(t, db, org.ID, "Ann", hiretext.RoleUser)
	for i := range 3 {
		from(ts, t, fmt.Sprintf("192.0.2.%d", i+1)).login(ann.Email, "guess-guess-guess")
	}
	if st := from(ts, t, "192.0.2.99").login(ann.Email, storetest.TestPassword); st != http.StatusTooManyRequests {
		t.Fatalf("after 3 failures with made-up X-Forwarded-For: %d, want 429 for the peer", st)
	}
}

// TestManyClientsGuessingOneAccountCannotLockItsOwnerOut fails one email
// from 20 times the limit's clients: each client that failed is then
// stopped after one more failure, but a client that never failed logs in
// with the right password.
func TestManyClientsGuessingOneAccountCannotLockItsOwnerOut(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db, behindProxy) // 3 failures allowed: the email's count is 60
	org := storetest.MustCreateOrg(t, db, "Acme")
	ann := storetest.MustCreateUser(t, db, org.ID, "Ann", hiretext.RoleUser)
	for i := range 60 {
		if st := from(ts, t, fmt.Sprintf("203.0.113.%d", i+1)).login(ann.Email, "guess-guess-guess"); st != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d, want 401", i+1, st)
		}
	}
	late := from(ts, t, "198.51.100.77")
	late.login(ann.Email, "guess-guess-guess")
	if st := late.login(ann.Email, storetest.TestPassword); st != http.StatusTooManyRequests {
		t.Fatalf("a guessing client while the account is under attack: %d, want 429 after one failure", st)
	}
	if st := from(ts, t, "198.51.100.4").login(ann.Email, storetest.TestPassword); st != http.StatusSeeOther {
		t.Fatalf("Ann from an address that never failed: %d, want logged in", st)
	}
}

// TestClientAddressBehindAProxyIsEvidenceAndLogged applies through a trusted
// proxy: the consent record keeps the applicant's address, the public
// form's limit counts it, and the access log names it.
func TestClientAddressBehindAProxyIsEvidenceAndLogged(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	withLog := func(cfg *server.Config, _ *server.Store) {
		cfg.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	}
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}), behindProxy, withLog)
	applicant := from(f.ts, t, "198.51.100.23")
	if st, _, _ := f.apply(t, applicant, f.job, application()); st != http.StatusSeeOther {
		t.Fatalf("apply: %d", st)
	}
	c := f.candidateByEmail(t, "ana.garcia@example.com")
	history, err := f.db.ConsentHistory(t.Context(), f.org.ID, c.ID)
	if err != nil || len(history) == 0 || history[0].IP != "198.51.100.23" {
		t.Fatalf("consent evidence: %+v, %v; want the applicant's address 198.51.100.23", history, err)
	}
	if !strings.Contains(logs.String(), `"client":"198.51.100.23"`) {
		t.Fatal("the access log does not name the client behind the proxy")
	}
	// The form's limit is the client's, not the proxy's: 20 from one
	// address, and another address is still welcome.
	for range 20 {
		from(f.ts, t, "203.0.113.50").do("POST", f.applyPath(f.job), url.Values{"first_name": {"x"}})
	}
	if st, _, _ := from(f.ts, t, "203.0.113.50").do("POST", f.applyPath(f.job), url.Values{"first_name": {"x"}}); st != http.StatusTooManyRequests {
		t.Fatalf("21st application from one client: %d, want 429", st)
	}
	if st, _, _ := from(f.ts, t, "203.0.113.51").do("POST", f.applyPath(f.job), url.Values{"first_name": {"x"}}); st != http.StatusUnprocessableEntity {
		t.Fatalf("another client behind the same proxy: %d, want its form checked (422)", st)
	}
}
