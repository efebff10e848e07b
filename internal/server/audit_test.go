package server_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/docs"
	"github.com/hiretext/hiretext/internal/storetest"
)

// auditPage is GET /api/v1/audit's body.
type auditPage struct {
	Entries []struct {
		ID    string
		At    string
		Actor struct {
			Kind   string
			UserID *string `json:"user_id"`
		}
		Action  string
		Target  string
		Details map[string]any
		IP      *string
	}
	NextCursor *string `json:"next_cursor"`
}

func getAudit(t *testing.T, ts *testServer, tok, query string) (int, auditPage, string) {
	t.Helper()
	st, _, data := rawAPI(t, ts, tok, "GET", "/api/v1/audit"+query, "")
	var page auditPage
	if st == http.StatusOK {
		if err := json.Unmarshal(data, &page); err != nil {
			t.Fatalf("audit page: %v: %s", err, data)
		}
	}
	return st, page, string(data)
}

// TestAuditTrailOverHTTP: acts through the API and the pages appear in the
// trail with who did them and from which address, newest first; the API
// filters and pages; the page shows them and the CSV holds them.
func TestAuditTrailOverHTTP(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db)
	org := storetest.MustCreateOrg(t, db, "Acme")
	admin := storetest.MustCreateUser(t, db, org.ID, "Ada Admin", hiretext.RoleAdmin)
	tok := token(t, db, admin)
	job := storetest.MustCreateJob(t, db, org.ID, "Welder")
	cand := storetest.MustApply(t, db, org.ID, storetest.Applicant(job.ID, "Ann", "Applicant")).CandidateID

	st, created := ts.api(t, tok, "POST", "/api/v1/users", `{"email":"rita@acme.example","name":"Rita Reyes","role":"user","permissions":["jobs"],"password":"rita-secret-password"}`)
	if st != http.StatusCreated {
		t.Fatalf("create user: %d %v", st, created)
	}
	rita := created["id"].(string)
	if st, body := ts.api(t, tok, "PATCH", "/api/v1/users/"+rita, `{"active":false}`); st != http.StatusOK {
		t.Fatalf("deactivate: %d %v", st, body)
	}
	if st, _, _ := rawAPI(t, ts, tok, "GET", "/api/v1/candidates/"+idStr(int64(cand))+"/export", ""); st != http.StatusOK {
		t.Fatalf("export: %d", st)
	}
	b := ts.browser(t)
	b.login(admin.Email, storetest.TestPassword)
	if st, _, _ := b.do("POST", "/admin/retention", url.Values{"message_months": {"12"}}); st != http.StatusSeeOther {
		t.Fatalf("retention: %d", st)
	}

	// The fixture's admin and token were made without an actor: "system".
	st, page, raw := getAudit(t, ts, tok, "?actor=user")
	var got []string
	for _, e := range page.Entries {
		got = append(got, e.Action)
		if e.Actor.Kind != "user" || e.Actor.UserID == nil || *e.Actor.UserID != idStr(int64(admin.ID)) || e.IP == nil || *e.IP != "127.0.0.1" {
			t.Errorf("%s: actor %+v from %v, want Ada from 127.0.0.1", e.Action, e.Actor, e.IP)
		}
	}
	if want := "retention.changed candidate.exported user.deactivated user.created"; st != http.StatusOK || strings.Join(got, " ") != want {
		t.Fatalf("trail: %d %v, want %s", st, got, want)
	}
	if strings.Contains(raw, "rita-secret-password") || page.Entries[3].Details["email"] != "rita@acme.example" ||
		page.Entries[3].Target != "user:"+rita || page.Entries[1].Target != "candidate:"+idStr(int64(cand)) {
		t.Fatalf("entries: %s", raw)
	}
	if fmt.Sprint(page.Entries[0].Details["message_months"]) != "map[from:0 to:12]" {
		t.Errorf("retention details: %v", page.Entries[0].Details)
	}

	// Filters and pages.
	if _, p, _ := getAudit(t, ts, tok, "?action=user.created&actor=user"); len(p.Entries) != 1 || p.Entries[0].Action != "user.created" {
		t.Errorf("action filter: %+v", p)
	}
	if _, p, _ := getAudit(t, ts, tok, "?actor=system"); len(p.Entries) != 2 || p.Entries[1].Actor.UserID != nil || p.Entries[1].IP != nil {
		t.Errorf("system filter: %+v", p)
	}
	if _, p, _ := getAudit(t, ts, tok, "?actor=operator"); len(p.Entries) != 0 || p.NextCursor != nil {
		t.Errorf("operator filter: %+v", p)
	}
	if _, p, _ := getAudit(t, ts, tok, "?actor="+idStr(int64(admin.ID))); len(p.Entries) != 4 {
		t.Errorf("actor filter: %+v", p)
	}
	_, first, _ := getAudit(t, ts, tok, "?actor=user&limit=3")
	if len(first.Entries) != 3 || first.NextCursor == nil {
		t.Fatalf("first page: %+v", first)
	}
	_, second, _ := getAudit(t, ts, tok, "?actor=user&limit=3&cursor="+url.QueryEscape(*first.NextCursor))
	if len(second.Entries) != 1 || second.Entries[0].Action != "user.created" || second.NextCursor != nil {
		t.Fatalf("second page: %+v", second)
	}

	// The page and its download.
	st, html, _ := b.do("GET", "/admin/audit", nil)
	for _, want := range []string{"Audit trail", "User created", "Rita Reyes", "User deactivated", "Candidate 1", "Data retention", "127.0.0.1", "message months: 0 → 12"} {
		if st != http.StatusOK || !strings.Contains(html, want) {
			t.Errorf("audit page (%d) lacks %q", st, want)
		}
	}
	st, body, h := b.do("GET", "/admin/audit.csv?action=user.created&actor=user", nil)
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if st != http.StatusOK || h.Get("Content-Type") != "text/csv; charset=utf-8" || err != nil || len(rows) != 2 ||
		rows[0][1] != "Date and time (America/Chicago)" || rows[1][5] != "user.created" || rows[1][4] != "Ada Admin" || rows[1][8] != "127.0.0.1" {
		t.Fatalf("csv: %d %v %q", st, err, rows)
	}
}

// TestAuditRefusesBadFilters: every malformed filter is a 422 naming its
// field, in the API and on the page; another company's user is not a
// filter anyone can use.
func TestAuditRefusesBadFilters(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db)
	org := storetest.MustCreateOrg(t, db, "Acme")
	admin := storetest.MustCreateUser(t, db, org.ID, "Ada Admin", hiretext.RoleAdmin)
	other := storetest.MustCreateOrg(t, db, "Globex")
	stranger := storetest.MustCreateUser(t, db, other.ID, "Gia Globex", hiretext.RoleAdmin)
	tok := token(t, db, admin)
	for query, field := range map[string]string{
		"?action=user.deleted":                 "action",
		"?actor=robot":                         "actor",
		"?actor=" + idStr(int64(stranger.ID)):  "actor",
		"?actor=007":                           "actor",
		"?from=2026-13-01":                     "from",
		"?from=2026-03-10&to=2026-03-01":       "to",
		"?from=2024-01-01&to=2026-03-01":       "to",
		"?cursor=not-a-cursor":                 "cursor",
		"?limit=0":                             "limit",
		"?limit=501":                           "limit",
		"?limit=ten":                           "limit",
		"?action=user.created&cursor=bm90LWl0": "cursor",
	} {
		st, _, raw := getAudit(t, ts, tok, query)
		if st != http.StatusUnprocessableEntity || !strings.Contains(raw, `"`+field+`"`) {
			t.Errorf("%s: %d %s, want 422 naming %s", query, st, raw, field)
		}
	}
	b := ts.browser(t)
	b.login(admin.Email, storetest.TestPassword)
	if st, html, _ := b.do("GET", "/admin/audit?action=user.deleted", nil); st != http.StatusUnprocessableEntity ||
		!strings.Contains(html, "Choose an action from the list.") {
		t.Errorf("page with a bad action: %d", st)
	}
	if st, _, _ := b.do("GET", "/admin/audit.csv?actor=robot", nil); st != http.StatusUnprocessableEntity {
		t.Errorf("download with a bad actor: %d", st)
	}
}

// TestOpenAPIListsEveryAuditAction: the API document's action enum is the
// domain's list, so a new action cannot go undocumented.
func TestOpenAPIListsEveryAuditAction(t *testing.T) {
	t.Parallel()
	var doc struct {
		Components struct {
			Schemas struct {
				AuditAction struct{ Enum []string }
			}
		}
	}
	if err := json.Unmarshal(docs.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, a := range hiretext.AuditActions {
		want = append(want, string(a.Action))
	}
	if got := doc.Components.Schemas.AuditAction.Enum; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("openapi.json lists %v, the domain %v", got, want)
	}
}
