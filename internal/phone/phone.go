// Package phone parses, validates and formats phone numbers with
// github.com/nyaruka/phonenumbers (Google's libphonenumber metadata). Numbers
// are stored and compared in E.164 ("+13125550123") and formatted only for
// display.
package phone

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/hiretext/hiretext"
	"github.com/nyaruka/phonenumbers"
)

// ErrEmpty is returned by Parse for blank input, so callers can treat an
// optional phone field as absent. It is an EInvalid *hiretext.Error, so a
// required field can report it as is. Compare with errors.Is; do not modify.
var ErrEmpty = &hiretext.Error{Code: hiretext.EInvalid, Message: "Enter a phone number."}

// nanpCountryCode is the country calling code of the North American Numbering
// Plan (US, Canada and much of the Caribbean).
const nanpCountryCode = 1

// Parse returns raw as an E.164 number. raw may be written as people write
// numbers ("(312) 555-0123", "312.555.0123", "+44 7911 123456", "tel:…");
// region (ISO 3166, e.g. "US", any case) is assumed when raw has no country
// code. The number must be valid in its country's numbering plan, not only of
// a possible length; an extension ("x 12") is accepted and dropped, because
// texts cannot reach one. Blank input returns ErrEmpty; anything else that is
// not a valid number returns an EInvalid *hiretext.Error.
func Parse(raw, region string) (string, error) {
	raw = strings.TrimFunc(raw, isBlankRune)
	if raw == "" {
		return "", ErrEmpty
	}
	region = strings.ToUpper(region)
	num, err := phonenumbers.Parse(raw, region)
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return "", invalid(region)
	}
	// Some plans (Germany's) let the metadata accept numbers longer than
	// E.164's 15 digits; no carrier routes them, and they would not store.
	e164 := phonenumbers.Format(num, phonenumbers.E164)
	if !IsE164(e164) {
		return "", invalid(region)
	}
	return e164, nil
}

// isBlankRune reports whether r is whitespace or an invisible format
// character (zero-width space, BOM), which copied numbers often carry.
func isBlankRune(r rune) bool {
	return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r)
}

// invalid returns the error for a number that does not parse or validate,
// with an example the person can follow.
func invalid(region string) error {
	if ex := example(region); ex != "" {
		return hiretext.Errorf(hiretext.EInvalid, "Enter a valid phone number, for example %s.", ex)
	}
	return hiretext.Errorf(hiretext.EInvalid,
		"Enter a valid phone number with its country code, for example +1 312 555 0123.")
}

// example returns a number written the way people in region write it, or ""
// when region is not supported. US and Canada get a fictional 555-01XX number
// in a familiar area code; other regions get their metadata's example mobile.
func example(region string) string {
	switch region {
	case "US":
		return "(312) 555-0123"
	case "CA":
		return "(416) 555-0123"
	}
	num := phonenumbers.GetExampleNumberForType(region, phonenumbers.MOBILE)
	if num == nil {
		return ""
	}
	national := phonenumbers.Format(num, phonenumbers.NATIONAL)
	// The national format does not always parse back (Argentine mobiles gain
	// a "9"); an example that Parse rejects would only confuse.
	if back, err := phonenumbers.Parse(national, region); err != nil || !phonenumbers.IsValidNumber(back) {
		return phonenumbers.Format(num, phonenumbers.INTERNATIONAL)
	}
	return national
}

// Format returns an E.164 number as people read it. North American numbers,
// hiretext's home plan, use the national format ("(312) 555-0123"); others use
// the international format ("+44 7911 123456") so a foreign number never loses
// its country code on screen. Input that does not parse is returned unchanged.
func Format(e164 string) string {
	num, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return e164
	}
	if num.GetCountryCode() == nanpCountryCode {
		return phonenumbers.Format(num, phonenumbers.NATIONAL)
	}
	return phonenumbers.Format(num, phonenumbers.INTERNATIONAL)
}

// ForSpreadsheet returns an E.164 number as Format shows it, in a form a
// spreadsheet opening a CSV shows as written and never evaluates: it starts
// with "(" — "(312) 555-0123", "(+44) 7911 123456" — never with "+", which
// would make it a formula, and holds spaces, so no spreadsheet reads it as
// a number either. The exports need no apostrophe before it. Input that does
// not parse is returned unchanged, for the export to neutralise like any
// other text.
func ForSpreadsheet(e164 string) string {
	shown := Format(e164)
	code, rest, ok := strings.Cut(shown, " ")
	if !ok || !strings.HasPrefix(shown, "+") || !IsE164(e164) {
		return shown // national, or not a phone
	}
	return "(" + code + ") " + rest
}

// FormatFor returns an E.164 number as someone at the phone reader dials
// it: the national format when both share a country calling code ("(312)
// 555-0123", "020 7946 0958"), else the international one ("+44 20 7946
// 0958"). Input that does not parse is returned unchanged.
func FormatFor(e164, reader string) string {
	num, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return e164
	}
	if InCountryCode(reader, int(num.GetCountryCode())) {
		return phonenumbers.Format(num, phonenumbers.NATIONAL)
	}
	return phonenumbers.Format(num, phonenumbers.INTERNATIONAL)
}

// IsE164 reports whether s is in E.164 form: "+", a non-zero digit, and 1 to
// 14 more digits. It checks the form only, not that the number exists.
func IsE164(s string) bool {
	if len(s) < 3 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// AreaCode returns the three-digit area code of a North American number in
// E.164 form (+1 NXX NXX XXXX, where N is 2–9), or "" for any other input.
func AreaCode(e164 string) string {
	if len(e164) != 12 || !strings.HasPrefix(e164, "+1") || !IsE164(e164) {
		return ""
	}
	if e164[2] < '2' || e164[5] < '2' {
		return ""
	}
	return e164[2:5]
}

// ValidRegion reports whether region (ISO 3166 alpha-2, any case) has
// numbering metadata, that is whether Parse can use it as the default region.
func ValidRegion(region string) bool {
	return phonenumbers.GetSupportedRegions()[strings.ToUpper(region)]
}

// SameCountryCode reports whether two E.164 numbers share a country calling
// code: +1 covers the US, Canada and much of the Caribbean. A texting number
// reaches only phones under its own code; texts abroad need an international
// sender and cost far more.
func SameCountryCode(a, b string) bool {
	cc := CountryCode(a)
	return cc != 0 && cc == CountryCode(b)
}

// CountryCode returns the country calling code of an E.164 number (1 for
// +13125550142), or 0 when it does not parse.
func CountryCode(e164 string) int {
	n, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return 0
	}
	return int(n.GetCountryCode())
}

// InCountryCode reports whether e164, a number Parse accepted, is under
// calling code cc. Calling codes are prefix-free, so the digits after "+"
// tell without parsing the number again: a bulk send checks a thousand
// stored phones this way for the cost of one parse of its own number.
func InCountryCode(e164 string, cc int) bool {
	return cc > 0 && IsE164(e164) && strings.HasPrefix(e164[1:], strconv.Itoa(cc))
}
