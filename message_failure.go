package hiretext

import (
	"maps"
	"slices"
	"strings"
)

// NotSentInvalidNumber begins the failure reason of every text refused
// because the phone it was for cannot take texts. Pages and reports look
// for it, so it never changes; what follows explains the provider's code.
const NotSentInvalidNumber = "Not sent: invalid phone number"

// invalidNumberWords explains, in words a recruiter understands, the codes
// with which providers refuse a phone that cannot take texts. They are
// Twilio's codes, which the simulator uses too.
var invalidNumberWords = map[string]string{
	"21211": "this is not a valid phone number",
	"21268": "premium-rate and information numbers cannot be texted",
	"21614": "this phone is not a mobile phone and cannot receive texts",
	"21635": "this phone is a landline and cannot receive texts",
	"30005": "this phone number is unknown or no longer in service",
	"30006": "this phone is a landline or cannot receive texts",
}

// InvalidNumberReason is the failure reason of a text a provider refused
// with code because the phone cannot take texts, for example "Not sent:
// invalid phone number — this phone is a landline or cannot receive texts
// (code 30006)." The provider's own explanation is left out on purpose: it
// is written for developers and repeats the phone number.
func InvalidNumberReason(code string) string {
	words, ok := invalidNumberWords[code]
	if !ok {
		words = "this phone cannot receive texts"
	}
	if code == "" {
		return NotSentInvalidNumber + " — " + words + "."
	}
	return NotSentInvalidNumber + " — " + words + " (code " + code + ")."
}

// InvalidNumber reports whether m was not sent or not delivered because the
// phone it was for cannot take texts.
func (m *Message) InvalidNumber() bool {
	return Failed(m.Status) && strings.HasPrefix(m.ErrorMessage, NotSentInvalidNumber)
}

// Unreachable reports whether m did not reach the phone because the phone
// is invalid or unreachable: refused when sent (InvalidNumber), or failed
// by the carrier with 30003, 30005 or 30006. The candidate's other phone
// may work.
func (m *Message) Unreachable() bool {
	if m.InvalidNumber() {
		return true
	}
	p, ok := CarrierProblemOf(m.ErrorCode)
	return ok && p == CarrierUnreachable && Failed(m.Status)
}

// CarrierProblem is what a carrier's delivery error means for the
// recruiter, and so what they can do about it.
type CarrierProblem string

// The carrier problems.
const (
	// CarrierUnreachable: the phone could not be reached or is not a
	// working mobile; the candidate's other phone may work.
	CarrierUnreachable CarrierProblem = "unreachable"
	// CarrierBlocked: the recipient (or their carrier, at their request)
	// blocks texts from this number.
	CarrierBlocked CarrierProblem = "blocked"
	// CarrierFiltered: the carrier filtered the text as unwanted.
	CarrierFiltered CarrierProblem = "filtered"
	// CarrierRegistration: the sending number lacks the registration
	// carriers demand (US A2P 10DLC, toll-free verification).
	CarrierRegistration CarrierProblem = "registration"
)

// carrierWords explains Twilio's delivery error codes (which the simulator
// uses too) in a recruiter's words, with what to do about them. Twilio's
// code, and its link, stay in the message's details.
var carrierWords = map[string]struct {
	problem CarrierProblem
	words   string
}{
	"30003": {CarrierUnreachable, "invalid or unreachable phone — the phone was switched off, out of coverage or cannot receive texts; try the candidate's other phone"},
	"30005": {CarrierUnreachable, "invalid or unreachable phone — the number is unknown or no longer in service; try the candidate's other phone"},
	"30006": {CarrierUnreachable, "invalid or unreachable phone — it is a landline or its carrier cannot take texts; try the candidate's other phone"},
	"30004": {CarrierBlocked, "blocked by the recipient — the candidate's phone or carrier blocks texts from this number; wait until the candidate writes to you"},
	"30007": {CarrierFiltered, "filtered by the carrier as unwanted — reword the text (no link shorteners, no capitals or repeated punctuation, say who you are) and ask your administrator to check the number's registration"},
	"30032": {CarrierRegistration, "the number's toll-free verification is missing — carriers block its texts until an administrator completes toll-free verification in the Twilio console"},
	"30034": {CarrierRegistration, "the number is not registered for business texting (US A2P 10DLC) — carriers block its texts until an administrator adds it to an approved campaign in the Twilio console"},
}

// CarrierProblemOf returns what a carrier's delivery error code means, and
// false for a code that is not one of them.
func CarrierProblemOf(code string) (CarrierProblem, bool) {
	w, ok := carrierWords[code]
	return w.problem, ok
}

// DeliveryFailureReason is the failure reason of a text a provider or
// carrier failed with code: for a known carrier error, its meaning and
// what to do, for example "Not delivered: filtered by the carrier as
// unwanted — reword the text … (code 30007)."; otherwise the provider's
// own explanation, as given.
func DeliveryFailureReason(code, providerMessage string) string {
	w, ok := carrierWords[code]
	if !ok {
		return providerMessage
	}
	return "Not delivered: " + w.words + " (code " + code + ")."
}

// CarrierCodes lists the carrier error codes CarrierProblemOf knows, in
// order, so monitoring can show each at zero before it first happens.
func CarrierCodes() []string {
	return slices.Sorted(maps.Keys(carrierWords))
}

// BlockedCode is the carrier's error for a text the recipient's phone (or
// their carrier, at their request) blocks: the candidate is not texted
// again until they write.
const BlockedCode = "30004"

// RuleCarrierBlock is the consent ledger's rule of an opt-out the carrier
// caused by reporting BlockedCode: the one kind of opt-out that the
// candidate's next text, whatever it says, ends.
const RuleCarrierBlock = "carrier block 30004"
