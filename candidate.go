package hiretext

import (
	"context"
	"strings"
	"time"
)

// CandidateID identifies a candidate of one organization.
type CandidateID int64

// SMSStatus is whether a candidate may be texted. No answer means opted out.
type SMSStatus string

// The SMS statuses.
const (
	SMSOptedIn  SMSStatus = "opted_in"
	SMSOptedOut SMSStatus = "opted_out"
)

// Valid reports whether s is a known status.
func (s SMSStatus) Valid() bool { return s == SMSOptedIn || s == SMSOptedOut }

// PhoneChoice names one of a candidate's two phones.
type PhoneChoice string

// The phones. PhoneNone is the zero value: no phone.
const (
	PhoneNone      PhoneChoice = ""
	PhoneMain      PhoneChoice = "main"
	PhoneAlternate PhoneChoice = "alternate"
)

// Valid reports whether p names a phone (main or alternate).
func (p PhoneChoice) Valid() bool { return p == PhoneMain || p == PhoneAlternate }

// PhoneParser turns a phone number as people type it into E.164, assuming
// region when the number has no country code. The phone package provides
// one; the domain takes it as a function so it stays free of dependencies.
type PhoneParser func(raw, region string) (string, error)

// Candidate is a person who applied to one of an organization's jobs. Their
// texting consent lives here: SMSStatus and, when opted in, SMSPhone; the
// consent ledger records how it got there.
type Candidate struct {
	ID                CandidateID
	OrgID             OrgID
	FirstName         string
	LastName          string
	Email             string // lower case
	MainPhone         string // E.164
	AlternatePhone    string // E.164, or "" when none
	SMSStatus         SMSStatus
	SMSPhone          PhoneChoice // the phone consented to; PhoneNone when opted out
	LastApplicationID ApplicationID
	// TimeZone is the IANA zone a user set on the profile; "" derives the
	// candidate's zones from the texting phone (see ResolveZones).
	TimeZone string
	// TextedFirstAt is when a user made this candidate from a conversation
	// the candidate started (see TextedFirst); zero otherwise, and zero
	// again once the candidate's consent changes.
	TextedFirstAt time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Name is the candidate's full name: the one name of a candidate who has
// only one (a mononym, kept as the last name with an empty first name).
func (c *Candidate) Name() string { return strings.TrimSpace(c.FirstName + " " + c.LastName) }

// ShortName is what sentences call the candidate: the first name, or the
// one name of a mononym.
func (c *Candidate) ShortName() string {
	if c.FirstName != "" {
		return c.FirstName
	}
	return c.LastName
}

// Phone returns the E.164 number of phone p, or "" when the candidate has none.
func (c *Candidate) Phone(p PhoneChoice) string {
	switch p {
	case PhoneMain:
		return c.MainPhone
	case PhoneAlternate:
		return c.AlternatePhone
	}
	return ""
}

// PhoneChoiceOf returns which of the candidate's phones e164 is, main first,
// or PhoneNone when it is neither.
func (c *Candidate) PhoneChoiceOf(e164 string) PhoneChoice {
	switch {
	case e164 == "":
		return PhoneNone
	case e164 == c.MainPhone:
		return PhoneMain
	case e164 == c.AlternatePhone:
		return PhoneAlternate
	}
	return PhoneNone
}

// OptedIn reports whether the candidate may be texted now: opted in on a
// phone they still have.
func (c *Candidate) OptedIn() bool { return c.TextingPhone() != "" }

// TextingPhone is the E.164 number the candidate agreed to be texted on, or
// "" when they are opted out or that phone is gone. It is the only number
// any text to the candidate may go to.
func (c *Candidate) TextingPhone() string {
	if c.SMSStatus != SMSOptedIn {
		return ""
	}
	return c.Phone(c.SMSPhone)
}

// TextedFirst reports whether the candidate wrote to the company before
// anyone asked them, and has given no consent since: they may be answered
// in the conversation they started (when the company's send policy allows
// it) but are never part of a bulk send.
func (c *Candidate) TextedFirst() bool {
	return !c.TextedFirstAt.IsZero() && c.SMSStatus != SMSOptedIn
}

// SMSLabel describes the texting status for people: "Opted in (main)",
// "Texted us first" or "SMS: Opted Out".
func (c *Candidate) SMSLabel() string {
	if c.TextedFirst() {
		return "Texted us first"
	}
	if !c.OptedIn() {
		return "SMS: Opted Out"
	}
	return "Opted in (" + string(c.SMSPhone) + ")"
}

// PhoneChangeRevokes reports whether changing a candidate's phones from
// before to after ends their texting consent. Consent is given for a number,
// so it does not carry over when that number changes or is removed.
func PhoneChangeRevokes(before, after *Candidate) bool {
	return before.OptedIn() && after.Phone(before.SMSPhone) != before.TextingPhone()
}

// MaxNameLength bounds first and last names, in characters.
const MaxNameLength = 100

// validPhones parses a main (required) and an alternate (optional) phone,
// recording errors under main_phone and alternate_phone.
func validPhones(v Validation, parse PhoneParser, region, main, alt string) (string, string) {
	var mainE164, altE164 string
	var err error
	if strings.TrimSpace(main) == "" {
		v.Add("main_phone", "Enter a main phone number.")
	} else if mainE164, err = parse(main, region); err != nil {
		v.Add("main_phone", ErrorMessage(err))
	}
	if strings.TrimSpace(alt) == "" {
		return mainE164, ""
	}
	altE164, err = parse(alt, region)
	switch {
	case err != nil:
		v.Add("alternate_phone", ErrorMessage(err))
	case altE164 == mainE164:
		v.Add("alternate_phone", "The alternate phone is the same as the main phone; leave it empty.")
	}
	return mainE164, altE164
}

// SenderCandidate names the candidate a user makes of an unknown sender's
// conversation; the phone is the conversation's.
type SenderCandidate struct {
	FirstName, LastName string
}

// Validate trims the names and checks them as an application's are (the
// last name is required; a mononym is a last name).
func (n *SenderCandidate) Validate() error {
	v := Validation{}
	n.FirstName, n.LastName = validNames(v, n.FirstName, n.LastName)
	return v.Err()
}

// CandidateUpdate changes a candidate's phones and texting consent; nil
// fields are left alone. It is what users with the profiles permission edit.
type CandidateUpdate struct {
	MainPhone      *string // as typed; parsed in the company's region
	AlternatePhone *string // as typed; "" removes it
	SMS            *SMSChange
}

// SMSChange is a user's change of a candidate's texting consent.
type SMSChange struct {
	Status SMSStatus
	Phone  PhoneChoice // required to opt in
	Note   string
	// Confirmed is the user's statement that the candidate agreed to be
	// texted on Phone; opting in requires it, opting out does not.
	Confirmed bool
}

// MaxNoteLength bounds the note of a consent change, in characters.
const MaxNoteLength = 1000

// Apply validates u against c and returns c with the new phones. The SMS
// change is checked against the phones the candidate will have.
func (u CandidateUpdate) Apply(c Candidate, parse PhoneParser, region string) (Candidate, error) {
	v := Validation{}
	if u.MainPhone != nil || u.AlternatePhone != nil {
		main, alt := c.MainPhone, c.AlternatePhone
		if u.MainPhone != nil {
			main = *u.MainPhone
		}
		if u.AlternatePhone != nil {
			alt = *u.AlternatePhone
		}
		c.MainPhone, c.AlternatePhone = validPhones(v, parse, region, main, alt)
	}
	if u.SMS != nil {
		u.SMS.validate(v, &c)
	}
	return c, v.Err()
}

// validate checks a consent change against the candidate's phones.
func (s *SMSChange) validate(v Validation, c *Candidate) {
	s.Note = optionalText(v, "note", MultiLine, MaxNoteLength, "Use at most 1,000 characters for the note.", s.Note)
	switch s.Status {
	case SMSOptedOut:
		s.Phone = PhoneNone
	case SMSOptedIn:
		if !s.Phone.Valid() {
			v.Add("sms_phone", "Choose the phone the candidate agreed to be texted on.")
		} else if c.Phone(s.Phone) == "" {
			v.Add("sms_phone", "The candidate has no alternate phone; add it first or choose the main phone.")
		}
		if !s.Confirmed {
			v.Add("confirm", "Confirm that the candidate agreed to receive texts on this phone.")
		}
	default:
		v.Add("sms_status", "Choose opted in or opted out.")
	}
}

// Page sizes of candidate lists.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// CandidateQuery selects one page of the candidate pool.
type CandidateQuery struct {
	// Text is matched word by word: each word must start one of the
	// candidate's names, their email (or its domain) or one of their phone
	// numbers written in digits (whole, national, or the last 7 or 4 digits).
	Text      string
	JobID     JobID     // only candidates who applied to this job; 0 for all
	SMSStatus SMSStatus // only candidates with this status; "" for all
	Cursor    string    // CandidatePage.NextCursor of the previous page; "" for the first
	// Before is a CandidatePage.PrevCursor: the query returns the page just
	// before the one it came from. At most one of Cursor and Before is set.
	Before string
	Limit  int // page size; 0 means DefaultPageSize
}

// Validate checks q and fills the default page size.
func (q *CandidateQuery) Validate() error {
	v := Validation{}
	q.Text = optionalText(v, "q", SingleLine, 200, "Use at most 200 characters to search.", q.Text)
	if q.SMSStatus != "" && !q.SMSStatus.Valid() {
		v.Add("sms_status", `Use "opted_in" or "opted_out".`)
	}
	if q.Cursor != "" && q.Before != "" {
		v.Add("before", "Use either a cursor or before, not both.")
	}
	if q.Limit == 0 {
		q.Limit = DefaultPageSize
	}
	if q.Limit < 1 || q.Limit > MaxPageSize {
		v.Add("limit", "Use a limit between 1 and 200.")
	}
	return v.Err()
}

// PoolEntry is one row of the candidate pool: a candidate and their newest
// application (to the job the query asked for, if any).
type PoolEntry struct {
	Candidate   *Candidate
	Application ApplicationSummary
}

// ApplicationSummary names an application and its job.
type ApplicationSummary struct {
	ID        ApplicationID
	JobID     JobID
	JobTitle  string
	CreatedAt time.Time
}

// CandidatePage is one page of the candidate pool, newest application first.
type CandidatePage struct {
	Entries    []*PoolEntry
	NextCursor string // "" on the last page
	PrevCursor string // "" on the first page
	// Total is how many candidates match the query when counting them is
	// about as cheap as the page: the whole pool, one SMS status, one job,
	// a single rare word, or a first page that holds them all. Otherwise it
	// is TotalUnknown: counting would check every candidate of a job or a
	// search, which at 100,000 candidates costs more than the page.
	Total int
}

// TotalUnknown is CandidatePage.Total when the candidates were not counted.
const TotalUnknown = -1

// CandidateService finds and edits the candidates of an organization. Every
// method takes the organization explicitly; a candidate of another
// organization is not found.
type CandidateService interface {
	CandidateByID(ctx context.Context, org OrgID, id CandidateID) (*Candidate, error)
	// SearchCandidates returns one page of the pool (keyset pagination).
	SearchCandidates(ctx context.Context, org OrgID, q CandidateQuery) (*CandidatePage, error)
	// CandidatesFromTexts lists, newest first, at most limit candidates who
	// have not applied: those users made from a conversation the sender
	// started. The pool lists applicants; these are shown beside it.
	CandidatesFromTexts(ctx context.Context, org OrgID, limit int) ([]*Candidate, error)
	// CandidatesByIDs returns the candidates among ids, newest application
	// first; with a job, only those who applied to it.
	CandidatesByIDs(ctx context.Context, org OrgID, ids []CandidateID, job JobID) ([]*Candidate, error)
	// UpdateCandidate changes phones and consent in one transaction, writing
	// the consent ledger; by is the user making the change.
	UpdateCandidate(ctx context.Context, org OrgID, id CandidateID, u CandidateUpdate, by UserID) (*Candidate, error)
}
