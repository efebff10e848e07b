package hiretext

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Answer is one answer of an application, stored with the question as it
// was asked: editing or deleting the form later changes nothing here.
type Answer struct {
	Key      string       `json:"key"`      // the question's ID, or "section.N.question" in a repeating group
	Question string       `json:"question"` // the label as asked, "Licence 2: State" in a group
	Type     QuestionType `json:"type"`
	Values   []string     `json:"values"` // one value; any number for multiple choice
	// Sensitive marks a Social Security number: the store keeps Values
	// encrypted, and only Masked ("•••-••-6789") is shown, never Values.
	Sensitive bool   `json:"sensitive,omitempty"`
	Masked    string `json:"masked,omitempty"`
}

// Text is the answer as people read it: choices joined by commas, yes/no
// capitalised, a sensitive answer masked.
func (a Answer) Text() string {
	if a.Sensitive {
		return a.Masked
	}
	if a.Type == QuestionYesNo && len(a.Values) == 1 {
		if a.Values[0] == "yes" {
			return "Yes"
		}
		return "No"
	}
	return strings.Join(a.Values, ", ")
}

// AnswerInput is what an applicant gave, by key: a question's ID, or
// "section.N.question" for entry N (from 0) of a repeating group.
type AnswerInput map[string][]string

// GroupKey is the key of question q in entry i of repeating section s.
func GroupKey(s, q string, i int) string { return s + "." + strconv.Itoa(i) + "." + q }

// ReadAnswers checks in against the form's questions and returns the
// answers given, in the form's order, labels and types as asked. Every
// problem is reported at once, under the key at fault: an unknown key, a
// value of the wrong type or over MaxAnswerLength characters, a required
// question unanswered, too few entries of a repeating group (under the
// section's ID). An entry of a group left wholly empty is no entry.
func (f *ApplicationForm) ReadAnswers(in AnswerInput) ([]Answer, error) {
	v := Validation{}
	known := map[string]bool{}
	var out []Answer
	for _, s := range f.Sections() {
		if !s.Repeats() {
			for _, q := range s.Questions {
				known[q.ID] = true
				out = appendAnswer(v, out, q, q.ID, q.Label, in[q.ID])
			}
			continue
		}
		out = readGroup(v, out, s, in, known)
	}
	for key := range in {
		if !known[key] {
			v.Add(key, "This form has no question "+strconv.Quote(key)+".")
		}
	}
	return out, v.Err()
}

// readGroup reads the entries of repeating section s, numbering the
// entries given from 1 in the labels.
func readGroup(v Validation, out []Answer, s Section, in AnswerInput, known map[string]bool) []Answer {
	n := 0
	for i := 0; i < s.Max; i++ {
		empty := true
		for _, q := range s.Questions {
			key := GroupKey(s.ID, q.ID, i)
			known[key] = true
			if hasValue(in[key]) {
				empty = false
			}
		}
		if empty {
			continue
		}
		n++
		prefix := s.EntryName(n) + ": "
		for _, q := range s.Questions {
			key := GroupKey(s.ID, q.ID, i)
			out = appendAnswer(v, out, q, key, prefix+q.Label, in[key])
		}
	}
	if n < s.Min {
		v.Add(s.ID, "Add at least "+strconv.Itoa(s.Min)+" "+s.Noun+" ("+lowerFirst(s.Title)+").")
	}
	return out
}

// appendAnswer checks the values given for q under key and appends the
// answer when there is one.
func appendAnswer(v Validation, out []Answer, q Question, key, label string, values []string) []Answer {
	values = trimmedValues(values)
	if len(values) == 0 {
		if q.Required {
			v.Add(key, "Answer “"+label+"”.")
		}
		return out
	}
	values, msg := checkValues(q, values)
	if msg != "" {
		v.Add(key, "“"+label+"”: "+msg)
		return out
	}
	a := Answer{Key: key, Question: label, Type: q.Type, Values: values, Sensitive: q.Sensitive}
	if q.Sensitive {
		a.Masked = "•••-••-" + values[0][len(values[0])-4:]
	}
	return append(out, a)
}

// checkValues normalises the values for q's type, or says what is wrong.
func checkValues(q Question, values []string) ([]string, string) {
	if q.Type != QuestionMultiple && len(values) > 1 {
		return nil, "give one answer."
	}
	for _, val := range values {
		if err := CheckText(val, q.Type == QuestionLongText); err != nil {
			return nil, lowerFirst(ErrorMessage(err))
		}
		if utf8.RuneCountInString(val) > MaxAnswerLength {
			return nil, "use at most 5,000 characters."
		}
	}
	if q.Sensitive {
		return ssn(values[0])
	}
	switch q.Type {
	case QuestionYesNo:
		return yesNo(q, values[0])
	case QuestionSingle, QuestionMultiple:
		return choices(q, values)
	case QuestionDate:
		if _, err := time.Parse(time.DateOnly, values[0]); err != nil {
			return nil, "enter a date as YYYY-MM-DD."
		}
	case QuestionNumber:
		n, err := strconv.ParseFloat(strings.ReplaceAll(values[0], ",", ""), 64)
		if err != nil || math.IsInf(n, 0) || math.IsNaN(n) {
			return nil, "enter a number."
		}
		return []string{strconv.FormatFloat(n, 'f', -1, 64)}, ""
	}
	return values, ""
}

// ssn reads a Social Security number: nine digits, with or without dashes
// and spaces, written 123-45-6789.
func ssn(val string) ([]string, string) {
	digits := strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, val)
	if len(digits) != 9 || strings.IndexFunc(digits, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return nil, "enter the nine digits of the number."
	}
	return []string{digits[:3] + "-" + digits[3:5] + "-" + digits[5:]}, ""
}

// yesNo reads a yes/no answer ("yes", "no", "true", "false").
func yesNo(q Question, val string) ([]string, string) {
	switch strings.ToLower(val) {
	case "yes", "true":
		return []string{"yes"}, ""
	case "no", "false":
		if q.MustBeYes {
			return nil, "you must answer yes to apply."
		}
		return []string{"no"}, ""
	}
	return nil, "answer yes or no."
}

// choices checks that every value is one of q's choices, each once.
func choices(q Question, values []string) ([]string, string) {
	var out []string
	for _, val := range values {
		if !slices.Contains(q.Choices, val) {
			return nil, strconv.Quote(val) + " is not one of the choices."
		}
		if !slices.Contains(out, val) {
			out = append(out, val)
		}
	}
	return out, ""
}

// trimmedValues trims the values and drops the empty ones.
func trimmedValues(values []string) []string {
	var out []string
	for _, val := range values {
		if val = strings.TrimSpace(val); val != "" {
			out = append(out, val)
		}
	}
	return out
}

func hasValue(values []string) bool { return len(trimmedValues(values)) > 0 }

// EntryName names entry n (from 1) of a repeating section: "Licence 2".
func (s *Section) EntryName(n int) string {
	r, size := utf8.DecodeRuneInString(s.Noun)
	return string(unicode.ToUpper(r)) + s.Noun[size:] + " " + strconv.Itoa(n)
}
