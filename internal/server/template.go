package server

import (
	"net/http"

	"github.com/hiretext/hiretext"
)

// Text templates have two homes: company templates under Administration →
// Text templates (administrators), personal ones under My settings (each
// user). The same handlers serve both, told apart by a templateHome.

// templateHome is where templates of one scope are managed.
type templateHome struct {
	scope hiretext.TemplateScope
	base  string // the templates' addresses: base, base/{id}, base/{id}/delete
	list  string // the page that lists them and has the form for a new one
}

var (
	companyTemplates  = templateHome{scope: hiretext.ScopeCompany, base: "/admin/templates", list: "/admin/templates"}
	personalTemplates = templateHome{scope: hiretext.ScopePersonal, base: "/settings/templates", list: "/settings"}
)

// templateForm is a template as typed, with its errors.
type templateForm struct {
	Name, Body string
	Errors     map[string]string
}

// templateRow is one template in a list.
type templateRow struct {
	ID, Name, Body, EditURL string
	Segments                int // of the text as written, fields unfilled
}

func templateRows(h templateHome, ts []*hiretext.Template) []templateRow {
	var rows []templateRow
	for _, t := range ts {
		if t.Scope == h.scope {
			rows = append(rows, templateRow{ID: idString(t.ID), Name: t.Name, Body: t.Body, EditURL: h.base + "/" + idString(t.ID),
				Segments: hiretext.CountSegments(t.Body).Segments})
		}
	}
	return rows
}

type adminTemplatesPage struct {
	Page      Page
	Templates []templateRow
	Form      templateForm
	Fields    []hiretext.MergeField
}

func (s *Server) handleAdminTemplates(w http.ResponseWriter, r *http.Request) error {
	return s.renderAdminTemplates(w, r, http.StatusOK, templateForm{})
}

func (s *Server) renderAdminTemplates(w http.ResponseWriter, r *http.Request, status int, f templateForm) error {
	p := principalFrom(r.Context())
	ts, err := s.store.Templates(r.Context(), p.org.ID, p.user.ID)
	if err != nil {
		return err
	}
	return s.render(w, r, status, "admin_templates", &adminTemplatesPage{Page: s.page(w, r, "Text templates"),
		Templates: templateRows(companyTemplates, ts), Form: f, Fields: hiretext.MergeFields[:]})
}

// renderTemplateList shows h's list page again with the new-template form
// as typed and its errors.
func (s *Server) renderTemplateList(w http.ResponseWriter, r *http.Request, h templateHome, f templateForm) error {
	if h.scope == hiretext.ScopeCompany {
		return s.renderAdminTemplates(w, r, http.StatusUnprocessableEntity, f)
	}
	return s.renderSettings(w, r, http.StatusUnprocessableEntity, &settingsPage{Template: f})
}

// handleCreateTemplate saves a new template of h's scope; mistakes show the
// form again with every error and save nothing.
func (s *Server) handleCreateTemplate(h templateHome) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := r.ParseForm(); err != nil {
			return badForm(err)
		}
		p := principalFrom(r.Context())
		if err := p.user.CheckEditTemplates(h.scope); err != nil {
			return err
		}
		f := templateForm{Name: r.PostForm.Get("name"), Body: r.PostForm.Get("body")}
		t, err := s.store.CreateTemplate(r.Context(), p.org.ID, p.user.ID, hiretext.TemplateInput{Scope: h.scope, Name: f.Name, Body: f.Body})
		if hiretext.ErrorCode(err) == hiretext.EInvalid {
			f.Errors = hiretext.ErrorFields(err)
			return s.renderTemplateList(w, r, h, f)
		}
		if err != nil {
			return err
		}
		return s.redirectWithFlash(w, r, h.list, "success", "Saved the template “"+t.Name+"”.")
	}
}

type templateEditPage struct {
	Page     Page
	Company  bool
	Template *hiretext.Template
	Form     templateForm
	Action   string
	Back     string
	Fields   []hiretext.MergeField
}

// targetTemplate returns the {id} template of h's scope that the caller
// may change; any other is not found.
func (s *Server) targetTemplate(r *http.Request, h templateHome) (*hiretext.Template, error) {
	p := principalFrom(r.Context())
	id, err := pathID[hiretext.TemplateID](r, "id", "Template")
	if err != nil {
		return nil, err
	}
	t, err := s.store.TemplateByID(r.Context(), p.org.ID, p.user.ID, id)
	if err != nil {
		return nil, err
	}
	if t.Scope != h.scope {
		return nil, hiretext.Errorf(hiretext.ENotFound, "Template not found.")
	}
	return t, p.user.CheckEditTemplates(h.scope)
}

// handleEditTemplate shows a template's form.
func (s *Server) handleEditTemplate(h templateHome) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		t, err := s.targetTemplate(r, h)
		if err != nil {
			return err
		}
		return s.renderTemplateEdit(w, r, http.StatusOK, h, t, templateForm{Name: t.Name, Body: t.Body})
	}
}

func (s *Server) renderTemplateEdit(w http.ResponseWriter, r *http.Request, status int, h templateHome, t *hiretext.Template, f templateForm) error {
	return s.render(w, r, status, "template_edit", &templateEditPage{Page: s.page(w, r, "Edit “"+t.Name+"”"),
		Company: h.scope == hiretext.ScopeCompany, Template: t, Form: f, Action: h.base + "/" + idString(t.ID), Back: h.list,
		Fields: hiretext.MergeFields[:]})
}

// handleUpdateTemplate saves a template's new name and body. Texts already
// sent from it do not change.
func (s *Server) handleUpdateTemplate(h templateHome) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := r.ParseForm(); err != nil {
			return badForm(err)
		}
		t, err := s.targetTemplate(r, h)
		if err != nil {
			return err
		}
		p := principalFrom(r.Context())
		f := templateForm{Name: r.PostForm.Get("name"), Body: r.PostForm.Get("body")}
		_, err = s.store.UpdateTemplate(r.Context(), p.org.ID, p.user.ID, t.ID, hiretext.TemplateUpdate{Name: &f.Name, Body: &f.Body})
		if hiretext.ErrorCode(err) == hiretext.EInvalid {
			f.Errors = hiretext.ErrorFields(err)
			return s.renderTemplateEdit(w, r, http.StatusUnprocessableEntity, h, t, f)
		}
		if err != nil {
			return err
		}
		return s.redirectWithFlash(w, r, h.list, "success", "Saved the template. Texts already sent from it keep their words.")
	}
}

// handleDeleteTemplate deletes a template; texts sent from it keep its name.
func (s *Server) handleDeleteTemplate(h templateHome) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		t, err := s.targetTemplate(r, h)
		if err != nil {
			return err
		}
		p := principalFrom(r.Context())
		if err := s.store.DeleteTemplate(r.Context(), p.org.ID, p.user.ID, t.ID); err != nil {
			return err
		}
		return s.redirectWithFlash(w, r, h.list, "success", "Deleted the template “"+t.Name+"”.")
	}
}

// handleSaveSignature saves the caller's signature; an empty one removes it.
func (s *Server) handleSaveSignature(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	p := principalFrom(r.Context())
	sig := hiretext.Signature{Text: r.PostForm.Get("signature"), Every: r.PostForm.Get("signature_when") == "every"}
	saved, err := s.store.SetSignature(r.Context(), p.org.ID, p.user.ID, sig)
	if hiretext.ErrorCode(err) == hiretext.EInvalid {
		return s.renderSettings(w, r, http.StatusUnprocessableEntity, &settingsPage{Signature: sig, Errors: hiretext.ErrorFields(err), signatureTyped: true})
	}
	if err != nil {
		return err
	}
	if saved.Text == "" {
		return s.redirectWithFlash(w, r, "/settings", "success", "Your texts have no signature now.")
	}
	return s.redirectWithFlash(w, r, "/settings", "success", "Saved your signature.")
}
