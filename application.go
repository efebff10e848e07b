package hiretext

import (
	"context"
	"strings"
	"time"
)

// ApplicationID identifies an application to a job.
type ApplicationID int64

// SMSAnswer is an applicant's answer to "May we text you about your
// application?". The newest application's answer becomes the candidate's
// consent.
type SMSAnswer string

// The answers. The form and the API offer main, alternate and none;
// unanswered is for an applicant who left the question unanswered and for
// applications whose source never asked (an import). It opts out.
const (
	AnswerMain       SMSAnswer = "main"
	AnswerAlternate  SMSAnswer = "alternate"
	AnswerNone       SMSAnswer = "none"
	AnswerUnanswered SMSAnswer = "unanswered"
)

// NoAnswerNote is the consent ledger's reason for opting out an applicant
// who left the texting question of the form or the API unanswered: the
// question is never required, and no answer means opted out.
const NoAnswerNote = "No answer: the applicant did not answer the texting question, and no answer means opted out."

// Valid reports whether a is a known answer.
func (a SMSAnswer) Valid() bool {
	return a == AnswerMain || a == AnswerAlternate || a == AnswerNone || a == AnswerUnanswered
}

// Consent is the texting consent the answer gives: opted in on the chosen
// phone, or opted out for "none" and for no answer at all.
func (a SMSAnswer) Consent() (SMSStatus, PhoneChoice) {
	switch a {
	case AnswerMain:
		return SMSOptedIn, PhoneMain
	case AnswerAlternate:
		return SMSOptedIn, PhoneAlternate
	}
	return SMSOptedOut, PhoneNone
}

// Label describes the answer for people.
func (a SMSAnswer) Label() string {
	switch a {
	case AnswerMain:
		return "Text my main phone"
	case AnswerAlternate:
		return "Text my alternate phone"
	case AnswerNone:
		return "Do not text me"
	}
	return "Not answered"
}

// ApplicationChannel is how an application arrived.
type ApplicationChannel string

// The channels.
const (
	ChannelForm   ApplicationChannel = "form"   // the public application form
	ChannelAPI    ApplicationChannel = "api"    // POST /api/v1/jobs/{id}/applications
	ChannelImport ApplicationChannel = "import" // seeded or imported data
)

// Valid reports whether c is a known channel.
func (c ApplicationChannel) Valid() bool {
	return c == ChannelForm || c == ChannelAPI || c == ChannelImport
}

// Application is one submission to a job, kept as submitted; the candidate
// carries the current details.
type Application struct {
	ID             ApplicationID
	OrgID          OrgID
	CandidateID    CandidateID
	JobID          JobID
	JobTitle       string
	FirstName      string
	LastName       string
	Email          string
	MainPhone      string // E.164
	AlternatePhone string // E.164 or ""
	SMSAnswer      SMSAnswer
	Channel        ApplicationChannel
	UserID         UserID   // the API token's user; 0 for the public form
	FormName       string   // the form's name when the applicant filled it in
	Answers        []Answer // the answers, each with its question as asked
	CreatedAt      time.Time
}

// MaxUserAgentLength bounds the user agent kept as consent evidence, in bytes.
const MaxUserAgentLength = 512

// NewApplication is the input for applying to a job: the applicant's details
// as typed, their texting answer and the evidence of that answer.
type NewApplication struct {
	JobID          JobID
	FirstName      string
	LastName       string
	Email          string
	MainPhone      string // as typed; parsed in the company's region
	AlternatePhone string // as typed; optional
	SMS            SMSAnswer
	Channel        ApplicationChannel
	// Answers are the answers to the form's own questions, by key; Form is
	// the job's form, which the store sets before validating.
	Answers AnswerInput
	Form    *ApplicationForm
	// Given are the answers read from Answers by Validate.
	Given []Answer

	// Evidence for the consent ledger.
	Disclosure string // the consent disclosure the applicant was shown
	IP         string // the applicant's address (form)
	UserAgent  string // the applicant's browser (form)
	UserID     UserID // the user whose API token submitted it (API)
}

// Validate checks every field at once, normalizes the email and turns the
// phones into E.164 with parse in region. Choosing the alternate phone
// without giving one is an error on alternate_phone. The first name may be
// empty: a person with a single name (a mononym) gives it as the last name.
func (n *NewApplication) Validate(parse PhoneParser, region string) error {
	v := Validation{}
	n.FirstName, n.LastName = validNames(v, n.FirstName, n.LastName)
	email, err := NormalizeEmail(n.Email)
	if err != nil {
		v.Add("email", ErrorMessage(err))
	}
	n.Email = email
	n.MainPhone, n.AlternatePhone = validPhones(v, parse, region, n.MainPhone, n.AlternatePhone)
	n.validateAnswer(v)
	n.readAnswers(v)
	if !n.Channel.Valid() {
		v.Add("channel", "Unknown application channel.")
	}
	// The browser's word, kept as evidence: never refused, only made text.
	n.UserAgent = strings.ToValidUTF8(truncateBytes(SanitizeText(n.UserAgent, SingleLine), MaxUserAgentLength), "")
	return v.Err()
}

// validNames trims the names and records their problems: the last name is
// required, the first name is not (see Candidate.Name).
func validNames(v Validation, first, last string) (string, string) {
	first = optionalText(v, "first_name", SingleLine, MaxNameLength, "Use at most 100 characters for the first name.", first)
	return first, requiredText(v, "last_name", "last name", MaxNameLength, last)
}

// validateAnswer checks the texting answer against the phones given.
func (n *NewApplication) validateAnswer(v Validation) {
	switch {
	case !n.SMS.Valid():
		v.Add("sms_opt_in", "Choose whether we may text you, and on which phone.")
	case n.SMS == AnswerAlternate && strings.TrimSpace(n.AlternatePhone) == "":
		v.Add("alternate_phone", "Enter the alternate phone to be texted on it, or choose another option.")
	}
	if status, _ := n.SMS.Consent(); status == SMSOptedIn && strings.TrimSpace(n.Disclosure) == "" {
		v.Add("disclosure", "An opt-in needs the consent disclosure the applicant was shown.")
	}
}

// readAnswers reads the answers to the form's questions into Given, adding
// their problems to v. Without a form only an empty set of answers is valid.
func (n *NewApplication) readAnswers(v Validation) {
	form := n.Form
	if form == nil {
		form = BuiltinForm(0, FormStandard)
	}
	given, err := form.ReadAnswers(n.Answers)
	for key, msg := range ErrorFields(err) {
		v.Add("answers."+key, msg)
	}
	n.Given = given
}

// truncateBytes cuts s to at most n bytes.
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// ApplicationService takes applications and lists a candidate's. Every
// method takes the organization explicitly.
type ApplicationService interface {
	// Apply records an application to an open job. An applicant whose email
	// (or, failing that, phone) matches a candidate of the organization is
	// that candidate: their details update and the application's texting
	// answer becomes their consent. Nothing is stored when input is invalid.
	Apply(ctx context.Context, org OrgID, n NewApplication) (*Application, error)
	// CandidateApplications lists a candidate's applications, newest first.
	CandidateApplications(ctx context.Context, org OrgID, id CandidateID) ([]*Application, error)
}
