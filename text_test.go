package hiretext

import "testing"

func TestCheckText(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		text  string
		lines TextLines
		ok    bool
	}{
		{"Ann O'Neil — Zoë 🙂", SingleLine, true},
		{"", SingleLine, true},
		{"line one\r\nline two\tindented", MultiLine, true},
		{"two\nlines", SingleLine, false},
		{"carriage\rreturn", SingleLine, false},
		{"a\ttab", SingleLine, false},
		{"a\x00b", SingleLine, false},
		{"a\x00b", MultiLine, false},
		{"bell\x07", MultiLine, false},
		{"escape\x1b[31m", MultiLine, false},
		{"delete\x7f", MultiLine, false},
		{"c1\u0085", MultiLine, false},
		{"\xff", SingleLine, false},
		{"overlong \xc0\xaf", MultiLine, false},
		{"surrogate \xed\xa0\x80", MultiLine, false},
	} {
		err := CheckText(c.text, c.lines)
		if (err == nil) != c.ok {
			t.Errorf("CheckText(%q, multi-line %v) = %v, want ok %v", c.text, c.lines, err, c.ok)
		}
		if err != nil && (ErrorCode(err) != EInvalid || ErrorMessage(err) == "") {
			t.Errorf("CheckText(%q): %v is not a field message", c.text, err)
		}
	}
	if got := ErrorMessage(CheckText("a\x00b", SingleLine)); got != "Remove the control character NUL, which text cannot hold." {
		t.Errorf("NUL message = %q", got)
	}
}

func TestSanitizeTextKeepsWhatItCan(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Yes\r\nplease\t🙂": "Yes\r\nplease\t🙂",
		"a\x00b":           "a\uFFFDb",
		"\xffok\xc0\xaf":   "\uFFFDok\uFFFD", // a run of bad bytes is one replacement
		"esc\x1b":          "esc\uFFFD",
	} {
		got := SanitizeText(in, MultiLine)
		if got != want {
			t.Errorf("SanitizeText(%q) = %q, want %q", in, got, want)
		}
		if err := CheckText(got, MultiLine); err != nil {
			t.Errorf("SanitizeText(%q) = %q, which CheckText refuses: %v", in, got, err)
		}
	}
	if got := SanitizeText("MSG\n123", SingleLine); got != "MSG\uFFFD123" {
		t.Errorf("single-line sanitize kept a line break: %q", got)
	}
}

func TestValidationText(t *testing.T) {
	t.Parallel()
	v := Validation{}
	v.Text("name", "fine", SingleLine)
	v.Text("email", "a\x00@example.com", SingleLine)
	if len(v) != 1 || v["email"] == "" {
		t.Fatalf("Validation after one bad text: %v", v)
	}
}
