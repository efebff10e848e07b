package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/storetest"
)

func TestTextingSettingsPage(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	b := f.as(t, f.admin)
	_, body, _ := b.do("GET", "/admin/texting", nil)
	mustContain(t, "settings page", body, "Texting settings", "Reply to STOP", "Reply to HELP",
		"Acme Staffing: texts about your job application. Contact us at Acme Staffing.", "1 SMS segment",
		`id="help_contact-missing"`)

	form := url.Values{"consent_disclosure": {""}, "optout_confirmation": {"Bye."}, "optin_confirmation": {"Hi {Name}."},
		"help_reply": {"Help."}, "help_contact": {"jobs@acme.example"}}
	st, body, _ := b.do("POST", "/admin/texting", form)
	if st != http.StatusUnprocessableEntity {
		t.Fatalf("invalid settings: %d", st)
	}
	for _, id := range []string{"consent_disclosure-error", "optin_confirmation-error", "help_reply-error"} {
		if !strings.Contains(body, `id="`+id+`"`) {
			t.Errorf("no %s", id)
		}
	}
	if s, _ := f.db.TextingSettings(t.Context(), f.org.ID); s.UpdatedBy != 0 {
		t.Fatal("invalid settings were saved")
	}

	form = url.Values{"consent_disclosure": {"{Company} may text you about this application. Msg & data rates may apply. Reply STOP to opt out, HELP for help."},
		"optout_confirmation": {"Unsubscribed from {Company}."}, "optin_confirmation": {"Welcome back to {Company}. Reply STOP to opt out."},
		"help_reply": {"{Company} recruiting: {Contact}. Reply STOP to opt out."}, "help_contact": {"jobs@acme.example"}}
	if st, _, _ := b.do("POST", "/admin/texting", form); st != http.StatusSeeOther {
		t.Fatalf("save: %d", st)
	}
	_, body, _ = b.do("GET", "/admin/texting", nil)
	mustContain(t, "saved settings", body, "Saved the texting settings", "Acme Staffing recruiting: jobs@acme.example.", "Reply to STOP (not sent)")
	if strings.Contains(body, `id="help_contact-missing"`) {
		t.Error("the page still says no help contact is set")
	}
	s, _ := f.db.TextingSettings(t.Context(), f.org.ID)
	if text, send := s.OptOutReply(); send || text != "Unsubscribed from Acme Staffing." || s.UpdatedBy != f.admin.ID {
		t.Fatalf("stored settings %+v", s)
	}
	_, body, _ = f.ts.browser(t).do("GET", f.applyPath(f.job), nil)
	mustContain(t, "public form", body, "Acme Staffing may text you about this application.")
	if strings.Contains(body, hiretext.DefaultConsentDisclosure[:40]) {
		t.Error("the public form still shows the default disclosure")
	}
}
