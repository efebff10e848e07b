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
