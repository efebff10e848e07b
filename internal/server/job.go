package server

import (
	"net/http"
	"net/url"

	"github.com/hiretext/hiretext"
)

// jobRow is one job on the Jobs page.
type jobRow struct {
	Job      *hiretext.Job
	ApplyURL string
}

type jobsPage struct {
	Page Page
	Jobs []jobRow
}

func (s *Server) handleJobs(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	jobs, err := s.store.ListJobs(r.Context(), p.org.ID)
	if err != nil {
		return err
	}
	rows := make([]jobRow, len(jobs))
	for i, j := range jobs {
		rows[i] = jobRow{Job: j, ApplyURL: s.applyURL(p.org, j.ID)}
	}
	return s.render(w, r, http.StatusOK, "jobs", &jobsPage{Page: s.page(w, r, "Jobs"), Jobs: rows})
}

// jobForm is the state of the new and edit job forms.
type jobForm struct {
	Title, Location, Description string
	AppForm                      string // the application form's id
	Errors                       map[string]string
}

type jobFormPage struct {
	Page  Page
	Job   *hiretext.Job // nil for a new job
	Form  jobForm
	Forms []*hiretext.ApplicationForm // the company's application forms to choose from
}

func (s *Server) handleNewJobForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderJobForm(w, r, http.StatusOK, nil, jobForm{AppForm: string(hiretext.FormStandard)})
}

// renderJobForm shows the new (job nil) or edit job form with the
// company's application forms to choose from.
func (s *Server) renderJobForm(w http.ResponseWriter, r *http.Request, status int, job *hiretext.Job, f jobForm) error {
	forms, err := s.store.ApplicationForms(r.Context(), principalFrom(r.Context()).org.ID)
	if err != nil {
		return err
	}
	title := "New job"
	if job != nil {
		title = "Edit " + job.Title
	}
	return s.render(w, r, status, "job_form", &jobFormPage{Page: s.page(w, r, title), Job: job, Form: f, Forms: forms})
}

func readJobForm(r *http.Request) (jobForm, error) {
	if err := r.ParseForm(); err != nil {
		return jobForm{}, badForm(err)
	}
	return jobForm{Title: r.PostForm.Get("title"), Location: r.PostForm.Get("location"),
		Description: r.PostForm.Get("description"), AppForm: r.PostForm.Get("application_form_id")}, nil
}

// handleCreateJob creates an open job and shows its page.
func (s *Server) handleCreateJob(w http.ResponseWriter, r *http.Request) error {
	f, err := readJobForm(r)
	if err != nil {
		return err
	}
	j, err := s.store.CreateJob(r.Context(), principalFrom(r.Context()).org.ID,
		hiretext.NewJob{Title: f.Title, Location: f.Location, Description: f.Description, Form: hiretext.FormID(f.AppForm)})
	if hiretext.ErrorCode(err) == hiretext.EInvalid {
		f.Errors = hiretext.ErrorFields(err)
		return s.renderJobForm(w, r, http.StatusUnprocessableEntity, nil, f)
	}
	if err != nil {
		return err
	}
	return s.redirectWithFlash(w, r, "/jobs/"+idString(j.ID), "success",
		"Created "+j.Title+". It is open: share its application link with candidates.")
}

// targetJob loads the job named by the {id} path value.
func (s *Server) targetJob(r *http.Request) (*hiretext.Job, error) {
	id, err := pathID[hiretext.JobID](r, "id", "Job")
	if err != nil {
		return nil, err
	}
	return s.store.JobByID(r.Context(), principalFrom(r.Context()).org.ID, id)
}

func (s *Server) handleEditJobForm(w http.ResponseWriter, r *http.Request) error {
	j, err := s.targetJob(r)
	if err != nil {
		return err
	}
	f := jobForm{Title: j.Title, Location: j.Location, Description: j.Description, AppForm: string(j.Form)}
	return s.renderJobForm(w, r, http.StatusOK, j, f)
}

func (s *Server) handleUpdateJob(w http.ResponseWriter, r *http.Request) error {
	j, err := s.targetJob(r)
	if err != nil {
		return err
	}
	f, err := readJobForm(r)
	if err != nil {
		return err
	}
	u := hiretext.JobUpdate{Title: &f.Title, Location: &f.Location, Description: &f.Description}
	if f.AppForm != "" { // a form posted before forms existed keeps the job's
		form := hiretext.FormID(f.AppForm)
		u.Form = &form
	}
	_, err = s.store.UpdateJob(r.Context(), j.OrgID, j.ID, u)
	if hiretext.ErrorCode(err) == hiretext.EInvalid {
		f.Errors = hiretext.ErrorFields(err)
		return s.renderJobForm(w, r, http.StatusUnprocessableEntity, j, f)
	}
	if err != nil {
		return err
	}
	return s.redirectWithFlash(w, r, "/jobs/"+idString(j.ID), "success", "Saved the job posting.")
}

// handleJobStatus opens or closes a job.
func (s *Server) handleJobStatus(w http.ResponseWriter, r *http.Request) error {
	j, err := s.targetJob(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	status := hiretext.JobStatus(r.PostForm.Get("status"))
	if _, err := s.store.UpdateJob(r.Context(), j.OrgID, j.ID, hiretext.JobUpdate{Status: &status}); err != nil {
		return err
	}
	msg := j.Title + " is closed: its application form no longer accepts applications."
	if status == hiretext.JobOpen {
		msg = j.Title + " is open: its application form accepts applications."
	}
	return s.redirectWithFlash(w, r, "/jobs/"+idString(j.ID), "success", msg)
}

type jobPage struct {
	Page     Page
	Job      *hiretext.Job
	FormName string // the application form candidates fill in
	ApplyURL string
	Table    candidateTable
}

// handleJob shows a job posting and its applicants, newest application
// first, a page at a time.
func (s *Server) handleJob(w http.ResponseWriter, r *http.Request) error {
	j, err := s.targetJob(r)
	if err != nil {
		return err
	}
	p := principalFrom(r.Context())
	qs := r.URL.Query()
	page, err := s.store.SearchCandidates(r.Context(), p.org.ID, hiretext.CandidateQuery{JobID: j.ID, Cursor: qs.Get("cursor"), Before: qs.Get("before")})
	if err != nil {
		return err
	}
	base := "/jobs/" + idString(j.ID)
	link := func(v url.Values) string {
		if len(v) == 0 {
			return base
		}
		return base + "?" + v.Encode()
	}
	form, err := s.store.ApplicationForm(r.Context(), p.org.ID, j.Form)
	if err != nil {
		return err
	}
	data := &jobPage{Page: s.page(w, r, j.Title), Job: j, FormName: form.Name, ApplyURL: s.applyURL(p.org, j.ID),
		Table: candidateTable{Caption: "Applicants", Action: base + "/export", Rows: candidateRows(page.Entries, p),
			Empty: "No one has applied yet. Share the application link above.", Pager: newPager(page, pageNumber(r), "applicants", link),
			JobID: idString(j.ID)}}
	if err := s.addSMSActions(r, p, &data.Table); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "job", data)
}

// handleExportJobApplicants downloads the selected applicants of a job.
func (s *Server) handleExportJobApplicants(w http.ResponseWriter, r *http.Request) error {
	j, err := s.targetJob(r)
	if err != nil {
		return err
	}
	ids, err := selectedCandidates(r)
	if err != nil {
		return err
	}
	cs, err := s.store.CandidatesByIDs(r.Context(), j.OrgID, ids, j.ID)
	if err != nil {
		return err
	}
	return writeCandidatesCSV(w, "job-"+idString(j.ID)+"-applicants.csv", cs)
}
