package hiretext

import (
	"context"
	"time"
)

// NotificationID identifies a notification.
type NotificationID int64

// Notification is a message for one user: an allowance alert of the number
// they were assigned to when it crossed the threshold, or an escalation of
// a conversation whose candidate waits for an answer. The bell lists it
// until the user dismisses it (marks it read); the API lists it with Read.
type Notification struct {
	ID        NotificationID
	OrgID     OrgID
	UserID    UserID
	NumberID  NumberID
	Phone     string // the number's, E.164
	Kind      AlertKind
	Period    string // the month the threshold was crossed in, "YYYY-MM"; "" for an escalation
	CreatedAt time.Time
	ReadAt    *time.Time
	// An escalation's conversation, its candidate (0 for an unknown
	// sender) and who waits: the candidate's name or the sender's phone.
	ConversationID ConversationID
	CandidateID    CandidateID
	Who            string
}

// Escalated reports whether n is an escalation rather than an allowance
// alert.
func (n *Notification) Escalated() bool {
	return n.Kind == AlertEscalationTeam || n.Kind == AlertEscalationAdmins
}

// Read reports whether the user dismissed n.
func (n *Notification) Read() bool { return n.ReadAt != nil }

// MaxListedNotifications is how many notifications a list holds, newest
// first: two thresholds a month per number make it years of alerts.
const MaxListedNotifications = 50

// NotificationService keeps each user's notifications. A notification is
// its user's alone: another user's, an administrator included, is not found.
type NotificationService interface {
	// ListNotifications lists user's newest notifications, read or not,
	// newest first (at most MaxListedNotifications).
	ListNotifications(ctx context.Context, org OrgID, user UserID) ([]*Notification, error)
	// MarkNotificationRead marks one of user's notifications read (the
	// user dismissed it) and returns it; marking it again changes nothing.
	MarkNotificationRead(ctx context.Context, org OrgID, user UserID, id NotificationID) (*Notification, error)
}
