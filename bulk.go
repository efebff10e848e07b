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
}

// BulkResult is one candidate of a bulk send.
type BulkResult struct {
	CandidateID  CandidateID
	MessageID    MessageID     // 0 when skipped
	Skipped      SkipReason    // why not texted, when skipped
	Status       MessageStatus // the text's status now
	ErrorMessage string        // why the text failed, when it did
	SendAt       time.Time     // when a held text goes; zero for none
}

// BulkSendService sends to several candidates at most once per form.
type BulkSendService interface {
	// SendBulk is SendMessages recorded under key, a value unique to the
	// form the person submitted: the same key again sends nothing and
	// returns the first send (repeated is true).
	SendBulk(ctx context.Context, req SendRequest, key string) (id BulkSendID, repeated bool, err error)
	// BulkSendByID returns a bulk send of user's, with its texts' statuses.
	BulkSendByID(ctx context.Context, org OrgID, user UserID, id BulkSendID) (*BulkSend, error)
}
