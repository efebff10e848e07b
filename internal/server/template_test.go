package server_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/storetest"
)

// TestTemplatePages: an administrator keeps company templates under
// Administration → Text templates, each user their own under My settings;
// mistakes are shown with the form and save nothing, names and texts are
// shown inert, and a signature is saved.
func TestTemplatePages(t *testing.T) {
	t.Parallel()
	f := newTextingFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	admin := storetest.MustCreateUser(t, f.db, f.org.ID, "Dana Admin", hiretext.RoleAdmin)
	a := f.ts.browser(t)
	a.login(admin.Email, storetest.TestPassword)

	st, page, _ := a.do("POST", "/admin/templates", url.Values{"name": {"Pay"}, "body": {"Your pay: {Salary}"}})
	if st != http.StatusUnprocessableEntity || !strings.Contains(page, "Unknown merge field {Salary}") || !strings.Contains(page, `value="Pay"`) {
		t.Fatalf("unknown field: %d", st)
	}
	st, _, h := a.do("POST", "/admin/templates", url.Values{"name": {"<b>Interview</b> invitation"},
		"body": {"Hi {FirstName|there}, <script>alert(1)</script>"}})
	if st != http.StatusSeeOther || h.Get("Location") != "/admin/templates" {
		t.Fatalf("create: %d %q", st, h.Get("Location"))
	}
	_, page, _ = a.do("GET", "/admin/templates", nil)
	mustContain(t, "company templates", page, "&lt;b&gt;Interview&lt;/b&gt; invitation", "&lt;script&gt;alert(1)&lt;/script&gt;")
	if strings.Contains(page, "<script>alert(1)") || strings.Contains(page, "<b>Interview") {
		t.Fatal("a template's name or text is not shown inert")
	}
	edit := regexp.MustCompile(`href="(/admin/templates/\d+)"`).FindStringSubmatch(page)
	if edit == nil {
		t.Fatal("no edit link")
	}
	st, page, _ = a.do("POST", edit[1], url.Values{"name": {"Interview invitation"}, "body": {"Hi {FirstName"}})
	if st != http.StatusUnprocessableEntity || !strings.Contains(page, "A { has no } after it") {
		t.Fatalf("unbalanced braces: %d", st)
	}
	if st, _, _ = a.do("POST", edit[1], url.Values{"name": {"Interview invitation"}, "body": {"Hi {FirstName|there}!"}}); st != http.StatusSeeOther {
		t.Fatalf("update: %d", st)
	}

	// The recruiter sees the company's template in every composer, keeps a
	// template of their own and a signature, and cannot edit the company's.
	r := f.ts.browser(t)
	r.login(f.recruiter.Email, storetest.TestPassword)
	if st, _, _ := r.do("GET", edit[1], nil); st != http.StatusForbidden {
		t.Fatalf("a recruiter opens a company template's form: %d", st)
	}
	if st, _, _ := r.do("POST", "/settings/templates", url.Values{"name": {"Follow-up"}, "body": {"Any news, {FirstName}?"}}); st != http.StatusSeeOther {
		t.Fatalf("personal template: %d", st)
	}
	st, page, _ = r.do("POST", "/settings/signature", url.Values{"signature": {"{Salary}"}})
	if st != http.StatusUnprocessableEntity || !strings.Contains(page, "Unknown merge field {Salary}") || !strings.Contains(page, `value="{Salary}"`) {
		t.Fatalf("bad signature: %d", st)
	}
	if st, _, _ := r.do("POST", "/settings/signature", url.Values{"signature": {"- Rita, {CompanyName}"}, "signature_when": {"every"}}); st != http.StatusSeeOther {
		t.Fatalf("signature: %d", st)
	}
	_, page, _ = r.do("GET", "/settings", nil)
	mustContain(t, "settings", page, "Follow-up", `value="- Rita, {CompanyName}"`, `value="every" checked`)
	ann := f.candidate(t, "Ann")
	_, page, _ = r.do("GET", "/candidates/"+idStr(int64(ann.ID))+"/conversation", nil)
	mustContain(t, "conversation", page, ">Interview invitation</option>", ">Follow-up</option>",
		"Your signature is added to every text: “- Rita, {CompanyName}”")
}

// TestComposerWithoutJavaScript: the picker fills the composer, its search
// narrows the list, and Preview shows the text as a candidate receives it,
// all by plain GETs and form posts.
func TestComposerWithoutJavaScript(t *testing.T) {
	t.Parallel()
	f := newTextingFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	tpl, err := f.db.CreateTemplate(context.Background(), f.org.ID, f.recruiter.ID, hiretext.TemplateInput{Scope: hiretext.ScopePersonal,
		Name: "Interview invitation", Body: "Hi {FirstName}, can you interview for {JobTitle}?"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.CreateTemplate(context.Background(), f.org.ID, f.recruiter.ID, hiretext.TemplateInput{Scope: hiretext.ScopePersonal,
		Name: "Documents reminder", Body: "Please bring your ID."}); err != nil {
		t.Fatal(err)
	}
	ann := f.candidate(t, "Ann")
	b := f.ts.browser(t)
	b.login(f.recruiter.Email, storetest.TestPassword)
	conv := "/candidates/" + idStr(int64(ann.ID)) + "/conversation"

	_, page, _ := b.do("GET", conv+"?template_q=docu&pick=search", nil)
	if !strings.Contains(page, ">Documents reminder</option>") || strings.Contains(page, ">Interview invitation</option>") {
		t.Fatal("the search does not narrow the templates")
	}
	_, page, _ = b.do("GET", conv+"?template="+idStr(int64(tpl.ID))+"&pick=use", nil)
	mustContain(t, "picked", page, ">Hi {FirstName}, can you interview for {JobTitle}?</textarea>",
		`name="template_id" value="`+idStr(int64(tpl.ID))+`"`)
	send := "/candidates/" + idStr(int64(ann.ID)) + "/messages"
	st, page, _ := b.do("POST", send, url.Values{"preview": {"1"}, "body": {tpl.Body + "\r\nSee you!"}, "template_id": {idStr(int64(tpl.ID))}})
	mustContain(t, "preview", page, "Hi Ann, can you interview for Forklift Operator?\r\nSee you!</p>")
	if msgs, _ := f.db.CandidateMessages(context.Background(), f.org.ID, f.number.ID, ann.ID, time.Time{}); st != http.StatusOK || len(msgs) != 0 {
		t.Fatalf("preview: %d, %d texts stored", st, len(msgs))
	}

	st, _, _ = b.do("POST", send, url.Values{"body": {tpl.Body}, "template_id": {idStr(int64(tpl.ID))}})
	if st != http.StatusSeeOther {
		t.Fatalf("send: %d", st)
	}
	storetest.Eventually(t, "Ann's filled-in text on her phone", func() bool {
		got := f.handset(t, ann.TextingPhone())
		return len(got) == 1 && got[0] == "Hi Ann, can you interview for Forklift Operator?"
	})
	_, page, _ = b.do("GET", conv, nil)
	mustContain(t, "message details", page, "Template: Interview invitation")
}

// TestBulkComposerPreviewAndMissingValues: the bulk composer previews the
// text as any selected candidate receives it and counts the longest; a
// send with a value missing for some candidates is refused, listing them,
// and texts nobody.
func TestBulkComposerPreviewAndMissingValues(t *testing.T) {
	t.Parallel()
	f := newTextingFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	ann := f.candidate(t, "Ann")
	long := f.candidate(t, "Bartholomew-Maximilian")
	mono := storetest.MustApply(t, f.db, f.org.ID, storetest.Applicant(f.job.ID, "", "<i>Cher</i>"))
	b := f.ts.browser(t)
	b.login(f.recruiter.Email, storetest.TestPassword)
	ids := []string{idStr(int64(ann.ID)), idStr(int64(long.ID)), idStr(int64(mono.CandidateID))}
	form := func(pairs ...string) url.Values {
		v := url.Values{"candidate": ids, "send_key": {"k1"}, "job_id": {idStr(int64(f.job.ID))}}
		for i := 0; i+1 < len(pairs); i += 2 {
			v.Set(pairs[i], pairs[i+1])
		}
		return v
	}
	tpl, err := f.db.CreateTemplate(context.Background(), f.org.ID, f.recruiter.ID, hiretext.TemplateInput{Scope: hiretext.ScopePersonal,
		Name: "Talk", Body: "Hi {FirstName}, we'd like to talk about {JobTitle}."})
	if err != nil {
		t.Fatal(err)
	}
	_, page, _ := b.do("POST", "/messages/compose", form("template_q", "talk", "pick", "search"))
	mustContain(t, "search", page, `>Talk</option>`)
	_, page, _ = b.do("POST", "/messages/compose", form("template", idStr(int64(tpl.ID)), "pick", "use"))
	mustContain(t, "picked", page, ">Hi {FirstName}, we&#39;d like to talk about {JobTitle}.</textarea>",
		`name="template_id" value="`+idStr(int64(tpl.ID))+`"`)
	body := tpl.Body
	_, page, _ = b.do("POST", "/messages/compose", form("body", body, "preview", "1", "preview_as", ids[1]))
	mustContain(t, "preview", page, "Hi Bartholomew-Maximilian, we&#39;d like to talk about Forklift Operator.",
		"Longest text: 69 / 1600 characters · 1 segment (GSM-7)",
		"1 candidate has no first name: add a fallback like {FirstName|there}.", "&lt;i&gt;Cher&lt;/i&gt;")
	if strings.Contains(page, "<i>Cher</i>") {
		t.Fatal("a candidate's name is not shown inert")
	}
	st, page, _ := b.do("POST", "/messages/bulk", form("body", body))
	if st != http.StatusUnprocessableEntity || !strings.Contains(page, "1 candidate has no first name") {
		t.Fatalf("send with a missing first name: %d", st)
	}
	if n, _ := f.db.NumberByID(context.Background(), f.org.ID, f.number.ID); n.Usage.Used != 0 {
		t.Fatalf("a refused send used %d messages", n.Usage.Used)
	}
	st, _, _ = b.do("POST", "/messages/bulk", form("body", "Hi {FirstName|there}, about {JobTitle}."))
	if st != http.StatusSeeOther {
		t.Fatalf("send with a fallback: %d", st)
	}
	c, _ := f.db.CandidateByID(context.Background(), f.org.ID, mono.CandidateID)
	storetest.Eventually(t, "the fallback on Cher's phone", func() bool {
		got := f.handset(t, c.TextingPhone())
		return len(got) == 1 && got[0] == "Hi there, about Forklift Operator."
	})
}

// TestComposerPreviewEndpoint: the composer's script gets the longest
// text, one candidate's, and who lacks a value, in JSON; a text's own
// mistake is 422 with the message.
func TestComposerPreviewEndpoint(t *testing.T) {
	t.Parallel()
	f := newTextingFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	ann, bo := f.candidate(t, "Ann"), f.candidate(t, "Bo")
	b := f.ts.browser(t)
	b.login(f.recruiter.Email, storetest.TestPassword)
	v := url.Values{"candidate": {idStr(int64(ann.ID)), idStr(int64(bo.ID))}, "body": {"Hello {FirstName}, {RecruiterFirstName} here"},
		"preview_as": {idStr(int64(bo.ID))}}
	st, raw, _ := b.do("POST", "/messages/preview", v)
	var got struct {
		Longest, Preview struct {
			Name, Body string
			Segments   int
		}
		Missing []any
		Blocked string
	}
	if err := json.Unmarshal([]byte(raw), &got); err != nil || st != http.StatusOK {
		t.Fatalf("preview: %d %s", st, raw)
	}
	if got.Longest.Body != "Hello Ann, Rita here" || got.Preview.Body != "Hello Bo, Rita here" || got.Preview.Name != "Bo Tester" ||
		len(got.Missing) != 0 || got.Blocked != "" {
		t.Fatalf("preview: %+v", got)
	}
	v.Set("body", "Hi {Salary}")
	st, raw, _ = b.do("POST", "/messages/preview", v)
	if st != http.StatusUnprocessableEntity || !strings.Contains(raw, "Unknown merge field {Salary}") {
		t.Fatalf("unknown field: %d %s", st, raw)
	}
}

// TestTemplatesAPI covers the templates API: scopes, who may change them,
// names unique per owner, and 404 for another company's or a deleted one.
func TestTemplatesAPI(t *testing.T) {
	t.Parallel()
	f := newTextingFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	admin := storetest.MustCreateUser(t, f.db, f.org.ID, "Dana Admin", hiretext.RoleAdmin)
	at, rt := token(t, f.db, admin), token(t, f.db, f.recruiter)
	st, body := f.ts.api(t, rt, "POST", "/api/v1/templates", `{"name":"Open house","body":"Come Friday","scope":"company"}`)
	if st != http.StatusForbidden {
		t.Fatalf("a recruiter saves a company template: %d %v", st, body)
	}
	st, body = f.ts.api(t, at, "POST", "/api/v1/templates", `{"name":"Open house","body":"Come Friday, {FirstName|friend}","scope":"company"}`)
	if st != http.StatusCreated || body["scope"] != "company" {
		t.Fatalf("create: %d %v", st, body)
	}
	company := body["id"].(string)
	for _, c := range []struct{ body, field string }{
		{`{"name":"open  HOUSE","body":"x","scope":"company"}`, "name"},
		{`{"name":"A","body":"{Salary}","scope":"company"}`, "body"},
		{`{"name":"A","body":"` + strings.Repeat("a", 1601) + `","scope":"company"}`, "body"},
		{`{"name":"A","body":"a\u0000b","scope":"company"}`, "body"},
		{`{"name":"A","body":"x","scope":"team"}`, "scope"},
	} {
		st, body := f.ts.api(t, at, "POST", "/api/v1/templates", c.body)
		if fields, _ := body["error"].(map[string]any)["fields"].(map[string]any); st != 422 || fields[c.field] == nil {
			t.Errorf("%.40s: %d %v, want 422 on %s", c.body, st, body, c.field)
		}
	}
	st, body = f.ts.api(t, rt, "POST", "/api/v1/templates", `{"name":"Open house","body":"My own","scope":"personal"}`)
	if st != http.StatusCreated {
		t.Fatalf("personal template with the company's name: %d %v", st, body)
	}
	mine := body["id"].(string)
	if st, body = f.ts.api(t, rt, "GET", "/api/v1/templates?q=friday", ""); st != 200 || len(body["templates"].([]any)) != 1 {
		t.Fatalf("search: %d %v", st, body)
	}
	if st, _ = f.ts.api(t, at, "GET", "/api/v1/templates/"+mine, ""); st != http.StatusNotFound {
		t.Errorf("the administrator sees the recruiter's own template: %d", st)
	}
	if st, _ = f.ts.api(t, rt, "PATCH", "/api/v1/templates/"+company, `{"body":"x"}`); st != http.StatusForbidden {
		t.Errorf("a recruiter edits a company template: %d", st)
	}
	if st, body = f.ts.api(t, rt, "PATCH", "/api/v1/templates/"+mine, `{"scope":"company"}`); st != 422 {
		t.Errorf("scope change: %d %v", st, body)
	}
	if st, body = f.ts.api(t, rt, "PATCH", "/api/v1/templates/"+mine, `{"body":"Changed"}`); st != 200 || body["body"] != "Changed" || body["name"] != "Open house" {
		t.Errorf("patch: %d %v", st, body)
	}
	other := newTextingFixture(t, f.db)
	ot := token(t, f.db, other.recruiter)
	if st, _ = f.ts.api(t, ot, "GET", "/api/v1/templates/"+company, ""); st != http.StatusNotFound {
		t.Errorf("another company's template: %d", st)
	}
	req, _ := http.NewRequest("DELETE", f.ts.URL+"/api/v1/templates/"+mine, nil)
	req.Header.Set("Authorization", "Bearer "+rt)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %v %v", err, resp)
	}
	resp.Body.Close()
	ann := f.candidate(t, "Ann")
	st, body = f.ts.api(t, rt, "POST", "/api/v1/messages", fmt.Sprintf(`{"candidate_ids":[%q],"template_id":%q}`, idStr(int64(ann.ID)), mine))
	if st != http.StatusNotFound {
		t.Errorf("send from a deleted template: %d %v", st, body)
	}
}

// TestSendAPIWithMergeFields: the API fills fields in per candidate and
// returns each text; missing values are 422 naming the candidates; a
// preview sends nothing.
func TestSendAPIWithMergeFields(t *testing.T) {
	t.Parallel()
	f := newTextingFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	ann := f.candidate(t, "Ann")
	mono := storetest.MustApply(t, f.db, f.org.ID, storetest.Applicant(f.job.ID, "", "Suharto"))
	tok := token(t, f.db, f.recruiter)
	ids := fmt.Sprintf(`[%q,%q]`, idStr(int64(ann.ID)), idStr(int64(mono.CandidateID)))

	st, body := f.ts.api(t, tok, "POST", "/api/v1/messages/preview", `{"candidate_ids":`+ids+`,"body":"Hi {FirstName}, {LastName}"}`)
	previews, _ := body["previews"].([]any)
	if st != 200 || len(previews) != 2 {
		t.Fatalf("preview: %d %v", st, body)
	}
	p0, p1 := previews[0].(map[string]any), previews[1].(map[string]any)
	if p0["body"] != "Hi Ann, Tester" || p0["segments"] != 1.0 || p0["encoding"] != "GSM-7" || len(p0["missing"].([]any)) != 0 ||
		p1["missing"].([]any)[0] != "FirstName" {
		t.Fatalf("previews: %v", previews)
	}
	st, body = f.ts.api(t, tok, "POST", "/api/v1/messages", `{"candidate_ids":`+ids+`,"body":"Hi {FirstName}"}`)
	e, _ := body["error"].(map[string]any)
	missing, _ := e["missing"].([]any)
	if st != 422 || len(missing) != 1 || missing[0].(map[string]any)["field"] != "FirstName" ||
		missing[0].(map[string]any)["candidate_ids"].([]any)[0] != idStr(int64(mono.CandidateID)) {
		t.Fatalf("missing first name: %d %v", st, body)
	}
	st, body = f.ts.api(t, tok, "POST", "/api/v1/messages", `{"candidate_ids":`+ids+`,"body":"Hi {FirstName|there}"}`)
	results, _ := body["results"].([]any)
	if st != 202 || results[0].(map[string]any)["body"] != "Hi Ann" || results[1].(map[string]any)["body"] != "Hi there" {
		t.Fatalf("send: %d %v", st, body)
	}
}

// TestActivityExportNamesTheTemplate: the SMS Activity report and its CSV
// and XLSX show the template each text came from.
func TestActivityExportNamesTheTemplate(t *testing.T) {
	t.Parallel()
	f := newTextingFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	admin := storetest.MustCreateUser(t, f.db, f.org.ID, "Dana Admin", hiretext.RoleAdmin)
	tpl, err := f.db.CreateTemplate(context.Background(), f.org.ID, admin.ID, hiretext.TemplateInput{Scope: hiretext.ScopeCompany,
		Name: "Open house", Body: "Open house Friday, {FirstName}!"})
	if err != nil {
		t.Fatal(err)
	}
	ann := f.candidate(t, "Ann")
	if _, err := f.db.SendMessages(context.Background(), hiretext.SendRequest{OrgID: f.org.ID, UserID: f.recruiter.ID,
		CandidateIDs: []hiretext.CandidateID{ann.ID}, TemplateID: tpl.ID}); err != nil {
		t.Fatal(err)
	}
	b := f.ts.browser(t)
	b.login(admin.Email, storetest.TestPassword)
	_, page, _ := b.do("GET", "/reports/sms-activity", nil)
	mustContain(t, "report", page, `Open house Friday, Ann!<span class="report-template">Template: Open house</span>`)
	raw, _ := b.get("/reports/sms-activity.csv", http.StatusOK)
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(raw, "\ufeff"))).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("csv: %v, %d rows", err, len(rows))
	}
	if h := rows[0]; h[12] != "Template" || rows[1][12] != "Open house" {
		t.Fatalf("csv header %v, row %v", rows[0], rows[1])
	}
	raw, _ = b.get("/reports/sms-activity.xlsx", http.StatusOK)
	if x := readXLSX(t, []byte(raw)); len(x) != 2 || x[0][12] != "Template" || x[1][12] != "Open house" {
		t.Fatalf("xlsx rows %v", x)
	}
}
