package hiretext

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxSignatureLength bounds a signature, in characters: it is added to
// texts, so it should cost a few characters, not a segment of its own.
const MaxSignatureLength = 100

// Signature is a user's optional sign-off ("– Priya, Acme Staffing"), added
// on a line of its own to the first text of each conversation, or to every
// text when Every is set. It may hold merge fields, filled in like the
// text's, and counts in the text's length and segments.
type Signature struct {
	Text  string // "" for none
	Every bool   // every text; otherwise only the first text of a conversation
}

// Validate trims the signature and checks its length and merge fields.
// Errors name the field "signature".
func (s *Signature) Validate() error {
	s.Text = strings.TrimSpace(s.Text)
	msg := ""
	if err := CheckText(s.Text, SingleLine); err != nil {
		msg = ErrorMessage(err)
	} else if _, problem := parseMerge(s.Text); problem != "" {
		msg = problem
	} else if n := utf8.RuneCountInString(s.Text); n > MaxSignatureLength {
		msg = "Shorten the signature to " + strconv.Itoa(MaxSignatureLength) + " characters or fewer; it has " + strconv.Itoa(n) + "."
	}
	if msg != "" {
		return FieldError(msg, map[string]string{"signature": msg})
	}
	return nil
}

// SignatureService keeps each user's signature. A user who never set one
// has none.
type SignatureService interface {
	Signature(ctx context.Context, org OrgID, user UserID) (Signature, error)
	// SetSignature validates and saves the signature; an empty text removes it.
	SetSignature(ctx context.Context, org OrgID, user UserID, s Signature) (Signature, error)
}
