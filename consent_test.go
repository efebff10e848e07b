package hiretext_test

import (
	"testing"

	"github.com/hiretext/hiretext"
)

func TestConsentChangeValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		c     hiretext.ConsentChange
		field string // "" when valid
	}{
		{"application opt-in", hiretext.ConsentChange{Status: hiretext.SMSOptedIn, Phone: hiretext.PhoneMain, Source: hiretext.ConsentApplication, ApplicationID: 1}, ""},
		{"application without application", hiretext.ConsentChange{Status: hiretext.SMSOptedOut, Source: hiretext.ConsentApplication}, "application_id"},
		{"recruiter opt-out", hiretext.ConsentChange{Status: hiretext.SMSOptedOut, Source: hiretext.ConsentRecruiter, UserID: 7}, ""},
		{"recruiter without user", hiretext.ConsentChange{Status: hiretext.SMSOptedOut, Source: hiretext.ConsentRecruiter}, "user_id"},
		{"keyword STOP", hiretext.ConsentChange{Status: hiretext.SMSOptedOut, Phone: hiretext.PhoneAlternate, Source: hiretext.ConsentKeyword, MessageID: 9}, ""},
		{"keyword without message", hiretext.ConsentChange{Status: hiretext.SMSOptedOut, Source: hiretext.ConsentKeyword}, "message_id"},
		{"provider report", hiretext.ConsentChange{Status: hiretext.SMSOptedOut, Source: hiretext.ConsentProvider}, ""},
		{"opt-in without phone", hiretext.ConsentChange{Status: hiretext.SMSOptedIn, Source: hiretext.ConsentProvider}, "sms_phone"},
		{"unknown phone", hiretext.ConsentChange{Status: hiretext.SMSOptedOut, Phone: "work", Source: hiretext.ConsentProvider}, "sms_phone"},
		{"unknown status", hiretext.ConsentChange{Status: "maybe", Source: hiretext.ConsentProvider}, "sms_status"},
		{"unknown source", hiretext.ConsentChange{Status: hiretext.SMSOptedOut, Source: "rumour"}, "source"},
	}
	for _, tt := range tests {
		err := tt.c.Validate()
		if got := hiretext.ErrorFields(err); (tt.field == "" && err != nil) || (tt.field != "" && got[tt.field] == "") {
			t.Errorf("%s: %v, want error on %q", tt.name, err, tt.field)
		}
	}
}

func TestConsentSourceLabels(t *testing.T) {
	t.Parallel()
	for source, want := range map[hiretext.ConsentSource]string{
		hiretext.ConsentApplication: "Job application",
		hiretext.ConsentRecruiter:   "Recruiter",
		hiretext.ConsentKeyword:     "Text reply (keyword)",
		hiretext.ConsentProvider:    "Carrier",
	} {
		if !source.Valid() {
			t.Errorf("%q is not a valid source", source)
		}
		if got := source.Label(); got != want {
			t.Errorf("ConsentSource(%q).Label() = %q, want %q", source, got, want)
		}
	}
}
