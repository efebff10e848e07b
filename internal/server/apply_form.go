package server

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/hiretext/hiretext"
)

// The job's application form on the public page: its sections after the
// applicant's details, repeating groups (licences, employers) with entries
// added and removed by buttons that post the form and show it again as
// typed (no JavaScript needed), saving nothing until Submit.

// answerPrefix starts the names of the form's own inputs: "answers.KEY".
const answerPrefix = "answers."

// countPrefix starts the hidden inputs that hold how many entries of each
// repeating group the page shows: "count.SECTION".
const countPrefix = "count."

// applySection is a section of the form as the page shows it.
type applySection struct {
	ID, Title, Help, Noun string
	Repeats               bool
	Count                 int // entries shown
	CanAdd                bool
	Error                 string // too few entries
	Entries               []applyEntry
}

// applyEntry is one entry of a repeating group, or a plain section's
// questions (Number 0).
type applyEntry struct {
	Index, Number int
	Name          string // "Licence 2"
	Questions     []applyQuestion
}

// applyQuestion is one input of the form.
type applyQuestion struct {
	Name      string // the input's name and id: "answers.KEY"
	Prefix    string // in a group, the entry it belongs to ("Licence 2: "), for screen readers
	Label     string
	Help      string
	Type      hiretext.QuestionType
	Required  bool
	Choices   []applyChoice
	Value     string
	Error     string
	Autofocus bool
	// DescribedBy lists the ids of the help and the error, when shown.
	DescribedBy string
}

// applyChoice is one choice of a choice or yes/no question.
type applyChoice struct {
	Value, Label string
	Checked      bool
}

// formAnswers reads the form's own answers from a post.
func formAnswers(form url.Values) hiretext.AnswerInput {
	in := hiretext.AnswerInput{}
	for name, values := range form {
		if key, ok := strings.CutPrefix(name, answerPrefix); ok {
			in[key] = values
		}
	}
	return in
}

// groupCounts reads how many entries of each repeating group the page
// showed, within the group's bounds.
func groupCounts(form url.Values, sections []hiretext.Section) map[string]int {
	counts := map[string]int{}
	for _, s := range sections {
		if !s.Repeats() {
			continue
		}
		n, err := strconv.Atoi(form.Get(countPrefix + s.ID))
		if err != nil {
			n = max(s.Min, 1)
		}
		counts[s.ID] = min(max(n, s.Min, 0), s.Max)
	}
	return counts
}

// editGroups carries out an add or remove button of a repeating group
// ("add:SECTION", "remove:SECTION.N"), changing in and counts. Removing an
// entry moves the later ones up. It returns the entry to focus ("" for
// none) and false for an op that is no such button.
func editGroups(op string, sections []hiretext.Section, in hiretext.AnswerInput, counts map[string]int) (string, bool) {
	verb, arg, _ := strings.Cut(op, ":")
	for _, s := range sections {
		if !s.Repeats() {
			continue
		}
		switch {
		case verb == "add" && arg == s.ID:
			if counts[s.ID] < s.Max {
				counts[s.ID]++
			}
			return hiretext.GroupKey(s.ID, s.Questions[0].ID, counts[s.ID]-1), true
		case verb == "remove" && strings.HasPrefix(arg, s.ID+"."):
			n, err := strconv.Atoi(strings.TrimPrefix(arg, s.ID+"."))
			if err != nil || n < 0 || n >= counts[s.ID] {
				return "", true
			}
			removeEntry(s, in, n, counts[s.ID])
			counts[s.ID]--
			return "", true
		}
	}
	return "", false
}

// removeEntry deletes entry n of group s from in, moving entries n+1 up to
// count one place up.
func removeEntry(s hiretext.Section, in hiretext.AnswerInput, n, count int) {
	for i := n; i < count; i++ {
		for _, q := range s.Questions {
			next := in[hiretext.GroupKey(s.ID, q.ID, i+1)]
			if i+1 >= count {
				next = nil
			}
			if next == nil {
				delete(in, hiretext.GroupKey(s.ID, q.ID, i))
				continue
			}
			in[hiretext.GroupKey(s.ID, q.ID, i)] = next
		}
	}
}

// applySections lays out the form's sections with what the applicant
// typed, the entries of each group and the errors; focus names the input
// to focus (an entry just added).
func applySections(sections []hiretext.Section, in hiretext.AnswerInput, counts map[string]int, errs map[string]string, focus string) []applySection {
	var out []applySection
	for _, s := range sections {
		as := applySection{ID: s.ID, Title: s.Title, Help: s.Help, Noun: s.Noun, Repeats: s.Repeats(), Error: errs[answerPrefix+s.ID]}
		if !s.Repeats() {
			as.Entries = []applyEntry{{Questions: applyQuestions(s.Questions, "", func(q string) string { return q }, in, errs, focus)}}
			out = append(out, as)
			continue
		}
		as.Count = counts[s.ID]
		as.CanAdd = as.Count < s.Max
		for i := range as.Count {
			key := func(q string) string { return hiretext.GroupKey(s.ID, q, i) }
			name := s.EntryName(i + 1)
			as.Entries = append(as.Entries, applyEntry{Index: i, Number: i + 1, Name: name,
				Questions: applyQuestions(s.Questions, name+": ", key, in, errs, focus)})
		}
		out = append(out, as)
	}
	return out
}

// applyQuestions lays out the questions of a section or of one entry of a
// group (prefix names the entry), key giving each question's answer key.
func applyQuestions(qs []hiretext.Question, prefix string, key func(string) string, in hiretext.AnswerInput, errs map[string]string, focus string) []applyQuestion {
	out := make([]applyQuestion, len(qs))
	for i, q := range qs {
		k := key(q.ID)
		values := in[k]
		aq := applyQuestion{Name: answerPrefix + k, Prefix: prefix, Label: q.Label, Help: q.Help, Type: q.Type, Required: q.Required,
			Error: errs[answerPrefix+k], Autofocus: k == focus}
		if len(values) > 0 {
			aq.Value = values[0]
		}
		var desc []string
		if aq.Help != "" {
			desc = append(desc, aq.Name+"-hint")
		}
		if aq.Error != "" {
			desc = append(desc, aq.Name+"-error")
		}
		aq.DescribedBy = strings.Join(desc, " ")
		choices := q.Choices
		if q.Type == hiretext.QuestionYesNo {
			choices = []string{"yes", "no"}
		}
		for _, c := range choices {
			label := c
			if q.Type == hiretext.QuestionYesNo {
				label = strings.ToUpper(c[:1]) + c[1:]
			}
			aq.Choices = append(aq.Choices, applyChoice{Value: c, Label: label, Checked: slices.Contains(values, c)})
		}
		out[i] = aq
	}
	return out
}

// answerSummary lists the form's own errors in the page's order, then any
// other (an answer to no question of the form).
func answerSummary(sections []applySection, errs map[string]string) []fieldMessage {
	var out []fieldMessage
	seen := map[string]bool{}
	for _, s := range sections {
		if s.Error != "" {
			out = append(out, fieldMessage{ID: "section-" + s.ID, Text: s.Error})
			seen[answerPrefix+s.ID] = true
		}
		for _, e := range s.Entries {
			for _, q := range e.Questions {
				if q.Error != "" {
					out = append(out, fieldMessage{ID: q.Name, Text: q.Error})
					seen[q.Name] = true
				}
			}
		}
	}
	for key, msg := range errs {
		if strings.HasPrefix(key, answerPrefix) && !seen[key] {
			out = append(out, fieldMessage{Text: msg})
		}
	}
	return out
}
