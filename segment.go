package hiretext

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Encoding is the character set a text message travels in. It decides how
// many characters fit in one billed segment.
type Encoding string

// The two SMS encodings. A message is GSM-7 when every character is in the
// GSM 03.38 alphabet, otherwise the whole message is UCS-2.
const (
	EncodingGSM7 Encoding = "GSM-7"
	EncodingUCS2 Encoding = "UCS-2"
)

// MaxBodyChars is the most characters a message body may have: the limit of
// the providers' send APIs (Twilio rejects longer bodies).
const MaxBodyChars = 1600

// Segment capacities. A segment carries 140 octets; a multipart message
// spends 6 of them on the header that lets the handset reassemble the parts.
const (
	gsmSingle = 160 // septets
	gsmMulti  = 153
	ucsSingle = 70 // UTF-16 code units
	ucsMulti  = 67
)

// gsmBasic is the GSM 03.38 default alphabet (127 characters; the escape
// code is not a character). Each costs one septet.
const gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsmExtension is the GSM 03.38 extension table. Each character is sent as
// the escape code followed by its code, so it costs two septets.
const gsmExtension = "\f^{}\\[~]|€"

// SegmentCount describes what a message body costs to send.
type SegmentCount struct {
	Encoding   Encoding
	Characters int    // user-visible characters (runes)
	Units      int    // septets for GSM-7 (extension characters count 2), UTF-16 code units for UCS-2
	Segments   int    // billed parts; 0 for an empty body
	PerSegment int    // units per segment: 160 or 153 for GSM-7, 70 or 67 for UCS-2
	NonGSM     []rune // distinct characters forcing UCS-2, in order of first appearance
}

// CountSegments reports the encoding, length and number of segments of body
// as carriers bill it. Invalid UTF-8 bytes count as U+FFFD, which forces UCS-2.
func CountSegments(body string) SegmentCount {
	c := SegmentCount{
		Encoding:   EncodingGSM7,
		Characters: utf8.RuneCountInString(body),
		NonGSM:     nonGSMRunes(body),
	}
	cost, single, multi := gsmSeptets, gsmSingle, gsmMulti
	if len(c.NonGSM) > 0 {
		c.Encoding = EncodingUCS2
		cost, single, multi = utf16.RuneLen, ucsSingle, ucsMulti
	}
	c.Units, c.Segments = pack(body, cost, single, multi)
	c.PerSegment = single
	if c.Segments > 1 {
		c.PerSegment = multi
	}
	return c
}

// gsmSeptets returns how many septets r costs in GSM-7, or 0 when r is not in
// the GSM alphabet.
func gsmSeptets(r rune) int {
	switch {
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9', r == ' ':
		return 1 // most of any message; skips the table scans
	case strings.ContainsRune(gsmBasic, r):
		return 1
	case strings.ContainsRune(gsmExtension, r):
		return 2
	}
	return 0
}

// isGSM reports whether every character of s is in the GSM alphabet.
func isGSM(s string) bool {
	for _, r := range s {
		if gsmSeptets(r) == 0 {
			return false
		}
	}
	return true
}

// nonGSMRunes returns the distinct characters of body outside the GSM
// alphabet, in order of first appearance.
func nonGSMRunes(body string) []rune {
	var out []rune
	var seen map[rune]bool
	for _, r := range body {
		if gsmSeptets(r) > 0 || seen[r] {
			continue
		}
		if seen == nil {
			seen = make(map[rune]bool)
		}
		seen[r] = true
		out = append(out, r)
	}
	return out
}

// pack returns the units body needs and how many segments they fill.
// Characters are packed whole rather than divided: a GSM escape pair or a
// UTF-16 surrogate pair that does not fit at the end of a segment moves to the
// next one, because handsets cannot rejoin a character split across parts. So
// a multipart segment may hold one unit fewer than multi.
func pack(body string, cost func(rune) int, single, multi int) (units, segments int) {
	for _, r := range body {
		units += cost(r)
	}
	switch {
	case units == 0:
		return 0, 0
	case units <= single:
		return units, 1
	}
	used := 0
	segments = 1
	for _, r := range body {
		c := cost(r)
		if used+c > multi {
			segments++
			used = 0
		}
		used += c
	}
	return units, segments
}

// ValidateBody checks that body can be sent: valid UTF-8, not blank, and at
// most MaxBodyChars characters. Errors are EInvalid on the field "body".
func ValidateBody(body string) error {
	if err := CheckText(body, MultiLine); err != nil {
		return bodyError("The message contains characters that cannot be sent: " + lowerFirst(ErrorMessage(err)))
	}
	switch n := utf8.RuneCountInString(body); {
	case isBlank(body):
		return bodyError("Write a message.")
	case n > MaxBodyChars:
		return bodyError(fmt.Sprintf("Shorten the message to %d characters or fewer; it has %d.", MaxBodyChars, n))
	}
	return nil
}

// ValidateMergeBody is ValidateBody for a text with merge fields: it also
// checks that its braces pair up and name fields hiretext knows.
func ValidateMergeBody(body string) error {
	if err := ValidateBody(body); err != nil {
		return err
	}
	_, err := ParseMergeText(body)
	return err
}

// bodyError returns an EInvalid error naming the body field.
func bodyError(message string) error {
	return FieldError(message, map[string]string{"body": message})
}

// isBlank reports whether s shows nothing: only whitespace and invisible
// format characters such as zero-width spaces, which pasted text often holds.
func isBlank(s string) bool {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r)
	}) == ""
}

// Replacement is one substitution SuggestGSMReplacements made: every From in
// the body became To (possibly empty, for invisible characters).
type Replacement struct {
	From rune
	To   string
}

// SuggestGSMReplacements replaces typographic characters that have a GSM
// look-alike (curly quotes, dashes, ellipsis, bullets, unusual spaces,
// fullwidth forms, invisible characters) so the message can travel as GSM-7.
// It returns the new body and the distinct replacements applied, in order of
// first appearance. Characters without a look-alike, such as emoji or CJK,
// are left alone, so the result may still be UCS-2; compare CountSegments of
// both before offering it.
//
// The result never costs more than body: some replacements lengthen the text
// ("…" becomes "..."), and when that would add a segment or push the body
// past MaxBodyChars, body is returned unchanged with no replacements. Invalid
// UTF-8 is returned unchanged too: it cannot be sent (see ValidateBody), and
// removing an invisible character between stray bytes could join them into a
// new character.
func SuggestGSMReplacements(body string) (string, []Replacement) {
	if !utf8.ValidString(body) {
		return body, nil
	}
	out, applied := replaceLookalikes(body)
	if len(applied) == 0 || costsMore(body, out) {
		return body, nil
	}
	return out, applied
}

// replaceLookalikes applies gsmLookalike to every character of body, which
// must be valid UTF-8.
func replaceLookalikes(body string) (string, []Replacement) {
	var b strings.Builder
	var applied []Replacement
	for _, r := range body {
		to, ok := gsmLookalike(r)
		if !ok {
			b.WriteRune(r)
			continue
		}
		b.WriteString(to)
		if !hasReplacement(applied, r) {
			applied = append(applied, Replacement{From: r, To: to})
		}
	}
	return b.String(), applied
}

// hasReplacement reports whether applied already replaces r.
func hasReplacement(applied []Replacement, r rune) bool {
	for _, a := range applied {
		if a.From == r {
			return true
		}
	}
	return false
}

// costsMore reports whether sending out would cost more than sending body, or
// make a sendable body too long.
func costsMore(body, out string) bool {
	before, after := CountSegments(body), CountSegments(out)
	return after.Segments > before.Segments ||
		(after.Characters > MaxBodyChars && after.Characters > before.Characters)
}

// gsmLookalike returns the GSM text that stands in for r, and false when r
// has none. Every replacement is made only of GSM characters.
func gsmLookalike(r rune) (string, bool) {
	if to, ok := gsmLookalikes[r]; ok {
		return to, true
	}
	switch {
	case r >= 0x2000 && r <= 0x200A: // en quad … hair space
		return " ", true
	case r >= 0xFF01 && r <= 0xFF5E: // fullwidth ASCII; ｀ is in the table
		return string(r - 0xFF01 + '!'), true
	}
	return "", false
}

// gsmLookalikes is modelled on Twilio's Smart Encoding map, restricted to the
// typography people paste from word processors and phones. Unlike Twilio,
// unusual spaces become one space (not two), so the text reads the same, and
// ‹ › become apostrophes like the other single quotes. Read-only.
var gsmLookalikes = map[rune]string{
	// Double quotes.
	'«': `"`, '»': `"`, '“': `"`, '”': `"`, '„': `"`, '‟': `"`, '″': `"`,
	'❝': `"`, '❞': `"`, '〝': `"`, '〞': `"`,
	// Single quotes, apostrophes and primes.
	'‘': "'", '’': "'", '‚': "'", '‛': "'", '′': "'", '‹': "'", '›': "'",
	'`': "'", '´': "'", 'ʹ': "'", 'ʻ': "'", 'ʼ': "'", 'ʽ': "'", 'ˊ': "'",
	'ˋ': "'", '❛': "'", '❜': "'", '｀': "'",
	// Hyphens, dashes, minus and bullets.
	'‐': "-", '‑': "-", '‒': "-", '–': "-", '—': "-", '―': "-", '−': "-",
	'﹣': "-", '⁃': "-", '•': "-", '‣': "-", '◦': "-", '∙': "-",
	// Ellipsis, fractions and slashes.
	'…': "...", '¼': "1/4", '½': "1/2", '¾': "3/4", '⁄': "/", '∕': "/",
	// Spaces and line breaks; U+2000–U+200A are handled by range.
	'\t': " ", '\u00A0': " ", '\u202F': " ", '\u205F': " ", '\u3000': " ",
	'\u2028': "\n", '\u2029': "\n",
	// Invisible characters: soft hyphen, zero-width space, word joiner, BOM.
	'\u00AD': "", '\u200B': "", '\u2060': "", '\uFEFF': "",
}
