package hiretext

import (
	"slices"
	"strings"
	"testing"
)

func TestCompositionRender(t *testing.T) {
	t.Parallel()
	v := &MergeValues{FirstName: "Ana", RecruiterFirstName: "Priya", CompanyName: "Acme Staffing"}
	tests := []struct {
		name        string
		body        string
		sig         Signature
		first       bool
		want        string
		wantMissing []MergeField
	}{
		{"no signature", "Hi {FirstName}", Signature{}, true, "Hi Ana", nil},
		{"first text signed", "Hi {FirstName}  \n", Signature{Text: "– {RecruiterFirstName}, {CompanyName}"}, true, "Hi Ana\n– Priya, Acme Staffing", nil},
		{"later text not signed", "Hi {FirstName}", Signature{Text: "– Priya"}, false, "Hi Ana", nil},
		{"every text signed", "Hi {FirstName}", Signature{Text: "– Priya", Every: true}, false, "Hi Ana\n– Priya", nil},
		{"missing in the signature counts", "Hi {LastName}", Signature{Text: "{JobTitle}", Every: true}, false, "Hi {LastName}\n{JobTitle}",
			[]MergeField{FieldLastName, FieldJobTitle}},
	}
	for _, tt := range tests {
		c, err := NewComposition(tt.body, tt.sig)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		r := c.Render(v, tt.first)
		if r.Body != tt.want || !slices.Equal(r.Missing, tt.wantMissing) || r.Count.Segments != CountSegments(tt.want).Segments || r.Count.Characters != len([]rune(tt.want)) {
			t.Errorf("%s: %q missing %v count %+v; want %q missing %v", tt.name, r.Body, r.Missing, r.Count, tt.want, tt.wantMissing)
		}
	}
}

func TestCompositionUses(t *testing.T) {
	t.Parallel()
	c, _ := NewComposition("Hi {FirstName}", Signature{Text: "{RecruiterName}"})
	if !c.Uses(FieldFirstName) || !c.Uses(FieldRecruiterName) || c.Uses(FieldJobTitle) || !c.SignsFirstTextOnly() {
		t.Errorf("Uses: first %v recruiter %v job %v, first-only %v", c.Uses(FieldFirstName), c.Uses(FieldRecruiterName),
			c.Uses(FieldJobTitle), c.SignsFirstTextOnly())
	}
	if c, _ := NewComposition("Hi", Signature{}); c.SignsFirstTextOnly() || c.Signed(true) {
		t.Error("a composition without a signature signs nothing")
	}
}

func TestNewCompositionErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		body  string
		sig   Signature
		field string
	}{
		{"", Signature{}, "body"},
		{strings.Repeat("a", MaxBodyChars+1), Signature{}, "body"},
		{"{Salary}", Signature{}, "body"},
		{"Hi", Signature{Text: "{Salary}"}, "signature"},
		{"Hi", Signature{Text: strings.Repeat("a", MaxSignatureLength+1)}, "signature"},
		{"Hi", Signature{Text: "two\nlines"}, "signature"},
	} {
		if _, err := NewComposition(tt.body, tt.sig); ErrorFields(err)[tt.field] == "" {
			t.Errorf("NewComposition(%.20q, %+v) = %v, want an error on %s", tt.body, tt.sig, err, tt.field)
		}
	}
}

func TestCheckPreviews(t *testing.T) {
	t.Parallel()
	ok := func(id CandidateID, body string) TextPreview {
		return TextPreview{CandidateID: id, Rendering: Rendering{Body: body, Count: CountSegments(body)}}
	}
	lacking := func(id CandidateID, fs ...MergeField) TextPreview {
		p := ok(id, "Hi {FirstName}")
		p.Missing = fs
		return p
	}
	skipped := lacking(9, FieldFirstName)
	skipped.Skipped = SkipOptedOut
	if err := CheckPreviews([]TextPreview{ok(1, "Hi"), skipped}); err != nil {
		t.Errorf("a skipped candidate's missing value holds the send back: %v", err)
	}
	err := CheckPreviews([]TextPreview{lacking(1, FieldJobTitle), ok(2, "Hi"), lacking(3, FieldFirstName, FieldJobTitle)})
	m, isMissing := err.(*MissingValues)
	if !isMissing || len(m.By) != 2 || m.By[0].Field != FieldFirstName || !slices.Equal(m.By[0].Candidates, []CandidateID{3}) ||
		m.By[1].Field != FieldJobTitle || !slices.Equal(m.By[1].Candidates, []CandidateID{1, 3}) {
		t.Fatalf("CheckPreviews = %#v", err)
	}
	if msg := ErrorMessage(err); !strings.Contains(msg, "2 candidates have no job title: add a fallback like {JobTitle|the role}.") {
		t.Errorf("message %q", msg)
	}
	long := ok(4, strings.Repeat("a", MaxBodyChars+1))
	if err := CheckPreviews([]TextPreview{ok(1, "Hi"), long}); !strings.Contains(ErrorMessage(err), "longer than 1600 characters for 1 candidate") {
		t.Errorf("too long: %v", err)
	}
	if err := CheckPreviews([]TextPreview{ok(1, " ")}); !strings.Contains(ErrorMessage(err), "empty for 1 candidate") {
		t.Errorf("blank: %v", err)
	}
}

func TestLongest(t *testing.T) {
	t.Parallel()
	mk := func(id CandidateID, body string, skip SkipReason) TextPreview {
		return TextPreview{CandidateID: id, Rendering: Rendering{Body: body, Count: CountSegments(body)}, Skipped: skip}
	}
	ps := []TextPreview{mk(1, "short", ""), mk(2, strings.Repeat("a", 400), SkipOptedOut), mk(3, "a bit longer", ""), mk(4, "a bit longer", "")}
	if p, ok := Longest(ps); !ok || p.CandidateID != 3 {
		t.Errorf("Longest = %d, %v; want 3 (the skipped one does not count, ties keep the first)", p.CandidateID, ok)
	}
	if _, ok := Longest(ps[1:2]); ok {
		t.Error("no sendable preview, yet a longest one")
	}
}
