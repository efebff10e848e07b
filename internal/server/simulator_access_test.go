package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/server"
	"github.com/hiretext/hiretext/internal/storetest"
)

// TestSimulatorIsForAdministratorsAndThisMachine reaches the simulator from
// elsewhere — through a trusted proxy, and through a proxy hiretext was not
// told about (a visitor's X-Forwarded-For on a loopback peer) — as nobody,
// as a recruiter and as an administrator: only the administrator may read
// the phones' texts or send a STOP; from this machine anyone may, and with
// --simulator-public everyone.
func TestSimulatorIsForAdministratorsAndThisMachine(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts, _ := newNumbersServer(t, db, behindProxy)
	org := storetest.MustCreateOrg(t, db, "Acme")
	admin := storetest.MustCreateUser(t, db, org.ID, "Dana Admin", hiretext.RoleAdmin)
	recruiter := storetest.MustCreateUser(t, db, org.ID, "Rita", hiretext.RoleUser, hiretext.PermJobs, hiretext.PermPool, hiretext.PermProfiles)
	phone := "+13125550142"
	inbound := `{"from":"` + phone + `","to":"+13125550199","body":"STOP"}`
	as := func(u *hiretext.User, xff string) (*browser, string) {
		b := ts.browser(t)
		if xff != "" {
			b.header.Set("X-Forwarded-For", xff)
		}
		tok := ""
		if u != nil {
			b.login(u.Email, storetest.TestPassword)
			tok = token(t, db, u)
		}
		return b, tok
	}
	apiStatus := func(tok, xff, method, path, body string) int {
		req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, c := range []struct {
		who       string
		user      *hiretext.User
		xff       string
		page, api int
	}{
		{"nobody from elsewhere", nil, "203.0.113.5", http.StatusSeeOther, http.StatusUnauthorized},
		{"nobody through two proxies", nil, "203.0.113.5, 127.0.0.1", http.StatusSeeOther, http.StatusUnauthorized},
		{"a recruiter from elsewhere", recruiter, "203.0.113.5", http.StatusForbidden, http.StatusForbidden},
		{"an administrator from elsewhere", admin, "203.0.113.5", http.StatusOK, http.StatusOK},
		{"nobody on this machine", nil, "", http.StatusOK, http.StatusOK},
	} {
		b, tok := as(c.user, c.xff)
		if st, _, h := b.do("GET", "/simulator", nil); st != c.page || (st == http.StatusSeeOther && !strings.HasPrefix(h.Get("Location"), "/login")) {
			t.Errorf("%s: GET /simulator %d %q, want %d", c.who, st, h.Get("Location"), c.page)
		}
		if st := apiStatus(tok, c.xff, "GET", "/simulator/api/messages?phone="+url.QueryEscape(phone), ""); st != c.api {
			t.Errorf("%s: GET /simulator/api/messages %d, want %d", c.who, st, c.api)
		}
		wantSTOP := c.api
		if wantSTOP == http.StatusOK {
			wantSTOP = http.StatusUnprocessableEntity // admitted: the fixture's number is no simulator number
		}
		if st := apiStatus(tok, c.xff, "POST", "/simulator/api/inbound", inbound); st != wantSTOP && !(wantSTOP == 422 && st == http.StatusAccepted) {
			t.Errorf("%s: POST /simulator/api/inbound (a STOP) %d, want %d", c.who, st, wantSTOP)
		}
	}

	// A proxy on this machine that hiretext was not told about: the peer is
	// loopback, but the visitor is not.
	unnamed, _ := newNumbersServer(t, db)
	public, _ := newNumbersServer(t, db, behindProxy, func(cfg *server.Config, _ *server.Store) { cfg.SimulatorPublic = true })
	for _, c := range []struct {
		who  string
		ts   *testServer
		want int
	}{{"nobody behind an unnamed proxy", unnamed, http.StatusSeeOther}, {"nobody from elsewhere, --simulator-public", public, http.StatusOK}} {
		b := c.ts.browser(t)
		b.header.Set("X-Forwarded-For", "203.0.113.5")
		if st, _, _ := b.do("GET", "/simulator", nil); st != c.want {
			t.Errorf("%s: GET /simulator %d, want %d", c.who, st, c.want)
		}
	}
}
