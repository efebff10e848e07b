// Package simstate holds the records the SMS simulator keeps in the
// database: phones' flags, the texts in simulated handsets and the webhooks
// still to deliver. It is a leaf (it imports only the standard library), so
// internal/store persists these records without importing the simulator,
// and the simulator reads them without importing the store: both depend on
// this package, as the store and the dispatcher both depend on the domain.
package simstate

import "time"

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
	CreatedAt   time.Time
	// Media are the files a phone attached to a text it sent (an MMS),
	// stored with it; listings leave them out.
	Media []Media
}

// Media is a file a simulated phone sent, which the simulator serves at its
// media URL as a carrier does.
type Media struct {
	ID          string // "ME" and 32 hex digits, unguessable
	MessageID   string
	Index       int
	ContentType string
	Content     []byte // left out by MessageMedia
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
