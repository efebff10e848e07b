package server_test

import (
	"archive/zip"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/storetest"
)

// TestWarehouseFormJourney is the first journey over HTTP: an
// administrator creates "Warehouse application" from Standard, adds two
// questions with the editor's buttons and sets it on a job; a candidate
// applies without answering the texting question and is opted out, the
// answers on their profile and in the API, unchanged by a later edit.
func TestWarehouseFormJourney(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	dana := f.as(t, f.admin)
	_, list, _ := dana.do("GET", "/admin/forms", nil)
	mustContain(t, "forms list", list, "Standard application", "DOT driver application", "Create a custom form")
	st, _, h := dana.do("POST", "/admin/forms", url.Values{"name": {"Warehouse application"}, "base": {"standard"}})
	if st != http.StatusSeeOther {
		t.Fatalf("create form: %d", st)
	}
	editor := h.Get("Location")
	_, page, _ := dana.do("GET", editor, nil)
	mustContain(t, "editor", page, "May we text you about your application?", "Always asked", "No questions of its own yet.")

	// Two questions, added with the button (which saves nothing), then saved.
	if st, page, _ = dana.do("POST", editor, url.Values{"name": {"Warehouse application"}, "op": {"add"}}); st != http.StatusOK {
		t.Fatalf("add a question: %d", st)
	}
	mustContain(t, "after add", page, `name="questions[0].label"`)
	questions := url.Values{"name": {"Warehouse application"}, "op": {"save"},
		"questions[0].id": {""}, "questions[0].label": {"Forklift certified?"}, "questions[0].type": {"yes_no"}, "questions[0].required": {"yes"},
		"questions[1].id": {""}, "questions[1].label": {"Shifts available"}, "questions[1].type": {"multiple_choice"},
		"questions[1].choices": {"Days\r\nNights\r\nWeekends"}}
	bad := cloneValues(questions)
	bad.Set("questions[1].choices", "")
	if st, page, _ := dana.do("POST", editor, bad); st != http.StatusUnprocessableEntity || !strings.Contains(page, "Give at least one choice.") {
		t.Fatalf("a choice question without choices: %d", st)
	}
	if st, _, _ := dana.do("POST", editor, questions); st != http.StatusSeeOther {
		t.Fatalf("save questions: %d", st)
	}
	form := strings.TrimPrefix(editor, "/admin/forms/")
	if st, _, _ := dana.do("POST", "/jobs/"+idStr(int64(f.job.ID)), url.Values{"title": {f.job.Title}, "application_form_id": {form}}); st != http.StatusSeeOther {
		t.Fatalf("set the job's form: %d", st)
	}

	applicant := f.ts.browser(t)
	_, apply, _ := applicant.do("GET", f.applyPath(f.job), nil)
	mustContain(t, "public form", apply, "Forklift certified?", "Shifts available", `name="answers.q2" value="Nights"`, "May we text you about your application?")
	values := application("answers.q2", "Days")
	values.Del("sms_opt_in")
	st, page, _ = f.apply(t, applicant, f.job, values)
	if st != http.StatusUnprocessableEntity || !strings.Contains(page, `href="#answers.q1"`) {
		t.Fatalf("without the required answer: %d", st)
	}
	values.Set("answers.q1", "yes")
	values["answers.q2"] = []string{"Days", "Weekends"}
	if st, _, _ := f.apply(t, applicant, f.job, values); st != http.StatusSeeOther {
		t.Fatalf("apply: %d", st)
	}
	c := f.candidateByEmail(t, "ana.garcia@example.com")
	if c == nil || c.SMSStatus != hiretext.SMSOptedOut {
		t.Fatalf("candidate %+v, want opted out", c)
	}
	assertNoAnswerLedger(t, f, c.ID, hiretext.ChannelForm)

	// The form changes; the application does not.
	questions.Set("questions[0].id", "q1")
	questions.Set("questions[0].label", "Forklift licence number")
	questions.Set("questions[0].type", "short_text")
	questions.Set("questions[1].id", "q2")
	if st, _, _ := dana.do("POST", editor, questions); st != http.StatusSeeOther {
		t.Fatalf("edit the form: %d", st)
	}
	_, profile, _ := f.as(t, f.recruiter).do("GET", "/candidates/"+idStr(int64(c.ID)), nil)
	mustContain(t, "profile", profile, "Answers to Warehouse application", "<dt>Forklift certified?</dt><dd>Yes</dd>",
		"<dt>Shifts available</dt><dd>Days, Weekends</dd>")
	_, detail := f.ts.api(t, token(t, f.db, f.recruiter), "GET", "/api/v1/candidates/"+idStr(int64(c.ID)), "")
	app := detail["applications"].([]any)[0].(map[string]any)
	answers := app["answers"].([]any)
	first, second := answers[0].(map[string]any), answers[1].(map[string]any)
	if app["form"] != "Warehouse application" || first["question"] != "Forklift certified?" || first["type"] != "yes_no" || first["answer"] != true ||
		second["type"] != "multiple_choice" || len(second["answer"].([]any)) != 2 {
		t.Fatalf("API application %v", app)
	}
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// TestDOTApplicationOverHTTP: the DOT driver application's groups grow and
// shrink with buttons that post the form, keeping what was typed and
// storing nothing; the full application with two licences and two
// employers, opting in on the alternate phone, is stored with every answer.
func TestDOTApplicationOverHTTP(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	dot := hiretext.FormDOT
	if _, err := f.db.UpdateJob(t.Context(), f.org.ID, f.job.ID, hiretext.JobUpdate{Form: &dot}); err != nil {
		t.Fatal(err)
	}
	b := f.ts.browser(t)
	_, page, _ := b.do("GET", f.applyPath(f.job), nil)
	mustContain(t, "DOT form", page, "Motor vehicle licences held in the past three years", "Licence 1", `name="count.licences" value="1"`,
		"Add another licence", "Add another accident", "I certify that this application")
	typed := application("answers.licences.0.state", "IL", "count.licences", "1", "op", "add:licences")
	st, page, _ := b.do("POST", f.applyPath(f.job), typed)
	if st != http.StatusOK {
		t.Fatalf("add a licence: %d", st)
	}
	mustContain(t, "after adding", page, "Licence 2", `name="count.licences" value="2"`, `name="answers.licences.0.state" value="IL"`,
		`id="answers.licences.1.state" name="answers.licences.1.state" value="" maxlength="5000" autofocus>`, `value="Ana"`)
	typed = application("answers.licences.0.state", "IL", "answers.licences.1.state", "IN", "count.licences", "2", "op", "remove:licences.0")
	_, page, _ = b.do("POST", f.applyPath(f.job), typed)
	mustContain(t, "after removing the first", page, `name="count.licences" value="1"`, `name="answers.licences.0.state" value="IN"`)
	if f.poolSize(t) != 0 {
		t.Fatal("adding or removing an entry stored an application")
	}

	values := application("sms_opt_in", "alternate", "count.licences", "3", "count.employers", "3", "count.addresses", "1")
	for key, v := range storetest.DOTAnswers() {
		values["answers."+key] = v
	}
	if st, body, _ := f.apply(t, b, f.job, values); st != http.StatusSeeOther {
		t.Fatalf("apply: %d\n%s", st, body)
	}
	c := f.candidateByEmail(t, "ana.garcia@example.com")
	if c.SMSStatus != hiretext.SMSOptedIn || c.SMSPhone != hiretext.PhoneAlternate {
		t.Fatalf("consent %s %s, want opted in on the alternate phone", c.SMSStatus, c.SMSPhone)
	}
	_, profile, _ := f.as(t, f.recruiter).do("GET", "/candidates/"+idStr(int64(c.ID)), nil)
	mustContain(t, "profile", profile, "Answers to DOT driver application", "<dt>Licence 2: Licence number</dt><dd>1234-56-7890</dd>",
		"<dt>Employer 2: Employer</dt><dd>Best Haul</dd>", "<dt>Date of birth</dt><dd>1985-03-02</dd>")
}

// TestApplicationFormsAPI: the forms API with its bad input, the built-in
// forms readable but not editable, a form in use not deletable, another
// company's form not found, and answers validated like the form.
func TestApplicationFormsAPI(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	admin := token(t, f.db, f.admin)
	many := make([]string, 51)
	for i := range many {
		many[i] = `{"label":"Q` + idStr(int64(i+1)) + `","type":"short_text"}`
	}
	for _, c := range []struct{ name, body, field string }{
		{"51 questions", `{"name":"Big","base":"standard","questions":[` + strings.Join(many, ",") + `]}`, "questions"},
		{"choice without choices", `{"name":"A","base":"standard","questions":[{"label":"Shift","type":"single_choice"}]}`, "questions[0].choices"},
		{"unknown type", `{"name":"A","base":"standard","questions":[{"label":"CV","type":"file"}]}`, "questions[0].type"},
		{"unknown base", `{"name":"A","base":"12"}`, "base"},
		{"a second texting question", `{"name":"A","base":"dot","questions":[{"label":"Can we text you?","type":"yes_no"}]}`, "questions[0].label"},
	} {
		st, body := f.ts.api(t, admin, "POST", "/api/v1/application-forms", c.body)
		fields, _ := body["error"].(map[string]any)["fields"].(map[string]any)
		if st != http.StatusUnprocessableEntity || fields[c.field] == nil {
			t.Errorf("%s: %d %v, want 422 on %s", c.name, st, body, c.field)
		}
	}
	st, form := f.ts.api(t, admin, "POST", "/api/v1/application-forms", `{"name":"Yard <b>application</b>","base":"standard","questions":[
		{"label":"Years driving <script>alert(1)</script>","type":"number","required":true},
		{"label":"Shift","type":"single_choice","choices":["Days","Nights"]}]}`)
	if st != http.StatusCreated || form["id"] == "" {
		t.Fatalf("create: %d %v", st, form)
	}
	id := form["id"].(string)
	st, got := f.ts.api(t, admin, "PATCH", "/api/v1/application-forms/"+id, `{"questions":[
		{"id":"q2","label":"Shift","type":"single_choice","choices":["Days","Nights","Weekends"]},
		{"id":"q1","label":"Years driving <script>alert(1)</script>","type":"number","required":true},{"label":"Start date","type":"date"}]}`)
	qs, _ := got["questions"].([]any)
	if st != http.StatusOK || len(qs) != 3 || qs[0].(map[string]any)["id"] != "q2" || qs[1].(map[string]any)["id"] != "q1" || qs[2].(map[string]any)["id"] != "q3" {
		t.Fatalf("patch: %d %v", st, got)
	}
	if st, _ := f.ts.api(t, admin, "PATCH", "/api/v1/application-forms/standard", `{"name":"Mine"}`); st != http.StatusConflict {
		t.Fatalf("patch a built-in form: %d", st)
	}
	if st, _ := f.ts.api(t, admin, "PATCH", "/api/v1/application-forms/"+id, `{"base":"dot"}`); st != http.StatusUnprocessableEntity {
		t.Fatalf("change the base: %d", st)
	}
	if st, dot := f.ts.api(t, token(t, f.db, f.recruiter), "GET", "/api/v1/application-forms/dot", ""); st != http.StatusOK || len(dot["sections"].([]any)) < 8 {
		t.Fatalf("read the DOT form: %d", st)
	}

	// Another company sees none of it and cannot use it.
	other := storetest.MustCreateOrg(t, f.db, "Other Co")
	otherAdmin := token(t, f.db, storetest.MustCreateUser(t, f.db, other.ID, "Olga", hiretext.RoleAdmin))
	if st, _ := f.ts.api(t, otherAdmin, "GET", "/api/v1/application-forms/"+id, ""); st != http.StatusNotFound {
		t.Fatalf("another company's form: %d", st)
	}
	if st, body := f.ts.api(t, otherAdmin, "POST", "/api/v1/jobs", `{"title":"X","application_form_id":"`+id+`"}`); st != http.StatusNotFound {
		t.Fatalf("a job with another company's form: %d %v", st, body)
	}

	// A job uses it: answers are validated like the form, and it cannot go.
	job := "/api/v1/jobs/" + idStr(int64(f.job.ID))
	if st, _ := f.ts.api(t, admin, "PATCH", job, `{"application_form_id":"`+id+`"}`); st != http.StatusOK {
		t.Fatalf("set the job's form: %d", st)
	}
	st, body := f.ts.api(t, admin, "POST", job+"/applications", `{"last_name":"Lee","email":"lee@example.com","main_phone":"(312) 555-0170",
		"answers":{"q1":"ten","q2":"Evenings","q3":"tomorrow","q9":"x"}}`)
	fields, _ := body["error"].(map[string]any)["fields"].(map[string]any)
	for _, key := range []string{"answers.q1", "answers.q2", "answers.q3", "answers.q9"} {
		if st != http.StatusUnprocessableEntity || fields[key] == nil {
			t.Errorf("bad answers: %d, fields %v lack %s", st, fields, key)
		}
	}
	st, body = f.ts.api(t, admin, "POST", job+"/applications", `{"last_name":"","email":"lee@example.com","main_phone":"(312) 555-0170",
		"answers":{"q1":{"years":3},"q2":"Days"}}`)
	fields, _ = body["error"].(map[string]any)["fields"].(map[string]any)
	if st != http.StatusUnprocessableEntity || fields["answers.q1"] == nil || fields["last_name"] == nil {
		t.Fatalf("an answer of no type, and no last name: %d %v, want both reported", st, body)
	}
	long := strings.Repeat("x", hiretext.MaxAnswerLength+1)
	if st, body := f.ts.api(t, admin, "POST", job+"/applications", `{"last_name":"Lee","email":"lee@example.com","main_phone":"(312) 555-0170",
		"answers":{"q1":3,"q2":"`+long+`"}}`); st != http.StatusUnprocessableEntity {
		t.Fatalf("an answer over 5,000 characters: %d %v", st, body)
	}
	if st, body := f.ts.api(t, admin, "POST", job+"/applications", `{"last_name":"Lee","email":"lee@example.com","main_phone":"(312) 555-0170",
		"answers":{"q1":3,"q2":"Days","q3":"2027-01-04"}}`); st != http.StatusCreated {
		t.Fatalf("good answers: %d %v", st, body)
	}
	if st, _ := f.ts.api(t, admin, "DELETE", "/api/v1/application-forms/"+id, ""); st != http.StatusConflict {
		t.Fatalf("delete a form in use: %d", st)
	}

	// HTML in a label is text wherever it shows.
	_, page, _ := f.ts.browser(t).do("GET", f.applyPath(f.job), nil)
	if strings.Contains(page, "<script>alert(1)</script>") || !strings.Contains(page, "Years driving &lt;script&gt;") {
		t.Fatal("a label's HTML is not inert on the public form")
	}
}

// TestDOTSocialSecurityNumberOverHTTP: once an administrator turns it on,
// the DOT form asks the SSN; the profile, the API and the download of
// everything held show it masked; only an administrator can reveal it, on
// the page, and the reveal is in the audit trail.
func TestDOTSocialSecurityNumberOverHTTP(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	dot := hiretext.FormDOT
	if _, err := f.db.UpdateJob(t.Context(), f.org.ID, f.job.ID, hiretext.JobUpdate{Form: &dot}); err != nil {
		t.Fatal(err)
	}
	dana := f.as(t, f.admin)
	if st, _, _ := dana.do("POST", "/admin/forms/dot/ssn", url.Values{"collect_ssn": {"yes"}}); st != http.StatusSeeOther {
		t.Fatalf("turn the SSN on: %d", st)
	}
	_, page, _ := dana.do("GET", "/admin/forms/dot", nil)
	mustContain(t, "DOT form page", page, "Stop asking for the Social Security number")
	values := application("count.licences", "3", "count.employers", "3", "answers.ssn", "078-05-1120")
	for key, v := range storetest.DOTAnswers() {
		values["answers."+key] = v
	}
	if st, body, _ := f.apply(t, f.ts.browser(t), f.job, values); st != http.StatusSeeOther {
		t.Fatalf("apply: %d\n%s", st, body)
	}
	c := f.candidateByEmail(t, "ana.garcia@example.com")
	path := "/candidates/" + idStr(int64(c.ID))
	apps, _ := f.db.CandidateApplications(t.Context(), f.org.ID, c.ID)
	reveal := path + "/applications/" + idStr(int64(apps[0].ID)) + "/reveal"

	_, profile, _ := f.as(t, f.recruiter).do("GET", path, nil)
	if !strings.Contains(profile, "•••-••-1120") || strings.Contains(profile, "078-05") || strings.Contains(profile, reveal) {
		i := strings.Index(profile, "Social Security")
		t.Fatalf("a recruiter's profile shows the SSN unmasked, or a way to reveal it: %.600s", profile[max(i, 0):])
	}
	if st, _, _ := f.as(t, f.recruiter).do("POST", reveal, url.Values{"key": {"ssn"}}); st != http.StatusForbidden {
		t.Fatalf("a recruiter reveals: %d", st)
	}
	_, detail := f.ts.api(t, token(t, f.db, f.admin), "GET", "/api/v1/candidates/"+idStr(int64(c.ID)), "")
	if b, _ := json.Marshal(detail); strings.Contains(string(b), "078-05") || !strings.Contains(string(b), "•••-••-1120") {
		t.Fatalf("the API shows %s", b)
	}
	_, zipped, _ := dana.do("GET", path+"/export.zip", nil)
	if held := zipEntry(t, zipped, "applications.json"); strings.Contains(held, "078-05") || !strings.Contains(held, "•••-••-1120") {
		t.Fatalf("the download of everything held gives the applications as %s", held)
	}
	st, revealed, h := dana.do("POST", reveal, url.Values{"key": {"ssn"}})
	if st != http.StatusOK || !strings.Contains(revealed, "078-05-1120") || h.Get("Cache-Control") != "no-store" {
		t.Fatalf("reveal: %d", st)
	}
	_, trail, _ := dana.do("GET", "/admin/audit", nil)
	mustContain(t, "audit trail", trail, "Masked answer revealed", "Social Security numbers asked or no longer asked")
}

// zipEntry returns the file name of the ZIP archive data.
func zipEntry(t *testing.T, data, name string) string {
	t.Helper()
	zr, err := zip.NewReader(strings.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestFormEditorButtons: Move up, Move down and Remove show the editor
// again as typed, in the new order, and save nothing until Save.
func TestFormEditorButtons(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	form, err := f.db.CreateApplicationForm(t.Context(), f.org.ID, storetest.WarehouseForm())
	if err != nil {
		t.Fatal(err)
	}
	dana := f.as(t, f.admin)
	path := "/admin/forms/" + string(form.ID)
	typed := url.Values{"name": {"Warehouse application"},
		"questions[0].id": {"q1"}, "questions[0].label": {"Forklift certified?"}, "questions[0].type": {"yes_no"},
		"questions[1].id": {"q2"}, "questions[1].label": {"Shifts available"}, "questions[1].type": {"multiple_choice"}, "questions[1].choices": {"Days"},
		"questions[2].id": {""}, "questions[2].label": {"Typed, not saved"}, "questions[2].type": {"short_text"}}
	up := cloneValues(typed)
	up.Set("op", "up:2")
	st, page, _ := dana.do("POST", path, up)
	if st != http.StatusOK || strings.Index(page, "Typed, not saved") > strings.Index(page, "Shifts available") {
		t.Fatalf("move up: %d, or the question did not move", st)
	}
	remove := cloneValues(typed)
	remove.Set("op", "remove:0")
	_, page, _ = dana.do("POST", path, remove)
	if strings.Contains(page, "Forklift certified?") || !strings.Contains(page, `name="questions[0].id" value="q2"`) {
		t.Fatal("remove did not take the first question out of the editor")
	}
	saved, err := f.db.ApplicationForm(t.Context(), f.org.ID, form.ID)
	if err != nil || len(saved.Questions) != 2 || saved.Questions[0].Label != "Forklift certified?" {
		t.Fatalf("the editor's buttons saved the form: %+v, %v", saved, err)
	}
}
