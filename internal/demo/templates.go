package demo

import (
	"context"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// companyTemplates are the demo company's shared templates, which Dana the
// administrator keeps.
var companyTemplates = []hiretext.TemplateInput{
	{Scope: hiretext.ScopeCompany, Name: "Interview invitation",
		Body: "Hi {FirstName|there}, this is {RecruiterFirstName} from {CompanyName}. We'd like to interview you for the " +
			"{JobTitle|open} position. What day this week works for you?"},
	{Scope: hiretext.ScopeCompany, Name: "Documents reminder",
		Body: "Hi {FirstName|there}, a reminder to bring a photo ID and proof of work eligibility to your interview. " +
			"Questions? Text {RecruiterNumber}."},
	{Scope: hiretext.ScopeCompany, Name: "Open house",
		Body: "{CompanyName} is holding an open house this Friday, 10am to 2pm, at 200 W Madison St. Meet our recruiters " +
			"and hear about open roles!"},
}

// personalTemplates are each recruiter's own template, by email.
var personalTemplates = map[string]hiretext.TemplateInput{
	"marcus.reyes@acme-staffing.example": {Scope: hiretext.ScopePersonal, Name: "Quick call",
		Body: "Hi {FirstName|there}, this is {RecruiterFirstName} from {CompanyName}. Thanks for applying to the " +
			"{JobTitle|open} position! Are you free for a quick call tomorrow?"},
	"priya.natarajan@acme-staffing.example": {Scope: hiretext.ScopePersonal, Name: "Still interested?",
		Body: "Hi {FirstName|there}, it's {RecruiterFirstName} at {CompanyName}. Are you still interested in the " +
			"{JobTitle|open} position?"},
}

// seedTemplates saves the company's templates and each recruiter's own,
// and returns them by name, for the demo's texts to come from.
func seedTemplates(ctx context.Context, db *store.DB, org *hiretext.Organization, users map[string]*hiretext.User) (map[string]*hiretext.Template, error) {
	out := map[string]*hiretext.Template{}
	admin := users["dana.whitfield@acme-staffing.example"]
	for _, in := range companyTemplates {
		t, err := db.CreateTemplate(ctx, org.ID, admin.ID, in)
		if err != nil {
			return nil, err
		}
		out[t.Name] = t
	}
	for email, in := range personalTemplates {
		t, err := db.CreateTemplate(ctx, org.ID, users[email].ID, in)
		if err != nil {
			return nil, err
		}
		out[t.Name] = t
	}
	return out, nil
}

// seedSignature gives Priya a signature on the first text of each
// conversation, after the demo's texts, which predate it. It uses a plain
// hyphen: a dash outside the GSM alphabet would make every text she signs
// cost UCS-2 segments.
func seedSignature(ctx context.Context, db *store.DB, org *hiretext.Organization, users map[string]*hiretext.User) error {
	priya := users["priya.natarajan@acme-staffing.example"]
	_, err := db.SetSignature(ctx, org.ID, priya.ID, hiretext.Signature{Text: "- {RecruiterFirstName}, {CompanyName}"})
	return err
}
