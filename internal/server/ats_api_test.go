package server_test

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

func TestAPIJobs(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	tok := token(t, f.db, f.recruiter)
	st, job := f.ts.api(t, tok, "POST", "/api/v1/jobs", `{"title":"Welder","location":"Gary, IN","description":"MIG and TIG."}`)
	if st != http.StatusCreated || job["status"] != "open" || job["applicants"] != float64(0) ||
		!strings.HasSuffix(job["apply_url"].(string), "/apply/"+f.org.Slug+"/"+job["id"].(string)) {
		t.Fatalf("create: %d %v", st, job)
	}
	path := "/api/v1/jobs/" + job["id"].(string)
	if st, got := f.ts.api(t, tok, "GET", path, ""); st != 200 || got["title"] != "Welder" {
		t.Fatalf("get: %d %v", st, got)
	}
	st, body := f.ts.api(t, tok, "GET", "/api/v1/jobs", "")
	if list, _ := body["jobs"].([]any); st != 200 || len(list) != 2 {
		t.Fatalf("list: %d %v", st, body)
	}
	if st, got := f.ts.api(t, tok, "PATCH", path, `{"status":"closed","title":"Welder II"}`); st != 200 || got["status"] != "closed" || got["location"] != "Gary, IN" {
		t.Fatalf("patch: %d %v", st, got)
	}
	apply := `{"first_name":"Ann","last_name":"Lee","email":"ann@example.com","main_phone":"(312) 555-0170","sms_opt_in":"main"}`
	if st, got := f.ts.api(t, tok, "POST", path+"/applications", apply); st != http.StatusConflict || errorCode(got) != "conflict" {
		t.Fatalf("apply to a closed job: %d %v", st, got)
	}
	if st, got := f.ts.api(t, tok, "PATCH", path, `{"title":""}`); st != 422 || got["error"].(map[string]any)["fields"].(map[string]any)["title"] == nil {
		t.Fatalf("blank title: %d %v", st, got)
	}
}

func TestAPIApplicationAndCandidate(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	tok := token(t, f.db, f.recruiter)
	apply := "/api/v1/jobs/" + idStr(int64(f.job.ID)) + "/applications"
	st, created := f.ts.api(t, tok, "POST", apply, `{"first_name":"Ann","last_name":"Lee","email":"Ann@Example.com",
		"main_phone":"(312) 555-0170","alternate_phone":"+1 773 555 0171","sms_opt_in":"alternate"}`)
	if st != http.StatusCreated || created["candidate_id"] == nil || created["application_id"] == nil {
		t.Fatalf("apply: %d %v", st, created)
	}
	path := "/api/v1/candidates/" + created["candidate_id"].(string)
	st, c := f.ts.api(t, tok, "GET", path, "")
	sms, _ := c["sms"].(map[string]any)
	apps, _ := c["applications"].([]any)
	if st != 200 || c["email"] != "ann@example.com" || c["main_phone"] != "+13125550170" || c["alternate_phone"] != "+17735550171" ||
		sms["status"] != "opted_in" || sms["phone"] != "alternate" || len(apps) != 1 || apps[0].(map[string]any)["channel"] != "api" {
		t.Fatalf("candidate: %d %v", st, c)
	}
	st, body := f.ts.api(t, tok, "GET", path+"/consent", "")
	events, _ := body["events"].([]any)
	if st != 200 || len(events) != 1 {
		t.Fatalf("consent: %d %v", st, body)
	}
	e := events[0].(map[string]any)
	if e["source"] != "application" || e["user_name"] != "Rita Recruiter" || e["ip"] != nil || !strings.Contains(e["disclosure"].(string), "Acme Staffing") ||
		e["application_id"] != created["application_id"] || e["phone_number"] != "+17735550171" {
		t.Fatalf("consent evidence: %v", e)
	}

	st, c = f.ts.api(t, tok, "PATCH", path, `{"alternate_phone":"","sms":{"status":"opted_in","phone":"main","note":"Asked to move texts."}}`)
	sms, _ = c["sms"].(map[string]any)
	if st != 200 || c["alternate_phone"] != nil || sms["phone"] != "main" {
		t.Fatalf("patch: %d %v", st, c)
	}
	st, c = f.ts.api(t, tok, "PATCH", path, `{"sms":{"status":"opted_out"}}`)
	if sms, _ = c["sms"].(map[string]any); st != 200 || sms["status"] != "opted_out" || sms["phone"] != nil {
		t.Fatalf("opt out: %d %v", st, c)
	}
	if st, got := f.ts.api(t, tok, "PATCH", path, `{"sms":{"status":"opted_in","phone":"alternate"}}`); st != 422 ||
		got["error"].(map[string]any)["fields"].(map[string]any)["sms.phone"] == nil {
		t.Fatalf("opt in on a missing phone: %d %v", st, got)
	}
}

// TestAPICandidateFieldErrorsAreJSONPaths checks that every field error of
// PATCH /api/v1/candidates/{id} names the place in the request body at
// fault, whether the value breaks a rule or has the wrong type, while the
// profile's form keeps showing its own fields' errors.
func TestAPICandidateFieldErrorsAreJSONPaths(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	a := storetest.MustApply(t, f.db, f.org.ID, storetest.Applicant(f.job.ID, "Ann", "Lee"))
	path := "/api/v1/candidates/" + idStr(int64(a.CandidateID))
	long := strings.Repeat("n", hiretext.MaxNoteLength+1)
	for _, c := range []struct {
		body   string
		status int
		fields []string
	}{
		{`{"sms":{}}`, 422, []string{"sms.status"}},
		{`{"sms":{"status":"maybe"}}`, 422, []string{"sms.status"}},
		{`{"sms":{"status":"opted_in"}}`, 422, []string{"sms.phone"}},
		{`{"sms":{"status":"opted_out","note":"` + long + `"}}`, 422, []string{"sms.note"}},
		{`{"main_phone":"12","sms":{"note":"` + long + `"}}`, 422, []string{"main_phone", "sms.note", "sms.status"}},
		{`{"sms":{"status":1}}`, 400, []string{"sms.status"}},
		{`{"sms":{"note":false}}`, 400, []string{"sms.note"}},
	} {
		st, body := f.ts.api(t, token(t, f.db, f.recruiter), "PATCH", path, c.body)
		fields, _ := body["error"].(map[string]any)["fields"].(map[string]any)
		got := slices.Sorted(maps.Keys(fields))
		if st != c.status || !slices.Equal(got, c.fields) {
			t.Errorf("PATCH %.60s: %d with fields %v, want %d with %v", c.body, st, got, c.status, c.fields)
		}
	}
	b := f.as(t, f.recruiter)
	st, page, _ := b.do("POST", "/candidates/"+idStr(int64(a.CandidateID))+"/sms", url.Values{"sms_status": {"opted_out"}, "note": {long}})
	if st != http.StatusUnprocessableEntity || !strings.Contains(page, `<p class="field-error">Use at most 1,000 characters for the note.</p>`) {
		t.Fatalf("the profile's form with a long note: %d", st)
	}
}

func TestAPICandidatesList(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	jobs := storetest.SeedPool(t, f.db, f.org.ID, 30, 3)
	tok := token(t, f.db, f.manager)
	st, body := f.ts.api(t, tok, "GET", "/api/v1/candidates?limit=20", "")
	list, _ := body["candidates"].([]any)
	if st != 200 || len(list) != 20 || body["next_cursor"] == nil {
		t.Fatalf("first page: %d, %d candidates, next %v", st, len(list), body["next_cursor"])
	}
	first := list[0].(map[string]any)
	if _, ok := first["last_application"].(map[string]any)["job_title"].(string); !ok || first["id"] == nil {
		t.Fatalf("entry %v", first)
	}
	_, body = f.ts.api(t, tok, "GET", "/api/v1/candidates?limit=20&cursor="+body["next_cursor"].(string), "")
	if list, _ = body["candidates"].([]any); len(list) != 10 || body["next_cursor"] != nil {
		t.Fatalf("second page: %d candidates, next %v", len(list), body["next_cursor"])
	}
	target := storetest.PoolApplicant(4, jobs)
	_, body = f.ts.api(t, tok, "GET", "/api/v1/candidates?q="+target.Email+"&sms_status=opted_in&job_id="+idStr(int64(target.JobID)), "")
	if list, _ = body["candidates"].([]any); len(list) != 1 || list[0].(map[string]any)["first_name"] != target.FirstName {
		t.Fatalf("search: %v", body)
	}
	for _, q := range []string{"limit=0", "limit=201", "limit=x", "cursor=abc", "job_id=x", "sms_status=maybe"} {
		if st, body := f.ts.api(t, tok, "GET", "/api/v1/candidates?"+q, ""); st != 422 || errorCode(body) != "invalid" {
			t.Errorf("?%s: %d %v", q, st, body)
		}
	}
}

func TestAPIApplicationErrorsStoreNothing(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	tok := token(t, f.db, f.recruiter)
	path := "/api/v1/jobs/" + idStr(int64(f.job.ID)) + "/applications"
	cases := []struct {
		name, body string
		status     int
		fields     []string
	}{
		{"malformed", `{"first_name":`, 400, nil},
		{"unknown field", `{"first_name":"A","sms":"main"}`, 400, nil},
		{"wrong type", `{"first_name":1}`, 400, nil},
		{"empty", `{}`, 422, []string{"last_name", "email", "main_phone"}}, // a mononym has no first name; no answer opts out
		{"invalid phones", `{"first_name":"A","last_name":"B","email":"a@example.com","main_phone":"555","alternate_phone":"x","sms_opt_in":"main"}`,
			422, []string{"main_phone", "alternate_phone"}},
		{"alternate without one", `{"first_name":"A","last_name":"B","email":"a@example.com","main_phone":"(312) 555-0170","sms_opt_in":"alternate"}`,
			422, []string{"alternate_phone"}},
		{"unknown answer", `{"first_name":"A","last_name":"B","email":"a@example.com","main_phone":"(312) 555-0170","sms_opt_in":"yes"}`,
			422, []string{"sms_opt_in"}},
		{"unanswered is not an answer", `{"first_name":"A","last_name":"B","email":"a@example.com","main_phone":"(312) 555-0170","sms_opt_in":"unanswered"}`,
			422, []string{"sms_opt_in"}},
	}
	for _, c := range cases {
		st, body := f.ts.api(t, tok, "POST", path, c.body)
		fields, _ := body["error"].(map[string]any)["fields"].(map[string]any)
		if st != c.status {
			t.Errorf("%s: %d %v, want %d", c.name, st, body, c.status)
		}
		for _, name := range c.fields {
			if fields[name] == nil {
				t.Errorf("%s: fields %v lack %s", c.name, fields, name)
			}
		}
	}
	if f.poolSize(t) != 0 {
		t.Fatal("a rejected application stored a candidate")
	}
}

// TestAPIApplicationWithoutAnswerOptsOut: sms_opt_in absent or null is no
// answer, which the API accepts and records as an opt-out.
func TestAPIApplicationWithoutAnswerOptsOut(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	tok := token(t, f.db, f.recruiter)
	path := "/api/v1/jobs/" + idStr(int64(f.job.ID)) + "/applications"
	for _, c := range []struct{ name, email, phone, answer string }{
		{"absent", "absent@example.com", "(312) 555-0170", ""},
		{"null", "null@example.com", "(312) 555-0171", `,"sms_opt_in":null`},
	} {
		st, body := f.ts.api(t, tok, "POST", path, `{"first_name":"A","last_name":"B","email":"`+c.email+`",
			"main_phone":"`+c.phone+`"`+c.answer+`}`)
		if st != http.StatusCreated {
			t.Fatalf("%s: %d %v, want 201", c.name, st, body)
		}
		cand := f.candidateByEmail(t, c.email)
		if cand == nil || cand.SMSStatus != hiretext.SMSOptedOut {
			t.Fatalf("%s: candidate = %+v, want one opted out", c.name, cand)
		}
		assertNoAnswerLedger(t, f, cand.ID, hiretext.ChannelAPI)
		_, detail := f.ts.api(t, tok, "GET", "/api/v1/candidates/"+body["candidate_id"].(string), "")
		if app := detail["applications"].([]any)[0].(map[string]any); app["sms_opt_in"] != "unanswered" {
			t.Fatalf("%s: application = %v, want sms_opt_in unanswered", c.name, app)
		}
	}
}

// TestATSTenantIsolationOverHTTP: another company's users and tokens find
// nothing of this company's jobs and candidates.
func TestATSTenantIsolationOverHTTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newATSFixture(t, db)
		c := storetest.MustApply(t, db, f.org.ID, storetest.Applicant(f.job.ID, "Ann", "Lee"))
		globex := storetest.MustCreateOrg(t, db, "Globex")
		gus := storetest.MustCreateUser(t, db, globex.ID, "Gus Admin", hiretext.RoleAdmin)
		tok := token(t, db, gus)
		job, cand := idStr(int64(f.job.ID)), idStr(int64(c.CandidateID))
		for _, r := range []struct{ method, path, body string }{
			{"GET", "/api/v1/jobs/" + job, ""},
			{"PATCH", "/api/v1/jobs/" + job, `{"status":"closed"}`},
			{"POST", "/api/v1/jobs/" + job + "/applications", `{"first_name":"M","last_name":"L","email":"m@example.com","main_phone":"(312) 555-0199","sms_opt_in":"none"}`},
			{"GET", "/api/v1/candidates/" + cand, ""},
			{"PATCH", "/api/v1/candidates/" + cand, `{"sms":{"status":"opted_out"}}`},
			{"GET", "/api/v1/candidates/" + cand + "/consent", ""},
		} {
			if st, body := f.ts.api(t, tok, r.method, r.path, r.body); st != http.StatusNotFound || errorCode(body) != "not_found" {
				t.Errorf("another company's token: %s %s = %d %v, want 404", r.method, r.path, st, body)
			}
		}
		if _, body := f.ts.api(t, tok, "GET", "/api/v1/candidates", ""); len(body["candidates"].([]any)) != 0 {
			t.Error("another company's token lists this company's candidates")
		}
		b := f.ts.browser(t)
		b.login(gus.Email, storetest.TestPassword)
		for _, path := range []string{"/jobs/" + job, "/candidates/" + cand, "/candidates/" + cand + "/consent.csv"} {
			if st, _, _ := b.do("GET", path, nil); st != http.StatusNotFound {
				t.Errorf("another company's admin: GET %s = %d, want 404", path, st)
			}
		}
		if got, _ := db.CandidateByID(t.Context(), f.org.ID, c.CandidateID); !got.OptedIn() {
			t.Fatal("another company changed the candidate's consent")
		}
	})
}

// TestHiringManagerCannotOpenProfiles: a user with jobs and pool but not
// profiles sees candidates in lists and gets 403 on their profiles.
func TestHiringManagerCannotOpenProfiles(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	c := storetest.MustApply(t, f.db, f.org.ID, storetest.Applicant(f.job.ID, "Ann", "Lee"))
	b := f.as(t, f.manager)
	if st, body, _ := b.do("GET", "/candidates", nil); st != 200 || !strings.Contains(body, "Ann Lee") || strings.Contains(body, "View profile") {
		t.Fatalf("pool: %d", st)
	}
	if st, _, _ := b.do("GET", "/candidates/"+idStr(int64(c.CandidateID)), nil); st != http.StatusForbidden {
		t.Fatalf("profile page: %d, want 403", st)
	}
	if st, body := f.ts.api(t, token(t, f.db, f.manager), "GET", "/api/v1/candidates/"+idStr(int64(c.CandidateID)), ""); st != http.StatusForbidden || errorCode(body) != "forbidden" {
		t.Fatalf("profile API: %d %v, want 403", st, body)
	}
}
