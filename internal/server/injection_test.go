package server_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/export"
	"github.com/hiretext/hiretext/internal/phone"
	"github.com/hiretext/hiretext/internal/storetest"
)

// xssPayload runs script wherever a page writes it as HTML rather than text.
const xssPayload = `<script>window.__pwned=1</script><img src=x onerror=alert(1)>`

// xssEscaped is xssPayload as html/template writes it in text.
const xssEscaped = `&lt;script&gt;window.__pwned=1&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;`

// TestUserTextRendersAsText puts markup in every kind of text people type —
// a user's name, a job title, a candidate's names, consent notes and texts
// both ways, from a candidate and from an unknown sender — and checks each
// page that shows them has only the escaped form.
func TestUserTextRendersAsText(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newTextingFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	admin := storetest.MustCreateUser(t, f.db, f.org.ID, "Dana Admin", hiretext.RoleAdmin)
	name := xssPayload
	if _, err := f.db.UpdateUser(ctx, f.org.ID, f.recruiter.ID, hiretext.UserUpdate{Name: &name}); err != nil {
		t.Fatal(err)
	}
	job := storetest.MustCreateJob(t, f.db, f.org.ID, xssPayload)
	a := storetest.MustApply(t, f.db, f.org.ID, storetest.Applicant(job.ID, xssPayload, xssPayload))
	for _, change := range []hiretext.SMSChange{{Status: hiretext.SMSOptedOut, Note: xssPayload},
		{Status: hiretext.SMSOptedIn, Phone: hiretext.PhoneMain, Note: xssPayload, Confirmed: true}} {
		if _, err := f.db.UpdateCandidate(ctx, f.org.ID, a.CandidateID, hiretext.CandidateUpdate{SMS: &change}, f.recruiter.ID); err != nil {
			t.Fatal(err)
		}
	}
	cand, _ := f.db.CandidateByID(ctx, f.org.ID, a.CandidateID)
	candPhone, _ := phone.Parse(cand.MainPhone, "US")
	rec := f.ts.browser(t)
	rec.login(f.recruiter.Email, storetest.TestPassword)
	profile := "/candidates/" + idStr(int64(cand.ID))
	if st, _, _ := rec.do("POST", profile+"/messages", url.Values{"body": {xssPayload}}); st != http.StatusSeeOther {
		t.Fatalf("send: %d", st)
	}
	storetest.Eventually(t, "the text on the handset", func() bool { return len(f.handset(t, candPhone)) == 1 })
	for _, from := range []string{candPhone, storetest.RandomPhone(t)} {
		if _, err := f.sim.SimulateInbound(ctx, from, f.number.Phone, xssPayload); err != nil {
			t.Fatal(err)
		}
	}
	var unknown string
	storetest.Eventually(t, "both replies", func() bool {
		convs, _ := f.db.ListConversations(ctx, f.org.ID, f.number.ID, true, 10)
		for _, v := range convs {
			if v.CandidateID == 0 {
				unknown = idStr(int64(v.ID))
			}
		}
		return len(convs) == 2
	})

	// The bell and inbox first: opening a conversation marks it read.
	recPages := []string{"/bell", "/inbox", "/candidates", "/jobs/" + idStr(int64(job.ID)), profile,
		profile + "/conversation", profile + "/conversation?partial=1", "/conversations/" + unknown}
	for _, path := range recPages {
		checkEscaped(t, rec, "GET", path, nil)
	}
	checkEscaped(t, rec, "POST", "/messages/compose", url.Values{"candidate": {idStr(int64(cand.ID))}})
	adm := f.ts.browser(t)
	adm.login(admin.Email, storetest.TestPassword)
	for _, path := range []string{"/admin/users", "/admin/users/" + idStr(int64(f.recruiter.ID)), "/admin/numbers",
		"/admin/numbers/" + idStr(int64(f.number.ID)) + "/assign", "/reports/sms-activity"} {
		checkEscaped(t, adm, "GET", path, nil)
	}
	anon := f.ts.browser(t)
	checkEscaped(t, anon, "GET", "/simulator?phone="+url.QueryEscape(candPhone), nil)
	checkEscaped(t, anon, "GET", "/apply/"+f.org.Slug+"/"+idStr(int64(job.ID)), nil)
}

// checkEscaped fetches a page and fails unless it shows the payload, and
// only escaped.
func checkEscaped(t *testing.T, b *browser, method, path string, form url.Values) {
	t.Helper()
	st, body, _ := b.do(method, path, form)
	switch {
	case st != http.StatusOK:
		t.Errorf("%s %s: %d", method, path, st)
	case strings.Contains(body, "<script>window.__pwned") || strings.Contains(body, "<img src=x"):
		t.Errorf("%s %s writes the payload as HTML", method, path)
	case !strings.Contains(body, xssEscaped):
		t.Errorf("%s %s does not show the payload as text", method, path)
	}
}

// TestExportsNeutraliseFormulas exports names, notes and texts that a
// spreadsheet would run as formulas from every CSV download: the pool, a
// job's applicants, a consent history and the SMS Activity report. The
// candidate's phone is in every one of them, as on screen and with no
// apostrophe: nothing about it can run.
func TestExportsNeutraliseFormulas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newTextingFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	admin := storetest.MustCreateUser(t, f.db, f.org.ID, "Dana Admin", hiretext.RoleAdmin)
	formulas := []string{`=HYPERLINK("http://evil.example","Open")`, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1", "\n=1", "＝HYPERLINK(\"http://evil.example\")", "＋1＋1"}
	a := storetest.MustApply(t, f.db, f.org.ID, storetest.Applicant(f.job.ID, formulas[0], formulas[1]))
	c, err := f.db.CandidateByID(ctx, f.org.ID, a.CandidateID)
	if err != nil {
		t.Fatal(err)
	}
	change := hiretext.SMSChange{Status: hiretext.SMSOptedOut, Note: formulas[3]}
	if _, err := f.db.UpdateCandidate(ctx, f.org.ID, a.CandidateID, hiretext.CandidateUpdate{SMS: &change}, f.recruiter.ID); err != nil {
		t.Fatal(err)
	}
	change = hiretext.SMSChange{Status: hiretext.SMSOptedIn, Phone: hiretext.PhoneMain, Note: formulas[2], Confirmed: true}
	if _, err := f.db.UpdateCandidate(ctx, f.org.ID, a.CandidateID, hiretext.CandidateUpdate{SMS: &change}, f.recruiter.ID); err != nil {
		t.Fatal(err)
	}
	for _, body := range formulas[4:] { // notes are trimmed; texts keep leading tabs and returns
		if _, err := f.db.SendMessages(ctx, hiretext.SendRequest{OrgID: f.org.ID, UserID: f.recruiter.ID,
			CandidateIDs: []hiretext.CandidateID{a.CandidateID}, Body: body}); err != nil {
			t.Fatal(err)
		}
	}
	b := f.ts.browser(t)
	b.login(admin.Email, storetest.TestPassword)
	cand := url.Values{"candidate": {idStr(int64(a.CandidateID))}}
	for _, d := range []struct {
		method, path string
		form         url.Values
		want         []string // cells that must be there, neutralised
	}{
		{"POST", "/candidates/export", cand, formulas[:2]},
		{"POST", "/jobs/" + idStr(int64(f.job.ID)) + "/export", cand, formulas[:2]},
		{"GET", "/candidates/" + idStr(int64(a.CandidateID)) + "/consent.csv", nil, formulas[2:4]},
		{"GET", "/reports/sms-activity.csv", nil, formulas[4:]},
	} {
		st, body, _ := b.do(d.method, d.path, d.form)
		if st != http.StatusOK {
			t.Errorf("%s %s: %d", d.method, d.path, st)
			continue
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
		if err != nil {
			t.Errorf("%s: %v", d.path, err)
			continue
		}
		cells := map[string]bool{}
		for _, row := range rows {
			for _, cell := range row {
				cells[cell] = true
				if first, _ := utf8.DecodeRuneInString(cell); cell != "" && strings.ContainsRune(export.FormulaStarts, first) {
					t.Errorf("%s: cell %q would run as a formula", d.path, cell)
				}
			}
		}
		if shown := phone.Format(c.MainPhone); !cells[shown] {
			t.Errorf("%s: no cell %q (the phone as on screen, without an apostrophe)", d.path, shown)
		}
		for _, w := range d.want {
			if !cells["'"+w] {
				t.Errorf("%s: no cell %q", d.path, "'"+w)
			}
		}
	}
}
