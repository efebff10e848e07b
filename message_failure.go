package hiretext

import "strings"

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
