package server

import (
	"net/http"
	"time"

	"github.com/hiretext/hiretext"
)

// apiTemplate is a text template in the JSON API.
type apiTemplate struct {
	ID        string                 `json:"id"`
	Name      string                 `json:"name"`
	Body      string                 `json:"body"`
	Scope     hiretext.TemplateScope `json:"scope"`
	CreatedAt time.Time              `json:"created_at"`
	UpdatedAt time.Time              `json:"updated_at"`
}

func toAPITemplate(t *hiretext.Template) apiTemplate {
	return apiTemplate{ID: idString(t.ID), Name: t.Name, Body: t.Body, Scope: t.Scope, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}

// handleAPITemplates lists the company's templates and the caller's own,
// each by name; q keeps those whose name or text holds every word of it.
func (s *Server) handleAPITemplates(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	ts, err := s.store.Templates(r.Context(), p.org.ID, p.user.ID)
	if err != nil {
		return err
	}
	ts = hiretext.MatchTemplates(ts, r.URL.Query().Get("q"))
	out := struct {
		Templates []apiTemplate `json:"templates"`
	}{Templates: make([]apiTemplate, len(ts))}
	for i, t := range ts {
		out.Templates[i] = toAPITemplate(t)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiTemplateInput is the body of POST /api/v1/templates and, with every
// field optional, of PATCH /api/v1/templates/{id}.
type apiTemplateInput struct {
	Name  *string `json:"name"`
	Body  *string `json:"body"`
	Scope *string `json:"scope"`
}

// handleAPICreateTemplate saves a template: 201 with it; company templates
// need an administrator (403).
func (s *Server) handleAPICreateTemplate(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	var in apiTemplateInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	tin := hiretext.TemplateInput{Name: deref(in.Name), Body: deref(in.Body), Scope: hiretext.TemplateScope(deref(in.Scope))}
	if tin.Scope.Valid() {
		if err := p.user.CheckEditTemplates(tin.Scope); err != nil {
			return err
		}
	}
	t, err := s.store.CreateTemplate(r.Context(), p.org.ID, p.user.ID, tin)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toAPITemplate(t))
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// apiTargetTemplate returns the {id} template the caller may see: the
// company's or their own; any other is 404.
func (s *Server) apiTargetTemplate(r *http.Request) (*hiretext.Template, error) {
	p := principalFrom(r.Context())
	id, err := pathID[hiretext.TemplateID](r, "id", "Template")
	if err != nil {
		return nil, err
	}
	return s.store.TemplateByID(r.Context(), p.org.ID, p.user.ID, id)
}

func (s *Server) handleAPITemplate(w http.ResponseWriter, r *http.Request) error {
	t, err := s.apiTargetTemplate(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toAPITemplate(t))
	return nil
}

// handleAPIUpdateTemplate changes a template's name or text; its scope
// never changes. Texts already sent from it keep their words.
func (s *Server) handleAPIUpdateTemplate(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	t, err := s.apiTargetTemplate(r)
	if err != nil {
		return err
	}
	var in apiTemplateInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := p.user.CheckEditTemplates(t.Scope); err != nil {
		return err
	}
	if in.Scope != nil && hiretext.TemplateScope(*in.Scope) != t.Scope {
		msg := "A template's scope cannot change: create a new template instead."
		return hiretext.FieldError(msg, map[string]string{"scope": msg})
	}
	t, err = s.store.UpdateTemplate(r.Context(), p.org.ID, p.user.ID, t.ID, hiretext.TemplateUpdate{Name: in.Name, Body: in.Body})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toAPITemplate(t))
	return nil
}

// handleAPIDeleteTemplate deletes a template: 204. Texts sent from it keep
// its name.
func (s *Server) handleAPIDeleteTemplate(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	t, err := s.apiTargetTemplate(r)
	if err != nil {
		return err
	}
	if err := p.user.CheckEditTemplates(t.Scope); err != nil {
		return err
	}
	if err := s.store.DeleteTemplate(r.Context(), p.org.ID, p.user.ID, t.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
