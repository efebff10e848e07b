package hiretext

import (
	"context"
	"time"
)

// ConsentSource is what caused a change of a candidate's texting consent.
type ConsentSource string

// The consent sources.
const (
	ConsentApplication ConsentSource = "application" // the texting answer of an application
	ConsentRecruiter   ConsentSource = "recruiter"   // a user changed it on the profile or through the API
	ConsentKeyword     ConsentSource = "keyword"     // the candidate texted STOP, START or another keyword
	ConsentProvider    ConsentSource = "provider"    // the SMS provider reported an opt-out or opt-in
)

// Valid reports whether s is a known source.
func (s ConsentSource) Valid() bool {
	return s == ConsentApplication || s == ConsentRecruiter || s == ConsentKeyword || s == ConsentProvider
}

// Label names the source for people, as the consent history shows it.
func (s ConsentSource) Label() string {
	switch s {
	case ConsentApplication:
		return "Job application"
	case ConsentRecruiter:
		return "Recruiter"
	case ConsentKeyword:
		return "Text reply (keyword)"
	case ConsentProvider:
		return "Carrier"
	}
	return string(s)
}

// ConsentChange is one change of a candidate's texting consent with its
// evidence. Every change, whatever its source, goes through the store's one
// consent function, which updates the candidate and appends to the consent
// ledger in the same transaction.
type ConsentChange struct {
	CandidateID CandidateID
	Status      SMSStatus
	// Phone is the phone consented to (required to opt in). For an opt-out
	// it may name the phone the request came from; when it is empty the
	// ledger records the phone the candidate had consented to.
	Phone  PhoneChoice
	Source ConsentSource

	ApplicationID ApplicationID // source application: the application
	Disclosure    string        // source application: the disclosure shown
	IP            string        // source application: the applicant's address
	UserAgent     string        // source application: the applicant's browser
	UserID        UserID        // source recruiter: the user; application: the API token's user
	Note          string        // any source: a free-text note
	MessageID     int64         // source keyword or provider: the inbound message, when there is one
	Rule          string        // source keyword: the rule that read the text as an opt-out (Reading.Rule); provider: RuleCarrierBlock for a block
}

// Validate checks that c is complete for its source.
func (c *ConsentChange) Validate() error {
	v := Validation{}
	c.Note = optionalText(v, "note", MultiLine, MaxNoteLength, "Use at most 1,000 characters for the note.", c.Note)
	if !c.Status.Valid() {
		v.Add("sms_status", "Choose opted in or opted out.")
	}
	if (c.Phone != PhoneNone || c.Status == SMSOptedIn) && !c.Phone.Valid() {
		v.Add("sms_phone", "Choose the main or the alternate phone.")
	}
	c.validateEvidence(v)
	return v.Err()
}

// validateEvidence checks that the evidence its source needs is present.
func (c *ConsentChange) validateEvidence(v Validation) {
	switch c.Source {
	case ConsentApplication:
		if c.ApplicationID == 0 {
			v.Add("application_id", "A consent change from an application names the application.")
		}
	case ConsentRecruiter:
		if c.UserID == 0 {
			v.Add("user_id", "A consent change by a recruiter names the user.")
		}
	case ConsentKeyword:
		if c.MessageID == 0 {
			v.Add("message_id", "A consent change by keyword names the inbound message.")
		}
	case ConsentProvider:
	default:
		v.Add("source", "Unknown consent source.")
	}
}

// ConsentEventID identifies an entry of the consent ledger.
type ConsentEventID int64

// ConsentEvent is one append-only entry of the consent ledger: the consent a
// candidate had from CreatedAt on, and why. Entries are never changed or
// deleted; editing a phone appends, it never rewrites. The personal values
// (PhoneNumber, IP, UserAgent, Note) are evidence kept beside the ledger:
// erasure removes them, and the ledger keeps their keyed hashes in its
// chain (see LedgerEntry).
type ConsentEvent struct {
	ID            ConsentEventID
	OrgID         OrgID
	CandidateID   CandidateID
	Status        SMSStatus
	Phone         PhoneChoice // which phone, when known
	PhoneNumber   string      // that phone's E.164 number at the time, when known
	Source        ConsentSource
	ApplicationID ApplicationID
	Disclosure    string
	IP            string
	UserAgent     string
	UserID        UserID
	UserName      string // the user's name, for display
	Note          string
	MessageID     int64
	Rule          string
	CreatedAt     time.Time

	// The entry's place in its company's hash chain.
	Seq          int64
	PhoneHash    string
	EvidenceHash string
	PrevHash     string
	Hash         string
	Erased       bool // the personal values were erased
}

// RuleTextedFirst is the consent ledger's rule of the entry recorded when a
// user makes a candidate from a conversation the sender started: the
// candidate is not opted in (Status is SMSOptedOut, so no bulk send reaches
// them), and the entry keeps the evidence that they wrote first.
const RuleTextedFirst = "texted first"

// Label describes the change for people: "Opted in (alternate)", "Texted
// us first" or "Opted out".
func (e *ConsentEvent) Label() string {
	if e.Rule == RuleTextedFirst {
		return "Texted us first"
	}
	if e.Status == SMSOptedIn {
		return "Opted in (" + string(e.Phone) + ")"
	}
	return "Opted out"
}

// PhoneNotice is what a company's records say about a phone beyond any one
// candidate, shown next to it on a profile so nobody re-enters it by
// mistake: zero times when there is nothing to say.
type PhoneNotice struct {
	WrongNumberAt time.Time // someone with this phone answered "wrong number"
	OptedOutAt    time.Time // the phone's newest consent entry is an opt-out (of anyone, erased or not)
}

// ConsentService reads the consent ledger.
type ConsentService interface {
	// ConsentHistory lists a candidate's consent ledger, newest first.
	ConsentHistory(ctx context.Context, org OrgID, id CandidateID) ([]*ConsentEvent, error)
	// VerifyConsentLedger checks org's whole hash chain.
	VerifyConsentLedger(ctx context.Context, org OrgID) (*LedgerReport, error)
	// PhoneNotices tells what the records say about phones beyond any one
	// candidate: a wrong number, an opt-out that outlived its candidate.
	PhoneNotices(ctx context.Context, org OrgID, phones ...string) (map[string]PhoneNotice, error)
	// PossibleOptOuts lists replies that may mean "stop texting me" from
	// candidates still opted in, newest first, for an administrator to review.
	PossibleOptOuts(ctx context.Context, org OrgID, limit int) ([]*PossibleOptOut, error)
}

// PossibleOptOut is a reply that may revoke consent (RevocationPossible)
// from a candidate who is still opted in.
type PossibleOptOut struct {
	Message   *Message
	Candidate *Candidate
}
