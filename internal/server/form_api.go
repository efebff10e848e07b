package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/hiretext/hiretext"
)

// apiQuestion is a question of a form in the JSON API.
type apiQuestion struct {
	ID       string                `json:"id"`
	Label    string                `json:"label"`
	Help     string                `json:"help"`
	Type     hiretext.QuestionType `json:"type"`
	Required bool                  `json:"required"`
	Choices  []string              `json:"choices"`
}

// apiSection is a section of a form: its questions, and for a repeating
// group the entries allowed (answer keys are "section.N.question").
type apiSection struct {
	ID        string        `json:"id"`
	Title     string        `json:"title"`
	Repeats   bool          `json:"repeats"`
	Min       int           `json:"min"`
	Max       int           `json:"max"`
	Questions []apiQuestion `json:"questions"`
}

// apiTextingQuestion is the fixed texting question every form asks.
type apiTextingQuestion struct {
	Label    string   `json:"label"`
	Field    string   `json:"field"`
	Choices  []string `json:"choices"`
	Required bool     `json:"required"`
}

// apiForm is an application form in the JSON API.
type apiForm struct {
	ID              string             `json:"id"`
	Name            string             `json:"name"`
	Base            hiretext.FormID    `json:"base"`
	Builtin         bool               `json:"builtin"`
	Jobs            int                `json:"jobs"`
	Questions       []apiQuestion      `json:"questions"`
	Sections        []apiSection       `json:"sections"`
	TextingQuestion apiTextingQuestion `json:"texting_question"`
	CreatedAt       *time.Time         `json:"created_at"`
	UpdatedAt       *time.Time         `json:"updated_at"`
}

func toAPIQuestions(qs []hiretext.Question) []apiQuestion {
	out := make([]apiQuestion, len(qs))
	for i, q := range qs {
		out[i] = apiQuestion{ID: q.ID, Label: q.Label, Help: q.Help, Type: q.Type, Required: q.Required, Choices: q.Choices}
		if out[i].Choices == nil {
			out[i].Choices = []string{}
		}
	}
	return out
}

func toAPIForm(f *hiretext.ApplicationForm) apiForm {
	out := apiForm{ID: string(f.ID), Name: f.Name, Base: f.Base, Builtin: f.Builtin(), Jobs: f.Jobs,
		Questions: toAPIQuestions(f.Questions), Sections: []apiSection{},
		TextingQuestion: apiTextingQuestion{Label: hiretext.TextingQuestion, Field: "sms_opt_in", Choices: []string{"main", "alternate", "none"}}}
	for _, s := range f.Sections() {
		out.Sections = append(out.Sections, apiSection{ID: s.ID, Title: s.Title, Repeats: s.Repeats(), Min: s.Min, Max: s.Max,
			Questions: toAPIQuestions(s.Questions)})
	}
	if !f.Builtin() {
		out.CreatedAt, out.UpdatedAt = &f.CreatedAt, &f.UpdatedAt
	}
	return out
}

func (s *Server) handleAPIForms(w http.ResponseWriter, r *http.Request) error {
	forms, err := s.store.ApplicationForms(r.Context(), principalFrom(r.Context()).org.ID)
	if err != nil {
		return err
	}
	out := struct {
		Forms []apiForm `json:"application_forms"`
	}{Forms: make([]apiForm, len(forms))}
	for i, f := range forms {
		out.Forms[i] = toAPIForm(f)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// targetForm returns the {id} form of the caller's company; another
// company's is 404.
func (s *Server) targetForm(r *http.Request) (*hiretext.ApplicationForm, error) {
	return s.store.ApplicationForm(r.Context(), principalFrom(r.Context()).org.ID, hiretext.FormID(r.PathValue("id")))
}

func (s *Server) handleAPIForm(w http.ResponseWriter, r *http.Request) error {
	f, err := s.targetForm(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toAPIForm(f))
	return nil
}

// apiFormInput is the body of POST /api/v1/application-forms and, with
// every field optional and base left out, of PATCH.
type apiFormInput struct {
	Name      *string        `json:"name"`
	Base      *string        `json:"base"`
	Questions *[]apiQuestion `json:"questions"`
}

func (in apiFormInput) questions() *[]hiretext.Question {
	if in.Questions == nil {
		return nil
	}
	out := make([]hiretext.Question, len(*in.Questions))
	for i, q := range *in.Questions {
		out[i] = hiretext.Question{ID: q.ID, Label: q.Label, Help: q.Help, Type: q.Type, Required: q.Required, Choices: q.Choices}
	}
	return &out
}

// handleAPICreateForm saves a custom form started from a built-in one: 201.
func (s *Server) handleAPICreateForm(w http.ResponseWriter, r *http.Request) error {
	var in apiFormInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	fin := hiretext.FormInput{Name: deref(in.Name), Base: hiretext.FormID(deref(in.Base))}
	if qs := in.questions(); qs != nil {
		fin.Questions = *qs
	}
	f, err := s.store.CreateApplicationForm(r.Context(), principalFrom(r.Context()).org.ID, fin)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toAPIForm(f))
	return nil
}

// handleAPIUpdateForm renames a custom form or replaces its questions (a
// question keeps its id; one without an id is new). Built-in forms are 409.
func (s *Server) handleAPIUpdateForm(w http.ResponseWriter, r *http.Request) error {
	f, err := s.targetForm(r)
	if err != nil {
		return err
	}
	var in apiFormInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.Base != nil && hiretext.FormID(*in.Base) != f.Base {
		msg := "A form's base cannot change: create a new form instead."
		return hiretext.FieldError(msg, map[string]string{"base": msg})
	}
	f, err = s.store.UpdateApplicationForm(r.Context(), f.OrgID, f.ID, hiretext.FormUpdate{Name: in.Name, Questions: in.questions()})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toAPIForm(f))
	return nil
}

// handleAPIDeleteForm deletes a custom form no job uses: 204; 409 when a
// job uses it or it is built in.
func (s *Server) handleAPIDeleteForm(w http.ResponseWriter, r *http.Request) error {
	f, err := s.targetForm(r)
	if err != nil {
		return err
	}
	if err := s.store.DeleteApplicationForm(r.Context(), f.OrgID, f.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// apiAnswers reads the answers of POST /api/v1/jobs/{id}/applications: a
// string, true or false, a number, an array of strings (multiple choice)
// or null for each key. Any other value (an object, an array of numbers)
// is a field error under answers.KEY.
func apiAnswers(raw map[string]json.RawMessage) (hiretext.AnswerInput, map[string]string) {
	in := hiretext.AnswerInput{}
	var errs map[string]string
	for key, msg := range raw {
		values, ok := apiAnswerValues(msg)
		if !ok {
			errs = withField(errs, "answers."+key, "Give a string, true or false, a number, or an array of strings.")
			continue
		}
		in[key] = values
	}
	return in, errs
}

func apiAnswerValues(msg json.RawMessage) ([]string, bool) {
	dec := json.NewDecoder(bytes.NewReader(msg))
	dec.UseNumber()
	var val any
	if err := dec.Decode(&val); err != nil {
		return nil, false
	}
	switch x := val.(type) {
	case nil:
		return nil, true
	case string:
		return []string{x}, true
	case bool:
		return []string{strconv.FormatBool(x)}, true
	case json.Number:
		return []string{x.String()}, true
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

// apiAnswer is a stored answer in the JSON API, typed by its question: a
// string, true or false (yes/no), a number, or an array (multiple choice).
type apiAnswer struct {
	Question string                `json:"question"`
	Type     hiretext.QuestionType `json:"type"`
	Answer   any                   `json:"answer"`
}

func toAPIAnswers(as []hiretext.Answer) []apiAnswer {
	out := make([]apiAnswer, len(as))
	for i, a := range as {
		out[i] = apiAnswer{Question: a.Question, Type: a.Type, Answer: a.Text()}
		switch {
		case a.Type == hiretext.QuestionMultiple:
			out[i].Answer = a.Values
		case a.Type == hiretext.QuestionYesNo:
			out[i].Answer = a.Values[0] == "yes"
		case a.Type == hiretext.QuestionNumber:
			out[i].Answer = json.Number(a.Values[0])
		}
	}
	return out
}
