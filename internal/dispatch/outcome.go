package dispatch

import (
	"slices"
	"sync/atomic"

	"github.com/hiretext/hiretext/internal/sms"
)

// Outcome is how a provider answered one send, as monitoring counts it.
type Outcome string

// The outcomes of a provider call.
const (
	OutcomeAccepted         Outcome = "accepted"          // the provider took the text
	OutcomeTransient        Outcome = "transient"         // busy, failing or silent: retried with backoff
	OutcomeRefused          Outcome = "refused"           // a permanent refusal other than the two below
	OutcomeInvalidRecipient Outcome = "invalid_recipient" // not a valid mobile number
	OutcomeOptedOut         Outcome = "opted_out"         // the recipient opted out at the carrier
)

// Outcomes lists every outcome, in the order metrics show them.
var Outcomes = []Outcome{OutcomeAccepted, OutcomeTransient, OutcomeRefused, OutcomeInvalidRecipient, OutcomeOptedOut}

// outcomeCounts counts provider calls by outcome (in the order of
// Outcomes) since the start.
type outcomeCounts [5]atomic.Uint64

// add counts one call that answered err (nil: accepted).
func (c *outcomeCounts) add(err error) { c[slices.Index(Outcomes, outcomeOf(err))].Add(1) }

// outcomeOf is the outcome of a call that answered err.
func outcomeOf(err error) Outcome {
	if err == nil {
		return OutcomeAccepted
	}
	switch sms.ClassOf(err) {
	case sms.InvalidRecipient:
		return OutcomeInvalidRecipient
	case sms.OptedOut:
		return OutcomeOptedOut
	case sms.Permanent:
		return OutcomeRefused
	}
	return OutcomeTransient
}

// SendOutcomes returns how many provider calls ended in each outcome since
// the dispatcher was made: counters for monitoring.
func (d *Dispatcher) SendOutcomes() map[Outcome]uint64 {
	out := make(map[Outcome]uint64, len(Outcomes))
	for i, o := range Outcomes {
		out[o] = d.outcomes[i].Load()
	}
	return out
}
