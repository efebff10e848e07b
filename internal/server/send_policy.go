package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hiretext/hiretext"
)

// sendWindowsPath is the send policy's page, a part of Texting settings.
const sendWindowsPath = "/admin/texting/send-windows"

// dayRow is one weekday of the send windows form.
type dayRow struct {
	Key, Name  string
	Open       bool
	Start, End string
	Error      string
}

// statePresetRow is one state window of the form.
type statePresetRow struct {
	hiretext.StatePreset
	On bool
}

// sendWindowsPage is the send policy form, as saved or as typed.
type sendWindowsPage struct {
	Page         Page
	Days         []dayRow
	States       []statePresetRow
	ReplyGrace   string
	AttemptLimit string
	// AnswerTextedFirst is the box letting users answer candidates who
	// texted first and have not opted in.
	AnswerTextedFirst bool
	Errors            map[string]string
	// DefaultOn is true when the saved window is the default one; the page
	// then offers nothing to turn it on.
	DefaultOn bool
	Saved     *hiretext.SendPolicy
}

var dayNames = [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

// formDays lists the weekdays Monday first, as people read a week.
var formDays = [7]time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// newSendWindowsPage fills the form from u, the policy as saved or typed.
func newSendWindowsPage(u hiretext.SendPolicyUpdate, grace, limit string, saved *hiretext.SendPolicy, errs map[string]string) *sendWindowsPage {
	p := &sendWindowsPage{ReplyGrace: grace, AttemptLimit: limit, Errors: errs, Saved: saved, AnswerTextedFirst: u.AnswerTextedFirst,
		DefaultOn: saved.QuietHours.Equal(hiretext.DefaultQuietHours()),
		Days:      weekRows(u.QuietHours, [2]string{"09:00", "20:00"}, "quiet_hours.", errs)}
	for _, code := range hiretext.StatePresetCodes {
		p.States = append(p.States, statePresetRow{StatePreset: hiretext.StatePresets[code], On: containsFold(u.StateWindows, code)})
	}
	return p
}

// containsFold reports whether list holds s in any case.
func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func (s *Server) handleSendWindows(w http.ResponseWriter, r *http.Request) error {
	saved, err := s.store.SendPolicy(r.Context(), principalFrom(r.Context()).org.ID)
	if err != nil {
		return err
	}
	data := newSendWindowsPage(saved.Update(), strconv.Itoa(saved.ReplyGraceMinutes), strconv.Itoa(saved.AttemptLimit), saved, nil)
	return s.renderSendWindows(w, r, http.StatusOK, data)
}

func (s *Server) renderSendWindows(w http.ResponseWriter, r *http.Request, status int, data *sendWindowsPage) error {
	data.Page = s.page(w, r, "Send windows")
	return s.render(w, r, status, "admin_send_windows", data)
}

// handleSaveSendWindows saves the send policy from the form. The button
// "Use the default window" saves the default days and keeps the rest.
// Invalid input shows every error at once and saves nothing.
func (s *Server) handleSaveSendWindows(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	p := principalFrom(r.Context())
	f := r.PostForm
	u := hiretext.SendPolicyUpdate{QuietHours: weekFromForm(f), StateWindows: f["state_windows"],
		AnswerTextedFirst: f.Get("answer_texted_first") == "yes"}
	if f.Get("preset") == "default" {
		u.QuietHours = hiretext.DefaultSendPolicy(p.org.ID).Update().QuietHours
	}
	v := hiretext.Validation{}
	u.ReplyGraceMinutes = formInt(v, "reply_grace_minutes", f.Get("reply_grace_minutes"))
	u.AttemptLimit = formInt(v, "attempt_limit", f.Get("attempt_limit"))
	_, err := u.Policy(p.org.ID) // every problem at once, the numbers' too
	for field, msg := range hiretext.ErrorFields(err) {
		v.Add(field, msg)
	}
	if len(v) > 0 {
		saved, err := s.store.SendPolicy(r.Context(), p.org.ID)
		if err != nil {
			return err
		}
		data := newSendWindowsPage(u, f.Get("reply_grace_minutes"), f.Get("attempt_limit"), saved, v)
		return s.renderSendWindows(w, r, http.StatusUnprocessableEntity, data)
	}
	if _, err := s.store.UpdateSendPolicy(r.Context(), p.org.ID, u, p.user.ID); err != nil {
		return err
	}
	return s.redirectWithFlash(w, r, sendWindowsPath, "success", "Saved the send windows. Texts held from now on follow them.")
}

// weekRows lists the days of a week form, Monday first, from week (a
// weekday's key to its span, nil or absent for a closed day): a closed day
// shows shown's span, ready to be opened. A day's error is errs[prefix+key].
func weekRows(week map[string]*[2]string, shown [2]string, prefix string, errs map[string]string) []dayRow {
	rows := make([]dayRow, 0, len(formDays))
	for _, d := range formDays {
		key := hiretext.Weekdays[d]
		row := dayRow{Key: key, Name: dayNames[d], Start: shown[0], End: shown[1], Error: errs[prefix+key]}
		if span := week[key]; span != nil {
			row.Open, row.Start, row.End = true, span[0], span[1]
		}
		rows = append(rows, row)
	}
	return rows
}

// weekFromForm reads the days of a posted week form: each day ticked open
// ("KEY_open") with its start and end as typed; closed days are absent.
func weekFromForm(f url.Values) map[string]*[2]string {
	week := map[string]*[2]string{}
	for _, key := range hiretext.Weekdays {
		if f.Get(key+"_open") == "yes" {
			week[key] = &[2]string{strings.TrimSpace(f.Get(key + "_start")), strings.TrimSpace(f.Get(key + "_end"))}
		}
	}
	return week
}

// formInt reads a whole number typed in a form, recording field's error.
func formInt(v hiretext.Validation, field, s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		v.Add(field, "Enter a whole number.")
	}
	return n
}

// apiSendPolicy is the send policy in the API. A PUT gives every field;
// quiet_hours names all seven days (null for a closed day).
type apiSendPolicy struct {
	QuietHours        map[string]*[2]string `json:"quiet_hours"`
	StateWindows      []string              `json:"state_windows"`
	ReplyGraceMinutes *int                  `json:"reply_grace_minutes"`
	AttemptLimit      *int                  `json:"attempt_limit"`
	// AnswerTextedFirst is optional in a PUT: left out, it is the default (true).
	AnswerTextedFirst *bool      `json:"answer_texted_first"`
	UpdatedAt         *time.Time `json:"updated_at,omitempty"` // read only: when an administrator last saved it
}

func toAPISendPolicy(p *hiretext.SendPolicy) apiSendPolicy {
	u := p.Update()
	out := apiSendPolicy{QuietHours: u.QuietHours, StateWindows: u.StateWindows,
		ReplyGraceMinutes: &u.ReplyGraceMinutes, AttemptLimit: &u.AttemptLimit, AnswerTextedFirst: &u.AnswerTextedFirst}
	if out.StateWindows == nil {
		out.StateWindows = []string{}
	}
	if !p.UpdatedAt.IsZero() {
		at := p.UpdatedAt.UTC()
		out.UpdatedAt = &at
	}
	return out
}

// toUpdate checks that in gives the whole policy.
func (in apiSendPolicy) toUpdate() (hiretext.SendPolicyUpdate, error) {
	v := hiretext.Validation{}
	for _, key := range hiretext.Weekdays {
		if _, ok := in.QuietHours[key]; !ok {
			v.Add("quiet_hours."+key, "Give this day's window, or null to close it.")
		}
	}
	if in.ReplyGraceMinutes == nil {
		v.Add("reply_grace_minutes", "Give the minutes (0 turns it off).")
	}
	if in.AttemptLimit == nil {
		v.Add("attempt_limit", "Give the limit (0 turns it off).")
	}
	if in.UpdatedAt != nil {
		v.Add("updated_at", "updated_at is read only.")
	}
	if err := v.Err(); err != nil {
		return hiretext.SendPolicyUpdate{}, err
	}
	answer := in.AnswerTextedFirst == nil || *in.AnswerTextedFirst
	return hiretext.SendPolicyUpdate{QuietHours: in.QuietHours, StateWindows: in.StateWindows,
		ReplyGraceMinutes: *in.ReplyGraceMinutes, AttemptLimit: *in.AttemptLimit, AnswerTextedFirst: answer}, nil
}

// handleAPISendPolicy is GET /api/v1/texting-settings/send-policy.
func (s *Server) handleAPISendPolicy(w http.ResponseWriter, r *http.Request) error {
	p, err := s.store.SendPolicy(r.Context(), principalFrom(r.Context()).org.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toAPISendPolicy(p))
	return nil
}

// handleAPIPutSendPolicy is PUT /api/v1/texting-settings/send-policy: it
// replaces the whole policy, or changes nothing and says every problem.
func (s *Server) handleAPIPutSendPolicy(w http.ResponseWriter, r *http.Request) error {
	var in apiSendPolicy
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	u, err := in.toUpdate()
	if err != nil {
		return err
	}
	pr := principalFrom(r.Context())
	p, err := s.store.UpdateSendPolicy(r.Context(), pr.org.ID, u, pr.user.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toAPISendPolicy(p))
	return nil
}
