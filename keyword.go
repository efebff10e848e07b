package hiretext

import (
	"slices"
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

// keywords maps the compact form of each keyword (see compactKey) to its
// meaning: Twilio's defaults, which include the FCC per-se revocation words,
// plus "STOP ALL". Read-only.
var keywords = map[string]Keyword{
	"STOP": KeywordOptOut, "STOPALL": KeywordOptOut, "UNSUBSCRIBE": KeywordOptOut,
	"CANCEL": KeywordOptOut, "END": KeywordOptOut, "QUIT": KeywordOptOut,
	"REVOKE": KeywordOptOut, "OPTOUT": KeywordOptOut,
	"START": KeywordOptIn, "YES": KeywordOptIn, "UNSTOP": KeywordOptIn,
	"HELP": KeywordHelp, "INFO": KeywordHelp,
}

// maxKeywordLen is the byte length of the longest compact keyword.
const maxKeywordLen = len("UNSUBSCRIBE")

// MatchKeyword returns the keyword that body consists of, or KeywordNone. The
// whole message must be the keyword, as carriers match it: "STOP PLEASE" is
// not one (LooksLikeOptOut catches it). Matching ignores case, Unicode
// compatibility forms (fullwidth "ＳＴＯＰ"), and every character that is not a
// letter or digit, so "Stop.", "«stop»", "stop 🙏", "OPT-OUT" and "opt   out"
// all match.
func MatchKeyword(body string) Keyword {
	return keywords[compactKey(body)]
}

// compactKey returns the letters and digits of body after NFKC normalization,
// case-folded to upper case, or "" when they are too long to be a keyword.
// Dropping separators everywhere, not only at the ends, makes the two-word
// forms ("OPT OUT", "STOP ALL") match their one-word keywords without a
// second table, and makes the result independent of surrounding punctuation.
func compactKey(body string) string {
	var b strings.Builder
	for _, r := range norm.NFKC.String(body) {
		// Lower then upper folds letters whose upper case is not ASCII but
		// whose lower case is (İ), so the result does not depend on case.
		r = unicode.ToUpper(unicode.ToLower(r))
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

// LooksLikeOptOut reports whether body, which is not itself a keyword, is
// what a reasonable person would read as "stop texting me" (the FCC's test for
// revoking consent). It recognises two shapes, after folding case, accents
// and apostrophes ("No más" reads as "no mas", "don't" as "dont"):
//
//   - a revocation word with only politeness around it: "please stop",
//     "STOP PLEASE", "no more, thanks", "baja por favor";
//   - a revocation phrase anywhere: "stop texting me", "wrong number",
//     "remove me from your list", "don't text me", "no más mensajes".
//
// A phrase right after a negation ("please don't stop texting me") does not
// count. Phrases are specific on purpose: "when does the job end?", "I'll stop
// by", and "cancel my interview" must not silence a candidate. Exact keywords
// return false; MatchKeyword handles them. A true result should suppress
// texting or queue the conversation for a recruiter to confirm.
func LooksLikeOptOut(body string) bool {
	if MatchKeyword(body) != KeywordNone {
		return false
	}
	words := foldWords(body)
	return isRevocation(words) || hasOptOutPhrase(words)
}

// foldWords splits body into lower-case words without accents or
// apostrophes, so phrases can be written plainly.
func foldWords(body string) []string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(body) {
		switch {
		case unicode.Is(unicode.Mn, r), r == '\'', r == '’', r == 'ʼ':
			continue // "más" → "mas", "don't" → "dont"
		case unicode.IsLetter(r), unicode.IsNumber(r):
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteByte(' ')
		}
	}
	return strings.Fields(b.String())
}

// revocations are whole messages that revoke consent once politeness words
// and repeats are removed. Spanish BAJA/PARA/ALTO/BASTA are the usual SMS
// keywords in Spanish-speaking markets. Read-only.
var revocations = []string{
	"stop", "stop it", "quit", "end", "revoke", "cancel", "no more", "enough",
	"no mas", "baja", "para", "alto", "basta", "cancelar",
}

// fillers are words that do not change what a revocation means. Read-only.
var fillers = map[string]bool{
	"please": true, "pls": true, "plz": true, "thanks": true, "thank": true,
	"thx": true, "ty": true, "now": true, "ok": true, "okay": true, "just": true,
	"already": true, "asap": true, "all": true, "hi": true, "hello": true,
	"hey": true, "sir": true, "maam": true, "seriously": true,
	"por": true, "favor": true, "porfa": true, "gracias": true, "ya": true,
}

// isRevocation reports whether words, without fillers and repeats, are one of
// the revocations.
func isRevocation(words []string) bool {
	var kept []string
	for i, w := range words {
		switch {
		case isFiller(words, i):
		case len(kept) > 0 && kept[len(kept)-1] == w: // "stop stop stop"
		default:
			kept = append(kept, w)
		}
	}
	return slices.Contains(revocations, strings.Join(kept, " "))
}

// isFiller reports whether words[i] is a filler; "you" is one only in "thank you".
func isFiller(words []string, i int) bool {
	return fillers[words[i]] || (words[i] == "you" && i > 0 && words[i-1] == "thank")
}

// optOutPhrases are word patterns that revoke consent wherever they appear.
// In a pattern, "a|b" matches either word, "*" skips up to two words, and "$"
// matches the end of the message, allowing trailing fillers. Read-only.
var optOutPhrases = []string{
	"stop|quit|cease texting|txting|messaging|msging|sending|contacting|calling|emailing|bothering|spamming|harassing",
	"stop|quit|cease the|these|those|your|all|with * text|texts|txts|messages|msgs|sms|spam",
	"stop|quit text|txt|message|msg|contact|email me|us",
	"dont text|txt|message|msg|sms|contact me|us",
	"do not text|txt|message|msg|sms|contact me|us",
	"dont|not want|need * text|texts|txts|messages|msgs|sms",
	"no more text|texts|txt|txts|messages|message|msgs|sms|contact",
	"wrong * number|person",
	"remove|delete|take me|us|my * from|off * list|lists|texts|text|messages|messaging|sms|contacts|database|system|number|numbers",
	"remove|delete|lose|erase my|this * number|info|information|details|contact",
	"remove|delete me|us $",
	"take me off $",
	"unsubscribe",
	"optout",
	"opt * out",
	"leave me alone",
	"stop|cancel|unsubscribe * not interested",
	"not interested * stop|cancel|unsubscribe|quit $",
	// Spanish.
	"no mas mensajes|mensaje|mensajitos|textos|texto|msj|sms",
	"no me escriba|escribas|escriban|envie|envies|envien|mande|mandes|manden|contacte|contactes|contacten|moleste|molestes|molesten",
	"deja|dejen|dejes|deje de escribir|escribirme|enviar|enviarme|mandar|mandarme|molestar|molestarme|contactar|contactarme",
	"dame|darme|denme|dar de baja",
	"numero equivocado",
	"borra|borren|borrame|borrenme|quita|quitame|quitenme|saca|sacame|saquenme|elimina|eliminen|eliminame|eliminenme de * lista|listas|base",
}

// negations cancel a phrase that follows them directly. Read-only.
var negations = map[string]bool{
	"dont": true, "not": true, "never": true, "wont": true, "cant": true,
	"didnt": true, "doesnt": true, "shouldnt": true, "wouldnt": true,
}

// hasOptOutPhrase reports whether any of optOutPhrases occurs in words, not
// directly after a negation.
func hasOptOutPhrase(words []string) bool {
	for _, phrase := range optOutPhrases {
		pattern := strings.Fields(phrase)
		for i := range words {
			if (i == 0 || !negations[words[i-1]]) && matchAt(pattern, words, i) {
				return true
			}
		}
	}
	return false
}

// matchAt reports whether pattern matches words starting at index i.
func matchAt(pattern, words []string, i int) bool {
	if len(pattern) == 0 {
		return true
	}
	switch pattern[0] {
	case "$":
		return onlyFillers(words, i)
	case "*":
		for skip := 0; skip <= 2 && i+skip <= len(words); skip++ {
			if matchAt(pattern[1:], words, i+skip) {
				return true
			}
		}
		return false
	}
	if i >= len(words) || !slices.Contains(strings.Split(pattern[0], "|"), words[i]) {
		return false
	}
	return matchAt(pattern[1:], words, i+1)
}

// onlyFillers reports whether every word from index i on is a filler.
func onlyFillers(words []string, i int) bool {
	for ; i < len(words); i++ {
		if !isFiller(words, i) {
			return false
		}
	}
	return true
}
