package phone

import (
	"slices"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// DigitForms returns the digit strings people type for an E.164 number, so
// a search can find it however it is written: the whole number without "+"
// ("13125550123"), the national significant number ("3125550123") and the
// national dialling form with its trunk prefix ("07911123456" for
// +447911123456), without duplicates. Input that does not parse gives only
// its own digits.
func DigitForms(e164 string) []string {
	forms := []string{Digits(e164)}
	num, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return forms
	}
	for _, f := range []string{phonenumbers.GetNationalSignificantNumber(num), Digits(phonenumbers.Format(num, phonenumbers.NATIONAL))} {
		if f != "" && !slices.Contains(forms, f) {
			forms = append(forms, f)
		}
	}
	return forms
}

// Digits returns the ASCII digits of s, dropping everything else.
func Digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}
