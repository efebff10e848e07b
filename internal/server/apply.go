package server

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
)

// The public application form: /apply/{org}/{job}. No login; the applicant
// answers the texting question under the company's consent disclosure, and
// the disclosure they saw, their address and browser become the evidence of
// their answer in the consent ledger.

// applyForm is what the applicant typed.
type applyForm struct {
	FirstName, LastName, Email, MainPhone, AlternatePhone, SMS string
}

// fieldMessage is one entry of a form's error summary.
type fieldMessage struct{ ID, Text string }

// applyFields orders the error summary like the form.
var applyFields = []string{"first_name", "last_name", "email", "main_phone", "alternate_phone", "sms_opt_in"}

// applyLimit bounds public applications per client address: every
// submission counts, valid or not, so a bot cannot probe the form for long.
var applyLimit = hiretext.ThrottleRule{Limit: 20, Window: time.Hour, Block: time.Hour}

type applyPage struct {
	Page              Page
	Company           string
	Job               *hiretext.Job
	Action            string
	Disclosure        string
	DisclosureVersion string
	Form              applyForm
	Errors            map[string]string
	Summary           []fieldMessage
	// Sections are the job's form's own sections, with what was typed.
	Sections []applySection
}

// applyState is what the applicant typed into the job's form beyond the
// details: the answers, the entries of each group shown, the input to
// focus.
type applyState struct {
	answers hiretext.AnswerInput
	counts  map[string]int
	focus   string
}

// publicJob finds the job of /apply/{org}/{job}; with open, only a job that
// accepts applications.
func (s *Server) publicJob(r *http.Request, open bool) (*hiretext.Organization, *hiretext.Job, error) {
	org, err := s.store.OrgBySlug(r.Context(), r.PathValue("org"))
	if err != nil {
		return nil, nil, hiretext.Errorf(hiretext.ENotFound, "There is no such job posting.")
	}
	id, err := pathID[hiretext.JobID](r, "job", "Job posting")
	if err != nil {
		return nil, nil, err
	}
	job, err := s.store.JobByID(r.Context(), org.ID, id)
	if err != nil {
		return nil, nil, err
	}
	if open && !job.IsOpen() {
		return nil, nil, hiretext.Errorf(hiretext.ENotFound, "%s at %s is closed and no longer accepts applications.", job.Title, org.Name)
	}
	return org, job, nil
}

func (s *Server) handleApplyForm(w http.ResponseWriter, r *http.Request) error {
	org, job, err := s.publicJob(r, true)
	if err != nil {
		return err
	}
	return s.renderApply(w, r, http.StatusOK, org, job, applyForm{}, applyState{}, nil)
}

// renderApply shows the job's form with the company's current disclosure.
func (s *Server) renderApply(w http.ResponseWriter, r *http.Request, status int, org *hiretext.Organization, job *hiretext.Job,
	f applyForm, st applyState, errs map[string]string) error {
	settings, err := s.store.TextingSettings(r.Context(), org.ID)
	if err != nil {
		return err
	}
	form, err := s.store.ApplicationForm(r.Context(), org.ID, job.Form)
	if err != nil {
		return err
	}
	if st.counts == nil {
		st.counts = groupCounts(nil, form.Sections())
	}
	data := &applyPage{Page: s.page(w, r, "Apply: "+job.Title), Company: org.Name, Job: job, Form: f, Errors: errs,
		Action: "/apply/" + org.Slug + "/" + idString(job.ID), Disclosure: settings.Disclosure()}
	data.DisclosureVersion = disclosureVersion(data.Disclosure)
	for _, id := range applyFields {
		if msg := errs[id]; msg != "" {
			data.Summary = append(data.Summary, fieldMessage{ID: id, Text: msg})
		}
	}
	data.Sections = applySections(form.Sections(), st.answers, st.counts, errs, st.focus)
	data.Summary = append(data.Summary, answerSummary(data.Sections, errs)...)
	return s.render(w, r, status, "apply", data)
}

// disclosureVersion fingerprints a disclosure so a submission can prove it
// was answered under the text now in force.
func disclosureVersion(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:8])
}

// handleApply takes a public application. Every submission counts against
// the client address's limit. A filled honeypot field (invisible to people)
// marks a bot: it is thanked and nothing is stored. Any invalid field shows
// the form again with every error at once, and nothing is stored.
func (s *Server) handleApply(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	if op := r.PostForm.Get("op"); op != "" {
		return s.editApplyGroups(w, r, op)
	}
	key := "apply:" + s.clientIP(r)
	wait, err := s.store.ThrottleWait(r.Context(), key)
	if err != nil {
		return err
	}
	if wait > 0 {
		w.Header().Set("Retry-After", retryAfter(wait))
		return hiretext.Errorf(hiretext.ERateLimited, "Too many applications came from your network. Please wait %s and try again.", humanWait(wait))
	}
	if err := s.store.ThrottleCount(r.Context(), applyLimit, key); err != nil {
		return err
	}
	org, job, err := s.publicJob(r, true)
	if err != nil {
		return err
	}
	if r.PostForm.Get("website") != "" {
		s.log.Info("application honeypot filled", "org_id", org.ID, "job_id", job.ID, "request_id", requestIDFrom(r.Context()))
		return s.redirectWithFlash(w, r, thanksURL(org, job), "success", "Thank you. Your application has been received.")
	}
	return s.submitApplication(w, r, org, job)
}

// submitApplication validates and stores the form's application.
func (s *Server) submitApplication(w http.ResponseWriter, r *http.Request, org *hiretext.Organization, job *hiretext.Job) error {
	f := typedApplyForm(r.PostForm)
	settings, err := s.store.TextingSettings(r.Context(), org.ID)
	if err != nil {
		return err
	}
	form, st, err := s.typedApplyState(r, org, job)
	if err != nil {
		return err
	}
	n := hiretext.NewApplication{JobID: job.ID, FirstName: f.FirstName, LastName: f.LastName, Email: f.Email,
		MainPhone: f.MainPhone, AlternatePhone: f.AlternatePhone, SMS: formAnswer(f.SMS), Channel: hiretext.ChannelForm,
		Answers: st.answers, Form: form, Disclosure: settings.Disclosure(), IP: s.clientIP(r), UserAgent: r.UserAgent()}
	var errs map[string]string
	if status, _ := n.SMS.Consent(); status == hiretext.SMSOptedIn && r.PostForm.Get("disclosure_version") != disclosureVersion(n.Disclosure) {
		// The texting terms changed after the form was shown: consent must
		// be given to the text in force, so ask again (and store nothing).
		errs = hiretext.ErrorFields(n.Validate(phone.Parse, org.Region))
		errs = withField(errs, "sms_opt_in", "The texting terms above changed while you filled in the form. Please read them and choose again.")
	} else if _, err := s.store.Apply(r.Context(), org.ID, n); hiretext.ErrorCode(err) == hiretext.EInvalid {
		errs = hiretext.ErrorFields(err)
	} else if err != nil {
		return err
	}
	if errs != nil {
		return s.renderApply(w, r, http.StatusUnprocessableEntity, org, job, f, st, errs)
	}
	return s.redirectWithFlash(w, r, thanksURL(org, job), "success", thanksMessage(n, org.Region))
}

// typedApplyForm reads the applicant's details from a post.
func typedApplyForm(form url.Values) applyForm {
	return applyForm{FirstName: form.Get("first_name"), LastName: form.Get("last_name"), Email: form.Get("email"),
		MainPhone: form.Get("main_phone"), AlternatePhone: form.Get("alternate_phone"), SMS: form.Get("sms_opt_in")}
}

// typedApplyState loads the job's form and reads what the post typed into
// it: the answers and the entries shown of each group.
func (s *Server) typedApplyState(r *http.Request, org *hiretext.Organization, job *hiretext.Job) (*hiretext.ApplicationForm, applyState, error) {
	form, err := s.store.ApplicationForm(r.Context(), org.ID, job.Form)
	if err != nil {
		return nil, applyState{}, err
	}
	return form, applyState{answers: formAnswers(r.PostForm), counts: groupCounts(r.PostForm, form.Sections())}, nil
}

// editApplyGroups carries out an add or remove button of a repeating group
// and shows the form again as typed. It stores nothing, so it does not
// count against the address's limit of applications.
func (s *Server) editApplyGroups(w http.ResponseWriter, r *http.Request, op string) error {
	org, job, err := s.publicJob(r, true)
	if err != nil {
		return err
	}
	form, st, err := s.typedApplyState(r, org, job)
	if err != nil {
		return err
	}
	st.focus, _ = editGroups(op, form.Sections(), st.answers, st.counts)
	return s.renderApply(w, r, http.StatusOK, org, job, typedApplyForm(r.PostForm), st, nil)
}

// formAnswer reads the texting choice of the form or the API. No answer
// (nothing chosen; in the API the field absent, null or empty) is
// AnswerUnanswered, which opts the applicant out: the question is never
// required. Only the three offered values are answers; anything else comes
// back invalid, so the application is refused with an error on sms_opt_in.
func formAnswer(v string) hiretext.SMSAnswer {
	switch a := hiretext.SMSAnswer(v); a {
	case hiretext.AnswerMain, hiretext.AnswerAlternate, hiretext.AnswerNone:
		return a
	case "":
		return hiretext.AnswerUnanswered
	}
	return ""
}

// withField adds a field error to errs, allocating it when nil.
func withField(errs map[string]string, field, msg string) map[string]string {
	if errs == nil {
		errs = map[string]string{}
	}
	if errs[field] == "" {
		errs[field] = msg
	}
	return errs
}

func thanksURL(org *hiretext.Organization, job *hiretext.Job) string {
	return "/apply/" + org.Slug + "/" + idString(job.ID) + "/thanks"
}

// thanksMessage confirms the application and the texting answer.
func thanksMessage(n hiretext.NewApplication, region string) string {
	name := strings.TrimSpace(n.FirstName)
	if name == "" { // a mononym
		name = strings.TrimSpace(n.LastName)
	}
	msg := "Thank you, " + name + ". Your application has been received."
	switch n.SMS {
	case hiretext.AnswerMain:
		return msg + " We may text you about it at " + typedPhone(n.MainPhone, region) + "; reply STOP at any time to opt out."
	case hiretext.AnswerAlternate:
		return msg + " We may text you about it at " + typedPhone(n.AlternatePhone, region) + "; reply STOP at any time to opt out."
	case hiretext.AnswerUnanswered:
		return msg + " You did not choose whether we may text you, so we will not."
	}
	return msg + " As you asked, we will not text you."
}

// typedPhone formats a phone as typed, once it is known to be valid.
func typedPhone(raw, region string) string {
	if e164, err := phone.Parse(raw, region); err == nil {
		return phone.Format(e164)
	}
	return raw
}

type applyThanksPage struct {
	Page    Page
	Company string
	Job     *hiretext.Job
}

func (s *Server) handleApplyThanks(w http.ResponseWriter, r *http.Request) error {
	org, job, err := s.publicJob(r, false)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "apply_thanks", &applyThanksPage{Page: s.page(w, r, "Application received"), Company: org.Name, Job: job})
}

// applyURL is the public application link of a job.
func (s *Server) applyURL(org *hiretext.Organization, id hiretext.JobID) string {
	return s.cfg.BaseURL.String() + "/apply/" + url.PathEscape(org.Slug) + "/" + idString(id)
}
