package hiretext_test

import (
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
)

func TestTextingSettingsRender(t *testing.T) {
	t.Parallel()
	s := hiretext.DefaultTextingSettings(&hiretext.Organization{ID: 1, Name: "Acme Staffing"})
	if got := s.HelpText(); got != "Acme Staffing: texts about your job application. Contact us at Acme Staffing. Msg & data rates may apply. Reply STOP to opt out." {
		t.Errorf("default HELP reply = %q", got)
	}
	for _, want := range []string{"Acme Staffing", "Message frequency varies", "Message and data rates may apply", "Reply STOP", "HELP"} {
		if !strings.Contains(s.Disclosure(), want) {
			t.Errorf("default disclosure lacks %q", want)
		}
	}
	s.HelpContact = "jobs@acme.example"
	if got, send := s.OptOutReply(); !send || !strings.HasPrefix(got, "You're unsubscribed from Acme Staffing texts.") {
		t.Errorf("opt-out reply = %q, %v", got, send)
	}
	if got := s.Render("{Company} / {Contact} / {Other}"); got != "Acme Staffing / jobs@acme.example / {Other}" {
		t.Errorf("Render = %q", got)
	}
	if got := s.OptInReply(); got != "You're subscribed to Acme Staffing texts again. Reply STOP to opt out." {
		t.Errorf("opt-in reply = %q", got)
	}
}

// TestTextingSettingsReply: a candidate who wrote in Spanish gets the
// Spanish reply; a turned-off opt-out confirmation is not sent in either.
func TestTextingSettingsReply(t *testing.T) {
	t.Parallel()
	s := hiretext.DefaultTextingSettings(&hiretext.Organization{ID: 1, Name: "Acme Staffing"})
	if got, send := s.Reply(hiretext.KeywordOptOut, hiretext.Spanish); !send || !strings.HasPrefix(got, "Cancelaste los mensajes de Acme Staffing.") {
		t.Errorf("Spanish opt-out reply = %q, %v", got, send)
	}
	if got, _ := s.Reply(hiretext.KeywordHelp, hiretext.Spanish); !strings.Contains(got, "Escríbenos a Acme Staffing") {
		t.Errorf("Spanish help reply = %q", got)
	}
	if got, send := s.Reply(hiretext.KeywordOptIn, hiretext.English); !send || got != s.OptInReply() {
		t.Errorf("English opt-in reply = %q, %v", got, send)
	}
	s.OptOutConfirmationEnabled = false
	for _, lang := range []hiretext.Language{hiretext.English, hiretext.Spanish} {
		if _, send := s.Reply(hiretext.KeywordOptOut, lang); send {
			t.Errorf("opt-out reply in %s sent while turned off", lang)
		}
	}
	if _, send := s.Reply(hiretext.KeywordNone, hiretext.English); send {
		t.Error("a reply to no keyword")
	}
}

func TestTextingSettingsUpdateValidate(t *testing.T) {
	t.Parallel()
	ok := hiretext.TextingSettingsUpdate{ConsentDisclosure: hiretext.DefaultConsentDisclosure, OptOutConfirmation: hiretext.DefaultOptOutConfirmation,
		OptInConfirmation: hiretext.DefaultOptInConfirmation, HelpReply: hiretext.DefaultHelpReply, HelpContact: " jobs@acme.example ",
		OptOutConfirmationES: hiretext.DefaultOptOutConfirmationES, OptInConfirmationES: hiretext.DefaultOptInConfirmationES,
		HelpReplyES: hiretext.DefaultHelpReplyES}
	if err := ok.Validate(); err != nil || ok.HelpContact != "jobs@acme.example" {
		t.Fatalf("defaults: %v", err)
	}
	blank := ok
	blank.OptOutConfirmationES, blank.HelpReplyES = "", " "
	if err := blank.Validate(); err != nil || blank.OptOutConfirmationES != hiretext.DefaultOptOutConfirmationES || blank.HelpReplyES != hiretext.DefaultHelpReplyES {
		t.Errorf("blank Spanish texts: %v, %q, %q; want the defaults", err, blank.OptOutConfirmationES, blank.HelpReplyES)
	}
	tests := []struct {
		name   string
		change func(*hiretext.TextingSettingsUpdate)
		field  string
	}{
		{"blank disclosure", func(u *hiretext.TextingSettingsUpdate) { u.ConsentDisclosure = "  " }, "consent_disclosure"},
		{"disclosure without STOP", func(u *hiretext.TextingSettingsUpdate) { u.ConsentDisclosure = "We text." }, "consent_disclosure"},
		{"unknown placeholder", func(u *hiretext.TextingSettingsUpdate) { u.HelpReply = "Hi {Name}. Reply STOP." }, "help_reply"},
		{"long reply", func(u *hiretext.TextingSettingsUpdate) { u.OptInConfirmation = strings.Repeat("STOP ", 70) }, "optin_confirmation"},
		{"blank opt-out reply", func(u *hiretext.TextingSettingsUpdate) { u.OptOutConfirmation = "" }, "optout_confirmation"},
		{"Spanish opt-in without BAJA", func(u *hiretext.TextingSettingsUpdate) { u.OptInConfirmationES = "Hola de nuevo." }, "optin_confirmation_es"},
		{"long Spanish help", func(u *hiretext.TextingSettingsUpdate) { u.HelpReplyES = strings.Repeat("BAJA ", 70) }, "help_reply_es"},
		{"braces in contact", func(u *hiretext.TextingSettingsUpdate) { u.HelpContact = "{Company}" }, "help_contact"},
	}
	for _, tt := range tests {
		u := ok
		tt.change(&u)
		if err := u.Validate(); hiretext.ErrorFields(err)[tt.field] == "" {
			t.Errorf("%s: %v, want an error on %s", tt.name, err, tt.field)
		}
	}
}
