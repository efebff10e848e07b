package server

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hiretext/hiretext"
)

// escalationPath is the escalation policy's page, a part of Texting
// settings.
const escalationPath = "/admin/texting/escalation"

// escalationPage is the escalation form, as saved or as typed.
type escalationPage struct {
	Page    Page
	Enabled bool
	Days    []dayRow
	Team    string // N, as typed
	Admins  string // M, as typed
	Errors  map[string]string
	Zone    string // the company's time zone, which the hours are in
}

// newEscalationPage fills the form from u, the policy as saved or typed.
func newEscalationPage(u hiretext.EscalationPolicyUpdate, team, admins string, org *hiretext.Organization, errs map[string]string) *escalationPage {
	return &escalationPage{Enabled: u.Enabled, Team: team, Admins: admins, Errors: errs, Zone: org.Timezone,
		Days: weekRows(u.BusinessHours, [2]string{"09:00", "17:00"}, "business_hours.", errs)}
}

func (s *Server) handleEscalation(w http.ResponseWriter, r *http.Request) error {
	org := principalFrom(r.Context()).org
	saved, err := s.store.EscalationPolicy(r.Context(), org.ID)
	if err != nil {
		return err
	}
	data := newEscalationPage(saved.Update(), strconv.Itoa(saved.TeamAfterHours), strconv.Itoa(saved.AdminsAfterHours), org, nil)
	return s.renderEscalation(w, r, http.StatusOK, data)
}

func (s *Server) renderEscalation(w http.ResponseWriter, r *http.Request, status int, data *escalationPage) error {
	data.Page = s.page(w, r, "Escalation")
	return s.render(w, r, status, "admin_escalation", data)
}

// handleSaveEscalation saves the escalation policy from the form; invalid
// input shows every error at once and saves nothing.
func (s *Server) handleSaveEscalation(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	p := principalFrom(r.Context())
	f := r.PostForm
	u := hiretext.EscalationPolicyUpdate{Enabled: f.Get("enabled") == "yes", BusinessHours: weekFromForm(f)}
	v := hiretext.Validation{}
	u.TeamAfterHours = formInt(v, "team_after_hours", f.Get("team_after_hours"))
	u.AdminsAfterHours = formInt(v, "admins_after_hours", f.Get("admins_after_hours"))
	_, err := u.Policy(p.org.ID) // every problem at once, the numbers' too
	for field, msg := range hiretext.ErrorFields(err) {
		if _, typed := v[field]; !typed { // "Enter a whole number" says more than a range
			v.Add(field, msg)
		}
	}
	if len(v) > 0 {
		data := newEscalationPage(u, f.Get("team_after_hours"), f.Get("admins_after_hours"), p.org, v)
		return s.renderEscalation(w, r, http.StatusUnprocessableEntity, data)
	}
	saved, err := s.store.UpdateEscalationPolicy(r.Context(), p.org.ID, u, p.user.ID)
	if err != nil {
		return err
	}
	msg := "Saved the escalation policy. It is off: nobody is told of replies left unanswered."
	if saved.Enabled {
		msg = "Saved the escalation policy. Replies waiting now are timed by it."
	}
	return s.redirectWithFlash(w, r, escalationPath, "success", msg)
}

// apiEscalation is the escalation policy in the API. A PUT gives every
// field; business_hours names all seven days (null for a closed day).
type apiEscalation struct {
	Enabled          *bool                 `json:"enabled"`
	BusinessHours    map[string]*[2]string `json:"business_hours"`
	TeamAfterHours   *int                  `json:"team_after_hours"`
	AdminsAfterHours *int                  `json:"admins_after_hours"`
	TimeZone         string                `json:"time_zone"`            // read only (ignored in a PUT): the company's, which the hours are in
	UpdatedAt        *time.Time            `json:"updated_at,omitempty"` // read only: when an administrator last saved it
}

func toAPIEscalation(p *hiretext.EscalationPolicy, org *hiretext.Organization) apiEscalation {
	u := p.Update()
	out := apiEscalation{Enabled: &u.Enabled, BusinessHours: u.BusinessHours, TeamAfterHours: &u.TeamAfterHours,
		AdminsAfterHours: &u.AdminsAfterHours, TimeZone: org.Timezone}
	if !p.UpdatedAt.IsZero() {
		at := p.UpdatedAt.UTC()
		out.UpdatedAt = &at
	}
	return out
}

// toUpdate checks that in gives the whole policy.
func (in apiEscalation) toUpdate() (hiretext.EscalationPolicyUpdate, error) {
	v := hiretext.Validation{}
	if in.Enabled == nil {
		v.Add("enabled", "Give true or false.")
	}
	for _, key := range hiretext.Weekdays {
		if _, ok := in.BusinessHours[key]; !ok {
			v.Add("business_hours."+key, "Give this day's business hours, or null to close it.")
		}
	}
	if in.TeamAfterHours == nil {
		v.Add("team_after_hours", "Give the business hours before the number's other users are told.")
	}
	if in.AdminsAfterHours == nil {
		v.Add("admins_after_hours", "Give the business hours more before the administrators are told.")
	}
	if in.UpdatedAt != nil {
		v.Add("updated_at", "updated_at is read only.")
	}
	if err := v.Err(); err != nil {
		return hiretext.EscalationPolicyUpdate{}, err
	}
	return hiretext.EscalationPolicyUpdate{Enabled: *in.Enabled, BusinessHours: in.BusinessHours,
		TeamAfterHours: *in.TeamAfterHours, AdminsAfterHours: *in.AdminsAfterHours}, nil
}

// handleAPIEscalation is GET /api/v1/texting-settings/escalation.
func (s *Server) handleAPIEscalation(w http.ResponseWriter, r *http.Request) error {
	org := principalFrom(r.Context()).org
	p, err := s.store.EscalationPolicy(r.Context(), org.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toAPIEscalation(p, org))
	return nil
}

// handleAPIPutEscalation is PUT /api/v1/texting-settings/escalation: it
// replaces the whole policy, or changes nothing and says every problem.
func (s *Server) handleAPIPutEscalation(w http.ResponseWriter, r *http.Request) error {
	var in apiEscalation
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	u, err := in.toUpdate()
	if err != nil {
		return err
	}
	pr := principalFrom(r.Context())
	p, err := s.store.UpdateEscalationPolicy(r.Context(), pr.org.ID, u, pr.user.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toAPIEscalation(p, pr.org))
	return nil
}

// escalationLines say who was told that the conversation's current wait
// went unanswered, and when, in the company's time zone: "Escalated to
// Priya Shah and Dan Roe at 2:10 PM".
func (s *Server) escalationLines(ctx context.Context, p *principal, id hiretext.ConversationID) ([]string, error) {
	steps, err := s.store.ConversationEscalations(ctx, p.org.ID, id)
	if err != nil {
		return nil, err
	}
	loc := p.org.Location()
	today := s.cfg.Clock.Now().In(loc).Format("2006-01-02")
	var out []string
	for _, e := range steps {
		at := e.At.In(loc)
		when := at.Format("3:04 PM")
		if at.Format("2006-01-02") != today {
			when += " on " + at.Format("Jan 2")
		}
		switch {
		case len(e.Told) > 0:
			out = append(out, "Escalated to "+joinNames(e.Told)+" at "+when)
		case e.Step == hiretext.EscalateTeam:
			out = append(out, "Escalation due at "+when+": this number has no other user to tell")
		default:
			out = append(out, "Escalation due at "+when+": the company has no active administrator to tell")
		}
	}
	return out, nil
}

// joinNames writes names as a sentence does: "A", "A and B", "A, B and C".
func joinNames(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
