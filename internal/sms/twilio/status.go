package twilio

import "github.com/hiretext/hiretext"

// statuses maps Twilio's message statuses to ours. Statuses missing here
// (receiving, received, partially_delivered, and any Twilio adds later) have
// no outbound meaning: they normalize to "".
var statuses = map[string]hiretext.MessageStatus{
	"accepted":    hiretext.StatusQueued, // Messaging Service, no sender picked yet
	"scheduled":   hiretext.StatusQueued,
	"queued":      hiretext.StatusQueued,
	"sending":     hiretext.StatusSending,
	"sent":        hiretext.StatusSent,
	"delivered":   hiretext.StatusDelivered,
	"read":        hiretext.StatusDelivered, // read receipts (WhatsApp, RCS) imply delivery
	"undelivered": hiretext.StatusUndelivered,
	"failed":      hiretext.StatusFailed,
	"canceled":    hiretext.StatusCanceled,
}

// normalizeStatus returns our status for a Twilio status, or "" when it has
// none.
func normalizeStatus(twilioStatus string) hiretext.MessageStatus {
	return statuses[twilioStatus]
}
