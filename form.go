package hiretext

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// FormID identifies an application form: "standard" and "dot" for the two
// built-in forms every company has, the decimal id of a custom form.
type FormID string

// The built-in forms.
const (
	FormStandard FormID = "standard" // the Standard application: name, email, phones
	FormDOT      FormID = "dot"      // the DOT driver application of 49 CFR 391.21
)

// Builtin reports whether id is one of the built-in forms.
func (id FormID) Builtin() bool { return id == FormStandard || id == FormDOT }

// Custom returns the database id of a custom form, or 0 when id is not one.
func (id FormID) Custom() int64 {
	n, err := strconv.ParseInt(string(id), 10, 64)
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != string(id) {
		return 0
	}
	return n
}

// CustomFormID is the FormID of the custom form with database id n.
func CustomFormID(n int64) FormID { return FormID(strconv.FormatInt(n, 10)) }

// QuestionType is the kind of answer a question takes.
type QuestionType string

// The question types a form may ask.
const (
	QuestionShortText QuestionType = "short_text"      // one line, at most MaxAnswerLength characters
	QuestionLongText  QuestionType = "long_text"       // several lines, at most MaxAnswerLength characters
	QuestionYesNo     QuestionType = "yes_no"          // "yes" or "no"
	QuestionSingle    QuestionType = "single_choice"   // one of the choices
	QuestionMultiple  QuestionType = "multiple_choice" // any of the choices
	QuestionDate      QuestionType = "date"            // YYYY-MM-DD
	QuestionNumber    QuestionType = "number"          // a decimal number
)

// QuestionTypes lists the types in the order a form editor offers them.
var QuestionTypes = []QuestionType{QuestionShortText, QuestionLongText, QuestionYesNo, QuestionSingle, QuestionMultiple, QuestionDate, QuestionNumber}

// Valid reports whether t is a known type.
func (t QuestionType) Valid() bool {
	for _, k := range QuestionTypes {
		if t == k {
			return true
		}
	}
	return false
}

// HasChoices reports whether questions of type t need choices.
func (t QuestionType) HasChoices() bool { return t == QuestionSingle || t == QuestionMultiple }

// Label names the type for people.
func (t QuestionType) Label() string {
	switch t {
	case QuestionShortText:
		return "Short text"
	case QuestionLongText:
		return "Long text"
	case QuestionYesNo:
		return "Yes or no"
	case QuestionSingle:
		return "Single choice"
	case QuestionMultiple:
		return "Multiple choice"
	case QuestionDate:
		return "Date"
	case QuestionNumber:
		return "Number"
	}
	return string(t)
}

// Limits of forms and answers.
const (
	MaxFormName       = 100
	MaxFormQuestions  = 50
	MaxQuestionLabel  = 200
	MaxQuestionHelp   = 500
	MaxQuestionChoice = 100
	MaxChoices        = 50
	MaxAnswerLength   = 5000
)

// Question is one question of a form. Its ID is stable: editing the form
// keeps it, so answers can be matched to questions; applications keep the
// label and type as asked.
type Question struct {
	ID       string       `json:"id"`
	Label    string       `json:"label"`
	Help     string       `json:"help,omitempty"`
	Type     QuestionType `json:"type"`
	Required bool         `json:"required"`
	Choices  []string     `json:"choices,omitempty"`
	// MustBeYes makes a required yes/no question accept only "yes" (a
	// certification).
	MustBeYes bool `json:"must_be_yes,omitempty"`
	// Sensitive marks the Social Security number of the DOT driver
	// application: read as nine digits, encrypted at rest, shown masked.
	Sensitive bool `json:"sensitive,omitempty"`
}

// Section is a part of a form. A repeating section (Max > 0) is a group
// the applicant fills in once per licence, employer or accident: at least
// Min and at most Max entries; an entry left wholly empty does not count.
type Section struct {
	ID        string
	Title     string
	Help      string
	Noun      string // one entry of a repeating section: "licence"
	Min, Max  int
	Questions []Question
}

// Repeats reports whether s is a repeating group.
func (s *Section) Repeats() bool { return s.Max > 0 }

// ApplicationForm is a company's application form. Every form asks for the
// applicant's name, email and phones and the texting question (which no
// form can change); a built-in form adds its fixed sections, a custom form
// the sections of the built-in one it started from and its own questions.
type ApplicationForm struct {
	ID        FormID
	OrgID     OrgID
	Name      string
	Base      FormID     // the built-in form a custom form started from; a built-in form's own ID
	Questions []Question // a custom form's own questions, in order
	// NextQuestion numbers the next question added, so a removed
	// question's ID is never given to another.
	NextQuestion int
	// CollectSSN adds the Social Security number to a form based on the
	// DOT driver application: the company's choice (off by default).
	CollectSSN bool
	Jobs       int // the jobs using the form
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Builtin reports whether f is one of the built-in forms, readable but not
// editable.
func (f *ApplicationForm) Builtin() bool { return f.ID.Builtin() }

// Sections are the form's sections after the applicant's details, in order.
func (f *ApplicationForm) Sections() []Section {
	var out []Section
	if f.Base == FormDOT {
		out = append(out, dotSections(f.CollectSSN)...)
	}
	if len(f.Questions) > 0 {
		out = append(out, Section{ID: "questions", Title: "Questions", Questions: f.Questions})
	}
	return out
}

// BuiltinForm returns the built-in form id of org, or nil.
func BuiltinForm(org OrgID, id FormID) *ApplicationForm {
	switch id {
	case FormStandard:
		return &ApplicationForm{ID: id, OrgID: org, Name: "Standard application", Base: id}
	case FormDOT:
		return &ApplicationForm{ID: id, OrgID: org, Name: "DOT driver application", Base: id}
	}
	return nil
}

// TextingQuestion is the question every form asks, fixed: no form may
// remove it, reword it, require an answer or preselect one. No answer
// opts the applicant out.
const TextingQuestion = "May we text you about your application?"

// FormInput is a custom form as an administrator typed it. Questions with
// an ID keep it; new ones get the next free ID.
type FormInput struct {
	Name      string
	Base      FormID
	Questions []Question
}

// Validate checks the whole form at once: a name, a built-in base, at most
// MaxFormQuestions questions, each with a label on one line, a known type,
// choices exactly when the type needs them, unique question IDs. Field
// errors are named like the API's body: "questions[2].label".
func (in *FormInput) Validate() error {
	v := Validation{}
	in.Name = requiredText(v, "name", "form name", MaxFormName, in.Name)
	if !in.Base.Builtin() {
		v.Add("base", `Start from "standard" or "dot".`)
	}
	if len(in.Questions) > MaxFormQuestions {
		v.Add("questions", "A form may ask at most 50 questions of its own.")
	}
	ids := map[string]bool{}
	for i := range in.Questions {
		q := &in.Questions[i]
		field := "questions[" + strconv.Itoa(i) + "]"
		validQuestion(v, field, q)
		if q.ID != "" && ids[q.ID] {
			v.Add(field+".id", "Two questions have the ID "+q.ID+".")
		}
		ids[q.ID] = true
	}
	return v.Err()
}

// validQuestion trims q and records its problems under field.
func validQuestion(v Validation, field string, q *Question) {
	q.Label = requiredText(v, field+".label", "question", MaxQuestionLabel, q.Label)
	if asksAboutTexting(q.Label) {
		v.Add(field+".label", "Every form already asks the texting question, which cannot be changed or asked again.")
	}
	q.Help = optionalText(v, field+".help", MultiLine, MaxQuestionHelp, "Use at most 500 characters for the help text.", q.Help)
	q.MustBeYes, q.Sensitive = false, false // only built-in questions require a yes or are sensitive
	if !q.Type.Valid() {
		v.Add(field+".type", "Choose short text, long text, yes or no, single choice, multiple choice, date or number.")
		return
	}
	if !q.Type.HasChoices() {
		if len(q.Choices) > 0 {
			v.Add(field+".choices", "Only a single or multiple choice question has choices.")
		}
		q.Choices = nil
		return
	}
	q.Choices = validChoices(v, field+".choices", q.Choices)
}

// validChoices trims choices, drops blank ones and records their problems.
func validChoices(v Validation, field string, choices []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range choices {
		c = optionalText(v, field, SingleLine, MaxQuestionChoice, "Use at most 100 characters for each choice.", c)
		if c == "" {
			continue
		}
		if seen[strings.ToLower(c)] {
			v.Add(field, "The choice "+strconv.Quote(c)+" is given twice.")
		}
		seen[strings.ToLower(c)] = true
		out = append(out, c)
	}
	switch {
	case len(out) == 0:
		v.Add(field, "Give at least one choice.")
	case len(out) > MaxChoices:
		v.Add(field, "Give at most 50 choices.")
	}
	return out
}

// asksAboutTexting reports whether a question's label asks what only the
// fixed texting question may ask.
func asksAboutTexting(label string) bool {
	l := strings.ToLower(label)
	for _, w := range []string{"sms", "text message", "texting", "text you", "text me", "texts"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// NumberQuestions gives every question without an ID the next free one of
// f ("q1", "q2", ...) and advances f.NextQuestion. A question whose ID f
// never gave is an error: IDs are the server's to give.
func (f *ApplicationForm) NumberQuestions(qs []Question) ([]Question, error) {
	v := Validation{}
	known := map[string]bool{}
	for _, q := range f.Questions {
		known[q.ID] = true
	}
	out := make([]Question, len(qs))
	for i, q := range qs {
		if q.ID != "" && !known[q.ID] {
			v.Add("questions["+strconv.Itoa(i)+"].id", "This form has no question "+strconv.Quote(q.ID)+"; leave the ID out for a new question.")
		}
		if q.ID == "" {
			f.NextQuestion++
			q.ID = "q" + strconv.Itoa(f.NextQuestion)
		}
		out[i] = q
	}
	return out, v.Err()
}

// FormUpdate changes a custom form; nil fields are left alone. A form's
// base cannot change.
type FormUpdate struct {
	Name      *string
	Questions *[]Question
}

// Apply validates u against f and returns the changed copy, new questions
// numbered.
func (u FormUpdate) Apply(f ApplicationForm) (ApplicationForm, error) {
	if f.Builtin() {
		return f, Errorf(EConflict, "The %s is built in: it cannot be changed. Create a custom form from it instead.", f.Name)
	}
	in := FormInput{Name: f.Name, Base: f.Base, Questions: f.Questions}
	if u.Name != nil {
		in.Name = *u.Name
	}
	if u.Questions != nil {
		in.Questions = *u.Questions
	}
	err := in.Validate()
	qs, idErr := f.NumberQuestions(in.Questions)
	if err != nil {
		return f, err
	}
	if idErr != nil {
		return f, idErr
	}
	f.Name, f.Questions = in.Name, qs
	return f, nil
}

// NewCustomForm is the form in, validated, with its questions numbered.
func NewCustomForm(org OrgID, in FormInput) (*ApplicationForm, error) {
	for i := range in.Questions {
		in.Questions[i].ID = "" // a new form numbers its questions itself
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	f := &ApplicationForm{OrgID: org, Name: in.Name, Base: in.Base}
	qs, err := f.NumberQuestions(in.Questions)
	if err != nil {
		return nil, err
	}
	f.Questions = qs
	return f, nil
}

// FormService manages a company's application forms. Every method takes
// the organization explicitly; another company's form is not found.
type FormService interface {
	// ApplicationForms lists the built-in forms, then the custom ones by name.
	ApplicationForms(ctx context.Context, org OrgID) ([]*ApplicationForm, error)
	// ApplicationForm returns one form, built in or custom.
	ApplicationForm(ctx context.Context, org OrgID, id FormID) (*ApplicationForm, error)
	// CreateApplicationForm saves a new custom form.
	CreateApplicationForm(ctx context.Context, org OrgID, in FormInput) (*ApplicationForm, error)
	// UpdateApplicationForm changes a custom form. Applications already
	// received keep their answers with the questions as asked.
	UpdateApplicationForm(ctx context.Context, org OrgID, id FormID, u FormUpdate) (*ApplicationForm, error)
	// DeleteApplicationForm deletes a custom form no job uses (EConflict
	// otherwise).
	DeleteApplicationForm(ctx context.Context, org OrgID, id FormID) error
	// SetCollectSSN turns on or off the Social Security number on the
	// forms based on the DOT driver application.
	SetCollectSSN(ctx context.Context, org OrgID, on bool) error
	// RevealAnswer decrypts a masked answer of an application for an
	// administrator and records that it was revealed.
	RevealAnswer(ctx context.Context, org OrgID, app ApplicationID, key string) (string, error)
}
