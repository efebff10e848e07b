package hiretext

import (
	"slices"
	"strings"
	"testing"
	"unicode"
)

func TestParseMergeTextErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text, want string // want: a part of the error message, "" for no error
	}{
		{"no fields", "Hello there", ""},
		{"every field", "{FirstName}{LastName}{JobTitle}{CompanyName}{RecruiterFirstName}{RecruiterName}{RecruiterNumber}", ""},
		{"case-insensitive", "Hi {firstname}, {FIRSTNAME}, {Firstname}", ""},
		{"spaces around the name", "Hi { FirstName |there}", ""},
		{"fallback", "Hi {FirstName|there}", ""},
		{"empty fallback", "Hi{FirstName|}", ""},
		{"unknown field named", "Your pay: {Salary}", "Unknown merge field {Salary}: use {FirstName}"},
		{"unknown fields named once each", "{Salary} {Bonus} {Salary}", "Unknown merge fields {Salary}, {Bonus}:"},
		{"empty braces", "Hi {}", "Unknown merge field {}"},
		{"no closing brace", "Hi {FirstName", "A { has no } after it"},
		{"nested braces", "Hi {First{Name}}", "A { has no } after it"},
		{"stray closing brace", "Hi FirstName}", "A } has no { before it"},
		{"closing brace first", "} {FirstName}", "A } has no { before it"},
		{"control character", "Hi\x00 {FirstName}", "cannot be sent"},
		{"escape character", "Hi \x1b[31m", "cannot be sent"},
		{"invalid UTF-8", "Hi \xff", "cannot be sent"},
		{"line breaks and tabs are fine", "Hi {FirstName},\r\n\tsee you", ""},
	}
	for _, tt := range tests {
		_, err := ParseMergeText(tt.text)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && !strings.Contains(ErrorMessage(err), tt.want):
			t.Errorf("%s: error %q, want it to contain %q", tt.name, ErrorMessage(err), tt.want)
		case tt.want != "" && ErrorFields(err)["body"] == "":
			t.Errorf("%s: the error names no field: %v", tt.name, err)
		}
	}
}

func TestMergeTextRender(t *testing.T) {
	t.Parallel()
	full := MergeValues{FirstName: "Ana", LastName: "García", JobTitle: "Forklift Operator", CompanyName: "Acme Staffing",
		RecruiterFirstName: "Priya", RecruiterName: "Priya Natarajan", RecruiterNumber: "(312) 555-0100"}
	tests := []struct {
		name, text string
		values     MergeValues
		want       string
		missing    []MergeField
	}{
		{"plain", "Hello", full, "Hello", nil},
		{"every field", "{FirstName} {LastName}, {JobTitle} at {CompanyName}. {RecruiterFirstName} ({RecruiterName}) {RecruiterNumber}",
			full, "Ana García, Forklift Operator at Acme Staffing. Priya (Priya Natarajan) (312) 555-0100", nil},
		{"any case", "Hi {firstNAME}", full, "Hi Ana", nil},
		{"value beats fallback", "Hi {FirstName|there}", full, "Hi Ana", nil},
		{"fallback for an empty value", "Hi {FirstName|there}, about {JobTitle|the role}", MergeValues{}, "Hi there, about the role", nil},
		{"blank value counts as empty", "Hi {FirstName|there}", MergeValues{FirstName: "  \t"}, "Hi there", nil},
		{"missing stays as typed, listed once in order", "{JobTitle} {firstname} {JobTitle}", MergeValues{},
			"{JobTitle} {firstname} {JobTitle}", []MergeField{FieldFirstName, FieldJobTitle}},
		{"a value is never expanded again", "Hi {FirstName}", MergeValues{FirstName: "{LastName}", LastName: "X"}, "Hi {LastName}", nil},
		{"a value with a lone brace", "Hi {FirstName}!", MergeValues{FirstName: "Jo}{"}, "Hi Jo}{!", nil},
		{"HTML in a value is kept as text", "Hi {FirstName}", MergeValues{FirstName: "<b>Bo</b>"}, "Hi <b>Bo</b>", nil},
		{"control characters in a value become spaces", "Hi {FirstName}.", MergeValues{FirstName: "Bo\x00b\nby\x1b"}, "Hi Bo b by.", nil},
		{"invalid UTF-8 in a value is dropped", "Hi {FirstName}", MergeValues{FirstName: "Bo\xffb"}, "Hi Bob", nil},
		{"fallback with a pipe", "{JobTitle|a|b}", MergeValues{}, "a|b", nil},
	}
	for _, tt := range tests {
		m, err := ParseMergeText(tt.text)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		got, missing := m.Render(&tt.values)
		if got != tt.want || !slices.Equal(missing, tt.missing) {
			t.Errorf("%s: Render = %q, missing %v; want %q, %v", tt.name, got, missing, tt.want, tt.missing)
		}
	}
}

func TestMergeTextUses(t *testing.T) {
	t.Parallel()
	m, _ := ParseMergeText("Hi {firstname|there}, {JobTitle}")
	for _, f := range MergeFields {
		want := f == FieldFirstName || f == FieldJobTitle
		if m.Uses(f) != want {
			t.Errorf("Uses(%s) = %v, want %v", f, m.Uses(f), want)
		}
	}
}

func TestMissingValuesMessage(t *testing.T) {
	t.Parallel()
	m := &MissingValues{By: []MissingField{{FieldFirstName, []CandidateID{4}}, {FieldJobTitle, []CandidateID{1, 2, 3}}}}
	want := "1 candidate has no first name: add a fallback like {FirstName|there}. " +
		"3 candidates have no job title: add a fallback like {JobTitle|the role}."
	if ErrorMessage(m) != want || ErrorCode(m) != EInvalid || ErrorFields(m)["body"] != want {
		t.Errorf("message %q, code %q, fields %v", ErrorMessage(m), ErrorCode(m), ErrorFields(m))
	}
}

// FuzzMergeText: for any text that parses and any value, rendering never
// panics, gives valid UTF-8 without control characters (other than the
// line breaks and tabs a text may hold), and puts a value in as it is,
// never expanding braces it holds.
func FuzzMergeText(f *testing.F) {
	for _, s := range [][2]string{{"Hi {FirstName|there}", "Ana"}, {"{JobTitle} at {CompanyName}", "{FirstName}"},
		{"{firstname}{LASTNAME}", "\x00\n\t}"}, {"plain", ""}, {"{RecruiterNumber|x}\r\n", "\xff{"}, {"{a}", "{"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, text, value string) {
		m, err := ParseMergeText(text)
		if err != nil {
			return
		}
		values := MergeValues{value, value, value, value, value, value, value}
		out, missing := m.Render(&values)
		if CheckText(out, MultiLine) != nil {
			t.Fatalf("Render(%q) with %q = %q: not sendable", text, value, out)
		}
		if len(missing) > 0 && mergeValue(value) != "" {
			t.Fatalf("Render(%q) with %q reports %v missing", text, value, missing)
		}
		one, _ := ParseMergeText("<{FirstName|}>")
		got, _ := one.Render(&values)
		if want := "<" + mergeValue(value) + ">"; got != want {
			t.Fatalf("the value %q became %q, want %q", value, got, want)
		}
		if strings.ContainsFunc(mergeValue(value), unicode.IsControl) {
			t.Fatalf("value %q keeps a control character", value)
		}
	})
}

// BenchmarkRender1000 fills a bulk text in for 1,000 candidates and counts
// each, the work a send adds per candidate without the database.
func BenchmarkRender1000(b *testing.B) {
	c, err := NewComposition("Hi {FirstName}, {RecruiterFirstName} from {CompanyName}: open house for {JobTitle} on Friday at 10am!",
		Signature{Text: "- {RecruiterFirstName}"})
	if err != nil {
		b.Fatal(err)
	}
	values := make([]MergeValues, 1000)
	for i := range values {
		values[i] = MergeValues{FirstName: "R" + strings.Repeat("x", i%7), LastName: "Recipient", JobTitle: "Forklift Operator",
			CompanyName: "Acme", RecruiterFirstName: "Rita", RecruiterName: "Rita Recruiter"}
	}
	for b.Loop() {
		for i := range values {
			if r := c.Render(&values[i], i%2 == 0); r.Count.Segments != 1 {
				b.Fatal(r.Body)
			}
		}
	}
}
