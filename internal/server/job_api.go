package server

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
)

// apiJob is a job posting in the JSON API.
type apiJob struct {
	ID          string             `json:"id"`
	Title       string             `json:"title"`
	Location    string             `json:"location"`
	Description string             `json:"description"`
	Status      hiretext.JobStatus `json:"status"`
	Applicants  int                `json:"applicants"`
	FormID      hiretext.FormID    `json:"application_form_id"`
	ApplyURL    string             `json:"apply_url"`
	CreatedAt   time.Time          `json:"created_at"`
	UpdatedAt   time.Time          `json:"updated_at"`
}

func (s *Server) toAPIJob(org *hiretext.Organization, j *hiretext.Job) apiJob {
	return apiJob{ID: idString(j.ID), Title: j.Title, Location: j.Location, Description: j.Description, Status: j.Status,
		Applicants: j.Applicants, FormID: j.Form, ApplyURL: s.applyURL(org, j.ID), CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt}
}

func (s *Server) handleAPIJobs(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	jobs, err := s.store.ListJobs(r.Context(), p.org.ID)
	if err != nil {
		return err
	}
	out := struct {
		Jobs []apiJob `json:"jobs"`
	}{Jobs: make([]apiJob, len(jobs))}
	for i, j := range jobs {
		out.Jobs[i] = s.toAPIJob(p.org, j)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiNewJob is the body of POST /api/v1/jobs.
type apiNewJob struct {
	Title       string `json:"title"`
	Location    string `json:"location"`
	Description string `json:"description"`
	FormID      string `json:"application_form_id"` // "" for the Standard application
}

func (s *Server) handleAPICreateJob(w http.ResponseWriter, r *http.Request) error {
	var in apiNewJob
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	p := principalFrom(r.Context())
	j, err := s.store.CreateJob(r.Context(), p.org.ID, hiretext.NewJob{Title: in.Title, Location: in.Location, Description: in.Description,
		Form: hiretext.FormID(in.FormID)})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, s.toAPIJob(p.org, j))
	return nil
}

func (s *Server) handleAPIJob(w http.ResponseWriter, r *http.Request) error {
	j, err := s.targetJob(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.toAPIJob(principalFrom(r.Context()).org, j))
	return nil
}

// apiJobPatch is the body of PATCH /api/v1/jobs/{id}; absent fields stay.
type apiJobPatch struct {
	Title       *string `json:"title"`
	Location    *string `json:"location"`
	Description *string `json:"description"`
	Status      *string `json:"status"`
	FormID      *string `json:"application_form_id"`
}

func (s *Server) handleAPIUpdateJob(w http.ResponseWriter, r *http.Request) error {
	j, err := s.targetJob(r)
	if err != nil {
		return err
	}
	var in apiJobPatch
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	u := hiretext.JobUpdate{Title: in.Title, Location: in.Location, Description: in.Description}
	if in.Status != nil {
		status := hiretext.JobStatus(*in.Status)
		u.Status = &status
	}
	if in.FormID != nil {
		form := hiretext.FormID(*in.FormID)
		u.Form = &form
	}
	j, err = s.store.UpdateJob(r.Context(), j.OrgID, j.ID, u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.toAPIJob(principalFrom(r.Context()).org, j))
	return nil
}

// apiNewApplication is the body of POST /api/v1/jobs/{id}/applications.
type apiNewApplication struct {
	FirstName      string                     `json:"first_name"`
	LastName       string                     `json:"last_name"`
	Email          string                     `json:"email"`
	MainPhone      string                     `json:"main_phone"`
	AlternatePhone string                     `json:"alternate_phone"`
	SMSOptIn       string                     `json:"sms_opt_in"`
	Answers        map[string]json.RawMessage `json:"answers"` // the job's form's questions, by key
}

// handleAPIApply records an application with the form's rules. The consent
// evidence is the company's current disclosure (the integration must show
// it; GET /api/v1/consent-disclosure) and the token's user.
func (s *Server) handleAPIApply(w http.ResponseWriter, r *http.Request) error {
	j, err := s.targetJob(r)
	if err != nil {
		return err
	}
	var in apiNewApplication
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	p := principalFrom(r.Context())
	settings, err := s.store.TextingSettings(r.Context(), p.org.ID)
	if err != nil {
		return err
	}
	answers, typeErrs := apiAnswers(in.Answers)
	n := hiretext.NewApplication{JobID: j.ID, FirstName: in.FirstName,
		LastName: in.LastName, Email: in.Email, MainPhone: in.MainPhone, AlternatePhone: in.AlternatePhone,
		SMS: formAnswer(in.SMSOptIn), Channel: hiretext.ChannelAPI, Answers: answers, Disclosure: settings.Disclosure(), UserID: p.user.ID}
	if typeErrs != nil {
		return s.applicationErrors(r, p.org, j, n, typeErrs)
	}
	a, err := s.store.Apply(r.Context(), p.org.ID, n)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, struct {
		CandidateID   string `json:"candidate_id"`
		ApplicationID string `json:"application_id"`
	}{idString(a.CandidateID), idString(a.ID)})
	return nil
}

// applicationErrors refuses an application whose answers had values of no
// type a question takes (typeErrs), reporting with them every other problem
// the application has, as the form would; nothing is stored.
func (s *Server) applicationErrors(r *http.Request, org *hiretext.Organization, j *hiretext.Job, n hiretext.NewApplication,
	typeErrs map[string]string) error {
	form, err := s.store.ApplicationForm(r.Context(), org.ID, j.Form)
	if err != nil {
		return err
	}
	n.Form = form
	v := hiretext.Validation(hiretext.ErrorFields(n.Validate(phone.Parse, org.Region)))
	if v == nil {
		v = hiretext.Validation{}
	}
	for field, msg := range typeErrs {
		v[field] = msg
	}
	return v.Err()
}

// handleAPIConsentDisclosure returns the disclosure applicants must be
// shown above the texting question.
func (s *Server) handleAPIConsentDisclosure(w http.ResponseWriter, r *http.Request) error {
	settings, err := s.store.TextingSettings(r.Context(), principalFrom(r.Context()).org.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		Text string `json:"text"`
	}{settings.Disclosure()})
	return nil
}
