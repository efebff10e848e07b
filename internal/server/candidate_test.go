package server_test

import (
	"encoding/csv"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/storetest"
)

func TestPoolSearchFiltersAndPages(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	jobs := storetest.SeedPool(t, f.db, f.org.ID, 55, 2)
	b := f.as(t, f.recruiter)

	_, body, _ := b.do("GET", "/candidates", nil)
	next := regexp.MustCompile(`href="(/candidates\?cursor=[0-9]+&amp;page=2)"`).FindStringSubmatch(body)
	if got := strings.Count(body, `<td class="actions"`); got != 50 || next == nil {
		t.Fatalf("first page: %d rows, next link %v; want 50 and a next page", got, next)
	}
	_, body, _ = b.do("GET", html.UnescapeString(next[1]), nil)
	if got := strings.Count(body, `<td class="actions"`); got != 5 || strings.Contains(body, "Next »") || !strings.Contains(body, "« Previous") {
		t.Fatalf("second page: %d rows; want the last 5 and a link back", got)
	}

	target := storetest.PoolApplicant(7, jobs)
	_, body, _ = b.do("GET", "/candidates?"+url.Values{"q": {target.MainPhone[2:5] + "-" + target.MainPhone[5:8] + "-" + target.MainPhone[8:]}}.Encode(), nil)
	if got := strings.Count(body, `<td class="actions"`); got != 1 || !strings.Contains(body, target.FirstName) {
		t.Fatalf("search by phone: %d rows", got)
	}
	_, body, _ = b.do("GET", "/candidates?sms_status=opted_out&job_id="+idStr(int64(jobs[0].ID)), nil)
	if strings.Contains(body, "Opted in (") || !strings.Contains(body, "SMS: Opted Out") {
		t.Fatal("the opted-out filter shows opted-in candidates")
	}
	for _, q := range []string{"job_id=abc", "cursor=zzz", "sms_status=maybe"} {
		if st, _, _ := b.do("GET", "/candidates?"+q, nil); st != http.StatusUnprocessableEntity {
			t.Errorf("GET /candidates?%s: %d, want 422", q, st)
		}
	}
	st, body, _ := b.do("POST", "/candidates/export", url.Values{"candidate": {"1", "2"}})
	if rows, _ := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll(); st != 200 || len(rows) != 3 {
		t.Fatalf("pool export: %d, %d rows", st, len(rows))
	}
}

// pagerRE finds the pager's links.
var pagerRE = regexp.MustCompile(`<a class="button button-small" href="([^"]*)" rel="(prev|next)">`)

// pagerLinks returns the Previous and Next links of a pool or job page.
func pagerLinks(body string) (prev, next string) {
	for _, m := range pagerRE.FindAllStringSubmatch(body, -1) {
		if m[2] == "prev" {
			prev = html.UnescapeString(m[1])
		} else {
			next = html.UnescapeString(m[1])
		}
	}
	return prev, next
}

// TestPoolShowsCountAndPagesBothWays: the pool says how many candidates
// match and which of them a page shows, and its Previous and Next links
// keep the filters; where counting would cost more than the page (a job and
// a status together) it shows the range only.
func TestPoolShowsCountAndPagesBothWays(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	jobs := storetest.SeedPool(t, f.db, f.org.ID, 120, 1)
	b := f.as(t, f.recruiter)
	rows := func(body string) []string {
		return regexp.MustCompile(`data-candidate-id="([0-9]+)"`).FindAllString(body, -1)
	}

	_, body, _ := b.do("GET", "/candidates", nil)
	first := rows(body)
	prev, next := pagerLinks(body)
	mustContain(t, "the first page", body, "Showing 1–50 of 120 candidates")
	if prev != "" || next == "" {
		t.Fatalf("first page: previous %q, next %q", prev, next)
	}
	_, body, _ = b.do("GET", next, nil)
	second := rows(body)
	mustContain(t, "the second page", body, "Showing 51–100 of 120 candidates")
	if _, next = pagerLinks(body); next == "" {
		t.Fatal("the second page has no next page")
	}
	_, body, _ = b.do("GET", next, nil)
	mustContain(t, "the last page", body, "Showing 101–120 of 120 candidates")
	prev, next = pagerLinks(body)
	if len(rows(body)) != 20 || next != "" || prev == "" {
		t.Fatalf("last page: %d rows, previous %q, next %q", len(rows(body)), prev, next)
	}
	_, body, _ = b.do("GET", prev, nil)
	mustContain(t, "the second page, reached back", body, "Showing 51–100 of 120 candidates")
	if got := rows(body); !slices.Equal(got, second) {
		t.Fatalf("back from the last page: %d rows, not the second page's", len(got))
	}
	if prev, _ = pagerLinks(body); prev != "/candidates" {
		t.Fatalf("previous of the second page = %q, want the first page", prev)
	}
	if _, body, _ = b.do("GET", prev, nil); !slices.Equal(rows(body), first) {
		t.Fatal("back twice is not the first page")
	}

	// A job and a status: no count, and the links keep both filters.
	filters := "job_id=" + idStr(int64(jobs[0].ID)) + "&sms_status=opted_in"
	_, body, _ = b.do("GET", "/candidates?"+filters, nil)
	mustContain(t, "a filtered page", body, "Showing 1–50</p>")
	_, next = pagerLinks(body)
	if !strings.Contains(next, "job_id="+idStr(int64(jobs[0].ID))) || !strings.Contains(next, "sms_status=opted_in") {
		t.Fatalf("next link %q drops the filters", next)
	}
	_, body, _ = b.do("GET", next, nil)
	if prev, _ = pagerLinks(body); prev != "/candidates?"+filters {
		t.Fatalf("previous link %q, want the filtered first page", prev)
	}
	mustContain(t, "the filtered last page", body, "Showing 51–96</p>")

	// A search that fits on one page says how many it found.
	_, body, _ = b.do("GET", "/candidates?q=michael", nil)
	if n := len(rows(body)); n == 0 || !strings.Contains(body, `<p class="list-summary">`+strconv.Itoa(n)+" candidates</p>") {
		t.Fatalf("one page of %d results does not say how many", n)
	}
}

func TestProfileEditsPhonesAndConsent(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	n := storetest.Applicant(f.job.ID, "Flo", "Park")
	n.MainPhone = "(312) 555-0160"
	c := storetest.MustApply(t, f.db, f.org.ID, n)
	path := "/candidates/" + idStr(int64(c.CandidateID))
	b := f.as(t, f.recruiter)
	_, body, _ := b.do("GET", path, nil)
	mustContain(t, "profile", body, "Flo Park", "Opted in (main)", "(312) 555-0160", `data-candidate-id="`+idStr(int64(c.CandidateID))+`"`,
		"Opt out of texts", "Forklift Operator", "Text my main phone")
	if strings.Contains(body, "consent.csv") {
		t.Error("a recruiter sees the administrators' export")
	}

	st, body, _ := b.do("POST", path+"/phones", url.Values{"main_phone": {"12"}, "alternate_phone": {"(773) 555-0161"}})
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, `id="main_phone-error"`) {
		t.Fatalf("invalid phone: %d", st)
	}
	if st, _, _ := b.do("POST", path+"/phones", url.Values{"main_phone": {"(312) 555-0162"}, "alternate_phone": {"(773) 555-0161"}}); st != http.StatusSeeOther {
		t.Fatalf("save phones: %d", st)
	}
	_, body, _ = b.do("GET", path, nil)
	mustContain(t, "after changing the consented phone", body, "now opted out", "SMS: Opted Out", "consent does not carry over")

	st, body, _ = b.do("POST", path+"/sms", url.Values{"sms_status": {"opted_in"}, "sms_phone": {"alternate"}})
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, `id="confirm-error"`) {
		t.Fatalf("opt-in without confirmation: %d", st)
	}
	st, _, _ = b.do("POST", path+"/sms", url.Values{"sms_status": {"opted_in"}, "sms_phone": {"alternate"}, "confirm": {"yes"},
		"note": {"Agreed on a call, 3/9."}})
	if st != http.StatusSeeOther {
		t.Fatalf("opt in: %d", st)
	}
	_, body, _ = b.do("GET", path, nil)
	mustContain(t, "after opting in", body, "is opted in to texts on the alternate phone", "Opted in (alternate)", "By Rita Recruiter",
		"Agreed on a call, 3/9.")
	if st, _, _ := b.do("POST", path+"/sms", url.Values{"sms_status": {"opted_out"}}); st != http.StatusSeeOther {
		t.Fatalf("opt out: %d", st)
	}
	events, _ := f.db.ConsentHistory(t.Context(), f.org.ID, c.CandidateID)
	if len(events) != 4 {
		t.Fatalf("ledger has %d entries, want application, revocation, opt-in, opt-out", len(events))
	}
}

func TestConsentCSVExport(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	c := storetest.MustApply(t, f.db, f.org.ID, storetest.Applicant(f.job.ID, "Gil", "Ho"))
	out := hiretext.SMSChange{Status: hiretext.SMSOptedOut, Note: `=HYPERLINK("http://evil.example")`}
	if _, err := f.db.UpdateCandidate(t.Context(), f.org.ID, c.CandidateID, hiretext.CandidateUpdate{SMS: &out}, f.recruiter.ID); err != nil {
		t.Fatal(err)
	}
	path := "/candidates/" + idStr(int64(c.CandidateID)) + "/consent.csv"
	if st, _, _ := f.as(t, f.recruiter).do("GET", path, nil); st != http.StatusForbidden {
		t.Fatalf("recruiter export: %d, want 403", st)
	}
	st, body, h := f.as(t, f.admin).do("GET", path, nil)
	if st != http.StatusOK || !strings.Contains(h.Get("Content-Disposition"), "attachment") || !strings.HasPrefix(body, "\ufeff") {
		t.Fatalf("admin export: %d %v", st, h)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("rows = %v, %v", rows, err)
	}
	optOut, optIn := rows[1], rows[2]
	if optOut[3] != "opted_out" || optOut[12] != "Rita Recruiter" || optOut[13] != `'=HYPERLINK("http://evil.example")` {
		t.Errorf("opt-out row %q: want the user and a neutralised note", optOut)
	}
	if optIn[6] != "application" || optIn[9] != "203.0.113.7" || !strings.Contains(optIn[8], "Reply STOP") || !strings.HasPrefix(optIn[5], "(") {
		t.Errorf("application row %q: want source, IP, disclosure and the phone as on screen", optIn)
	}
}

func TestFailedPhoneSaveCanBeReloaded(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	c := storetest.MustApply(t, f.db, f.org.ID, storetest.Applicant(f.job.ID, "Flo", "Park"))
	path := "/candidates/" + idStr(int64(c.CandidateID))
	b := f.as(t, f.recruiter)

	// The form comes back with the error and what was typed...
	st, body, _ := b.do("POST", path+"/phones", url.Values{"main_phone": {"12"}, "alternate_phone": {"(773) 555-0161"}})
	if st != http.StatusUnprocessableEntity {
		t.Fatalf("invalid phone: %d, want 422", st)
	}
	mustContain(t, "invalid phone", body, `id="main_phone-error"`, `value="12"`, `value="(773) 555-0161"`)
	// ...at the POST's address, which the browser reloads or returns to
	// with a GET: that finds the profile.
	st, _, h := b.do("GET", path+"/phones", nil)
	if st != http.StatusSeeOther || h.Get("Location") != path {
		t.Fatalf("GET %s/phones: %d to %q, want 303 to the profile", path, st, h.Get("Location"))
	}
	if st, _, _ := b.do("GET", h.Get("Location"), nil); st != http.StatusOK {
		t.Fatalf("the profile: %d", st)
	}
}
