package hiretext

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Keyword is what an inbound message asks of the sender when the whole
// message is one of the standard SMS keywords.
type Keyword string

// The keywords. Carriers and the FCC treat the opt-out words as a definitive
// revocation of consent, so an opt-out must be honoured whatever else is true.
const (
	KeywordNone   Keyword = ""
	KeywordOptOut Keyword = "opt_out"
	KeywordOptIn  Keyword = "opt_in"
	KeywordHelp   Keyword = "help"
)

// Language is the language a candidate wrote in, as far as the keyword and
// intent rules can tell; it chooses the language of the automatic reply.
type Language string

// The languages automatic replies are written in.
const (
	English Language = "en"
	Spanish Language = "es"
)

// keywordMeaning is what a keyword asks and the language it is a word of.
type keywordMeaning struct {
	keyword  Keyword
	language Language
}

// keywords maps the compact form of each keyword (see compactKey) to its
// meaning: Twilio's defaults, which include the FCC per-se revocation words,
// plus "STOP ALL", and the Spanish words US messaging platforms honour
// (PARAR, ALTO, BAJA, CANCELAR, DETENER; AYUDA; COMENZAR, INICIO). Read-only.
var keywords = map[string]keywordMeaning{
	"STOP": {KeywordOptOut, English}, "STOPALL": {KeywordOptOut, English}, "UNSUBSCRIBE": {KeywordOptOut, English},
	"CANCEL": {KeywordOptOut, English}, "END": {KeywordOptOut, English}, "QUIT": {KeywordOptOut, English},
	"REVOKE": {KeywordOptOut, English}, "OPTOUT": {KeywordOptOut, English},
	"START": {KeywordOptIn, English}, "YES": {KeywordOptIn, English}, "UNSTOP": {KeywordOptIn, English},
	"HELP": {KeywordHelp, English}, "INFO": {KeywordHelp, English},

	"PARAR": {KeywordOptOut, Spanish}, "ALTO": {KeywordOptOut, Spanish}, "BAJA": {KeywordOptOut, Spanish},
	"CANCELAR": {KeywordOptOut, Spanish}, "DETENER": {KeywordOptOut, Spanish},
	"COMENZAR": {KeywordOptIn, Spanish}, "INICIO": {KeywordOptIn, Spanish},
	"AYUDA": {KeywordHelp, Spanish},
}

// maxKeywordLen is the byte length of the longest compact keyword.
const maxKeywordLen = len("UNSUBSCRIBE")

// MatchKeyword returns the keyword that body consists of, or KeywordNone. The
// whole message must be the keyword, as carriers match it: "STOP PLEASE" is
// not one (ReadMessage's intent rule catches it). Matching ignores case,
// Unicode compatibility forms (fullwidth "ＳＴＯＰ"), look-alike letters of
// other scripts (Cyrillic "ЅТОР"), and every character that is not a letter
// or digit, so "Stop.", "«stop»", "stop 🙏", "OPT-OUT" and "opt   out" all
// match.
func MatchKeyword(body string) Keyword {
	return keywords[compactKey(body)].keyword
}

// compactKey returns the letters and digits of body after NFKC normalization
// and look-alike folding, case-folded to upper case, or "" when they are too
// long to be a keyword. Dropping separators everywhere, not only at the ends,
// makes the two-word forms ("OPT OUT", "STOP ALL") match their one-word
// keywords without a second table, and makes the result independent of
// surrounding punctuation.
func compactKey(body string) string {
	var b strings.Builder
	for _, r := range norm.NFKC.String(body) {
		// Lower then upper folds letters whose upper case is not ASCII but
		// whose lower case is (İ), so the result does not depend on case.
		r = unicode.ToUpper(unicode.ToLower(lookAlike(r)))
		if !unicode.IsLetter(r) && !unicode.IsNumber(r) {
			continue
		}
		if b.Len() >= maxKeywordLen {
			return ""
		}
		b.WriteRune(r)
	}
	return b.String()
}

// lookAlikes maps Cyrillic and Greek letters that are drawn like Latin ones
// to those Latin letters, so "ЅТОР" typed on a Cyrillic keyboard, or pasted
// to slip past a filter, reads as STOP. Words of those scripts that merely
// contain such letters are not words any rule looks for, so folding them
// changes no answer. Read-only.
var lookAlikes = map[rune]rune{
	'А': 'A', 'В': 'B', 'Е': 'E', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': 'O', 'Р': 'P', 'С': 'C', 'Т': 'T',
	'Х': 'X', 'Ѕ': 'S', 'І': 'I', 'Ј': 'J', 'а': 'a', 'е': 'e', 'о': 'o', 'р': 'p', 'с': 'c', 'х': 'x',
	'у': 'y', 'ѕ': 's', 'і': 'i', 'ј': 'j', 'ԁ': 'd', 'ո': 'n',
	'Α': 'A', 'Β': 'B', 'Ε': 'E', 'Ζ': 'Z', 'Η': 'H', 'Ι': 'I', 'Κ': 'K', 'Μ': 'M', 'Ν': 'N', 'Ο': 'O',
	'Ρ': 'P', 'Τ': 'T', 'Υ': 'Y', 'Χ': 'X', 'ο': 'o', 'ν': 'v', 'ι': 'i', 'κ': 'k', 'τ': 't',
}

// lookAlike returns the Latin letter r is drawn like, or r.
func lookAlike(r rune) rune {
	if l, ok := lookAlikes[r]; ok {
		return l
	}
	return r
}
