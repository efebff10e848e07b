package hiretext

// MessageStatus is where a text message is in its life. Outbound messages move
// (scheduled →) queued → sending → sent → delivered (or undelivered / failed);
// a message cancelled before the provider call is canceled; inbound messages are received.
type MessageStatus string

// The message statuses.
const (
	StatusScheduled   MessageStatus = "scheduled" // held until its send_at
	StatusQueued      MessageStatus = "queued"
	StatusSending     MessageStatus = "sending"
	StatusSent        MessageStatus = "sent"
	StatusDelivered   MessageStatus = "delivered"
	StatusUndelivered MessageStatus = "undelivered"
	StatusFailed      MessageStatus = "failed"
	StatusCanceled    MessageStatus = "canceled"
	StatusReceived    MessageStatus = "received"
)

// statusRank orders statuses so a late callback never moves a message
// backwards. Terminal outcomes share the highest rank: the first one wins.
var statusRank = map[MessageStatus]int{
	StatusScheduled:   0,
	StatusQueued:      1,
	StatusSending:     2,
	StatusSent:        3,
	StatusDelivered:   4,
	StatusUndelivered: 4,
	StatusFailed:      4,
	StatusCanceled:    4,
	StatusReceived:    4,
}

// Valid reports whether s is a known status.
func (s MessageStatus) Valid() bool { _, ok := statusRank[s]; return ok }

// Terminal reports whether no later status can replace s.
func (s MessageStatus) Terminal() bool { return statusRank[s] == 4 }

// Advances reports whether moving from s to next is a step forward. A status
// never moves backwards, and a terminal status never changes.
func (s MessageStatus) Advances(next MessageStatus) bool {
	return next.Valid() && !s.Terminal() && statusRank[next] > statusRank[s]
}
