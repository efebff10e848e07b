package hiretext

import (
	"context"
	"strconv"
	"time"
)

// MaxRetentionMonths bounds a retention period (ten years).
const MaxRetentionMonths = 120

// RetentionSettings say how long a company keeps personal data. Both are
// off (0) by default: erasing is the company's decision, not hiretext's.
type RetentionSettings struct {
	OrgID OrgID
	// MessageMonths: texts' bodies older than this many months are erased
	// (the texts stay, counted, shown as "erased").
	MessageMonths int
	// CandidateMonths: candidates with no application and no text for this
	// many months are erased (EraseCandidate).
	CandidateMonths int
	UpdatedAt       time.Time
	UpdatedBy       UserID
}

// ParseRetentionMonths reads a retention period as typed: "" is off, else
// a whole number of months from 1 to MaxRetentionMonths.
func ParseRetentionMonths(v Validation, field, s string) int {
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxRetentionMonths {
		v.Add(field, "Enter a number of months from 1 to 120, or leave it empty to keep everything.")
		return 0
	}
	return n
}

// Validate checks the periods: 0 (off) or 1 to MaxRetentionMonths months.
func (s *RetentionSettings) Validate() error {
	v := Validation{}
	for field, n := range map[string]int{"message_months": s.MessageMonths, "candidate_months": s.CandidateMonths} {
		if n < 0 || n > MaxRetentionMonths {
			v.Add(field, "Enter a number of months from 1 to 120, or leave it empty to keep everything.")
		}
	}
	return v.Err()
}

// RetentionCutoff is the instant before which data older than months is erased at
// now; the zero time when months is 0 (off).
func RetentionCutoff(now time.Time, months int) time.Time {
	if months == 0 {
		return time.Time{}
	}
	return now.AddDate(0, -months, 0)
}

// RetentionRun counts what one run of the retention job erased in a
// company: counts only, never contents.
type RetentionRun struct {
	OrgID            OrgID
	MessagesErased   int64
	CandidatesErased int64
}

// PrivacyService erases and exports a candidate's personal data and keeps
// the retention settings.
type PrivacyService interface {
	// EraseCandidate removes every personal value about a candidate; the
	// consent ledger keeps keyed hashes and an opt-out stays honoured.
	EraseCandidate(ctx context.Context, org OrgID, id CandidateID, by UserID) error
	RetentionSettings(ctx context.Context, org OrgID) (*RetentionSettings, error)
	UpdateRetentionSettings(ctx context.Context, s RetentionSettings, by UserID) (*RetentionSettings, error)
	// ApplyRetention erases, in every company, what its retention settings
	// say is too old at now.
	ApplyRetention(ctx context.Context, now time.Time) ([]RetentionRun, error)
	// CandidateRecord gathers everything held about a candidate, for a
	// subject access request.
	CandidateRecord(ctx context.Context, org OrgID, id CandidateID) (*CandidateRecord, error)
}

// CandidateRecord is everything hiretext holds about a candidate: the
// profile, every application, the consent history, every text with any
// number of the company and the internal notes on those conversations.
// hiretext stores no media files.
type CandidateRecord struct {
	Candidate    *Candidate
	Applications []*Application
	Consent      []*ConsentEvent
	Messages     []*Message
	Notes        []*Note
	// Files are the pictures and files the candidate sent that were
	// stored, with their content.
	Files []*MediaFile
}
