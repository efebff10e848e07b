package server_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

// atsFixture is a company with an open job and users of each kind.
type atsFixture struct {
	ts        *testServer
	db        *store.DB
	org       *hiretext.Organization
	admin     *hiretext.User // administrator
	recruiter *hiretext.User // jobs, pool, profiles
	manager   *hiretext.User // hiring manager: jobs and pool, no profiles
	job       *hiretext.Job
}

func newATSFixture(t *testing.T, db *store.DB, opts ...testOption) *atsFixture {
	t.Helper()
	f := &atsFixture{ts: newTestServer(t, db, opts...), db: db}
	f.org = storetest.MustCreateOrg(t, db, "Acme Staffing")
	f.admin = storetest.MustCreateUser(t, db, f.org.ID, "Dana Admin", hiretext.RoleAdmin)
	f.recruiter = storetest.MustCreateUser(t, db, f.org.ID, "Rita Recruiter", hiretext.RoleUser,
		hiretext.PermJobs, hiretext.PermPool, hiretext.PermProfiles)
	f.manager = storetest.MustCreateUser(t, db, f.org.ID, "Hank Manager", hiretext.RoleUser, hiretext.PermJobs, hiretext.PermPool)
	f.job = storetest.MustCreateJob(t, db, f.org.ID, "Forklift Operator")
	return f
}

// as returns a browser logged in as u.
func (f *atsFixture) as(t *testing.T, u *hiretext.User) *browser {
	t.Helper()
	b := f.ts.browser(t)
	if st := b.login(u.Email, storetest.TestPassword); st != http.StatusSeeOther {
		t.Fatalf("login %s: %d", u.Name, st)
	}
	return b
}

// applyPath is the public form of job.
func (f *atsFixture) applyPath(job *hiretext.Job) string {
	return "/apply/" + f.org.Slug + "/" + idStr(int64(job.ID))
}

// apply opens the public form in b and submits it with values (the form's
// disclosure version filled in), returning the status and body.
func (f *atsFixture) apply(t *testing.T, b *browser, job *hiretext.Job, values url.Values) (int, string, http.Header) {
	t.Helper()
	st, body, _ := b.do("GET", f.applyPath(job), nil)
	if st != http.StatusOK {
		t.Fatalf("GET application form: %d", st)
	}
	if values.Get("disclosure_version") == "" {
		values.Set("disclosure_version", disclosureVersion(t, body))
	}
	return b.do("POST", f.applyPath(job), values)
}

var versionRE = regexp.MustCompile(`name="disclosure_version" value="([0-9a-f]+)"`)

func disclosureVersion(t *testing.T, body string) string {
	t.Helper()
	m := versionRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the form has no disclosure version")
	}
	return m[1]
}

// application returns valid form values; pairs override fields.
func application(pairs ...string) url.Values {
	v := url.Values{"first_name": {"Ana"}, "last_name": {"García"}, "email": {"ana.garcia@example.com"},
		"main_phone": {"(312) 555-0101"}, "alternate_phone": {"(773) 555-0102"}, "sms_opt_in": {"alternate"}}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Set(pairs[i], pairs[i+1])
	}
	return v
}

// candidateByEmail finds the stored candidate with email, or nil.
func (f *atsFixture) candidateByEmail(t *testing.T, email string) *hiretext.Candidate {
	t.Helper()
	page, err := f.db.SearchCandidates(t.Context(), f.org.ID, hiretext.CandidateQuery{Text: email})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range page.Entries {
		if e.Candidate.Email == email {
			return e.Candidate
		}
	}
	return nil
}

// poolSize counts the company's candidates (up to a page).
func (f *atsFixture) poolSize(t *testing.T) int {
	t.Helper()
	page, err := f.db.SearchCandidates(t.Context(), f.org.ID, hiretext.CandidateQuery{Limit: hiretext.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	return len(page.Entries)
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s: missing %q", what, w)
		}
	}
}

// TestBulkActionsWithNothingSelectedGoBackToTheList: "Text selected" and
// "Download CSV" posted with no candidate ticked (a page without its script)
// lead back to the list, filters and page kept, saying what to do.
func TestBulkActionsWithNothingSelectedGoBackToTheList(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newTextingFixture(t, db)
	f.candidate(t, "Ann")
	b := f.ts.browser(t)
	b.login(f.recruiter.Email, storetest.TestPassword)
	pool := "/candidates?q=Ann&sms_status=opted_in"
	_, page, _ := b.do("GET", pool, nil)
	mustContain(t, "the pool", page, `name="return_to" value="/candidates?q=Ann&amp;sms_status=opted_in"`,
		`data-select-all`, `data-selected-count`, `formaction="/messages/compose" class="button button-small button-primary" data-needs-selection`)
	job := "/jobs/" + idStr(int64(f.job.ID))
	for _, c := range []struct{ action, back, flash string }{
		{"/messages/compose", pool, "Select at least one candidate to text."},
		{"/candidates/export", pool, "Select at least one candidate to download."},
		{job + "/export", job, "Select at least one candidate to download."},
		{"/messages/compose", "https://evil.example/", "Select at least one candidate to text."},
	} {
		st, _, h := b.do("POST", c.action, url.Values{"return_to": {c.back}})
		want := c.back
		if strings.HasPrefix(want, "https:") {
			want = "/" // never off the site
		}
		if st != http.StatusSeeOther || h.Get("Location") != want {
			t.Errorf("POST %s with nothing selected: %d to %q, want 303 to %q", c.action, st, h.Get("Location"), want)
			continue
		}
		st, page, _ := b.do("GET", want, nil)
		if st != http.StatusOK || !strings.Contains(page, c.flash) {
			t.Errorf("after POST %s with nothing selected, %s: %d without %q", c.action, want, st, c.flash)
		}
		if want != "/" && !strings.Contains(page, "Ann Tester") {
			t.Errorf("after POST %s with nothing selected, %s lost the list", c.action, want)
		}
	}

	// A user who does not text still gets back to the list.
	hank := storetest.MustCreateUser(t, db, f.org.ID, "Hank Manager", hiretext.RoleUser, hiretext.PermJobs, hiretext.PermPool)
	hb := f.ts.browser(t)
	hb.login(hank.Email, storetest.TestPassword)
	_, page, _ = hb.do("GET", job+"?cursor=", nil)
	mustContain(t, "the job page of a user who does not text", page, `name="return_to" value="`+job+`?cursor="`)
	if strings.Contains(page, "Text selected") {
		t.Error("a user who does not text is offered Text selected")
	}
}
