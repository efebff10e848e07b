package hiretext_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/storetest"
)

func TestFormInputValidate(t *testing.T) {
	many := storetest.WarehouseForm()
	for i := 0; i < 49; i++ {
		many.Questions = append(many.Questions, hiretext.Question{Label: "Q" + strconv.Itoa(i), Type: hiretext.QuestionShortText})
	}
	cases := []struct {
		name   string
		change func(*hiretext.FormInput)
		fields []string
	}{
		{"51 questions", func(in *hiretext.FormInput) { *in = many }, []string{"questions"}},
		{"no name, unknown base", func(in *hiretext.FormInput) { in.Name, in.Base = " ", "12" }, []string{"name", "base"}},
		{"choice without choices", func(in *hiretext.FormInput) { in.Questions[1].Choices = []string{" ", ""} }, []string{"questions[1].choices"}},
		{"choices on a yes/no", func(in *hiretext.FormInput) { in.Questions[0].Choices = []string{"A"} }, []string{"questions[0].choices"}},
		{"unknown type", func(in *hiretext.FormInput) { in.Questions[0].Type = "file" }, []string{"questions[0].type"}},
		{"blank label", func(in *hiretext.FormInput) { in.Questions[0].Label = "" }, []string{"questions[0].label"}},
		{"a second texting question", func(in *hiretext.FormInput) { in.Questions[0].Label = "May we send you SMS?" }, []string{"questions[0].label"}},
		{"duplicate choice", func(in *hiretext.FormInput) { in.Questions[1].Choices = []string{"Days", "days"} }, []string{"questions[1].choices"}},
	}
	for _, c := range cases {
		in := storetest.WarehouseForm()
		c.change(&in)
		got := hiretext.ErrorFields(in.Validate())
		if len(got) != len(c.fields) {
			t.Errorf("%s: fields %v, want %v", c.name, got, c.fields)
		}
		for _, f := range c.fields {
			if got[f] == "" {
				t.Errorf("%s: fields %v, want %s", c.name, got, f)
			}
		}
	}
	in := storetest.WarehouseForm()
	if err := in.Validate(); err != nil {
		t.Fatalf("warehouse: %v", err)
	}
}

// TestFormEditKeepsQuestionIDs: an edit keeps the IDs of the questions it
// keeps, numbers new ones past every ID given before and refuses IDs the
// form never gave.
func TestFormEditKeepsQuestionIDs(t *testing.T) {
	f, err := hiretext.NewCustomForm(1, storetest.WarehouseForm())
	if err != nil || f.Questions[0].ID != "q1" || f.Questions[1].ID != "q2" || f.NextQuestion != 2 {
		t.Fatalf("new form: %+v, %v", f, err)
	}
	qs := []hiretext.Question{f.Questions[1], {Label: "Start date", Type: hiretext.QuestionDate}}
	changed, err := hiretext.FormUpdate{Questions: &qs}.Apply(*f)
	if err != nil || len(changed.Questions) != 2 || changed.Questions[0].ID != "q2" || changed.Questions[1].ID != "q3" {
		t.Fatalf("edit: %+v, %v", changed.Questions, err)
	}
	bad := []hiretext.Question{{ID: "q9", Label: "X", Type: hiretext.QuestionShortText}}
	if _, err := (hiretext.FormUpdate{Questions: &bad}).Apply(changed); hiretext.ErrorFields(err)["questions[0].id"] == "" {
		t.Fatalf("unknown question id: %v", err)
	}
	std := hiretext.BuiltinForm(1, hiretext.FormDOT)
	if _, err := (hiretext.FormUpdate{Questions: &qs}).Apply(*std); hiretext.ErrorCode(err) != hiretext.EConflict {
		t.Fatalf("editing a built-in form: %v", err)
	}
}

func TestReadAnswers(t *testing.T) {
	f, _ := hiretext.NewCustomForm(1, hiretext.FormInput{Name: "All", Base: hiretext.FormStandard, Questions: []hiretext.Question{
		{Label: "Certified?", Type: hiretext.QuestionYesNo, Required: true},
		{Label: "Shifts", Type: hiretext.QuestionMultiple, Choices: []string{"Days", "Nights"}},
		{Label: "Years", Type: hiretext.QuestionNumber},
		{Label: "Start", Type: hiretext.QuestionDate},
		{Label: "About you", Type: hiretext.QuestionLongText},
		{Label: "City", Type: hiretext.QuestionSingle, Choices: []string{"Chicago", "Joliet"}},
	}})
	answers, err := f.ReadAnswers(hiretext.AnswerInput{"q1": {"yes"}, "q2": {"Nights", "Days"}, "q3": {"1,200.5"}, "q4": {"2027-01-04"},
		"q5": {"<b>hi</b>\r\nthere"}, "q6": {""}})
	if err != nil || len(answers) != 5 {
		t.Fatalf("answers %+v, %v", answers, err)
	}
	if answers[0].Text() != "Yes" || answers[1].Text() != "Nights, Days" || answers[2].Values[0] != "1200.5" || answers[4].Values[0] != "<b>hi</b>\r\nthere" {
		t.Fatalf("answers %+v", answers)
	}
	_, err = f.ReadAnswers(hiretext.AnswerInput{"q2": {"Evenings"}, "q3": {"ten"}, "q4": {"01/04/2027"}, "q5": {strings.Repeat("x", 5001)},
		"q6": {"Chicago", "Joliet"}, "q99": {"x"}})
	got := hiretext.ErrorFields(err)
	for _, key := range []string{"q1", "q2", "q3", "q4", "q5", "q6", "q99"} {
		if got[key] == "" {
			t.Errorf("no error on %s: %v", key, got)
		}
	}
}

// TestDOTAnswers: the repeating groups number the entries given, skip
// empty ones and need at least one licence and one employer; the
// certification must be yes.
func TestDOTAnswers(t *testing.T) {
	f := hiretext.BuiltinForm(1, hiretext.FormDOT)
	in := storetest.DOTAnswers()
	answers, err := f.ReadAnswers(in)
	if err != nil {
		t.Fatalf("DOT answers: %v", err)
	}
	labels := map[string]bool{}
	for _, a := range answers {
		labels[a.Question] = true
	}
	for _, l := range []string{"Licence 1: State", "Licence 2: State", "Employer 2: Employer", "Address 1: City", "Date of birth"} {
		if !labels[l] {
			t.Errorf("no answer labelled %q", l)
		}
	}
	in = storetest.DOTAnswers()
	for key := range in {
		if strings.HasPrefix(key, "licences.") || strings.HasPrefix(key, "employers.") {
			delete(in, key)
		}
	}
	in["certify"] = []string{"no"}
	in["q1"] = []string{"x"}
	_, err = f.ReadAnswers(in)
	got := hiretext.ErrorFields(err)
	for _, key := range []string{"licences", "employers", "certify", "q1"} {
		if got[key] == "" {
			t.Errorf("no error on %s: %v", key, got)
		}
	}
	for _, s := range f.Sections() {
		in := hiretext.FormInput{Name: "x", Base: hiretext.FormStandard, Questions: s.Questions}
		for i := range in.Questions {
			in.Questions[i].MustBeYes = false
		}
		if err := in.Validate(); err != nil && s.ID != "certification" {
			t.Errorf("section %s: %v", s.ID, err)
		}
	}
}
