package hiretext

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text people and programs send. Whatever arrives at an edge — a form, an
// API body, the public application, login, a search or a report filter —
// is checked with CheckText before it is used: it must be UTF-8 and hold no
// control characters, except line breaks and tabs in a text that has
// several lines. PostgreSQL refuses a NUL or invalid UTF-8 outright and
// SQLite would store them for every export to carry, so neither reaches
// the database. What a provider sends (an inbound text) is never refused,
// because nothing a candidate sends may be lost: it is kept with
// SanitizeText instead.

// TextLines says whether a text may hold line breaks.
type TextLines bool

// The two kinds of text.
const (
	SingleLine TextLines = false // a name, an email, a search: no line breaks, no tabs
	MultiLine  TextLines = true  // a text area or a message body: tab, LF and CR allowed
)

// ErrNotUTF8 is CheckText's error for bytes that are not UTF-8.
var ErrNotUTF8 = &Error{Code: EInvalid, Message: "This holds bytes that are not text (invalid UTF-8); type or paste it again."}

// CheckText returns nil when s may be stored, else an EInvalid error whose
// message says what to change. A multi-line text may hold tabs and line
// breaks (browsers end a text area's lines with CR LF); no text may hold
// another control character (NUL, the rest of C0, DEL, C1) or bytes that
// are not UTF-8.
func CheckText(s string, lines TextLines) error {
	if !utf8.ValidString(s) {
		return ErrNotUTF8
	}
	i := strings.IndexFunc(s, func(r rune) bool { return badRune(r, lines) })
	switch {
	case i < 0:
		return nil
	case s[i] == '\n' || s[i] == '\r':
		return Errorf(EInvalid, "Keep this on one line (remove the line break).")
	case s[i] == '\t':
		return Errorf(EInvalid, "Remove the tab (this is a single line).")
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return Errorf(EInvalid, "Remove the control character %s, which text cannot hold.", controlName(r))
}

// SanitizeText returns s with every byte that is not UTF-8 and every
// control character CheckText would refuse replaced by U+FFFD, the
// replacement character: for text hiretext must keep as it came, such as
// a candidate's reply, rather than refuse.
func SanitizeText(s string, lines TextLines) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if badRune(r, lines) {
			return utf8.RuneError
		}
		return r
	}, s)
}

// Text checks s with CheckText and records its problem under field.
func (v Validation) Text(field, s string, lines TextLines) {
	if err := CheckText(s, lines); err != nil {
		v.Add(field, ErrorMessage(err))
	}
}

// badRune reports whether r may not appear in a text of the kind lines.
func badRune(r rune, lines TextLines) bool {
	if r == '\t' || r == '\n' || r == '\r' {
		return !bool(lines)
	}
	return unicode.IsControl(r)
}

// controlName names a control character for people: NUL, or its code.
func controlName(r rune) string {
	if r == 0 {
		return "NUL"
	}
	return fmt.Sprintf("%U", r)
}
