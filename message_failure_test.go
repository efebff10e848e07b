package hiretext

import (
	"strings"
	"testing"
)

func TestInvalidNumberReasonIsPlainWithTheCode(t *testing.T) {
	cases := []struct{ code, want string }{
		{"30006", "Not sent: invalid phone number — this phone is a landline or cannot receive texts (code 30006)."},
		{"21211", "Not sent: invalid phone number — this is not a valid phone number (code 21211)."},
		{"21614", "Not sent: invalid phone number — this phone is not a mobile phone and cannot receive texts (code 21614)."},
		{"99999", "Not sent: invalid phone number — this phone cannot receive texts (code 99999)."},
		{"", "Not sent: invalid phone number — this phone cannot receive texts."},
	}
	for _, c := range cases {
		got := InvalidNumberReason(c.code)
		if got != c.want {
			t.Errorf("InvalidNumberReason(%q) = %q, want %q", c.code, got, c.want)
		}
		if m := (&Message{Status: StatusFailed, ErrorMessage: got}); !m.InvalidNumber() {
			t.Errorf("a text failed with %q is not recognised as sent to an invalid number", got)
		}
	}
	for code := range invalidNumberWords {
		if r := InvalidNumberReason(code); !strings.HasPrefix(r, NotSentInvalidNumber+" — ") || !strings.HasSuffix(r, "(code "+code+").") {
			t.Errorf("code %s: %q", code, r)
		}
	}
}

func TestInvalidNumberOnlyForFailures(t *testing.T) {
	reason := InvalidNumberReason("30006")
	cases := []struct {
		m    Message
		want bool
	}{
		{Message{Status: StatusFailed, ErrorMessage: reason}, true},
		{Message{Status: StatusUndelivered, ErrorMessage: reason}, true},
		{Message{Status: StatusDelivered, ErrorMessage: reason}, false},
		{Message{Status: StatusFailed, ErrorMessage: "Not sent: the recipient opted out at the carrier (code 21610)."}, false},
		{Message{Status: StatusCanceled, ErrorMessage: "Not sent: the candidate opted out before it went."}, false},
	}
	for _, c := range cases {
		if got := c.m.InvalidNumber(); got != c.want {
			t.Errorf("%s %q: InvalidNumber() = %v, want %v", c.m.Status, c.m.ErrorMessage, got, c.want)
		}
	}
}

func TestDeliveryFailureReason(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code, providerMessage, want string
		problem                     CarrierProblem
	}{
		{"30007", "Message filtered", "Not delivered: filtered by the carrier as unwanted — reword the text (no link shorteners, no capitals or repeated punctuation, say who you are) and ask your administrator to check the number's registration (code 30007).", CarrierFiltered},
		{"30034", "Message from an Unregistered Number", "Not delivered: the number is not registered for business texting (US A2P 10DLC) — carriers block its texts until an administrator adds it to an approved campaign in the Twilio console (code 30034).", CarrierRegistration},
		{"30004", "Message blocked", "Not delivered: blocked by the recipient — the candidate's phone or carrier blocks texts from this number; wait until the candidate writes to you (code 30004).", CarrierBlocked},
		{"30003", "Unreachable destination handset", "Not delivered: invalid or unreachable phone — the phone was switched off, out of coverage or cannot receive texts; try the candidate's other phone (code 30003).", CarrierUnreachable},
		{"30008", "Unknown error", "Unknown error", ""},
		{"", "", "", ""},
	}
	for _, tt := range tests {
		if got := DeliveryFailureReason(tt.code, tt.providerMessage); got != tt.want {
			t.Errorf("DeliveryFailureReason(%q) = %q, want %q", tt.code, got, tt.want)
		}
		if p, ok := CarrierProblemOf(tt.code); p != tt.problem || ok != (tt.problem != "") {
			t.Errorf("CarrierProblemOf(%q) = %q, %v; want %q", tt.code, p, ok, tt.problem)
		}
	}
}
