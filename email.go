package hiretext

import (
	"context"
	"strings"
	"time"
)

// EmailID identifies a queued notification email.
type EmailID int64

// Email is a notification email as queued: written in the transaction of
// the change it tells about, sent later by the mail worker, once.
type Email struct {
	ID        EmailID
	OrgID     OrgID
	UserID    UserID // the user it is for; 0 for none
	To        string // the address, as the user's email
	Subject   string
	Text      string // the plain-text part
	HTML      string // the HTML part
	Attempts  int    // including the one in hand, once claimed
	CreatedAt time.Time
}

// The bounds of an email's fields.
const (
	MaxEmailSubject = 200
	MaxEmailBody    = 100_000
)

// Validate checks an email before it is queued: an address, and a subject
// of one line (a line break there would start a header of its own).
func (e *Email) Validate() error {
	if to, err := NormalizeEmail(e.To); err != nil || to != e.To {
		return Errorf(EInvalid, "The email has no valid recipient.")
	}
	switch {
	case e.Subject == "" || len(e.Subject) > MaxEmailSubject || strings.ContainsAny(e.Subject, "\r\n"):
		return Errorf(EInvalid, "The email's subject must be one line of at most %d characters.", MaxEmailSubject)
	case e.Text == "" || len(e.Text) > MaxEmailBody || len(e.HTML) > MaxEmailBody:
		return Errorf(EInvalid, "The email needs a text of at most %d bytes.", MaxEmailBody)
	}
	return nil
}

// MaxEmailAttempts bounds the tries at one email: a server that keeps
// refusing it for about a day (EmailBackoff) gets no more.
const MaxEmailAttempts = 10

// EmailBackoff is how long to wait before the next try after attempt
// failed: 1, 2, 4 … minutes, at most 4 hours.
func EmailBackoff(attempt int) time.Duration {
	d := time.Minute << min(max(attempt-1, 0), 8)
	return min(d, 4*time.Hour)
}

// EmailOutbox keeps notification emails until they are sent.
type EmailOutbox interface {
	// QueueEmail queues e, due now.
	QueueEmail(ctx context.Context, e Email) (EmailID, error)
	// ClaimEmails leases up to limit due emails for lease; one whose lease
	// runs out unresolved (the process died mid-send) is due again.
	ClaimEmails(ctx context.Context, limit int, lease time.Duration) ([]*Email, error)
	// EmailSent records that the server accepted an email.
	EmailSent(ctx context.Context, id EmailID) error
	// RetryEmail puts an email back in the queue, due at at.
	RetryEmail(ctx context.Context, id EmailID, at time.Time, reason string) error
	// FailEmail gives an email up for good, keeping why.
	FailEmail(ctx context.Context, id EmailID, reason string) error
}
