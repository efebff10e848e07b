package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
)

// The carrier filtering guard (hiretext.CarrierGuard): its setting, a part
// of Texting settings, and the administrator's resume of a paused number
// on Text Message Numbers, on pages and in the API.

// carrierGuardPath is the guard setting's page.
const carrierGuardPath = "/admin/texting/carrier-guard"

// carrierGuardPage is the guard's form, as saved or as typed.
type carrierGuardPage struct {
	Page          Page
	ErrorLimit    string
	WindowMinutes string
	Errors        map[string]string
}

func (s *Server) handleCarrierGuard(w http.ResponseWriter, r *http.Request) error {
	g, err := s.store.CarrierGuard(r.Context(), principalFrom(r.Context()).org.ID)
	if err != nil {
		return err
	}
	data := &carrierGuardPage{ErrorLimit: strconv.Itoa(g.ErrorLimit), WindowMinutes: strconv.Itoa(g.WindowMinutes)}
	return s.renderCarrierGuard(w, r, http.StatusOK, data)
}

func (s *Server) renderCarrierGuard(w http.ResponseWriter, r *http.Request, status int, data *carrierGuardPage) error {
	data.Page = s.page(w, r, "Carrier filtering guard")
	return s.render(w, r, status, "admin_carrier_guard", data)
}

// handleSaveCarrierGuard saves the guard's setting from its form; invalid
// input shows every error at once and saves nothing.
func (s *Server) handleSaveCarrierGuard(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	p := principalFrom(r.Context())
	f := r.PostForm
	v := hiretext.Validation{}
	u := hiretext.CarrierGuardUpdate{ErrorLimit: formInt(v, "error_limit", f.Get("error_limit")),
		WindowMinutes: formInt(v, "window_minutes", f.Get("window_minutes"))}
	for field, msg := range hiretext.ErrorFields(u.Validate()) {
		v.Add(field, msg) // after "Enter a whole number.", which stays
	}
	if len(v) > 0 {
		data := &carrierGuardPage{ErrorLimit: f.Get("error_limit"), WindowMinutes: f.Get("window_minutes"), Errors: v}
		return s.renderCarrierGuard(w, r, http.StatusUnprocessableEntity, data)
	}
	if _, err := s.store.UpdateCarrierGuard(r.Context(), p.org.ID, u, p.user.ID); err != nil {
		return err
	}
	msg := "Saved. A number's bulk and scheduled texts pause after more than " + strconv.Itoa(u.ErrorLimit) +
		" filtering or registration errors in " + strconv.Itoa(u.WindowMinutes) + " minutes."
	if u.ErrorLimit == 0 {
		msg = "Saved. The guard is off: no number's texts pause for carrier errors."
	}
	return s.redirectWithFlash(w, r, carrierGuardPath, "success", msg)
}

// apiCarrierGuard is the guard's setting in the API.
type apiCarrierGuard struct {
	ErrorLimit    *int       `json:"error_limit"`
	WindowMinutes *int       `json:"window_minutes"`
	UpdatedAt     *time.Time `json:"updated_at,omitempty"` // read only
}

func toAPICarrierGuard(g *hiretext.CarrierGuard) apiCarrierGuard {
	out := apiCarrierGuard{ErrorLimit: &g.ErrorLimit, WindowMinutes: &g.WindowMinutes}
	if !g.UpdatedAt.IsZero() {
		at := g.UpdatedAt.UTC()
		out.UpdatedAt = &at
	}
	return out
}

// handleAPICarrierGuard is GET /api/v1/texting-settings/carrier-guard.
func (s *Server) handleAPICarrierGuard(w http.ResponseWriter, r *http.Request) error {
	g, err := s.store.CarrierGuard(r.Context(), principalFrom(r.Context()).org.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toAPICarrierGuard(g))
	return nil
}

// handleAPIPutCarrierGuard is PUT /api/v1/texting-settings/carrier-guard:
// both fields, or nothing changes and every problem is said.
func (s *Server) handleAPIPutCarrierGuard(w http.ResponseWriter, r *http.Request) error {
	var in apiCarrierGuard
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	v := hiretext.Validation{}
	if in.ErrorLimit == nil {
		v.Add("error_limit", "Give the number of errors (0 turns the guard off).")
	}
	if in.WindowMinutes == nil {
		v.Add("window_minutes", "Give the minutes.")
	}
	if in.UpdatedAt != nil {
		v.Add("updated_at", "updated_at is read only.")
	}
	if err := v.Err(); err != nil {
		return err
	}
	p := principalFrom(r.Context())
	g, err := s.store.UpdateCarrierGuard(r.Context(), p.org.ID, hiretext.CarrierGuardUpdate{ErrorLimit: *in.ErrorLimit, WindowMinutes: *in.WindowMinutes}, p.user.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toAPICarrierGuard(g))
	return nil
}

// apiCarrierPause is a number's pause in the API.
type apiCarrierPause struct {
	Reason      string    `json:"reason"`  // "filtered" or "registration"
	Label       string    `json:"label"`   // "Paused: carrier filtering"
	Code        string    `json:"code"`    // the carrier error that tripped the guard
	Errors      int       `json:"errors"`  // errors in the window when it tripped
	Since       time.Time `json:"since"`   // when it paused
	Explanation string    `json:"message"` // why, and what to check
}

func toAPIPause(p *hiretext.CarrierPause) *apiCarrierPause {
	if p == nil {
		return nil
	}
	return &apiCarrierPause{Reason: string(p.Problem), Label: p.Label(), Code: p.Code, Errors: p.Errors, Since: p.Since.UTC(),
		Explanation: p.Explanation()}
}

// handleAdminResumeNumber resumes a paused number's texts from Text
// Message Numbers' one-click form.
func (s *Server) handleAdminResumeNumber(w http.ResponseWriter, r *http.Request) error {
	n, err := s.resumeNumber(r)
	if hiretext.ErrorCode(err) == hiretext.EConflict {
		return s.redirectWithFlash(w, r, "/admin/numbers", "info", hiretext.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	return s.redirectWithFlash(w, r, "/admin/numbers", "success",
		"Resumed "+phone.Format(n.Phone)+": its bulk and scheduled texts go again.")
}

// handleAPIResumeNumber is POST /api/v1/numbers/{id}/resume: it answers
// with the number, no longer paused; 409 when it was not paused.
func (s *Server) handleAPIResumeNumber(w http.ResponseWriter, r *http.Request) error {
	n, err := s.resumeNumber(r)
	if err != nil {
		return err
	}
	out := toAPINumber(n, principalFrom(r.Context()).org) // paused no more: "paused" is null
	writeJSON(w, http.StatusOK, out)
	return nil
}

// resumeNumber resumes the caller's company's number named by the path.
func (s *Server) resumeNumber(r *http.Request) (*hiretext.Number, error) {
	n, err := s.targetNumber(r)
	if err != nil {
		return nil, err
	}
	p := principalFrom(r.Context())
	return n, s.store.ResumeNumber(r.Context(), p.org.ID, n.ID, p.user.ID)
}
