package server_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/storetest"
)

// TestApplyJourney is the "done when", as a new user would try it:
// apply on the public form choosing the alternate phone, find the candidate
// in the pool, see the consent on the profile, apply again declining texts.
func TestApplyJourney(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	applicant := f.ts.browser(t)
	st, form, _ := applicant.do("GET", f.applyPath(f.job), nil)
	if st != http.StatusOK {
		t.Fatalf("public form: %d", st)
	}
	mustContain(t, "public form", form, "Forklift Operator", "Acme Staffing may text you", "Reply STOP to opt out",
		"May we text you about your application?", `name="website"`)
	if regexp.MustCompile(`name="sms_opt_in" value="[a-z]+" checked`).MatchString(form) {
		t.Error("a texting choice is preselected")
	}

	st, _, h := f.apply(t, applicant, f.job, application())
	if st != http.StatusSeeOther || !strings.HasSuffix(h.Get("Location"), "/thanks") {
		t.Fatalf("apply: %d %s", st, h.Get("Location"))
	}
	_, thanks, _ := applicant.do("GET", h.Get("Location"), nil)
	mustContain(t, "confirmation", thanks, "Application received", "Thank you, Ana", "(773) 555-0102")

	rita := f.as(t, f.recruiter)
	_, pool, _ := rita.do("GET", "/candidates?q=garcia", nil)
	c := f.candidateByEmail(t, "ana.garcia@example.com")
	if c == nil {
		t.Fatal("the application stored no candidate")
	}
	id := idStr(int64(c.ID))
	mustContain(t, "pool", pool, "Ana García", "Opted in (alternate)", `<td class="actions" data-candidate-id="`+id+`"`,
		`href="/candidates/`+id+`"`)

	_, profile, _ := rita.do("GET", "/candidates/"+id, nil)
	mustContain(t, "profile", profile, "Opted in (alternate)", "(773) 555-0102", "Consent history", "Application #", "from 127.0.0.1",
		"Disclosure shown", "Acme Staffing may text you")

	again := application("sms_opt_in", "none", "email", "ANA.GARCIA@example.com")
	if st, _, _ := f.apply(t, f.ts.browser(t), f.job, again); st != http.StatusSeeOther {
		t.Fatalf("second application: %d", st)
	}
	_, profile, _ = rita.do("GET", "/candidates/"+id, nil)
	mustContain(t, "profile after declining", profile, "SMS: Opted Out", "Opted out", "Do not text me", "Text my alternate phone")
	if f.poolSize(t) != 1 {
		t.Fatalf("pool has %d candidates, want the returning candidate once", f.poolSize(t))
	}
}

// TestApplyWithoutTextingAnswerOptsOut: the texting question is never
// required. An applicant who chooses nothing is accepted, told they will
// not be texted, and opted out, the consent ledger saying why.
func TestApplyWithoutTextingAnswerOptsOut(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	applicant := f.ts.browser(t)
	_, form, _ := applicant.do("GET", f.applyPath(f.job), nil)
	mustContain(t, "public form", form, "If you choose nothing, we will not text you.")
	values := application()
	values.Del("sms_opt_in")
	st, _, h := f.apply(t, applicant, f.job, values)
	if st != http.StatusSeeOther || !strings.HasSuffix(h.Get("Location"), "/thanks") {
		t.Fatalf("apply without a texting answer: %d, want 303 to the thanks page", st)
	}
	_, thanks, _ := applicant.do("GET", h.Get("Location"), nil)
	mustContain(t, "confirmation", thanks, "Thank you, Ana", "You did not choose whether we may text you, so we will not.")
	c := f.candidateByEmail(t, "ana.garcia@example.com")
	if c == nil || c.SMSStatus != hiretext.SMSOptedOut {
		t.Fatalf("candidate = %+v, want one opted out", c)
	}
	assertNoAnswerLedger(t, f, c.ID, hiretext.ChannelForm)
	_, profile, _ := f.as(t, f.recruiter).do("GET", "/candidates/"+idStr(int64(c.ID)), nil)
	mustContain(t, "profile", profile, "SMS: Opted Out", "Not answered", "Job application", hiretext.NoAnswerNote)
}

// assertNoAnswerLedger checks that the candidate's one consent entry is an
// opt-out by their application of channel, for having given no answer.
func assertNoAnswerLedger(t *testing.T, f *atsFixture, id hiretext.CandidateID, channel hiretext.ApplicationChannel) {
	t.Helper()
	events, err := f.db.ConsentHistory(t.Context(), f.org.ID, id)
	if err != nil || len(events) != 1 {
		t.Fatalf("ledger: %d entries, %v; want 1", len(events), err)
	}
	e := events[0]
	if e.Status != hiretext.SMSOptedOut || e.Source != hiretext.ConsentApplication || e.ApplicationID == 0 || e.Note != hiretext.NoAnswerNote {
		t.Fatalf("ledger entry = %+v, want an opt-out by the application for no answer", e)
	}
	apps, err := f.db.CandidateApplications(t.Context(), f.org.ID, id)
	if err != nil || len(apps) != 1 || apps[0].SMSAnswer != hiretext.AnswerUnanswered || apps[0].Channel != channel {
		t.Fatalf("applications = %+v, %v; want one unanswered by %s", apps, err, channel)
	}
}

func TestApplyShowsEveryErrorAndStoresNothing(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	b := f.ts.browser(t)
	cases := []struct {
		name   string
		values url.Values
		errors []string
	}{
		{"everything wrong", application("last_name", "", "email", "not-an-email", "main_phone", "555-0100", "sms_opt_in", "yes"),
			[]string{"last_name-error", "email-error", "main_phone-error", "sms_opt_in-error"}},
		{"alternate chosen, none given", application("alternate_phone", ""), []string{"alternate_phone-error"}},
		{"invalid alternate", application("alternate_phone", "+1 123 456 7890", "sms_opt_in", "main"), []string{"alternate_phone-error"}},
		{"unknown choice", application("sms_opt_in", "unanswered"), []string{"sms_opt_in-error"}},
	}
	for _, c := range cases {
		st, body, _ := f.apply(t, b, f.job, c.values)
		if st != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422", c.name, st)
		}
		for _, id := range c.errors {
			if !strings.Contains(body, `id="`+id+`"`) {
				t.Errorf("%s: no %s", c.name, id)
			}
		}
		mustContain(t, c.name, body, "Please correct the following", `value="`+c.values.Get("last_name")+`"`)
	}
	if n := f.poolSize(t); n != 0 {
		t.Fatalf("invalid applications stored %d candidates", n)
	}
}

func TestApplyHoneypotAndRateLimit(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	b := f.ts.browser(t)
	st, _, h := f.apply(t, b, f.job, application("website", "http://spam.example"))
	if st != http.StatusSeeOther || !strings.HasSuffix(h.Get("Location"), "/thanks") || f.poolSize(t) != 0 {
		t.Fatalf("honeypot: %d %s, %d candidates; want a thank-you and nothing stored", st, h.Get("Location"), f.poolSize(t))
	}
	// Every submission counts: 20 per address per hour, then 429.
	for i := 1; i < 20; i++ {
		if st, _, _ := b.do("POST", f.applyPath(f.job), url.Values{"first_name": {"x"}}); st != http.StatusUnprocessableEntity {
			t.Fatalf("submission %d: %d", i+1, st)
		}
	}
	st, body, h := b.do("POST", f.applyPath(f.job), application())
	if st != http.StatusTooManyRequests || h.Get("Retry-After") == "" || !strings.Contains(body, "Too many applications") {
		t.Fatalf("21st submission: %d, Retry-After %q", st, h.Get("Retry-After"))
	}
	if f.poolSize(t) != 0 {
		t.Fatal("a rate-limited application was stored")
	}
}

func TestApplyToClosedOrUnknownJob(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	closed := hiretext.JobClosed
	if _, err := f.db.UpdateJob(t.Context(), f.org.ID, f.job.ID, hiretext.JobUpdate{Status: &closed}); err != nil {
		t.Fatal(err)
	}
	b := f.ts.browser(t)
	st, body, _ := b.do("GET", f.applyPath(f.job), nil)
	if st != http.StatusNotFound || !strings.Contains(body, "closed and no longer accepts applications") {
		t.Errorf("closed job form: %d", st)
	}
	if st, _, _ := b.do("POST", f.applyPath(f.job), application()); st != http.StatusNotFound {
		t.Errorf("closed job POST: %d", st)
	}
	for _, path := range []string{"/apply/no-such-company/" + idStr(int64(f.job.ID)), "/apply/" + f.org.Slug + "/999999", "/apply/" + f.org.Slug + "/abc"} {
		if st, _, _ := b.do("GET", path, nil); st != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, st)
		}
	}
	other := storetest.MustCreateOrg(t, f.db, "Globex")
	if st, _, _ := b.do("GET", "/apply/"+other.Slug+"/"+idStr(int64(f.job.ID)), nil); st != http.StatusNotFound {
		t.Errorf("a job under another company's slug: %d, want 404", st)
	}
}

// TestApplyAfterDisclosureChange refuses an opt-in given under a disclosure
// that is no longer in force: the ledger must hold the text the applicant
// actually agreed to.
func TestApplyAfterDisclosureChange(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	b := f.ts.browser(t)
	_, form, _ := b.do("GET", f.applyPath(f.job), nil)
	old := disclosureVersion(t, form)
	_, err := f.db.UpdateTextingSettings(t.Context(), f.org.ID, hiretext.TextingSettingsUpdate{
		ConsentDisclosure:  "New terms from {Company}. Reply STOP to opt out, HELP for help.",
		OptOutConfirmation: hiretext.DefaultOptOutConfirmation, OptInConfirmation: hiretext.DefaultOptInConfirmation,
		HelpReply: hiretext.DefaultHelpReply}, f.admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	st, body, _ := b.do("POST", f.applyPath(f.job), application("disclosure_version", old))
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, "changed while you filled in the form") ||
		!strings.Contains(body, "New terms from Acme Staffing") || f.poolSize(t) != 0 {
		t.Fatalf("opt-in under an old disclosure: %d, %d candidates", st, f.poolSize(t))
	}
	if st, _, _ := b.do("POST", f.applyPath(f.job), application("disclosure_version", disclosureVersion(t, body))); st != http.StatusSeeOther {
		t.Fatalf("opt-in under the new disclosure: %d", st)
	}
	c := f.candidateByEmail(t, "ana.garcia@example.com")
	events, _ := f.db.ConsentHistory(t.Context(), f.org.ID, c.ID)
	if len(events) != 1 || events[0].Disclosure != "New terms from Acme Staffing. Reply STOP to opt out, HELP for help." ||
		events[0].UserAgent != "Go-http-client/1.1" {
		t.Fatalf("ledger = %+v, want the disclosure shown and the browser", events)
	}
}

// TestMononymApplies: a person with one name applies on the form and
// through the API with no first name; the form says so, and the profile
// and the thanks page show the one name.
func TestMononymApplies(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	b := f.ts.browser(t)
	st, form, _ := b.do("GET", f.applyPath(f.job), nil)
	mustContain(t, "form", form, "leave empty if you have only one name")
	if st != http.StatusOK {
		t.Fatalf("form: %d", st)
	}
	st, _, h := f.apply(t, b, f.job, application("first_name", "", "last_name", "Suharto", "email", "suharto@example.com"))
	if st != http.StatusSeeOther {
		t.Fatalf("mononym application: %d", st)
	}
	_, thanks, _ := b.do("GET", h.Get("Location"), nil)
	mustContain(t, "thanks", thanks, "Thank you, Suharto.")
	c := f.candidateByEmail(t, "suharto@example.com")
	if c == nil || c.FirstName != "" || c.Name() != "Suharto" {
		t.Fatalf("candidate %+v", c)
	}
	rec := f.ts.browser(t)
	rec.login(f.recruiter.Email, storetest.TestPassword)
	_, profile, _ := rec.do("GET", "/candidates/"+idStr(int64(c.ID)), nil)
	mustContain(t, "profile", profile, "<h1>Suharto</h1>", "Suharto agreed to texts on the alternate phone")

	st, body := f.ts.api(t, token(t, f.db, f.recruiter), "POST", "/api/v1/jobs/"+idStr(int64(f.job.ID))+"/applications",
		`{"last_name":"Madonna","email":"madonna@example.com","main_phone":"(312) 555-0177","sms_opt_in":"none"}`)
	if st != http.StatusCreated {
		t.Fatalf("API mononym: %d %v", st, body)
	}
}
