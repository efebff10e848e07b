package hiretext

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MergeField is a value a text names in braces, such as {FirstName}, and
// that is filled in for each recipient when the text is sent. Names are
// case-insensitive; {FirstName|there} gives a fallback for recipients
// without a value.
type MergeField string

// The merge fields.
const (
	FieldFirstName          MergeField = "FirstName"
	FieldLastName           MergeField = "LastName"
	FieldJobTitle           MergeField = "JobTitle"
	FieldCompanyName        MergeField = "CompanyName"
	FieldRecruiterFirstName MergeField = "RecruiterFirstName"
	FieldRecruiterName      MergeField = "RecruiterName"
	FieldRecruiterNumber    MergeField = "RecruiterNumber"
)

// MergeFields lists every merge field in the order people read them.
var MergeFields = [...]MergeField{FieldFirstName, FieldLastName, FieldJobTitle, FieldCompanyName,
	FieldRecruiterFirstName, FieldRecruiterName, FieldRecruiterNumber}

// Label names the field in a sentence: "first name", "job title".
func (f MergeField) Label() string {
	label, _ := f.text()
	return label
}

// FallbackExample shows the field with a fallback, for advice such as
// "add a fallback like {JobTitle|the role}".
func (f MergeField) FallbackExample() string {
	_, fallback := f.text()
	return "{" + string(f) + "|" + fallback + "}"
}

// text is the one place that words each field for people.
func (f MergeField) text() (label, fallback string) {
	switch f {
	case FieldFirstName:
		return "first name", "there"
	case FieldLastName:
		return "last name", "friend"
	case FieldJobTitle:
		return "job title", "the role"
	case FieldCompanyName:
		return "company name", "our company"
	case FieldRecruiterFirstName:
		return "recruiter first name", "your recruiter"
	case FieldRecruiterName:
		return "recruiter name", "your recruiter"
	case FieldRecruiterNumber:
		return "recruiter number", "this number"
	}
	return string(f), ""
}

// lookupField finds the field a name in braces means, ignoring case.
func lookupField(name string) (MergeField, bool) {
	for _, f := range MergeFields {
		if strings.EqualFold(name, string(f)) {
			return f, true
		}
	}
	return "", false
}

// MergeValues are one recipient's values of the merge fields. An empty
// value is missing: the field's fallback is used, or the send is refused.
type MergeValues struct {
	FirstName, LastName, JobTitle, CompanyName string
	RecruiterFirstName, RecruiterName          string
	RecruiterNumber                            string // the sending number, formatted for the recipient
}

// Get returns the value of f.
func (v *MergeValues) Get(f MergeField) string {
	switch f {
	case FieldFirstName:
		return v.FirstName
	case FieldLastName:
		return v.LastName
	case FieldJobTitle:
		return v.JobTitle
	case FieldCompanyName:
		return v.CompanyName
	case FieldRecruiterFirstName:
		return v.RecruiterFirstName
	case FieldRecruiterName:
		return v.RecruiterName
	case FieldRecruiterNumber:
		return v.RecruiterNumber
	}
	return ""
}

// FirstWord returns the first word of a person's name, for
// RecruiterFirstName: "Priya" of "Priya Natarajan".
func FirstWord(name string) string {
	if f := strings.Fields(name); len(f) > 0 {
		return f[0]
	}
	return ""
}

// MergeText is a text with merge fields, parsed once and rendered for each
// recipient. The zero value is the empty text.
type MergeText struct {
	parts []mergePart
	uses  [len(MergeFields)]bool // by fieldIndex
	size  int                    // bytes of the text as typed, to size renderings
}

// mergePart is a literal run of text, or one field with its fallback.
type mergePart struct {
	literal     string
	field       MergeField // "" for a literal
	raw         string     // the field as typed, braces included
	fallback    string
	hasFallback bool
}

// fieldIndex is f's position in MergeFields, or -1.
func fieldIndex(f MergeField) int { return slices.Index(MergeFields[:], f) }

// ParseMergeText parses a text with merge fields. Errors are EInvalid on
// the field "body": characters that cannot be sent (invalid UTF-8, control
// characters), a brace without its partner, or a field hiretext does not
// know, named as typed. It does not check the length; ValidateBody does.
func ParseMergeText(text string) (*MergeText, error) {
	t, problem := parseMerge(text)
	if problem != "" {
		return nil, bodyError(problem)
	}
	return t, nil
}

// parseMerge parses text and returns what is wrong with it in a sentence,
// or "" when nothing is.
func parseMerge(text string) (*MergeText, string) {
	if err := CheckText(text, MultiLine); err != nil {
		return nil, "The message contains characters that cannot be sent: " + lowerFirst(ErrorMessage(err))
	}
	t := &MergeText{size: len(text)}
	var unknown []string
	for rest := text; rest != ""; {
		open := strings.IndexAny(rest, "{}")
		if open < 0 {
			t.addLiteral(rest)
			break
		}
		if rest[open] == '}' {
			return nil, "A } has no { before it. Write merge fields in braces, like {FirstName}."
		}
		t.addLiteral(rest[:open])
		end := strings.IndexAny(rest[open+1:], "{}")
		if end < 0 || rest[open+1+end] == '{' {
			return nil, "A { has no } after it. Write merge fields in braces, like {FirstName}."
		}
		raw := rest[open : open+end+2]
		if !t.addField(raw) && !slices.Contains(unknown, raw) {
			unknown = append(unknown, raw)
		}
		rest = rest[open+end+2:]
	}
	if len(unknown) > 0 {
		return nil, unknownFieldsMessage(unknown)
	}
	return t, ""
}

func (t *MergeText) addLiteral(s string) {
	if s != "" {
		t.parts = append(t.parts, mergePart{literal: s})
	}
}

// addField adds raw, a field in braces such as "{FirstName|there}", and
// reports whether hiretext knows the field.
func (t *MergeText) addField(raw string) bool {
	name, fallback, hasFallback := strings.Cut(raw[1:len(raw)-1], "|")
	f, ok := lookupField(strings.TrimSpace(name))
	if !ok {
		return false
	}
	t.parts = append(t.parts, mergePart{field: f, raw: raw, fallback: fallback, hasFallback: hasFallback})
	t.uses[fieldIndex(f)] = true
	return true
}

// unknownFieldsMessage names the unknown fields as typed and lists the
// known ones.
func unknownFieldsMessage(unknown []string) string {
	known := make([]string, len(MergeFields))
	for i, f := range MergeFields {
		known[i] = "{" + string(f) + "}"
	}
	list := strings.Join(known[:len(known)-1], ", ") + " or " + known[len(known)-1]
	if len(unknown) == 1 {
		return "Unknown merge field " + unknown[0] + ": use " + list + "."
	}
	return "Unknown merge fields " + strings.Join(unknown, ", ") + ": use " + list + "."
}

// Uses reports whether the text names f.
func (t *MergeText) Uses(f MergeField) bool {
	i := fieldIndex(f)
	return t != nil && i >= 0 && t.uses[i]
}

// Render returns the text for one recipient: each field becomes its value,
// or its fallback when the value is empty. Fields with neither are returned
// in missing (each once, in MergeFields order) and stay as typed, so a
// preview shows where they are. Values are used as they are, never parsed:
// a value holding "{LastName}" stays "{LastName}". Control characters in a
// value become spaces, and invalid UTF-8 is dropped, so the result is as
// sendable as the text.
func (t *MergeText) Render(v *MergeValues) (text string, missing []MergeField) {
	if t == nil {
		return "", nil
	}
	var b strings.Builder
	b.Grow(t.size + 32) // names are usually about as long as the fields they replace
	var lacking [len(MergeFields)]bool
	for _, p := range t.parts {
		if p.field == "" {
			b.WriteString(p.literal)
			continue
		}
		switch value := mergeValue(v.Get(p.field)); {
		case value != "":
			b.WriteString(value)
		case p.hasFallback:
			b.WriteString(p.fallback)
		default:
			b.WriteString(p.raw)
			lacking[fieldIndex(p.field)] = true
		}
	}
	for i, l := range lacking {
		if l {
			missing = append(missing, MergeFields[i])
		}
	}
	return b.String(), missing
}

// mergeValue makes a value fit for a text: valid UTF-8, control characters
// (line breaks included: a name is one line) replaced by spaces, trimmed.
func mergeValue(s string) string {
	if s == "" {
		return ""
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	if strings.ContainsFunc(s, unicode.IsControl) {
		s = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return ' '
			}
			return r
		}, s)
	}
	return strings.TrimSpace(s)
}

// MissingValues is a send refused because some recipients have no value for
// a field the text names without a fallback. It unwraps to an EInvalid
// *Error on "body" whose message says what to do, so it is handled as any
// field error; APIs also list the candidates (By).
type MissingValues struct {
	By []MissingField // in MergeFields order
}

// MissingField is one field and the candidates without a value for it.
type MissingField struct {
	Field      MergeField
	Candidates []CandidateID
}

// Error implements the error interface.
func (m *MissingValues) Error() string { return m.Unwrap().Error() }

// Unwrap returns the refusal as a field error.
func (m *MissingValues) Unwrap() error { return bodyError(m.Message()) }

// Message says how many candidates lack each field and what to add:
// "3 candidates have no job title: add a fallback like {JobTitle|the role}."
func (m *MissingValues) Message() string {
	sentences := make([]string, len(m.By))
	for i, f := range m.By {
		sentences[i] = MissingSentence(f.Field, len(f.Candidates))
	}
	return strings.Join(sentences, " ")
}

// MissingSentence says that n candidates have no value for f, and how to
// write the field so that the text can still be sent.
func MissingSentence(f MergeField, n int) string {
	who := strconv.Itoa(n) + " candidates have"
	if n == 1 {
		who = "1 candidate has"
	}
	return fmt.Sprintf("%s no %s: add a fallback like %s.", who, f.Label(), f.FallbackExample())
}
