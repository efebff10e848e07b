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
	OutcomeUncertain        Outcome = "uncertain"         // the answer was lost: looked up before any new call
)

// Outcomes lists every outcome, in the order metrics show them.
var Outcomes = []Outcome{OutcomeAccepted, OutcomeTransient, OutcomeRefused, OutcomeInvalidRecipient, OutcomeOptedOut, OutcomeUncertain}

// outcomeCounts counts provider calls by outcome (in the order of
// Outcomes) since the start.
type outcomeCounts [6]atomic.Uint64

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
	if sms.Uncertain(err) {
		return OutcomeUncertain
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

// LookupResult is how a provider answered the lookup of a send in doubt.
type LookupResult string

// The results of a lookup.
const (
	LookupFound    LookupResult = "found"     // the provider had it: adopted, not sent again
	LookupNotFound LookupResult = "not_found" // the provider said it is not there: sent again
	LookupFailed   LookupResult = "failed"    // the provider could not say: asked again later
)

// LookupResults lists every lookup result, in the order metrics show them.
var LookupResults = []LookupResult{LookupFound, LookupNotFound, LookupFailed}

// lookupCounts counts lookups by result (in the order of LookupResults).
type lookupCounts [3]atomic.Uint64

// add counts one lookup.
func (c *lookupCounts) add(r LookupResult) { c[slices.Index(LookupResults, r)].Add(1) }

// Lookups returns how many lookups of sends in doubt ended in each result
// since the dispatcher was made: counters for monitoring.
func (d *Dispatcher) Lookups() map[LookupResult]uint64 {
	out := make(map[LookupResult]uint64, len(LookupResults))
	for i, r := range LookupResults {
		out[r] = d.lookups[i].Load()
	}
	return out
}
