package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
	"github.com/hiretext/hiretext/internal/store"
)

// mustTemplate saves a template as user.
func mustTemplate(t *testing.T, db *store.DB, org hiretext.OrgID, user hiretext.UserID, scope hiretext.TemplateScope,
	name, body string) *hiretext.Template {
	t.Helper()
	tpl, err := db.CreateTemplate(ctx, org, user, hiretext.TemplateInput{Scope: scope, Name: name, Body: body})
	if err != nil {
		t.Fatalf("create template %q: %v", name, err)
	}
	return tpl
}

func TestTemplatesAreSeenByTheirOwners(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 100)
		admin := MustCreateUser(t, db, fx.Org.ID, "Ada Admin", hiretext.RoleAdmin)
		company := mustTemplate(t, db, fx.Org.ID, admin.ID, hiretext.ScopeCompany, "Open house", "Open house on Friday!")
		mine := mustTemplate(t, db, fx.Org.ID, fx.Recruiter.ID, hiretext.ScopePersonal, "Call me", "Call me at {RecruiterNumber}")
		theirs := mustTemplate(t, db, fx.Org.ID, admin.ID, hiretext.ScopePersonal, "Ada's", "Hello")
		other := MustSetUpTexting(t, db, 100)
		foreign := mustTemplate(t, db, other.Org.ID, other.Recruiter.ID, hiretext.ScopePersonal, "Theirs", "Hi")

		if company.Scope != hiretext.ScopeCompany || company.OwnerID != 0 || mine.OwnerID != fx.Recruiter.ID {
			t.Fatalf("company %+v, mine %+v", company, mine)
		}
		list, err := db.Templates(ctx, fx.Org.ID, fx.Recruiter.ID)
		if err != nil || len(list) != 2 || list[0].ID != company.ID || list[1].ID != mine.ID {
			t.Fatalf("the recruiter's templates: %v, %v; want the company's then their own", names(list), err)
		}
		for _, id := range []hiretext.TemplateID{theirs.ID, foreign.ID, 999999} {
			if _, err := db.TemplateByID(ctx, fx.Org.ID, fx.Recruiter.ID, id); hiretext.ErrorCode(err) != hiretext.ENotFound {
				t.Errorf("template %d: %v, want not found (another user's, another company's, none)", id, err)
			}
			if err := db.DeleteTemplate(ctx, fx.Org.ID, fx.Recruiter.ID, id); hiretext.ErrorCode(err) != hiretext.ENotFound {
				t.Errorf("delete template %d: %v, want not found", id, err)
			}
		}
		if _, err := db.TemplateByID(ctx, other.Org.ID, other.Recruiter.ID, company.ID); hiretext.ErrorCode(err) != hiretext.ENotFound {
			t.Errorf("another company sees Acme's template: %v", err)
		}
	})
}

func names(ts []*hiretext.Template) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Name)
	}
	return out
}

func TestTemplateNamesAreUniquePerOwner(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 100)
		sam := MustCreateUser(t, db, fx.Org.ID, "Sam", hiretext.RoleUser, hiretext.PermProfiles)
		mustTemplate(t, db, fx.Org.ID, fx.Recruiter.ID, hiretext.ScopeCompany, "Interview invitation", "Hi")
		mustTemplate(t, db, fx.Org.ID, fx.Recruiter.ID, hiretext.ScopePersonal, "Interview invitation", "Hi") // another owner
		mustTemplate(t, db, fx.Org.ID, sam.ID, hiretext.ScopePersonal, "Interview invitation", "Hi")
		for _, scope := range []hiretext.TemplateScope{hiretext.ScopeCompany, hiretext.ScopePersonal} {
			_, err := db.CreateTemplate(ctx, fx.Org.ID, fx.Recruiter.ID, hiretext.TemplateInput{Scope: scope, Name: " interview  INVITATION", Body: "x"})
			if !strings.Contains(hiretext.ErrorFields(err)["name"], "already") {
				t.Errorf("%s: a second template with the name: %v", scope, err)
			}
		}
		docs := mustTemplate(t, db, fx.Org.ID, fx.Recruiter.ID, hiretext.ScopePersonal, "Documents", "Bring your ID")
		name := "Interview Invitation"
		if _, err := db.UpdateTemplate(ctx, fx.Org.ID, fx.Recruiter.ID, docs.ID, hiretext.TemplateUpdate{Name: &name}); !strings.Contains(hiretext.ErrorFields(err)["name"], "already") {
			t.Errorf("renaming onto a taken name: %v", err)
		}
	})
}

func TestTemplateBadInputChangesNothing(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 100)
		tpl := mustTemplate(t, db, fx.Org.ID, fx.Recruiter.ID, hiretext.ScopePersonal, "Docs", "Bring your ID, {FirstName|there}")
		for _, body := range []string{"Pay: {Salary}", "Hi {FirstName", strings.Repeat("a", hiretext.MaxBodyChars+1), "a\x00b"} {
			if _, err := db.UpdateTemplate(ctx, fx.Org.ID, fx.Recruiter.ID, tpl.ID, hiretext.TemplateUpdate{Body: &body}); hiretext.ErrorFields(err)["body"] == "" {
				t.Errorf("body %.20q saved: %v", body, err)
			}
			if _, err := db.CreateTemplate(ctx, fx.Org.ID, fx.Recruiter.ID, hiretext.TemplateInput{Scope: hiretext.ScopePersonal, Name: "New", Body: body}); err == nil {
				t.Errorf("body %.20q created", body)
			}
		}
		got, err := db.TemplateByID(ctx, fx.Org.ID, fx.Recruiter.ID, tpl.ID)
		if err != nil || got.Body != tpl.Body {
			t.Fatalf("after refused edits: %+v, %v", got, err)
		}
		if list, _ := db.Templates(ctx, fx.Org.ID, fx.Recruiter.ID); len(list) != 1 {
			t.Errorf("refused templates were created: %v", names(list))
		}
	})
}

func TestSignatureIsSaved(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 100)
		if s, err := db.Signature(ctx, fx.Org.ID, fx.Recruiter.ID); err != nil || s != (hiretext.Signature{}) {
			t.Fatalf("no signature yet: %+v, %v", s, err)
		}
		if _, err := db.SetSignature(ctx, fx.Org.ID, fx.Recruiter.ID, hiretext.Signature{Text: "{Salary}"}); hiretext.ErrorFields(err)["signature"] == "" {
			t.Fatalf("an unknown field saved: %v", err)
		}
		for _, want := range []hiretext.Signature{{Text: "– Rita, {CompanyName}"}, {Text: "– Rita", Every: true}, {}} {
			if _, err := db.SetSignature(ctx, fx.Org.ID, fx.Recruiter.ID, hiretext.Signature{Text: " " + want.Text + " ", Every: want.Every}); err != nil {
				t.Fatal(err)
			}
			if got, err := db.Signature(ctx, fx.Org.ID, fx.Recruiter.ID); err != nil || got != want {
				t.Errorf("signature %+v, %v; want %+v", got, err, want)
			}
		}
	})
}

// TestSendFillsInMergeFields: each candidate gets their own name, the job of
// the page or of their newest application, the company, the recruiter and
// the number formatted for them; the message records the template.
func TestSendFillsInMergeFields(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 100)
		ann, _ := fx.MustCandidate(t, db, "Ann")
		bob, _ := fx.MustCandidate(t, db, "Bob")
		welder := MustCreateJob(t, db, fx.Org.ID, "Welder")
		MustApply(t, db, fx.Org.ID, applyAgain(t, db, fx, bob, welder.ID))
		body := "Hi {firstname}! About {JobTitle} at {CompanyName}: {RecruiterFirstName} ({RecruiterName}), {RecruiterNumber}"
		tpl := mustTemplate(t, db, fx.Org.ID, fx.Recruiter.ID, hiretext.ScopePersonal, "Hello", body)
		res, err := db.SendMessages(ctx, hiretext.SendRequest{OrgID: fx.Org.ID, UserID: fx.Recruiter.ID,
			CandidateIDs: []hiretext.CandidateID{ann.ID, bob.ID}, TemplateID: tpl.ID})
		if err != nil {
			t.Fatal(err)
		}
		number := phone.FormatFor(fx.Number.Phone, fx.Number.Phone)
		want := []string{"Hi Ann! About Forklift Operator at Acme: Rita (Rita Recruiter), " + number,
			"Hi Bob! About Welder at Acme: Rita (Rita Recruiter), " + number}
		for i, r := range res {
			m, err := db.MessageByID(ctx, fx.Org.ID, r.MessageID)
			if err != nil || r.Body != want[i] || m.Body != want[i] || m.Segments != hiretext.CountSegments(want[i]).Segments ||
				m.TemplateID != tpl.ID || m.TemplateName != "Hello" {
				t.Errorf("candidate %d: result %q, message %+v, %v; want %q from template %d", i, r.Body, m, err, want[i], tpl.ID)
			}
		}
		// From the Job Posting page of the welder job, Ann's text names it too.
		res, err = db.SendMessages(ctx, hiretext.SendRequest{OrgID: fx.Org.ID, UserID: fx.Recruiter.ID,
			CandidateIDs: []hiretext.CandidateID{ann.ID}, Body: "{JobTitle}", JobID: welder.ID})
		if err != nil || res[0].Body != "Welder" {
			t.Fatalf("from the job's page: %+v, %v", res, err)
		}
		other := MustSetUpTexting(t, db, 100)
		_, err = db.SendMessages(ctx, hiretext.SendRequest{OrgID: fx.Org.ID, UserID: fx.Recruiter.ID,
			CandidateIDs: []hiretext.CandidateID{ann.ID}, Body: "{JobTitle}", JobID: other.Job.ID})
		if hiretext.ErrorCode(err) != hiretext.ENotFound {
			t.Fatalf("another company's job: %v", err)
		}
	})
}

// applyAgain is cand's application to another job: their newest.
func applyAgain(t *testing.T, db *store.DB, fx *Texting, cand *hiretext.Candidate, job hiretext.JobID) hiretext.NewApplication {
	t.Helper()
	n := Applicant(job, cand.FirstName, cand.LastName)
	n.Email, n.MainPhone = cand.Email, cand.MainPhone
	return n
}

// TestSendRefusesMissingValues: a field without a value or fallback for
// some candidate refuses the whole send, naming who; nothing is queued and
// no allowance is used. A skipped candidate does not hold the send back.
func TestSendRefusesMissingValues(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 100)
		ann, _ := fx.MustCandidate(t, db, "Ann")
		mono := MustApply(t, db, fx.Org.ID, Applicant(fx.Job.ID, "", "Suharto"))
		gone := MustApply(t, db, fx.Org.ID, Applicant(fx.Job.ID, "", "Cher"))
		if _, err := db.UpdateCandidate(ctx, fx.Org.ID, gone.CandidateID, hiretext.CandidateUpdate{SMS: &hiretext.SMSChange{Status: hiretext.SMSOptedOut}}, fx.Recruiter.ID); err != nil {
			t.Fatal(err)
		}
		ids := []hiretext.CandidateID{ann.ID, mono.CandidateID, gone.CandidateID}
		_, err := db.SendMessages(ctx, hiretext.SendRequest{OrgID: fx.Org.ID, UserID: fx.Recruiter.ID, CandidateIDs: ids, Body: "Hi {FirstName}"})
		var missing *hiretext.MissingValues
		if !errors.As(err, &missing) || len(missing.By) != 1 || missing.By[0].Field != hiretext.FieldFirstName ||
			!slices.Equal(missing.By[0].Candidates, []hiretext.CandidateID{mono.CandidateID}) || hiretext.ErrorCode(err) != hiretext.EInvalid {
			t.Fatalf("send with a missing first name: %v", err)
		}
		if u := usage(t, db, fx); u.Used != 0 || len(fx.StatusCounts(t, db, hiretext.KindRecruiter)) != 0 {
			t.Fatalf("a refused send queued texts: used %d", u.Used)
		}
		res, err := db.SendMessages(ctx, hiretext.SendRequest{OrgID: fx.Org.ID, UserID: fx.Recruiter.ID, CandidateIDs: ids, Body: "Hi {FirstName|there}"})
		if err != nil || res[0].Body != "Hi Ann" || res[1].Body != "Hi there" || res[2].Skipped != hiretext.SkipOptedOut {
			t.Fatalf("with a fallback: %+v, %v", res, err)
		}
	})
}

func TestSendTemplateErrors(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 100)
		ann, _ := fx.MustCandidate(t, db, "Ann")
		sam := MustCreateUser(t, db, fx.Org.ID, "Sam", hiretext.RoleUser, hiretext.PermProfiles)
		samsOwn := mustTemplate(t, db, fx.Org.ID, sam.ID, hiretext.ScopePersonal, "Sam's", "Hello from Sam")
		gone := mustTemplate(t, db, fx.Org.ID, fx.Recruiter.ID, hiretext.ScopePersonal, "Gone", "Hello")
		if err := db.DeleteTemplate(ctx, fx.Org.ID, fx.Recruiter.ID, gone.ID); err != nil {
			t.Fatal(err)
		}
		other := MustSetUpTexting(t, db, 100)
		foreign := mustTemplate(t, db, other.Org.ID, other.Recruiter.ID, hiretext.ScopeCompany, "Theirs", "Hi")
		for _, id := range []hiretext.TemplateID{samsOwn.ID, gone.ID, foreign.ID} {
			for _, body := range []string{"", "Hi"} {
				_, err := db.SendMessages(ctx, hiretext.SendRequest{OrgID: fx.Org.ID, UserID: fx.Recruiter.ID,
					CandidateIDs: []hiretext.CandidateID{ann.ID}, TemplateID: id, Body: body})
				if hiretext.ErrorCode(err) != hiretext.ENotFound {
					t.Errorf("template %d, body %q: %v, want not found", id, body, err)
				}
			}
		}
		if u := usage(t, db, fx); u.Used != 0 {
			t.Errorf("refused sends used %d", u.Used)
		}
	})
}

// TestTemplateChangesLeaveSentTexts: editing, renaming or deleting a
// template changes nothing already sent; the report names the template as
// it was.
func TestTemplateChangesLeaveSentTexts(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 100)
		ann, _ := fx.MustCandidate(t, db, "Ann")
		tpl := mustTemplate(t, db, fx.Org.ID, fx.Recruiter.ID, hiretext.ScopeCompany, "Open house", "Open house Friday, {FirstName}!")
		res, err := db.SendMessages(ctx, hiretext.SendRequest{OrgID: fx.Org.ID, UserID: fx.Recruiter.ID,
			CandidateIDs: []hiretext.CandidateID{ann.ID}, TemplateID: tpl.ID, Body: "Open house Saturday, {FirstName}!"})
		if err != nil || res[0].Body != "Open house Saturday, Ann!" {
			t.Fatalf("the body wins over the template's: %+v, %v", res, err)
		}
		name, body := "Renamed", "Changed"
		if _, err := db.UpdateTemplate(ctx, fx.Org.ID, fx.Recruiter.ID, tpl.ID, hiretext.TemplateUpdate{Name: &name, Body: &body}); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteTemplate(ctx, fx.Org.ID, fx.Recruiter.ID, tpl.ID); err != nil {
			t.Fatal(err)
		}
		m, err := db.MessageByID(ctx, fx.Org.ID, res[0].MessageID)
		if err != nil || m.Body != "Open house Saturday, Ann!" || m.TemplateName != "Open house" {
			t.Fatalf("sent message after the template changed: %+v, %v", m, err)
		}
		var rows []hiretext.ActivityRow
		period, _ := hiretext.NewReportPeriod("", "", fx.Org.Location(), m.CreatedAt)
		if err := db.EachActivity(ctx, fx.Org.ID, hiretext.ActivityFilter{Period: period}, func(r *hiretext.ActivityRow) error {
			rows = append(rows, *r)
			return nil
		}); err != nil || len(rows) != 1 || rows[0].TemplateName != "Open house" {
			t.Fatalf("report rows %+v, %v; want the template's name as sent", rows, err)
		}
	})
}

// TestSignatureOnFirstOrEveryText: a first-text signature goes on the first
// text to each candidate only; an every-text one on all; both count.
func TestSignatureOnFirstOrEveryText(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 100)
		ann, _ := fx.MustCandidate(t, db, "Ann")
		bob, _ := fx.MustCandidate(t, db, "Bob")
		fx.MustSend(t, db, "Hello before the signature", ann.ID)
		if _, err := db.SetSignature(ctx, fx.Org.ID, fx.Recruiter.ID, hiretext.Signature{Text: "– {RecruiterFirstName}, {CompanyName}"}); err != nil {
			t.Fatal(err)
		}
		res := fx.MustSend(t, db, "Hi {FirstName}", ann.ID, bob.ID)
		if res[0].Body != "Hi Ann" || res[1].Body != "Hi Bob\n– Rita, Acme" {
			t.Fatalf("first-text signature: %q, %q", res[0].Body, res[1].Body)
		}
		if res := fx.MustSend(t, db, "Again", bob.ID); res[0].Body != "Again" {
			t.Fatalf("second text signed: %q", res[0].Body)
		}
		if _, err := db.SetSignature(ctx, fx.Org.ID, fx.Recruiter.ID, hiretext.Signature{Text: "- Rita", Every: true}); err != nil {
			t.Fatal(err)
		}
		previews, err := db.PreviewMessages(ctx, hiretext.SendRequest{OrgID: fx.Org.ID, UserID: fx.Recruiter.ID,
			CandidateIDs: []hiretext.CandidateID{ann.ID}, Body: strings.Repeat("a", 155)})
		if err != nil || previews[0].Body != strings.Repeat("a", 155)+"\n- Rita" || previews[0].Count.Segments != 2 {
			t.Fatalf("every-text signature in the preview: %+v, %v", previews, err)
		}
	})
}

// TestPreviewSendsNothing: a preview lists every distinct requested
// candidate with their text or why they would be skipped, and reports
// missing values instead of refusing.
func TestPreviewSendsNothing(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 100)
		ann, _ := fx.MustCandidate(t, db, "Ann")
		mono := MustApply(t, db, fx.Org.ID, Applicant(fx.Job.ID, "", "Suharto"))
		ids := []hiretext.CandidateID{ann.ID, mono.CandidateID, 999999, ann.ID}
		previews, err := db.PreviewMessages(ctx, hiretext.SendRequest{OrgID: fx.Org.ID, UserID: fx.Recruiter.ID, CandidateIDs: ids,
			Body: "Hi {FirstName}, {LastName}"})
		if err != nil || len(previews) != 3 {
			t.Fatalf("previews %+v, %v", previews, err)
		}
		if p := previews[0]; p.Body != "Hi Ann, Tester" || p.CandidateName != "Ann Tester" || p.Missing != nil || p.Skipped != "" {
			t.Errorf("Ann: %+v", p)
		}
		if p := previews[1]; p.Body != "Hi {FirstName}, Suharto" || !slices.Equal(p.Missing, []hiretext.MergeField{hiretext.FieldFirstName}) ||
			p.CandidateName != "Suharto" {
			t.Errorf("the mononym: %+v", p)
		}
		if p := previews[2]; p.Skipped != hiretext.SkipNotFound || p.Body != "" {
			t.Errorf("unknown candidate: %+v", p)
		}
		if _, err := db.PreviewMessages(ctx, hiretext.SendRequest{OrgID: fx.Org.ID, UserID: fx.Recruiter.ID, CandidateIDs: ids,
			Body: "{Salary}"}); hiretext.ErrorFields(err)["body"] == "" {
			t.Errorf("an unknown field previews: %v", err)
		}
		if u := usage(t, db, fx); u.Used != 0 || len(fx.StatusCounts(t, db, hiretext.KindRecruiter)) != 0 {
			t.Errorf("a preview sent texts")
		}
	})
}

// TestCompanyTemplatesAreAudited: creating, changing and deleting a company
// template are administrative acts in the audit trail, with the template's
// name and never its words; a user's own templates are not recorded.
func TestCompanyTemplatesAreAudited(t *testing.T) {
	EachWith(t, auditClock, func(t *testing.T, db *store.DB, _ Config) {
		org := MustCreateOrg(t, db, "Acme")
		admin := MustCreateUser(t, db, org.ID, "Ada Admin", hiretext.RoleAdmin)
		as := hiretext.WithActor(ctx, hiretext.UserActor(admin.ID, "203.0.113.7"))
		tpl, err := db.CreateTemplate(as, org.ID, admin.ID, hiretext.TemplateInput{Scope: hiretext.ScopeCompany, Name: "Open house",
			Body: "Zq7words of the text"})
		if err != nil {
			t.Fatal(err)
		}
		mine, err := db.CreateTemplate(as, org.ID, admin.ID, hiretext.TemplateInput{Scope: hiretext.ScopePersonal, Name: "Mine", Body: "Hi"})
		if err != nil {
			t.Fatal(err)
		}
		name, body := "Open house Friday", "Zq7other words"
		for _, u := range []hiretext.TemplateUpdate{{Name: &name}, {Body: &body}, {Body: &body}} { // the last changes nothing
			if _, err := db.UpdateTemplate(as, org.ID, admin.ID, tpl.ID, u); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.UpdateTemplate(as, org.ID, admin.ID, mine.ID, hiretext.TemplateUpdate{Body: &body}); err != nil {
			t.Fatal(err)
		}
		for _, id := range []hiretext.TemplateID{tpl.ID, mine.ID} {
			if err := db.DeleteTemplate(as, org.ID, admin.ID, id); err != nil {
				t.Fatal(err)
			}
		}
		f := marchTrail(t)
		f.Action = ""
		var trail []*hiretext.AuditEntry
		for _, e := range readTrail(t, db, org.ID, f) {
			if strings.HasPrefix(string(e.Action), "template.") {
				trail = append(trail, e)
			}
		}
		if got := actions(trail); got != "template.created template.changed template.changed template.deleted" {
			t.Fatalf("trail: %s", got)
		}
		target := fmt.Sprintf("template:%d", tpl.ID)
		if e := trail[1]; e.Target != target || e.Actor != hiretext.UserActor(admin.ID, "203.0.113.7") ||
			fmt.Sprint(e.Details["name"]) != "map[from:Open house to:Open house Friday]" || e.Details["text_changed"] != false {
			t.Errorf("renamed: %+v", e)
		}
		if e := trail[2]; e.Details["name"] != "Open house Friday" || e.Details["text_changed"] != true {
			t.Errorf("text changed: %+v", e)
		}
		if hits := searchEveryColumn(t, db, "Zq7"); len(hits) > 0 { // the templates are deleted: nothing may keep their words
			t.Errorf("a template's words are kept in %v", hits)
		}
	})
}
