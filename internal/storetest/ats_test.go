package storetest

import (
	"strconv"
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
	"github.com/hiretext/hiretext/internal/sms/simulator"
	"github.com/hiretext/hiretext/internal/store"
)

func TestJobs(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		org := MustCreateOrg(t, db, "Acme")
		_, err := db.CreateJob(ctx, org.ID, hiretext.NewJob{Title: " ", Location: strings.Repeat("x", 201)})
		if f := hiretext.ErrorFields(err); f["title"] == "" || f["location"] == "" {
			t.Fatalf("invalid job: fields = %v, want title and location errors", f)
		}
		older := MustCreateJob(t, db, org.ID, "Forklift Operator")
		newer, err := db.CreateJob(ctx, org.ID, hiretext.NewJob{Title: "  Nurse  ", Description: "Nights."})
		if err != nil || newer.Title != "Nurse" || !newer.IsOpen() {
			t.Fatalf("CreateJob = %+v, %v", newer, err)
		}
		closed := hiretext.JobClosed
		if _, err := db.UpdateJob(ctx, org.ID, newer.ID, hiretext.JobUpdate{Status: &closed}); err != nil {
			t.Fatal(err)
		}
		jobs, _ := db.ListJobs(ctx, org.ID)
		if len(jobs) != 2 || jobs[0].ID != older.ID || jobs[1].Status != hiretext.JobClosed {
			t.Fatalf("ListJobs = %+v, want the open job first", jobs)
		}
		bad, empty := hiretext.JobStatus("paused"), ""
		_, err = db.UpdateJob(ctx, org.ID, older.ID, hiretext.JobUpdate{Status: &bad, Title: &empty})
		if f := hiretext.ErrorFields(err); f["status"] == "" || f["title"] == "" {
			t.Fatalf("invalid update: fields = %v", f)
		}
		if got, _ := db.JobByID(ctx, org.ID, older.ID); got.Title != "Forklift Operator" || !got.IsOpen() {
			t.Fatalf("an invalid update changed the job: %+v", got)
		}
	})
}

func TestApplyRecordsConsentWithEvidence(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		org := MustCreateOrg(t, db, "Acme")
		job := MustCreateJob(t, db, org.ID, "Welder")
		n := Applicant(job.ID, "Ana", "García")
		n.Email, n.MainPhone, n.AlternatePhone = " Ana.Garcia@Example.com ", "(312) 555-0101", "773.555.0102"
		n.SMS, n.UserAgent = hiretext.AnswerAlternate, "Mozilla/5.0 (test)"
		app := MustApply(t, db, org.ID, n)
		c, err := db.CandidateByID(ctx, org.ID, app.CandidateID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Email != "ana.garcia@example.com" || c.MainPhone != "+13125550101" || c.AlternatePhone != "+17735550102" {
			t.Fatalf("candidate = %+v, want normalized email and E.164 phones", c)
		}
		if c.SMSStatus != hiretext.SMSOptedIn || c.SMSPhone != hiretext.PhoneAlternate || c.TextingPhone() != "+17735550102" {
			t.Fatalf("consent = %s/%s (%q), want opted in on the alternate phone", c.SMSStatus, c.SMSPhone, c.TextingPhone())
		}
		events, _ := db.ConsentHistory(ctx, org.ID, c.ID)
		if len(events) != 1 {
			t.Fatalf("ledger has %d events, want 1", len(events))
		}
		e := events[0]
		if e.Source != hiretext.ConsentApplication || e.ApplicationID != app.ID || e.Disclosure != hiretext.DefaultConsentDisclosure ||
			e.IP != "203.0.113.7" || e.UserAgent != "Mozilla/5.0 (test)" || e.PhoneNumber != "+17735550102" || e.Phone != hiretext.PhoneAlternate {
			t.Fatalf("ledger event = %+v, want the application's evidence", e)
		}
		if job, _ := db.JobByID(ctx, org.ID, job.ID); job.Applicants != 1 {
			t.Fatalf("job applicants = %d, want 1", job.Applicants)
		}
	})
}

func TestApplyInvalidStoresNothing(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		org := MustCreateOrg(t, db, "Acme")
		job := MustCreateJob(t, db, org.ID, "Welder")
		cases := []struct {
			name   string
			change func(*hiretext.NewApplication)
			fields []string
		}{
			{"everything wrong", func(n *hiretext.NewApplication) {
				n.FirstName, n.LastName, n.Email, n.MainPhone, n.SMS = "", "", "nope", "12", ""
			}, []string{"last_name", "email", "main_phone", "sms_opt_in"}}, // a mononym has no first name
			{"alternate chosen without one", func(n *hiretext.NewApplication) { n.SMS = hiretext.AnswerAlternate }, []string{"alternate_phone"}},
			{"invalid alternate", func(n *hiretext.NewApplication) { n.AlternatePhone = "+1 123 456 7890" }, []string{"alternate_phone"}},
			{"alternate equals main", func(n *hiretext.NewApplication) { n.AlternatePhone = n.MainPhone }, []string{"alternate_phone"}},
			{"opt-in without disclosure", func(n *hiretext.NewApplication) { n.Disclosure = "" }, []string{"disclosure"}},
		}
		for _, c := range cases {
			n := Applicant(job.ID, "Bo", "Diaz")
			c.change(&n)
			_, err := db.Apply(ctx, org.ID, n)
			got := hiretext.ErrorFields(err)
			for _, f := range c.fields {
				if got[f] == "" {
					t.Errorf("%s: fields = %v, want an error on %s", c.name, got, f)
				}
			}
		}
		page, _ := db.SearchCandidates(ctx, org.ID, hiretext.CandidateQuery{})
		if len(page.Entries) != 0 {
			t.Fatalf("invalid applications stored %d candidates", len(page.Entries))
		}
	})
}

func TestApplyToClosedOrMissingJob(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		org := MustCreateOrg(t, db, "Acme")
		job := MustCreateJob(t, db, org.ID, "Welder")
		closed := hiretext.JobClosed
		if _, err := db.UpdateJob(ctx, org.ID, job.ID, hiretext.JobUpdate{Status: &closed}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Apply(ctx, org.ID, Applicant(job.ID, "Bo", "Diaz")); hiretext.ErrorCode(err) != hiretext.EConflict {
			t.Fatalf("apply to a closed job: %v, want conflict", err)
		}
		if _, err := db.Apply(ctx, org.ID, Applicant(job.ID+100, "Bo", "Diaz")); hiretext.ErrorCode(err) != hiretext.ENotFound {
			t.Fatalf("apply to a missing job: %v, want not found", err)
		}
	})
}

func TestReturningCandidate(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		org := MustCreateOrg(t, db, "Acme")
		welder := MustCreateJob(t, db, org.ID, "Welder")
		driver := MustCreateJob(t, db, org.ID, "Driver")
		first := Applicant(welder.ID, "Cy", "Young")
		first.AlternatePhone, first.SMS = "(773) 555-0177", hiretext.AnswerAlternate
		a1 := MustApply(t, db, org.ID, first)

		// Same email, new main phone, no texting: the same candidate, opted out.
		again := first
		again.JobID, again.Email, again.MainPhone = driver.ID, strings.ToUpper(first.Email), "(312) 555-0188"
		again.AlternatePhone, again.SMS = "", hiretext.AnswerNone
		a2 := MustApply(t, db, org.ID, again)
		c, _ := db.CandidateByID(ctx, org.ID, a1.CandidateID)
		if a2.CandidateID != a1.CandidateID || c.MainPhone != "+13125550188" || c.AlternatePhone != "" || c.OptedIn() {
			t.Fatalf("returning candidate = %+v (ids %d, %d), want one candidate, new phone, opted out", c, a1.CandidateID, a2.CandidateID)
		}
		if c.SMSLabel() != "SMS: Opted Out" {
			t.Fatalf("label %q", c.SMSLabel())
		}

		// New email but a known phone: still the same candidate, opted back in.
		third := Applicant(welder.ID, "Cy", "Young")
		third.MainPhone = "+1 312 555 0188"
		a3 := MustApply(t, db, org.ID, third)
		c, _ = db.CandidateByID(ctx, org.ID, a1.CandidateID)
		if a3.CandidateID != a1.CandidateID || c.Email != third.Email || c.TextingPhone() != "+13125550188" {
			t.Fatalf("phone match: candidate %d = %+v, want %d opted in with the new email", a3.CandidateID, c, a1.CandidateID)
		}
		apps, _ := db.CandidateApplications(ctx, org.ID, c.ID)
		events, _ := db.ConsentHistory(ctx, org.ID, c.ID)
		if len(apps) != 3 || apps[0].ID != a3.ID || apps[1].JobTitle != "Driver" || len(events) != 3 {
			t.Fatalf("%d applications, %d events; want 3 and 3, newest first", len(apps), len(events))
		}
		if events[1].Status != hiretext.SMSOptedOut || events[1].PhoneNumber != "+17735550177" ||
			events[2].Phone != hiretext.PhoneAlternate || events[2].PhoneNumber != "+17735550177" {
			t.Fatalf("ledger = %+v %+v; the opt-out covers, and history keeps, the old alternate phone", events[1], events[2])
		}
		if welder, _ := db.JobByID(ctx, org.ID, welder.ID); welder.Applicants != 1 {
			t.Fatalf("welder applicants = %d, want 1 distinct candidate", welder.Applicants)
		}
	})
}

func TestCandidatesByPhone(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		org := MustCreateOrg(t, db, "Acme")
		job := MustCreateJob(t, db, org.ID, "Welder")
		a := Applicant(job.ID, "Di", "Ng")
		a.MainPhone = "(312) 555-0140"
		b := Applicant(job.ID, "Ed", "Ng")
		b.MainPhone, b.AlternatePhone = "(773) 555-0141", "(312) 555-0142"
		ca, cb := MustApply(t, db, org.ID, a), MustApply(t, db, org.ID, b)
		for phone, want := range map[string]hiretext.CandidateID{"+13125550140": ca.CandidateID, "+13125550142": cb.CandidateID} {
			got, err := db.CandidatesByPhone(ctx, org.ID, phone)
			if err != nil || len(got) != 1 || got[0].ID != want {
				t.Errorf("CandidatesByPhone(%s) = %v, %v; want candidate %d", phone, got, err, want)
			}
		}
		if got, _ := db.CandidatesByPhone(ctx, org.ID, "+13125550199"); len(got) != 0 {
			t.Errorf("unknown phone matched %d candidates", len(got))
		}
	})
}

func TestUpdateCandidateConsent(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		org := MustCreateOrg(t, db, "Acme")
		rita := MustCreateUser(t, db, org.ID, "Rita Recruiter", hiretext.RoleUser, hiretext.PermProfiles)
		job := MustCreateJob(t, db, org.ID, "Welder")
		n := Applicant(job.ID, "Flo", "Park")
		n.SMS = hiretext.AnswerNone
		id := MustApply(t, db, org.ID, n).CandidateID

		// Opting in needs a phone that exists and the user's confirmation.
		_, err := db.UpdateCandidate(ctx, org.ID, id, hiretext.CandidateUpdate{SMS: &hiretext.SMSChange{
			Status: hiretext.SMSOptedIn, Phone: hiretext.PhoneAlternate}}, rita.ID)
		if f := hiretext.ErrorFields(err); f["sms_phone"] == "" || f["confirm"] == "" {
			t.Fatalf("unconfirmed opt-in on a missing phone: fields = %v", f)
		}
		alt := "(773) 555-0155"
		c, err := db.UpdateCandidate(ctx, org.ID, id, hiretext.CandidateUpdate{AlternatePhone: &alt, SMS: &hiretext.SMSChange{
			Status: hiretext.SMSOptedIn, Phone: hiretext.PhoneAlternate, Confirmed: true, Note: "Asked by phone on 3/9."}}, rita.ID)
		if err != nil || c.TextingPhone() != "+17735550155" {
			t.Fatalf("opt in on a new alternate phone: %+v, %v", c, err)
		}

		// Changing the consented phone opts the candidate out: consent is per number.
		alt = "(773) 555-0156"
		c, err = db.UpdateCandidate(ctx, org.ID, id, hiretext.CandidateUpdate{AlternatePhone: &alt}, rita.ID)
		if err != nil || c.OptedIn() || c.AlternatePhone != "+17735550156" {
			t.Fatalf("after changing the consented phone: %+v, %v", c, err)
		}
		events, _ := db.ConsentHistory(ctx, org.ID, id)
		if len(events) != 3 {
			t.Fatalf("ledger has %d events, want 3", len(events))
		}
		revoke, optin := events[0], events[1]
		if revoke.Status != hiretext.SMSOptedOut || revoke.PhoneNumber != "+17735550155" || revoke.UserID != rita.ID ||
			!strings.Contains(revoke.Note, "does not carry over") {
			t.Fatalf("revocation = %+v, want the old number, the user and a note", revoke)
		}
		if optin.Source != hiretext.ConsentRecruiter || optin.UserName != "Rita Recruiter" || optin.Note != "Asked by phone on 3/9." ||
			optin.PhoneNumber != "+17735550155" {
			t.Fatalf("recruiter opt-in = %+v, the ledger must keep it unchanged", optin)
		}

		// Opting out needs no confirmation.
		if _, err := db.UpdateCandidate(ctx, org.ID, id, hiretext.CandidateUpdate{SMS: &hiretext.SMSChange{Status: hiretext.SMSOptedOut}}, rita.ID); err != nil {
			t.Fatalf("opt out: %v", err)
		}
	})
}

func TestATSTenantIsolation(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		acme, globex := MustCreateOrg(t, db, "Acme"), MustCreateOrg(t, db, "Globex")
		job := MustCreateJob(t, db, acme.ID, "Welder")
		n := Applicant(job.ID, "Hal", "Ivy")
		id := MustApply(t, db, acme.ID, n).CandidateID
		notFound := func(what string, err error) {
			t.Helper()
			if hiretext.ErrorCode(err) != hiretext.ENotFound {
				t.Errorf("%s across companies: %v, want not found", what, err)
			}
		}
		_, err := db.JobByID(ctx, globex.ID, job.ID)
		notFound("JobByID", err)
		title := "Hijacked"
		_, err = db.UpdateJob(ctx, globex.ID, job.ID, hiretext.JobUpdate{Title: &title})
		notFound("UpdateJob", err)
		_, err = db.Apply(ctx, globex.ID, Applicant(job.ID, "Mal", "Lory"))
		notFound("Apply", err)
		_, err = db.CandidateByID(ctx, globex.ID, id)
		notFound("CandidateByID", err)
		_, err = db.ConsentHistory(ctx, globex.ID, id)
		notFound("ConsentHistory", err)
		_, err = db.UpdateCandidate(ctx, globex.ID, id, hiretext.CandidateUpdate{SMS: &hiretext.SMSChange{Status: hiretext.SMSOptedOut}}, 0)
		notFound("UpdateCandidate", err)
		acmeCand, _ := db.CandidateByID(ctx, acme.ID, id)
		if got, _ := db.CandidatesByPhone(ctx, globex.ID, acmeCand.MainPhone); len(got) != 0 {
			t.Error("CandidatesByPhone found another company's candidate")
		}
		if got, _ := db.CandidatesByIDs(ctx, globex.ID, []hiretext.CandidateID{id}, 0); len(got) != 0 {
			t.Error("CandidatesByIDs returned another company's candidate")
		}
		page, _ := db.SearchCandidates(ctx, globex.ID, hiretext.CandidateQuery{Text: "hal"})
		if jobs, _ := db.ListJobs(ctx, globex.ID); len(page.Entries) != 0 || len(jobs) != 0 {
			t.Error("another company's pool or jobs are visible")
		}
		// The same person applying to two companies is two candidates.
		gjob := MustCreateJob(t, db, globex.ID, "Welder")
		n.JobID = gjob.ID
		if other := MustApply(t, db, globex.ID, n); other.CandidateID == id {
			t.Fatal("two companies share a candidate")
		}
		if c, _ := db.CandidateByID(ctx, acme.ID, id); !c.OptedIn() {
			t.Fatal("another company changed the candidate")
		}
	})
}

func TestTextingSettings(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		org := MustCreateOrg(t, db, "Acme Staffing")
		admin := MustCreateUser(t, db, org.ID, "Ann Admin", hiretext.RoleAdmin)
		s, err := db.TextingSettings(ctx, org.ID)
		if err != nil || s.ConsentDisclosure != hiretext.DefaultConsentDisclosure || !s.OptOutConfirmationEnabled || s.UpdatedBy != 0 {
			t.Fatalf("defaults = %+v, %v", s, err)
		}
		if !strings.Contains(s.Disclosure(), "Acme Staffing may text you") || !strings.Contains(s.HelpText(), "Contact us at Acme Staffing.") {
			t.Fatalf("rendered defaults: %q / %q", s.Disclosure(), s.HelpText())
		}
		u := hiretext.TextingSettingsUpdate{ConsentDisclosure: "{Company} texts about jobs. Reply STOP to opt out.",
			OptOutConfirmation: "Bye from {Company}.", OptInConfirmation: "Welcome back. Reply STOP to opt out.",
			HelpReply: "Help: {Contact}. Reply STOP to opt out.", HelpContact: "jobs@acme.example"}
		if s, err = db.UpdateTextingSettings(ctx, org.ID, u, admin.ID); err != nil {
			t.Fatal(err)
		}
		if s.OptOutConfirmationEnabled || s.HelpText() != "Help: jobs@acme.example. Reply STOP to opt out." || s.UpdatedBy != admin.ID {
			t.Fatalf("saved = %+v", s)
		}
		u.ConsentDisclosure, u.HelpReply = "We text you.", "Help {Name}. Reply STOP."
		_, err = db.UpdateTextingSettings(ctx, org.ID, u, admin.ID)
		if f := hiretext.ErrorFields(err); f["consent_disclosure"] == "" || f["help_reply"] == "" {
			t.Fatalf("invalid settings: fields = %v", f)
		}
	})
}

// TestTextingSettingsColumnDefaults keeps the schema's column defaults equal
// to hiretext.DefaultTextingSettings, so a row inserted by SQL alone says
// what the code would.
func TestTextingSettingsColumnDefaults(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		org := MustCreateOrg(t, db, "Acme")
		_, write := db.Pools()
		stmt := db.Rebind("INSERT INTO texting_settings (org_id, updated_at) VALUES (?, ?)")
		if _, err := write.ExecContext(ctx, stmt, org.ID, org.CreatedAt); err != nil {
			t.Fatal(err)
		}
		got, err := db.TextingSettings(ctx, org.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := hiretext.DefaultTextingSettings(org)
		want.UpdatedAt = got.UpdatedAt
		if *got != *want {
			t.Fatalf("column defaults = %+v\nwant %+v", got, want)
		}
	})
}

// TestMononymApplication: a person with one name applies with an empty
// first name; search finds them and lists show the one name.
func TestMononymApplication(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 100)
		a := MustApply(t, db, fx.Org.ID, Applicant(fx.Job.ID, "", "Suharto"))
		c, err := db.CandidateByID(ctx, fx.Org.ID, a.CandidateID)
		if err != nil || c.FirstName != "" || c.Name() != "Suharto" {
			t.Fatalf("candidate %+v, %v", c, err)
		}
		page, err := db.SearchCandidates(ctx, fx.Org.ID, hiretext.CandidateQuery{Text: "suha"})
		if err != nil || len(page.Entries) != 1 {
			t.Fatalf("search by the one name: %v, %v", page, err)
		}
		fx.MustSend(t, db, "Hello {LastName}", c.ID)
		convs, err := db.ListConversations(ctx, fx.Org.ID, fx.Number.ID, false, 10)
		if err != nil || len(convs) != 1 || convs[0].CandidateName != "Suharto" || convs[0].LastMessage != "Hello Suharto" {
			t.Fatalf("conversations %+v, %v", convs, err)
		}
	})
}

// TestApplicantPhonesAreNeverCompanyNumbers: the phones Applicant gives are
// valid, distinct for 1,600 applicants, and never in the part of the
// fictional range the simulator offers as company numbers, so no test's
// candidate has the number that texts them.
func TestApplicantPhonesAreNeverCompanyNumbers(t *testing.T) {
	t.Parallel()
	seen := map[string]int64{}
	for n := range int64(1600) {
		e164, err := phone.Parse(fictionalPhone(n), "US")
		if err != nil {
			t.Fatalf("applicant %d's phone %s: %v", n, fictionalPhone(n), err)
		}
		if line, _ := strconv.Atoi(e164[len(e164)-4:]); !strings.HasPrefix(e164[5:], "55501") || line >= simulator.FirstOfferedFictionalLine {
			t.Errorf("applicant %d's phone %s is outside 555-0100…%04d", n, e164, simulator.FirstOfferedFictionalLine-1)
		}
		if first, dup := seen[e164]; dup {
			t.Errorf("applicants %d and %d both have %s", first, n, e164)
		}
		seen[e164] = n
	}
}

// TestUnansweredApplicationOptsOut: an applicant who leaves the texting
// question unanswered is opted out, and the ledger says it was for no
// answer; an import whose source never asked says that instead.
func TestUnansweredApplicationOptsOut(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		org := MustCreateOrg(t, db, "Acme")
		job := MustCreateJob(t, db, org.ID, "Welder")
		for _, c := range []struct {
			channel hiretext.ApplicationChannel
			note    string
		}{
			{hiretext.ChannelForm, hiretext.NoAnswerNote},
			{hiretext.ChannelAPI, hiretext.NoAnswerNote},
			{hiretext.ChannelImport, "The application did not ask about texting; no answer means opted out."},
		} {
			n := Applicant(job.ID, "Bo", "Diaz")
			n.SMS, n.Channel = hiretext.AnswerUnanswered, c.channel
			a := MustApply(t, db, org.ID, n)
			cand, err := db.CandidateByID(ctx, org.ID, a.CandidateID)
			if err != nil || cand.SMSStatus != hiretext.SMSOptedOut || a.SMSAnswer != hiretext.AnswerUnanswered {
				t.Fatalf("%s: candidate %+v, application %+v, %v; want opted out, unanswered", c.channel, cand, a, err)
			}
			events, err := db.ConsentHistory(ctx, org.ID, a.CandidateID)
			if err != nil || len(events) != 1 {
				t.Fatalf("%s: ledger %d entries, %v", c.channel, len(events), err)
			}
			if e := events[0]; e.Status != hiretext.SMSOptedOut || e.Source != hiretext.ConsentApplication || e.ApplicationID != a.ID || e.Note != c.note {
				t.Fatalf("%s: ledger entry %+v, want an opt-out by the application noting %q", c.channel, e, c.note)
			}
		}
	})
}
