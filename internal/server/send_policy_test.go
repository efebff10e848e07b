package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/storetest"
)

func TestSendWindowsPage(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	b := f.as(t, f.admin)
	_, body, _ := b.do("GET", "/admin/texting", nil)
	mustContain(t, "texting settings", body, `href="/admin/texting/send-windows"`)
	// Test companies, like the demo, are open every hour: the page says
	// the default is off and how to turn it on.
	_, body, _ = b.do("GET", "/admin/texting/send-windows", nil)
	mustContain(t, "send windows", body, "The default window is off", "Use the default window", "Florida: 8:00 AM–8:00 PM every day",
		"Texas: 9:00 AM–9:00 PM Monday–Saturday, noon–9:00 PM Sunday",
		`name="answer_texted_first" value="yes" checked> Answer candidates who texted us first`)

	bad := url.Values{"mon_open": {"yes"}, "mon_start": {"20:00"}, "mon_end": {"09:00"}, "reply_grace_minutes": {"soon"}, "attempt_limit": {"3"}}
	st, body, _ := b.do("POST", "/admin/texting/send-windows", bad)
	if st != http.StatusUnprocessableEntity {
		t.Fatalf("a backwards window: %d", st)
	}
	mustContain(t, "errors", body, `id="mon-error"`, `id="reply_grace_minutes-error"`, "Nothing was saved")

	form := url.Values{"preset": {"default"}, "state_windows": {"FL", "TX"}, "reply_grace_minutes": {"15"}, "attempt_limit": {"0"}}
	if st, _, _ := b.do("POST", "/admin/texting/send-windows", form); st != http.StatusSeeOther {
		t.Fatalf("use the default window: %d", st)
	}
	p, _ := f.db.SendPolicy(t.Context(), f.org.ID)
	if !p.QuietHours.Equal(hiretext.DefaultQuietHours()) || strings.Join(p.StateWindows, ",") != "FL,TX" ||
		p.ReplyGraceMinutes != 15 || p.AttemptLimit != 0 || p.UpdatedBy != f.admin.ID || p.AnswerTextedFirst {
		t.Fatalf("saved %+v", p)
	}
	_, body, _ = b.do("GET", "/admin/texting/send-windows", nil)
	mustContain(t, "saved", body, "Saved the send windows")
	if strings.Contains(body, "The default window is off") {
		t.Error("the page still offers to turn the default on")
	}
	_, audit := f.ts.api(t, token(t, f.db, f.admin), "GET", "/api/v1/audit", "")
	if !strings.Contains(fmt.Sprint(audit), "texting_settings.changed") || !strings.Contains(fmt.Sprint(audit), "quiet_hours") {
		t.Fatalf("the change is not in the audit trail: %v", audit)
	}
}

func TestSendPolicyAPI(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	tok := token(t, f.db, f.admin)
	st, got := f.ts.api(t, tok, "GET", "/api/v1/texting-settings/send-policy", "")
	if st != http.StatusOK || got["attempt_limit"] != float64(0) || got["quiet_hours"].(map[string]any)["sun"] == nil {
		t.Fatalf("GET: %d %v", st, got)
	}
	put := `{"quiet_hours": {"mon": ["09:00","20:00"], "tue": ["09:00","20:00"], "wed": ["09:00","20:00"], "thu": ["09:00","20:00"],
		"fri": ["09:00","20:00"], "sat": ["10:00","24:00"], "sun": null}, "state_windows": ["FL","OK","MD","TX"],
		"reply_grace_minutes": 30, "attempt_limit": 3}`
	st, got = f.ts.api(t, tok, "PUT", "/api/v1/texting-settings/send-policy", put)
	if st != http.StatusOK || got["quiet_hours"].(map[string]any)["sun"] != nil || len(got["state_windows"].([]any)) != 4 || got["updated_at"] == nil {
		t.Fatalf("PUT: %d %v", st, got)
	}
	p, _ := f.db.SendPolicy(t.Context(), f.org.ID)
	if w := p.QuietHours[time.Saturday]; w == nil || w.String() != "10:00–24:00" || p.QuietHours[time.Sunday] != nil {
		t.Fatalf("stored %+v", p.QuietHours)
	}
	for name, body := range map[string]string{
		"a window that ends before it starts": strings.Replace(put, `"mon": ["09:00","20:00"]`, `"mon": ["20:00","09:00"]`, 1),
		"a day left out":                      strings.Replace(put, `"sun": null`, `"holiday": null`, 1),
		"an unknown state":                    strings.Replace(put, `"TX"]`, `"ZZ"]`, 1),
		"every day closed": `{"quiet_hours": {"mon": null, "tue": null, "wed": null, "thu": null, "fri": null, "sat": null, "sun": null},
			"state_windows": [], "reply_grace_minutes": 30, "attempt_limit": 3}`,
	} {
		st, got := f.ts.api(t, tok, "PUT", "/api/v1/texting-settings/send-policy", body)
		if st != http.StatusUnprocessableEntity || got["error"].(map[string]any)["fields"] == nil {
			t.Errorf("%s: %d %v", name, st, got)
		}
	}
	if again, _ := f.db.SendPolicy(t.Context(), f.org.ID); !again.UpdatedAt.Equal(p.UpdatedAt) || again.QuietHours[time.Saturday].String() != "10:00–24:00" {
		t.Error("a refused PUT changed the policy")
	}
}
