package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/storetest"
)

// atsRule is who may call an ATS route: an administrator, or a user with
// perm; "" perm means administrators only, and public means anyone.
type atsRule struct {
	perm   hiretext.Permission
	public bool
}

// atsRoute is one ATS route with a request that the server accepts from an
// allowed caller without changing anything (invalid input where it writes),
// and the status it then answers.
type atsRoute struct {
	pattern string // the route as registered
	method  string
	path    string
	body    string // form values or JSON
	rule    atsRule
	ok      int
}

// TestATSPermissions checks every ATS page and API route for every kind of
// user: a user with no permissions, one with each permission alone, an
// administrator and nobody. Denied users get 403 (pages and API), the
// anonymous a login redirect (pages), 401 (API and form posts).
func TestATSPermissions(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	c := storetest.MustApply(t, f.db, f.org.ID, storetest.Applicant(f.job.ID, "Ann", "Lee"))
	job, cand := idStr(int64(f.job.ID)), idStr(int64(c.CandidateID))
	jobs, pool, profiles, admin := atsRule{perm: hiretext.PermJobs}, atsRule{perm: hiretext.PermPool}, atsRule{perm: hiretext.PermProfiles}, atsRule{}
	routes := []atsRoute{
		{"GET /jobs", "GET", "/jobs", "", jobs, 200},
		{"GET /jobs/new", "GET", "/jobs/new", "", jobs, 200},
		{"POST /jobs", "POST", "/jobs", "title=", jobs, 422},
		{"GET /jobs/{id}", "GET", "/jobs/" + job, "", jobs, 200},
		{"GET /jobs/{id}/edit", "GET", "/jobs/" + job + "/edit", "", jobs, 200},
		{"POST /jobs/{id}", "POST", "/jobs/" + job, "title=", jobs, 422},
		{"POST /jobs/{id}/status", "POST", "/jobs/" + job + "/status", "status=paused", jobs, 422},
		{"POST /jobs/{id}/export", "POST", "/jobs/" + job + "/export", "", jobs, http.StatusSeeOther}, // nothing selected: back to the list
		{"GET /apply/{org}/{job}", "GET", "/apply/" + f.org.Slug + "/" + job, "", atsRule{public: true}, 200},
		{"POST /apply/{org}/{job}", "POST", "/apply/" + f.org.Slug + "/" + job, "first_name=", atsRule{public: true}, 422},
		{"GET /apply/{org}/{job}/thanks", "GET", "/apply/" + f.org.Slug + "/" + job + "/thanks", "", atsRule{public: true}, 200},
		{"GET /candidates", "GET", "/candidates", "", pool, 200},
		{"POST /candidates/export", "POST", "/candidates/export", "", pool, http.StatusSeeOther},
		{"GET /candidates/{id}", "GET", "/candidates/" + cand, "", profiles, 200},
		{"POST /candidates/{id}/phones", "POST", "/candidates/" + cand + "/phones", "main_phone=12", profiles, 422},
		{"POST /candidates/{id}/sms", "POST", "/candidates/" + cand + "/sms", "sms_status=maybe", profiles, 422},
		{"GET /candidates/{id}/consent.csv", "GET", "/candidates/" + cand + "/consent.csv", "", admin, 200},
		{"GET /admin/texting", "GET", "/admin/texting", "", admin, 200},
		{"POST /admin/texting", "POST", "/admin/texting", "consent_disclosure=", admin, 422},
		{"GET /api/v1/jobs", "GET", "/api/v1/jobs", "", jobs, 200},
		{"POST /api/v1/jobs", "POST", "/api/v1/jobs", `{}`, jobs, 422},
		{"GET /api/v1/jobs/{id}", "GET", "/api/v1/jobs/" + job, "", jobs, 200},
		{"PATCH /api/v1/jobs/{id}", "PATCH", "/api/v1/jobs/" + job, `{"status":"paused"}`, jobs, 422},
		{"POST /api/v1/jobs/{id}/applications", "POST", "/api/v1/jobs/" + job + "/applications", `{}`, jobs, 422},
		{"GET /api/v1/consent-disclosure", "GET", "/api/v1/consent-disclosure", "", jobs, 200},
		{"GET /api/v1/candidates", "GET", "/api/v1/candidates", "", pool, 200},
		{"GET /api/v1/candidates/{id}", "GET", "/api/v1/candidates/" + cand, "", profiles, 200},
		{"PATCH /api/v1/candidates/{id}", "PATCH", "/api/v1/candidates/" + cand, `{"sms":{"status":"maybe"}}`, profiles, 422},
		{"GET /api/v1/candidates/{id}/consent", "GET", "/api/v1/candidates/" + cand + "/consent", "", profiles, 200},
	}
	checkATSRoutesExist(t, f.ts, routes)

	callers := map[string]*hiretext.User{"admin": f.admin, "none": storetest.MustCreateUser(t, f.db, f.org.ID, "No Perms", hiretext.RoleUser)}
	for _, p := range hiretext.AllPermissions {
		callers[string(p)] = storetest.MustCreateUser(t, f.db, f.org.ID, "Only "+string(p), hiretext.RoleUser, p)
	}
	callers["anonymous"] = nil
	for name, u := range callers {
		var b *browser
		var tok string
		if u != nil {
			b, tok = f.as(t, u), token(t, f.db, u)
		} else {
			b = f.ts.browser(t)
		}
		for _, r := range routes {
			want := expectedStatus(r, u)
			if got := callRoute(t, f.ts, b, tok, r); got != want {
				t.Errorf("%s: %s %s = %d, want %d", name, r.method, r.path, got, want)
			}
		}
	}
}

// expectedStatus is what route r answers u (nil: anonymous).
func expectedStatus(r atsRoute, u *hiretext.User) int {
	api := strings.HasPrefix(r.path, "/api/")
	switch {
	case r.rule.public:
		return r.ok
	case u == nil && !api && r.method == "GET":
		return http.StatusSeeOther // to the login page
	case u == nil:
		return http.StatusUnauthorized
	case u.IsAdmin() || (r.rule.perm != "" && u.Can(r.rule.perm)):
		return r.ok
	}
	return http.StatusForbidden
}

// callRoute sends r as a browser (pages) or with the bearer token (API).
func callRoute(t *testing.T, ts *testServer, b *browser, tok string, r atsRoute) int {
	t.Helper()
	if !strings.HasPrefix(r.path, "/api/") {
		var form url.Values
		if r.method == "POST" {
			var err error
			if form, err = url.ParseQuery(r.body); err != nil {
				t.Fatal(err)
			}
		}
		st, _, _ := b.do(r.method, r.path, form)
		return st
	}
	st, _ := ts.api(t, tok, r.method, r.path, r.body)
	return st
}

// checkATSRoutesExist fails for a row whose route is not registered
// (renamed or removed), so the table keeps testing the real surface.
// Add a row for every new ATS route.
func checkATSRoutesExist(t *testing.T, ts *testServer, routes []atsRoute) {
	t.Helper()
	registered := map[string]bool{}
	for _, r := range ts.srv.Routes() {
		registered[r.Pattern] = true
	}
	for _, r := range routes {
		if !registered[r.pattern] {
			t.Errorf("TestATSPermissions lists %s, which is not a route", r.pattern)
		}
	}
}
