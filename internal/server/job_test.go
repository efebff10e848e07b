package server_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/storetest"
)

func TestJobPages(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	b := f.as(t, f.recruiter)
	st, body, _ := b.do("POST", "/jobs", url.Values{"title": {" "}, "location": {strings.Repeat("x", 201)}})
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, `id="title-error"`) || !strings.Contains(body, `id="location-error"`) {
		t.Fatalf("invalid job: %d", st)
	}
	st, _, h := b.do("POST", "/jobs", url.Values{"title": {"Night Nurse"}, "location": {"Chicago, IL"}, "description": {"Line one.\nLine two."}})
	if st != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/jobs/") {
		t.Fatalf("create job: %d %s", st, h.Get("Location"))
	}
	jobPath := h.Get("Location")
	_, body, _ = b.do("GET", jobPath, nil)
	mustContain(t, "job page", body, "Created Night Nurse", "Night Nurse", "Open", "/apply/"+f.org.Slug+"/", "No one has applied yet")
	_, body, _ = b.do("GET", "/jobs", nil)
	mustContain(t, "jobs list", body, "Night Nurse", "Forklift Operator", f.ts.URL+"/apply/"+f.org.Slug+"/")

	if st, _, _ := b.do("POST", jobPath, url.Values{"title": {"Night Nurse (RN)"}, "location": {"Remote"}}); st != http.StatusSeeOther {
		t.Fatalf("edit: %d", st)
	}
	if st, _, _ := b.do("POST", jobPath+"/status", url.Values{"status": {"closed"}}); st != http.StatusSeeOther {
		t.Fatalf("close: %d", st)
	}
	_, body, _ = b.do("GET", jobPath, nil)
	mustContain(t, "closed job", body, "Night Nurse (RN)", "Remote", "is closed", "Reopen job")
	if st, _, _ := f.ts.browser(t).do("GET", strings.Replace(jobPath, "/jobs/", "/apply/"+f.org.Slug+"/", 1), nil); st != http.StatusNotFound {
		t.Fatalf("closed job's public form: %d, want 404", st)
	}
	if st, _, _ := b.do("POST", jobPath+"/status", url.Values{"status": {"paused"}}); st != http.StatusUnprocessableEntity {
		t.Fatalf("unknown status: %d", st)
	}
}

func TestJobPageListsApplicantsAndExports(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	other := storetest.MustCreateJob(t, f.db, f.org.ID, "Welder")
	ann := storetest.MustApply(t, f.db, f.org.ID, storetest.Applicant(f.job.ID, "Ann", "Lee"))
	n := storetest.Applicant(f.job.ID, "=cmd", "Bo")
	n.SMS = hiretext.AnswerNone
	bo := storetest.MustApply(t, f.db, f.org.ID, n)
	cy := storetest.MustApply(t, f.db, f.org.ID, storetest.Applicant(other.ID, "Cy", "Diaz"))
	path := "/jobs/" + idStr(int64(f.job.ID))

	_, body, _ := f.as(t, f.recruiter).do("GET", path, nil)
	mustContain(t, "recruiter's job page", body, "Ann Lee", "=cmd Bo", "Opted in (main)", "SMS: Opted Out",
		`<td class="actions" data-candidate-id="`+idStr(int64(ann.CandidateID))+`"`, "View profile", `name="candidate"`)
	if strings.Contains(body, "Cy Diaz") {
		t.Error("the job page lists another job's applicant")
	}
	manager := f.as(t, f.manager)
	_, body, _ = manager.do("GET", path, nil)
	if !strings.Contains(body, "Ann Lee") || strings.Contains(body, "View profile") || strings.Contains(body, `href="/candidates/`) {
		t.Error("a user without the profiles permission gets profile links")
	}

	ids := url.Values{"candidate": {idStr(int64(ann.CandidateID)), idStr(int64(bo.CandidateID)), idStr(int64(cy.CandidateID))}}
	st, body, h := manager.do("POST", path+"/export", ids)
	if st != http.StatusOK || h.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.HasPrefix(body, "\ufeff") {
		t.Fatalf("export: %d %s", st, h.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil || len(rows) != 3 || rows[0][1] != "First name" {
		t.Fatalf("export rows = %v, %v; want a header and the job's two applicants", rows, err)
	}
	if rows[1][1] != "'=cmd" || !strings.HasPrefix(rows[2][4], "(") {
		t.Errorf("formula-like cells are not neutralised, or phones not as on screen: %v", rows[1:])
	}
	if st, _, h := manager.do("POST", path+"/export", url.Values{"return_to": {path}}); st != http.StatusSeeOther || h.Get("Location") != path {
		t.Errorf("export with nothing selected: %d to %q, want back to the job page", st, h.Get("Location"))
	}
}

// TestJobApplicantsShowTheDateOnly: on a job's page every applicant applied
// to that job, so the Applied column shows when, not the title again; the
// pool, which mixes jobs, still names the job.
func TestJobApplicantsShowTheDateOnly(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	storetest.MustApply(t, f.db, f.org.ID, storetest.Applicant(f.job.ID, "Ann", "Lee"))
	b := f.as(t, f.recruiter)
	applied := regexp.MustCompile(`<td class="col-applied">(.*?)</td>`)

	_, body, _ := b.do("GET", "/jobs/"+idStr(int64(f.job.ID)), nil)
	cell := applied.FindStringSubmatch(body)
	if cell == nil || strings.Contains(cell[1], "Forklift Operator") || !regexp.MustCompile(`^\w{3} \d{1,2}, \d{4} `).MatchString(cell[1]) {
		t.Fatalf("job page Applied cell = %q, want the date only", cell)
	}
	mustContain(t, "job page", body, `<p class="list-summary">1 applicant</p>`)
	_, body, _ = b.do("GET", "/candidates", nil)
	if cell := applied.FindStringSubmatch(body); cell == nil || !strings.Contains(cell[1], "Forklift Operator") {
		t.Fatalf("pool Applied cell = %q, want the job and the date", cell)
	}
}

// TestJobApplicantsPageBothWays: a job's applicants page forward and back,
// with the job's applicant count.
func TestJobApplicantsPageBothWays(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	job := storetest.SeedPool(t, f.db, f.org.ID, 60, 1)[0]
	path := "/jobs/" + idStr(int64(job.ID))
	b := f.as(t, f.recruiter)
	_, body, _ := b.do("GET", path, nil)
	mustContain(t, "first page", body, "Showing 1–50 of 60 applicants")
	_, next := pagerLinks(body)
	if !strings.HasPrefix(next, path+"?cursor=") {
		t.Fatalf("next link %q", next)
	}
	_, body, _ = b.do("GET", next, nil)
	mustContain(t, "second page", body, "Showing 51–60 of 60 applicants")
	if prev, _ := pagerLinks(body); prev != path {
		t.Fatalf("previous link %q, want %q", prev, path)
	}
}

func TestJobTitleErrorsSayWhatIsWrong(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	b := f.as(t, f.recruiter)
	for _, c := range []struct{ title, want string }{
		{"", "Enter a job title."},
		{strings.Repeat("x", hiretext.MaxJobTitle+1), "Use at most 200 characters for the job title."},
	} {
		st, body, _ := b.do("POST", "/jobs", url.Values{"title": {c.title}})
		if st != http.StatusUnprocessableEntity {
			t.Fatalf("title of %d characters: %d, want 422", len(c.title), st)
		}
		mustContain(t, "title error", body, `<p class="field-error" id="title-error">`+c.want+`</p>`)
	}
}
