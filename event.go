package hiretext

import (
	"bytes"
	"encoding/json"
	"time"
)

// EventKind names a change that browsers are told about as it happens.
type EventKind string

// The event kinds.
const (
	EventMessageInbound   EventKind = "message.inbound"   // a candidate (or unknown sender) texted a number
	EventMessageStatus    EventKind = "message.status"    // an outbound message moved on (sent, delivered, failed…)
	EventConversationRead EventKind = "conversation.read" // a user of the number opened the conversation
	EventAllowanceAlert   EventKind = "allowance.alert"   // a number's monthly allowance reached 90% or its maximum: one user's notification
	// EventAllowanceChanged tells each user of a number that the operator
	// changed its allowance, so open pages redraw the banner, the remaining
	// count and the Send button even when no threshold was crossed (a raise).
	EventAllowanceChanged EventKind = "allowance.changed"
	// EventNotificationRead tells a user's open pages that they dismissed a
	// notification, so every bell drops it.
	EventNotificationRead EventKind = "notification.read"
	// EventConversationChanged tells the number's users that one marked a
	// conversation unread or Done, or added an internal note to it, or that
	// a file a candidate sent arrived (or was refused).
	EventConversationChanged EventKind = "conversation.changed"
	// EventAccessChanged tells a user's open streams that what they may see
	// changed (deactivated, another role or permissions, a new password, a
	// number assigned or taken away): each stream checks its caller again
	// and ends when that changes what it would send.
	EventAccessChanged EventKind = "access.changed"
	// EventConversationEscalated is one user's: a reply left unanswered was
	// escalated to them, and their bell lists the notification.
	EventConversationEscalated EventKind = "conversation.escalated"
	// EventCarrierGuard tells one user that the carrier filtering guard
	// paused a number's bulk and scheduled texts (a notification in their
	// bell), or that an administrator resumed them.
	EventCarrierGuard EventKind = "carrier.guard"
)

// Valid reports whether k is a known kind.
func (k EventKind) Valid() bool {
	switch k {
	case EventMessageInbound, EventMessageStatus, EventConversationRead, EventConversationChanged, EventAllowanceAlert,
		EventAllowanceChanged, EventNotificationRead, EventAccessChanged, EventConversationEscalated, EventCarrierGuard:
		return true
	}
	return false
}

// MaxEventData bounds an event's payload: events carry ids, never content,
// so that what travels to other instances and browsers reveals nothing and
// readers fetch the details through the usual permission checks.
const MaxEventData = 1024

// Event is a committed change worth telling live subscribers about. It is
// recorded in the transaction that makes the change, so it exists exactly
// when the change does. IDs increase, but on PostgreSQL a transaction may
// commit after one holding a higher id, so readers must allow for gaps.
type Event struct {
	ID       int64
	OrgID    OrgID
	NumberID NumberID // the texting number concerned; 0 for none
	UserID   UserID   // the one user concerned; 0 for every user the event concerns
	Kind     EventKind
	Data     json.RawMessage // a small JSON object of ids, e.g. {"conversation_id":"7","message_id":"42"}
	At       time.Time
}

// Validate checks an event before it is recorded, defaulting Data to {} and
// compacting it to one line (server-sent events are line-based).
func (e *Event) Validate() error {
	if len(e.Data) == 0 {
		e.Data = json.RawMessage("{}")
	}
	var compact bytes.Buffer
	if json.Compact(&compact, e.Data) == nil {
		e.Data = compact.Bytes()
	}
	v := Validation{}
	if e.OrgID <= 0 {
		v.Add("org_id", "An event belongs to an organization.")
	}
	if !e.Kind.Valid() {
		v.Add("kind", "Unknown event kind "+quote(string(e.Kind))+".")
	}
	if e.NumberID < 0 || e.UserID < 0 {
		v.Add("target", "Number and user ids are positive, or 0 for none.")
	}
	if len(e.Data) > MaxEventData || !json.Valid(e.Data) || !bytes.HasPrefix(bytes.TrimSpace(e.Data), []byte("{")) {
		v.Add("data", "Event data is a JSON object of at most 1 KiB.")
	}
	return v.Err()
}

// EventFilter selects the events one user sees live: those of their
// organization that concern their texting number or them personally.
type EventFilter struct {
	OrgID    OrgID
	NumberID NumberID // the user's texting number; 0 when they have none
	UserID   UserID
}

// Matches reports whether e is for the filter's user. An event for no number
// and no user concerns nobody.
func (f EventFilter) Matches(e *Event) bool {
	if e.OrgID != f.OrgID {
		return false
	}
	return (e.NumberID != 0 && e.NumberID == f.NumberID) || (e.UserID != 0 && e.UserID == f.UserID)
}

// Waker is told, after a transaction commits, that there is something new
// to do: the live-update broker after one that recorded events, the
// dispatcher after one that queued messages. Wake never blocks.
type Waker interface {
	Wake()
}
