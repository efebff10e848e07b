package hiretext

import (
	"context"
	"time"
)

// BulkSendID identifies a recorded send to several candidates.
type BulkSendID int64

// MaxSendKeyLength bounds the key a bulk-send form carries.
const MaxSendKeyLength = 64

// BulkSend is a send to several candidates as recorded, with each
// candidate's outcome and, for those texted, where the text is now.
type BulkSend struct {
	ID        BulkSendID
	OrgID     OrgID
	UserID    UserID
	Body      string
	CreatedAt time.Time
	Results   []BulkResult // in the order of the request
	// Paused is the carrier guard's pause of the number the send is from,
	// which holds its texts not sent yet; nil when they go.
	Paused *CarrierPause
}

// BulkResult is one candidate of a bulk send.
type BulkResult struct {
	CandidateID  CandidateID
	MessageID    MessageID     // 0 when skipped
	Skipped      SkipReason    // why not texted, when skipped
	Status       MessageStatus // the text's status now
	ErrorMessage string        // why the text failed, when it did
	SendAt       time.Time     // when a held text goes; zero for none
	// Replied is true once the candidate texted the number after the send
	// (any text, STOP included); OptedOut once they opted out after it.
	Replied  bool
	OptedOut bool
}

// BulkOutcomes is what a bulk send achieved so far: of Total candidates
// requested, how many texts were delivered or failed, and how many
// candidates replied or opted out after the send.
type BulkOutcomes struct {
	Total, Delivered, Failed, Replied, OptedOut int
}

// Outcomes totals the send's results as they are now.
func (b *BulkSend) Outcomes() BulkOutcomes {
	o := BulkOutcomes{Total: len(b.Results)}
	for _, r := range b.Results {
		switch {
		case r.MessageID == 0:
		case r.Status == StatusDelivered:
			o.Delivered++
		case Failed(r.Status):
			o.Failed++
		}
		if r.Replied {
			o.Replied++
		}
		if r.OptedOut {
			o.OptedOut++
		}
	}
	return o
}

// Unanswered lists the candidates texted who have neither replied nor
// opted out since: those to text again.
func (b *BulkSend) Unanswered() []CandidateID {
	var out []CandidateID
	for _, r := range b.Results {
		if r.MessageID != 0 && !r.Replied && !r.OptedOut {
			out = append(out, r.CandidateID)
		}
	}
	return out
}

// BulkSendService sends to several candidates at most once per form.
type BulkSendService interface {
	// SendBulk is SendMessages recorded under key, a value unique to the
	// form the person submitted: the same key again sends nothing and
	// returns the first send (repeated is true).
	SendBulk(ctx context.Context, req SendRequest, key string) (id BulkSendID, repeated bool, err error)
	// SendBulkResults is SendBulk that also returns each requested
	// candidate's result, as SendMessages does (nil when repeated).
	SendBulkResults(ctx context.Context, req SendRequest, key string) (id BulkSendID, results []SendResult, repeated bool, err error)
	// BulkSendByID returns a bulk send of user's, with its texts' statuses
	// and who replied or opted out since.
	BulkSendByID(ctx context.Context, org OrgID, user UserID, id BulkSendID) (*BulkSend, error)
}
