package storetest

import (
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// TestApplicationForms: a custom form is listed after the built-in ones,
// set on a job, answered, edited and, once no job uses it, deleted; the
// application keeps its answers as asked throughout.
func TestApplicationForms(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		org := MustCreateOrg(t, db, "Acme")
		form, err := db.CreateApplicationForm(ctx, org.ID, WarehouseForm())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateApplicationForm(ctx, org.ID, WarehouseForm()); hiretext.ErrorFields(err)["name"] == "" {
			t.Fatalf("a second form of the same name: %v", err)
		}
		forms, err := db.ApplicationForms(ctx, org.ID)
		if err != nil || len(forms) != 3 || forms[0].ID != hiretext.FormStandard || forms[1].ID != hiretext.FormDOT || forms[2].ID != form.ID {
			t.Fatalf("forms %v, %v", forms, err)
		}
		job, err := db.CreateJob(ctx, org.ID, hiretext.NewJob{Title: "Picker", Form: form.ID})
		if err != nil || job.Form != form.ID {
			t.Fatalf("job %+v, %v", job, err)
		}
		n := Applicant(job.ID, "Wu", "Lan")
		n.Answers = hiretext.AnswerInput{"q1": {"yes"}, "q2": {"Days", "Weekends"}}
		a := MustApply(t, db, org.ID, n)

		qs := []hiretext.Question{{ID: "q2", Label: "Shifts you can work", Type: hiretext.QuestionSingle, Choices: []string{"Any"}}}
		if _, err := db.UpdateApplicationForm(ctx, org.ID, form.ID, hiretext.FormUpdate{Questions: &qs}); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteApplicationForm(ctx, org.ID, form.ID); hiretext.ErrorCode(err) != hiretext.EConflict {
			t.Fatalf("deleting a form a job uses: %v", err)
		}
		std := hiretext.FormStandard
		if _, err := db.UpdateJob(ctx, org.ID, job.ID, hiretext.JobUpdate{Form: &std}); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteApplicationForm(ctx, org.ID, form.ID); err != nil {
			t.Fatalf("deleting an unused form: %v", err)
		}
		apps, err := db.CandidateApplications(ctx, org.ID, a.CandidateID)
		if err != nil || len(apps) != 1 || apps[0].FormName != "Warehouse application" || len(apps[0].Answers) != 2 {
			t.Fatalf("applications %+v, %v", apps, err)
		}
		got := apps[0].Answers
		if got[0].Question != "Forklift certified?" || got[0].Type != hiretext.QuestionYesNo || got[0].Text() != "Yes" ||
			got[1].Question != "Shifts available" || got[1].Type != hiretext.QuestionMultiple || got[1].Text() != "Days, Weekends" {
			t.Fatalf("answers after the form changed: %+v", got)
		}
		if err := db.DeleteApplicationForm(ctx, org.ID, hiretext.FormDOT); hiretext.ErrorCode(err) != hiretext.EConflict {
			t.Fatalf("deleting a built-in form: %v", err)
		}
	})
}

// TestApplicationFormAnswersInvalidStoreNothing: answers that break the
// form's rules are field errors under answers.KEY and store nothing.
func TestApplicationFormAnswersInvalidStoreNothing(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		org := MustCreateOrg(t, db, "Acme")
		form, err := db.CreateApplicationForm(ctx, org.ID, WarehouseForm())
		if err != nil {
			t.Fatal(err)
		}
		job, err := db.CreateJob(ctx, org.ID, hiretext.NewJob{Title: "Picker", Form: form.ID})
		if err != nil {
			t.Fatal(err)
		}
		n := Applicant(job.ID, "Wu", "Lan")
		n.Answers = hiretext.AnswerInput{"q2": {"Evenings"}, "q7": {"x"}}
		_, err = db.Apply(ctx, org.ID, n)
		fields := hiretext.ErrorFields(err)
		for _, key := range []string{"answers.q1", "answers.q2", "answers.q7"} {
			if fields[key] == "" {
				t.Errorf("no error on %s: %v", key, fields)
			}
		}
		if page, _ := db.SearchCandidates(ctx, org.ID, hiretext.CandidateQuery{}); len(page.Entries) != 0 {
			t.Fatal("invalid answers stored a candidate")
		}
	})
}

// TestDOTApplicationAndErasure: a DOT driver application keeps each
// licence's and employer's answers; erasure removes them.
func TestDOTApplicationAndErasure(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		org, admin, n := dotApplicant(t, db)
		a := MustApply(t, db, org.ID, n)
		apps, err := db.CandidateApplications(ctx, org.ID, a.CandidateID)
		if err != nil || apps[0].FormName != "DOT driver application" || !hasAnswer(apps[0], "Licence 2: Licence number", "1234-56-7890") ||
			!hasAnswer(apps[0], "Employer 2: Employer", "Best Haul") {
			t.Fatalf("DOT application %+v, %v", apps, err)
		}
		if err := db.EraseCandidate(ctx, org.ID, a.CandidateID, admin.ID); err != nil {
			t.Fatal(err)
		}
		apps, err = db.CandidateApplications(ctx, org.ID, a.CandidateID)
		if err != nil || len(apps) != 1 || len(apps[0].Answers) != 0 {
			t.Fatalf("after erasure: %+v, %v", apps, err)
		}
	})
}

// dotApplicant creates a company with an administrator and a job using the
// DOT driver application, and returns a complete application to it.
func dotApplicant(t *testing.T, db *store.DB) (*hiretext.Organization, *hiretext.User, hiretext.NewApplication) {
	t.Helper()
	org := MustCreateOrg(t, db, "Acme")
	admin := MustCreateUser(t, db, org.ID, "Dana Admin", hiretext.RoleAdmin)
	job, err := db.CreateJob(ctx, org.ID, hiretext.NewJob{Title: "CDL driver", Form: hiretext.FormDOT})
	if err != nil {
		t.Fatal(err)
	}
	n := Applicant(job.ID, "Dee", "Driver")
	n.Answers = DOTAnswers()
	return org, admin, n
}

func hasAnswer(a *hiretext.Application, question, text string) bool {
	for _, ans := range a.Answers {
		if ans.Question == question && ans.Text() == text {
			return true
		}
	}
	return false
}

// TestApplicationFormsArePerCompany: another company's form is not
// found, and no job can use it.
func TestApplicationFormsArePerCompany(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		acme, other := MustCreateOrg(t, db, "Acme"), MustCreateOrg(t, db, "Other")
		form, err := db.CreateApplicationForm(ctx, acme.ID, WarehouseForm())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ApplicationForm(ctx, other.ID, form.ID); hiretext.ErrorCode(err) != hiretext.ENotFound {
			t.Fatalf("another company's form: %v", err)
		}
		name := "Mine"
		if _, err := db.UpdateApplicationForm(ctx, other.ID, form.ID, hiretext.FormUpdate{Name: &name}); hiretext.ErrorCode(err) != hiretext.ENotFound {
			t.Fatalf("renaming another company's form: %v", err)
		}
		if err := db.DeleteApplicationForm(ctx, other.ID, form.ID); hiretext.ErrorCode(err) != hiretext.ENotFound {
			t.Fatalf("deleting another company's form: %v", err)
		}
		if _, err := db.CreateJob(ctx, other.ID, hiretext.NewJob{Title: "X", Form: form.ID}); hiretext.ErrorFields(err)["application_form_id"] == "" {
			t.Fatalf("a job with another company's form: %v", err)
		}
		job := MustCreateJob(t, db, other.ID, "Y")
		if _, err := db.UpdateJob(ctx, other.ID, job.ID, hiretext.JobUpdate{Form: &form.ID}); hiretext.ErrorFields(err)["application_form_id"] == "" {
			t.Fatalf("moving a job to another company's form: %v", err)
		}
		if forms, _ := db.ApplicationForms(ctx, other.ID); len(forms) != 2 {
			t.Fatalf("the other company lists %d forms, want the 2 built-in", len(forms))
		}
	})
}

// TestDOTSocialSecurityNumber: the SSN is asked only once the company turns
// it on; it is kept encrypted, shown masked, revealed only through
// RevealAnswer (which the audit trail records) and removed by erasure.
func TestDOTSocialSecurityNumber(t *testing.T) {
	EachWith(t, auditClock, func(t *testing.T, db *store.DB, _ Config) {
		org, admin, n := dotApplicant(t, db)
		n.Answers["ssn"] = []string{"123 45 6789"}
		if _, err := db.Apply(ctx, org.ID, n); hiretext.ErrorFields(err)["answers.ssn"] == "" {
			t.Fatalf("an SSN while the company does not ask it: %v", err)
		}
		if err := db.SetCollectSSN(ctx, org.ID, true); err != nil {
			t.Fatal(err)
		}
		n.Answers = DOTAnswers()
		if _, err := db.Apply(ctx, org.ID, n); hiretext.ErrorFields(err)["answers.ssn"] == "" {
			t.Fatalf("no SSN once the company asks it: %v", err)
		}
		n.Answers["ssn"] = []string{"12-345"}
		if _, err := db.Apply(ctx, org.ID, n); hiretext.ErrorFields(err)["answers.ssn"] == "" {
			t.Fatalf("a malformed SSN: %v", err)
		}
		n.Answers["ssn"] = []string{"123 45 6789"}
		a := MustApply(t, db, org.ID, n)
		apps, err := db.CandidateApplications(ctx, org.ID, a.CandidateID)
		if err != nil {
			t.Fatal(err)
		}
		ssn := apps[0].Answers[0]
		if ssn.Key != "ssn" || !ssn.Sensitive || ssn.Text() != "•••-••-6789" || strings.Contains(strings.Join(ssn.Values, ""), "6789") {
			t.Fatalf("the stored SSN answer %+v, want it masked and encrypted", ssn)
		}
		ctxAdmin := hiretext.WithActor(ctx, hiretext.Actor{Kind: hiretext.ActorUser, UserID: admin.ID, IP: "203.0.113.9"})
		plain, err := db.RevealAnswer(ctxAdmin, org.ID, a.ID, "ssn")
		if err != nil || plain != "123-45-6789" {
			t.Fatalf("reveal: %q, %v", plain, err)
		}
		if _, err := db.RevealAnswer(ctxAdmin, org.ID, a.ID, "date_of_birth"); hiretext.ErrorCode(err) != hiretext.ENotFound {
			t.Fatalf("revealing an answer that is not masked: %v", err)
		}
		other := MustCreateOrg(t, db, "Other")
		if _, err := db.RevealAnswer(ctxAdmin, other.ID, a.ID, "ssn"); hiretext.ErrorCode(err) != hiretext.ENotFound {
			t.Fatalf("revealing another company's answer: %v", err)
		}
		trail := readTrail(t, db, org.ID, marchTrail(t))
		if got := actions(trail); !strings.Contains(got, "application_forms.ssn_changed") || !strings.HasSuffix(got, "answer.revealed") {
			t.Fatalf("audit trail %s", got)
		}
		if err := db.EraseCandidate(ctx, org.ID, a.CandidateID, admin.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.RevealAnswer(ctxAdmin, org.ID, a.ID, "ssn"); hiretext.ErrorCode(err) != hiretext.ENotFound {
			t.Fatalf("revealing an erased SSN: %v", err)
		}
	})
}

// TestApplicationFormsAreAudited: creating, changing and deleting a custom
// form are in the audit trail; saving it unchanged records nothing.
func TestApplicationFormsAreAudited(t *testing.T) {
	EachWith(t, auditClock, func(t *testing.T, db *store.DB, _ Config) {
		org := MustCreateOrg(t, db, "Acme")
		form, err := db.CreateApplicationForm(ctx, org.ID, WarehouseForm())
		if err != nil {
			t.Fatal(err)
		}
		same := form.Name
		if _, err := db.UpdateApplicationForm(ctx, org.ID, form.ID, hiretext.FormUpdate{Name: &same}); err != nil {
			t.Fatal(err)
		}
		name := "Dock application"
		if _, err := db.UpdateApplicationForm(ctx, org.ID, form.ID, hiretext.FormUpdate{Name: &name}); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteApplicationForm(ctx, org.ID, form.ID); err != nil {
			t.Fatal(err)
		}
		trail := readTrail(t, db, org.ID, marchTrail(t))
		if got, want := actions(trail), "application_form.created application_form.changed application_form.deleted"; got != want {
			t.Fatalf("audit trail %q, want %q", got, want)
		}
		if trail[0].Target != "application_form:"+string(form.ID) {
			t.Fatalf("target %q", trail[0].Target)
		}
	})
}
