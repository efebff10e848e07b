package server

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/hiretext/hiretext"
)

// Administration → Application forms: the built-in forms to read and
// start from, and the company's custom forms to edit. The editor works
// without JavaScript: adding, removing and moving a question posts the
// form (op) and shows it again as typed, saving nothing until Save.

// maxEditorQuestions bounds the questions read from one post, beyond the
// limit so that one too many is reported rather than cut off.
const maxEditorQuestions = hiretext.MaxFormQuestions + 1

// formRow is one form in the list.
type formRow struct {
	ID, Name, URL, Base string
	Builtin             bool
	Questions, Jobs     int
}

type adminFormsPage struct {
	Page   Page
	Forms  []formRow
	Name   string
	Base   string
	Errors map[string]string
}

func (s *Server) handleAdminForms(w http.ResponseWriter, r *http.Request) error {
	return s.renderAdminForms(w, r, http.StatusOK, &adminFormsPage{Base: string(hiretext.FormStandard)})
}

func (s *Server) renderAdminForms(w http.ResponseWriter, r *http.Request, status int, data *adminFormsPage) error {
	forms, err := s.store.ApplicationForms(r.Context(), principalFrom(r.Context()).org.ID)
	if err != nil {
		return err
	}
	for _, f := range forms {
		data.Forms = append(data.Forms, formRow{ID: string(f.ID), Name: f.Name, URL: formURL(f.ID), Builtin: f.Builtin(),
			Base: hiretext.BuiltinForm(0, f.Base).Name, Questions: len(f.Questions), Jobs: f.Jobs})
	}
	data.Page = s.page(w, r, "Application forms")
	return s.render(w, r, status, "admin_forms", data)
}

func formURL(id hiretext.FormID) string { return "/admin/forms/" + url.PathEscape(string(id)) }

// handleAdminCreateForm creates a custom form from a built-in one and opens
// its editor.
func (s *Server) handleAdminCreateForm(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	data := &adminFormsPage{Name: r.PostForm.Get("name"), Base: r.PostForm.Get("base")}
	f, err := s.store.CreateApplicationForm(r.Context(), principalFrom(r.Context()).org.ID,
		hiretext.FormInput{Name: data.Name, Base: hiretext.FormID(data.Base)})
	if hiretext.ErrorCode(err) == hiretext.EInvalid {
		data.Errors = hiretext.ErrorFields(err)
		return s.renderAdminForms(w, r, http.StatusUnprocessableEntity, data)
	}
	if err != nil {
		return err
	}
	return s.redirectWithFlash(w, r, formURL(f.ID), "success", "Created “"+f.Name+"”. Add its questions below.")
}

// editorQuestion is a question in the editor, as typed.
type editorQuestion struct {
	Index                 int
	ID, Label, Help, Type string
	Required              bool
	Choices               string // one per line
	First, Last           bool
	LabelErr, HelpErr     string
	TypeErr, ChoicesErr   string
	IDErr                 string
	Field                 string // "questions[N]", the name prefix of its inputs
	TypeOptions           []typeOption
}

type typeOption struct {
	Value, Label string
	Selected     bool
}

type formEditPage struct {
	Page       Page
	Form       *hiretext.ApplicationForm
	Name       string
	Questions  []editorQuestion
	Sections   []hiretext.Section
	Disclosure string
	Errors     map[string]string
	Summary    []string
	Action     string
}

// targetAdminForm returns the {id} form of the caller's company.
func (s *Server) targetAdminForm(r *http.Request) (*hiretext.ApplicationForm, error) {
	return s.store.ApplicationForm(r.Context(), principalFrom(r.Context()).org.ID, hiretext.FormID(r.PathValue("id")))
}

func (s *Server) handleAdminForm(w http.ResponseWriter, r *http.Request) error {
	f, err := s.targetAdminForm(r)
	if err != nil {
		return err
	}
	return s.renderFormEdit(w, r, http.StatusOK, f, f.Name, f.Questions, nil)
}

func (s *Server) renderFormEdit(w http.ResponseWriter, r *http.Request, status int, f *hiretext.ApplicationForm, name string,
	qs []hiretext.Question, errs map[string]string) error {
	settings, err := s.store.TextingSettings(r.Context(), f.OrgID)
	if err != nil {
		return err
	}
	base := hiretext.BuiltinForm(f.OrgID, f.Base)
	data := &formEditPage{Page: s.page(w, r, f.Name), Form: f, Name: name, Sections: base.Sections(), Disclosure: settings.Disclosure(),
		Errors: errs, Action: formURL(f.ID)}
	for _, key := range []string{"name", "questions"} {
		if msg := errs[key]; msg != "" {
			data.Summary = append(data.Summary, msg)
		}
	}
	for i, q := range qs {
		e := editorQuestionOf(i, len(qs), q, errs)
		for _, msg := range []string{e.IDErr, e.LabelErr, e.HelpErr, e.TypeErr, e.ChoicesErr} {
			if msg != "" {
				data.Summary = append(data.Summary, "Question "+strconv.Itoa(i+1)+": "+msg)
			}
		}
		data.Questions = append(data.Questions, e)
	}
	return s.render(w, r, status, "admin_form", data)
}

func editorQuestionOf(i, n int, q hiretext.Question, errs map[string]string) editorQuestion {
	field := "questions[" + strconv.Itoa(i) + "]"
	e := editorQuestion{Index: i, ID: q.ID, Label: q.Label, Help: q.Help, Type: string(q.Type), Required: q.Required,
		Choices: strings.Join(q.Choices, "\n"), First: i == 0, Last: i == n-1, Field: field,
		LabelErr: errs[field+".label"], HelpErr: errs[field+".help"], TypeErr: errs[field+".type"],
		ChoicesErr: errs[field+".choices"], IDErr: errs[field+".id"]}
	for _, t := range hiretext.QuestionTypes {
		e.TypeOptions = append(e.TypeOptions, typeOption{Value: string(t), Label: t.Label(), Selected: t == q.Type})
	}
	return e
}

// editorQuestions reads the questions of the editor's post, in order.
func editorQuestions(form url.Values) []hiretext.Question {
	var qs []hiretext.Question
	for i := 0; i < maxEditorQuestions; i++ {
		field := "questions[" + strconv.Itoa(i) + "]"
		if _, ok := form[field+".type"]; !ok {
			break
		}
		q := hiretext.Question{ID: form.Get(field + ".id"), Label: form.Get(field + ".label"), Help: form.Get(field + ".help"),
			Type: hiretext.QuestionType(form.Get(field + ".type")), Required: form.Get(field+".required") == "yes"}
		for _, c := range strings.Split(strings.ReplaceAll(form.Get(field+".choices"), "\r\n", "\n"), "\n") {
			if c = strings.TrimSpace(c); c != "" {
				q.Choices = append(q.Choices, c)
			}
		}
		qs = append(qs, q)
	}
	return qs
}

// editQuestions carries out an editor button other than Save: add a
// question, or remove or move question N ("remove:N", "up:N", "down:N").
// It reports false for Save.
func editQuestions(op string, qs []hiretext.Question) ([]hiretext.Question, bool) {
	verb, arg, _ := strings.Cut(op, ":")
	n, err := strconv.Atoi(arg)
	valid := err == nil && n >= 0 && n < len(qs)
	switch {
	case verb == "add":
		return append(qs, hiretext.Question{Type: hiretext.QuestionShortText}), true
	case verb == "remove" && valid:
		return append(qs[:n:n], qs[n+1:]...), true
	case verb == "up" && valid && n > 0:
		qs[n-1], qs[n] = qs[n], qs[n-1]
		return qs, true
	case verb == "down" && valid && n < len(qs)-1:
		qs[n], qs[n+1] = qs[n+1], qs[n]
		return qs, true
	}
	return qs, false
}

// handleAdminUpdateForm saves a custom form's name and questions, or
// carries out an editor button and shows the form again unsaved. Every
// problem shows at once and nothing is saved.
func (s *Server) handleAdminUpdateForm(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	f, err := s.targetAdminForm(r)
	if err != nil {
		return err
	}
	if f.Builtin() {
		return hiretext.Errorf(hiretext.EConflict, "The %s is built in: it cannot be changed. Create a custom form from it instead.", f.Name)
	}
	name, qs := r.PostForm.Get("name"), editorQuestions(r.PostForm)
	if qs, edited := editQuestions(r.PostForm.Get("op"), qs); edited {
		return s.renderFormEdit(w, r, http.StatusOK, f, name, qs, nil)
	}
	_, err = s.store.UpdateApplicationForm(r.Context(), f.OrgID, f.ID, hiretext.FormUpdate{Name: &name, Questions: &qs})
	if hiretext.ErrorCode(err) == hiretext.EInvalid {
		return s.renderFormEdit(w, r, http.StatusUnprocessableEntity, f, name, qs, hiretext.ErrorFields(err))
	}
	if err != nil {
		return err
	}
	return s.redirectWithFlash(w, r, formURL(f.ID), "success", "Saved the form. Applications already received keep their answers as asked.")
}

// handleAdminDeleteForm deletes a custom form no job uses.
func (s *Server) handleAdminDeleteForm(w http.ResponseWriter, r *http.Request) error {
	f, err := s.targetAdminForm(r)
	if err != nil {
		return err
	}
	if err := s.store.DeleteApplicationForm(r.Context(), f.OrgID, f.ID); err != nil {
		return err
	}
	return s.redirectWithFlash(w, r, "/admin/forms", "success", "Deleted the form “"+f.Name+"”.")
}

// handleAdminSSN turns on or off the Social Security number on the DOT
// driver application and the custom forms based on it.
func (s *Server) handleAdminSSN(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	on := r.PostForm.Get("collect_ssn") == "yes"
	if err := s.store.SetCollectSSN(r.Context(), principalFrom(r.Context()).org.ID, on); err != nil {
		return err
	}
	msg := "The DOT driver application no longer asks for the Social Security number."
	if on {
		msg = "The DOT driver application now asks for the Social Security number, kept encrypted and shown masked."
	}
	return s.redirectWithFlash(w, r, formURL(hiretext.FormDOT), "success", msg)
}

// handleRevealAnswer shows the profile with one masked answer of an
// application revealed, for an administrator; the store records the
// reveal in the audit trail. The answer is rendered into this response
// only, never into a redirect or a cookie.
func (s *Server) handleRevealAnswer(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	c, err := s.targetCandidate(r)
	if err != nil {
		return err
	}
	app, err := pathID[hiretext.ApplicationID](r, "app", "Application")
	if err != nil {
		return err
	}
	apps, err := s.store.CandidateApplications(r.Context(), c.OrgID, c.ID)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(apps, func(a *hiretext.Application) bool { return a.ID == app }) {
		return hiretext.Errorf(hiretext.ENotFound, "Application not found.")
	}
	key := r.PostForm.Get("key")
	plain, err := s.store.RevealAnswer(r.Context(), c.OrgID, app, key)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.renderCandidateWith(w, r, http.StatusOK, c, func(d *candidatePage) {
		d.Revealed = map[string]string{idString(app) + "/" + key: plain}
	})
}
