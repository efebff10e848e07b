package hiretext

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// TemplateID identifies a text template.
type TemplateID int64

// TemplateScope says whose a template is.
type TemplateScope string

// The scopes. Company templates are shared by every user of the company
// and managed by administrators; personal templates belong to the user who
// wrote them, whom alone they are shown to.
const (
	ScopeCompany  TemplateScope = "company"
	ScopePersonal TemplateScope = "personal"
)

// Valid reports whether s is a known scope.
func (s TemplateScope) Valid() bool { return s == ScopeCompany || s == ScopePersonal }

// MaxTemplateName bounds a template's name, in characters.
const MaxTemplateName = 100

// Template is a saved text a user can start a message from. Its body may
// hold merge fields; choosing it fills the composer, which stays editable.
// Editing or deleting a template never changes texts already sent: a
// message keeps its own body and the template's name as it was.
type Template struct {
	ID        TemplateID
	OrgID     OrgID
	Scope     TemplateScope
	OwnerID   UserID // the owner of a personal template; 0 for a company one
	Name      string
	Body      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TemplateInput is a new template as typed.
type TemplateInput struct {
	Scope TemplateScope
	Name  string
	Body  string
}

// Validate trims the name and checks every field at once: the scope, a
// name of at most MaxTemplateName characters on one line, and a body with
// the limits of a text whose merge fields hiretext knows.
func (in *TemplateInput) Validate() error {
	v := Validation{}
	if !in.Scope.Valid() {
		v.Add("scope", `Use "company" or "personal".`)
	}
	in.Name = validTemplateText(v, in.Name, in.Body)
	return v.Err()
}

// validTemplateText records the problems of a template's name and body and
// returns the trimmed name.
func validTemplateText(v Validation, name, body string) string {
	name = requiredText(v, "name", "template name", MaxTemplateName, name) // one line of text (CheckText)
	for field, message := range ErrorFields(ValidateMergeBody(body)) {
		v.Add(field, message)
	}
	return name
}

// TemplateUpdate changes a template's name or body; nil fields are left
// alone. The scope of a template never changes.
type TemplateUpdate struct {
	Name *string
	Body *string
}

// Apply validates u against t and returns the changed copy.
func (u TemplateUpdate) Apply(t Template) (Template, error) {
	if u.Name != nil {
		t.Name = *u.Name
	}
	if u.Body != nil {
		t.Body = *u.Body
	}
	v := Validation{}
	t.Name = validTemplateText(v, t.Name, t.Body)
	return t, v.Err()
}

// TemplateNameKey is the form of a name that must be unique per owner:
// names differing only in case or spacing are the same name.
func TemplateNameKey(name string) string {
	return strings.ToLower(strings.Join(strings.Fields(name), " "))
}

// DuplicateTemplateName is the field error for a name its owner already uses.
func DuplicateTemplateName(scope TemplateScope, name string) error {
	msg := "You already have a template named " + strconv.Quote(name) + ": choose another name."
	if scope == ScopeCompany {
		msg = "The company already has a template named " + strconv.Quote(name) + ": choose another name."
	}
	return FieldError(msg, map[string]string{"name": msg})
}

// CheckEditTemplates returns nil when u may create, change and delete
// templates of scope: company templates need an administrator, personal
// ones are each user's own.
func (u *User) CheckEditTemplates(scope TemplateScope) error {
	if scope == ScopeCompany && !u.IsAdmin() {
		return Errorf(EForbidden, "Only administrators can change company templates.")
	}
	return nil
}

// MatchTemplates returns the templates whose name or body contains every
// word of query, ignoring case: those whose name does first, each part in
// the order given. An empty query matches all.
func MatchTemplates(ts []*Template, query string) []*Template {
	words := strings.Fields(strings.ToLower(query))
	if len(words) == 0 {
		return ts
	}
	var byName, byBody []*Template
	for _, t := range ts {
		switch {
		case matchesAll(strings.ToLower(t.Name), words):
			byName = append(byName, t)
		case matchesAll(strings.ToLower(t.Name+"\n"+t.Body), words):
			byBody = append(byBody, t)
		}
	}
	return append(byName, byBody...)
}

func matchesAll(hay string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

// TemplateService keeps the company's and each user's templates. Every
// method takes the organization and the user explicitly: a user sees the
// company's templates and their own personal ones, and any other template
// (another company's, another user's, a deleted one) is not found. Who may
// change which template is User.CheckEditTemplates, checked by the caller.
type TemplateService interface {
	// CreateTemplate validates and saves a template; a personal one belongs to user.
	CreateTemplate(ctx context.Context, org OrgID, user UserID, in TemplateInput) (*Template, error)
	// Templates lists the company's templates, then user's, each by name.
	Templates(ctx context.Context, org OrgID, user UserID) ([]*Template, error)
	TemplateByID(ctx context.Context, org OrgID, user UserID, id TemplateID) (*Template, error)
	UpdateTemplate(ctx context.Context, org OrgID, user UserID, id TemplateID, u TemplateUpdate) (*Template, error)
	DeleteTemplate(ctx context.Context, org OrgID, user UserID, id TemplateID) error
}
