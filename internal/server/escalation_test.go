package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/server"
	"github.com/hiretext/hiretext/internal/storetest"
)

// TestEscalationPage: Texting settings links to Escalation; a backwards
// window and N, M negative or absurd show form errors and save nothing; a
// good form turns the policy on, in the audit trail.
func TestEscalationPage(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	b := f.as(t, f.admin)
	_, body, _ := b.do("GET", "/admin/texting", nil)
	mustContain(t, "texting settings", body, `href="/admin/texting/escalation"`)
	_, body, _ = b.do("GET", "/admin/texting/escalation", nil)
	mustContain(t, "escalation", body, "Escalate replies left unanswered", "America/Chicago", `name="team_after_hours" value="4"`)
	if strings.Contains(body, `name="enabled" value="yes" checked`) {
		t.Fatal("the policy is on before anyone turned it on")
	}
	for name, c := range map[string]struct {
		form   url.Values
		errors []string
	}{
		"a window ending before it starts": {url.Values{"enabled": {"yes"}, "mon_open": {"yes"}, "mon_start": {"17:00"}, "mon_end": {"09:00"},
			"team_after_hours": {"4"}, "admins_after_hours": {"4"}}, []string{`id="mon-error"`}},
		"N negative, M absurd": {url.Values{"enabled": {"yes"}, "mon_open": {"yes"}, "mon_start": {"09:00"}, "mon_end": {"17:00"},
			"team_after_hours": {"-2"}, "admins_after_hours": {"99999"}}, []string{`id="team_after_hours-error"`, `id="admins_after_hours-error"`, "Use 1 to 160 business hours."}},
		"N not a number, no day open": {url.Values{"enabled": {"yes"}, "team_after_hours": {"soon"}, "admins_after_hours": {"4"}},
			[]string{`id="team_after_hours-error"`, "Enter a whole number.", "Open at least one day."}},
	} {
		st, body, _ := b.do("POST", "/admin/texting/escalation", c.form)
		if st != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d", name, st)
		}
		mustContain(t, name, body, append(c.errors, "Nothing was saved")...)
	}
	if p, _ := f.db.EscalationPolicy(t.Context(), f.org.ID); p.Enabled || !p.UpdatedAt.IsZero() {
		t.Fatalf("a refused form changed the policy: %+v", p)
	}

	form := url.Values{"enabled": {"yes"}, "mon_open": {"yes"}, "mon_start": {"08:00"}, "mon_end": {"18:00"},
		"sat_open": {"yes"}, "sat_start": {"10:00"}, "sat_end": {"14:00"}, "team_after_hours": {"2"}, "admins_after_hours": {"6"}}
	if st, _, _ := b.do("POST", "/admin/texting/escalation", form); st != http.StatusSeeOther {
		t.Fatalf("save: %d", st)
	}
	p, _ := f.db.EscalationPolicy(t.Context(), f.org.ID)
	if !p.Enabled || p.TeamAfterHours != 2 || p.AdminsAfterHours != 6 || p.BusinessHours[time.Monday].String() != "08:00–18:00" ||
		p.BusinessHours[time.Saturday].String() != "10:00–14:00" || p.BusinessHours[time.Tuesday] != nil || p.UpdatedBy != f.admin.ID {
		t.Fatalf("saved %+v", p)
	}
	_, body, _ = b.do("GET", "/admin/texting/escalation", nil)
	mustContain(t, "saved", body, "Saved the escalation policy", `name="enabled" value="yes" checked`)
	_, audit := f.ts.api(t, token(t, f.db, f.admin), "GET", "/api/v1/audit", "")
	if !strings.Contains(fmt.Sprint(audit), "escalation_enabled") {
		t.Fatalf("the change is not in the audit trail: %v", audit)
	}
}

// TestEscalationAPI: GET shows the default (off, 9-to-5 weekdays, the
// company's zone); PUT replaces it; bad input is 422 with every field
// named and changes nothing.
func TestEscalationAPI(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	tok := token(t, f.db, f.admin)
	st, got := f.ts.api(t, tok, "GET", "/api/v1/texting-settings/escalation", "")
	if st != http.StatusOK || got["enabled"] != false || got["team_after_hours"] != float64(hiretext.DefaultTeamAfterHours) ||
		got["time_zone"] != "America/Chicago" || got["business_hours"].(map[string]any)["sun"] != nil {
		t.Fatalf("GET: %d %v", st, got)
	}
	put := `{"enabled": true, "business_hours": {"mon": ["09:00","17:00"], "tue": ["09:00","17:00"], "wed": ["09:00","17:00"],
		"thu": ["09:00","17:00"], "fri": ["09:00","13:00"], "sat": null, "sun": null}, "team_after_hours": 3, "admins_after_hours": 5,
		"time_zone": "America/Chicago"}`
	st, got = f.ts.api(t, tok, "PUT", "/api/v1/texting-settings/escalation", put)
	if st != http.StatusOK || got["enabled"] != true || got["admins_after_hours"] != float64(5) || got["updated_at"] == nil {
		t.Fatalf("PUT: %d %v", st, got)
	}
	p, _ := f.db.EscalationPolicy(t.Context(), f.org.ID)
	if w := p.BusinessHours[time.Friday]; w == nil || w.String() != "09:00–13:00" || !p.Enabled || p.TeamAfterHours != 3 {
		t.Fatalf("stored %+v", p)
	}
	for name, c := range map[string]struct{ body, field string }{
		"a window ending before it starts": {strings.Replace(put, `"mon": ["09:00","17:00"]`, `"mon": ["17:00","09:00"]`, 1), "business_hours.mon"},
		"a window ending where it starts":  {strings.Replace(put, `"mon": ["09:00","17:00"]`, `"mon": ["09:00","09:00"]`, 1), "business_hours.mon"},
		"N negative":                       {strings.Replace(put, `"team_after_hours": 3`, `"team_after_hours": -1`, 1), "team_after_hours"},
		"N zero":                           {strings.Replace(put, `"team_after_hours": 3`, `"team_after_hours": 0`, 1), "team_after_hours"},
		"M absurd":                         {strings.Replace(put, `"admins_after_hours": 5`, `"admins_after_hours": 1000000`, 1), "admins_after_hours"},
		"M left out":                       {strings.Replace(put, `, "admins_after_hours": 5`, ``, 1), "admins_after_hours"},
		"a day left out":                   {strings.Replace(put, `"sun": null`, `"holiday": null`, 1), "business_hours.sun"},
		"every day closed": {`{"enabled": true, "business_hours": {"mon": null, "tue": null, "wed": null, "thu": null, "fri": null,
			"sat": null, "sun": null}, "team_after_hours": 3, "admins_after_hours": 5}`, "business_hours"},
	} {
		st, got := f.ts.api(t, tok, "PUT", "/api/v1/texting-settings/escalation", c.body)
		fields, _ := got["error"].(map[string]any)["fields"].(map[string]any)
		if st != http.StatusUnprocessableEntity || fields[c.field] == nil {
			t.Errorf("%s: %d %v", name, st, got)
		}
	}
	if again, _ := f.db.EscalationPolicy(t.Context(), f.org.ID); !again.UpdatedAt.Equal(p.UpdatedAt) || again.TeamAfterHours != 3 {
		t.Error("a refused PUT changed the policy")
	}
}

// TestEscalationIsShownOnTheConversationAndInTheBell: after the job tells
// Sam of Ann's unanswered reply, the conversation says who was told and
// when, for Rita as well, and Sam's bell links to it.
func TestEscalationIsShownOnTheConversationAndInTheBell(t *testing.T) {
	t.Parallel()
	chicago, _ := time.LoadLocation("America/Chicago")
	clock := storetest.NewClock(time.Date(2026, 12, 7, 13, 0, 0, 0, chicago)) // a Monday
	db := storetest.NewSQLite(t, storetest.Config{Clock: clock.Now})
	f := newATSFixture(t, db, func(cfg *server.Config, _ *server.Store) { cfg.Clock = clock.Now })
	fx := storetest.MustSetUpTexting(t, db, 100)
	sam := storetest.MustCreateUser(t, db, fx.Org.ID, "Sam Second", hiretext.RoleUser, hiretext.PermPool, hiretext.PermProfiles)
	priya := storetest.MustCreateUser(t, db, fx.Org.ID, "Priya Shah", hiretext.RoleUser, hiretext.PermPool, hiretext.PermProfiles)
	storetest.MustAssign(t, db, fx.Org.ID, fx.Number.ID, sam.ID)
	storetest.MustAssign(t, db, fx.Org.ID, fx.Number.ID, priya.ID)
	p := hiretext.DefaultEscalationPolicy(fx.Org.ID)
	p.Enabled, p.TeamAfterHours = true, 1
	if _, err := db.UpdateEscalationPolicy(t.Context(), fx.Org.ID, p.Update(), 0); err != nil {
		t.Fatal(err)
	}
	ann, annPhone := fx.MustCandidate(t, db, "Ann")
	fx.MustSend(t, db, "Can you start Monday?", ann.ID)
	fx.Receive(t, db, "SMs1", annPhone, "Which site?")
	clock.Set(time.Date(2026, 12, 7, 14, 10, 0, 0, chicago))
	if n, err := db.Escalate(t.Context()); err != nil || n != 1 {
		t.Fatalf("escalated %d, %v", n, err)
	}

	rita := f.as(t, fx.Recruiter)
	conversation := "/candidates/" + idString(ann.ID) + "/conversation"
	_, body, _ := rita.do("GET", conversation, nil)
	mustContain(t, "Rita's conversation page", body, "Escalated to Priya Shah and Sam Second at 2:10 PM")
	_, body, _ = f.as(t, sam).do("GET", "/inbox", nil)
	mustContain(t, "Sam's bell", body, `<a href="`+conversation+`">Ann Tester&#39;s reply to your number is still unanswered.</a>`)
	st, got := f.ts.api(t, token(t, db, sam), "GET", "/api/v1/notifications", "")
	notes, _ := got["notifications"].([]any)
	if st != http.StatusOK || len(notes) != 1 {
		t.Fatalf("Sam's notifications in the API: %d %v", st, got)
	}
	if n := notes[0].(map[string]any); n["kind"] != "escalation_team" || n["candidate_id"] != idString(ann.ID) || n["conversation_id"] == nil {
		t.Fatalf("Sam's notification in the API: %v", n)
	}
}
