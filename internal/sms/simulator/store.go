package simulator

import (
	"context"
	"time"
)

// Store is where the simulator keeps its state, so it survives restarts and
// is shared by every instance on one database. *store.DB implements it.
type Store interface {
	// AppSecret returns the random key stored under name, creating it once.
	AppSecret(ctx context.Context, name string) ([]byte, error)

	// SimNumberActive reports whether phone is provisioned and not released.
	SimNumberActive(ctx context.Context, phone string) (bool, error)
	// SimProvision records phone as provisioned with providerID; it returns
	// false, and changes nothing, when phone is already provisioned.
	SimProvision(ctx context.Context, phone, providerID string, at time.Time) (bool, error)
	// SimRelease marks phone released; releasing twice is not an error.
	SimRelease(ctx context.Context, phone string, at time.Time) error

	// PhoneFlag returns how the simulated network treats phone ("" for an
	// ordinary mobile).
	PhoneFlag(ctx context.Context, phone string) (Flag, error)
	// SetPhoneFlag sets or (with "") clears phone's flag.
	SetPhoneFlag(ctx context.Context, phone string, flag Flag, at time.Time) error

	// SimEnqueue records a handset message and the webhook that reports it,
	// in one transaction, and returns the webhook with its ID. When
	// m.Reference is set and a message with the same counterpart and
	// reference exists, nothing is added: the result holds only that
	// message's MessageID, and dup is true.
	SimEnqueue(ctx context.Context, m HandsetMessage, cb Callback) (stored Callback, dup bool, err error)
	// SimClaimDue leases up to limit webhooks due at now until leaseUntil,
	// counting an attempt for each, oldest first.
	SimClaimDue(ctx context.Context, now, leaseUntil time.Time, limit int) ([]Callback, error)
	// SimAdvance moves a status webhook to its next status, due at due, with
	// its attempts reset.
	SimAdvance(ctx context.Context, id int64, status string, due time.Time) error
	// SimRetry makes a webhook due again at due.
	SimRetry(ctx context.Context, id int64, due time.Time) error
	// SimDone deletes a delivered (or abandoned) webhook.
	SimDone(ctx context.Context, id int64) error

	// HandsetMessages lists the messages a simulated phone sent and received,
	// oldest first.
	HandsetMessages(ctx context.Context, phone string) ([]HandsetMessage, error)
	// HandsetPhones lists up to limit simulated phones that sent or received
	// texts, the one with the latest text first.
	HandsetPhones(ctx context.Context, limit int) ([]HandsetSummary, error)
}

// Flag is how the simulated network treats a phone.
type Flag string

// The flags. Sends to a flagged phone fail the way a carrier would fail them.
const (
	FlagNone     Flag = ""
	FlagInvalid  Flag = "invalid"  // not a working number: error 21211
	FlagLandline Flag = "landline" // cannot receive texts: error 30006
)

// Valid reports whether f is a known flag.
func (f Flag) Valid() bool { return f == FlagNone || f == FlagInvalid || f == FlagLandline }

// Direction says whether a handset sent or received a message.
type Direction string

// The handset directions.
const (
	Received Direction = "received" // hiretext texted the handset
	Sent     Direction = "sent"     // the handset texted hiretext
)

// HandsetMessage is a text in a simulated phone's message list.
type HandsetMessage struct {
	Phone       string // the simulated phone, E.164
	Counterpart string // the hiretext number it texted with, E.164
	Direction   Direction
	Body        string
	MessageID   string // the simulator's message id
	Reference   string // the sender's idempotency key (outbound only)
	CreatedAt   time.Time
}

// HandsetSummary is a simulated phone that has texts: what a list of
// phones shows about it.
type HandsetSummary struct {
	Phone           string // the simulated phone, E.164
	Count           int    // texts it sent and received, counted up to MaxCountedTexts+1
	LastCounterpart string // the hiretext number of its latest text
	LastAt          time.Time
}

// MaxCountedTexts is how far a HandsetSummary counts a phone's texts: a
// Count above it means "more than MaxCountedTexts".
const MaxCountedTexts = 1000

// CallbackKind tells which webhook a callback delivers.
type CallbackKind string

// The callback kinds.
const (
	KindStatus  CallbackKind = "status"  // delivery report for a message hiretext sent
	KindInbound CallbackKind = "inbound" // a text a handset sent to a hiretext number
)

// Callback is a webhook the simulator still has to deliver to hiretext.
// A status callback moves through its statuses (sent, then delivered) on the
// same row, so the reports always arrive in order.
type Callback struct {
	ID        int64
	Kind      CallbackKind
	MessageID string
	From, To  string // E.164; for status callbacks From is the hiretext number
	Body      string // inbound only
	Status    string // status callbacks: the status to report next
	Attempts  int
	Due       time.Time
	CreatedAt time.Time
}
