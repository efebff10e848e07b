package store

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
	"golang.org/x/text/unicode/norm"
)

// The candidate pool is searched through candidate_terms: for each candidate,
// the folded words of their names and email and the digit forms of their
// phones. A query word matches a candidate when it is a prefix of one of
// their terms, which is one range scan of the primary key (org_id, term, …),
// so a search costs the same with ten candidates or a million.

// maxTermBytes bounds a term (and a query word, so prefixes still match).
const maxTermBytes = 64

// maxSearchWords bounds the words of a query that are matched.
const maxSearchWords = 6

// searchTerms returns the distinct terms a candidate is found by: each name
// whole and word by word ("maryjane", "mary", "jane"), the email whole, its
// local part and words, and its domain ("annsmithexamplecom", "annsmith",
// "ann", "smith", "examplecom"), and each phone as typed in digits: whole,
// national, with trunk prefix, and its last 7 and last 4 digits.
func searchTerms(c *hiretext.Candidate) []string {
	var terms []string
	add := func(t string) {
		if t = truncateTerm(t); t != "" && !slices.Contains(terms, t) {
			terms = append(terms, t)
		}
	}
	for _, name := range []string{c.FirstName, c.LastName} {
		add(fold(name))
		for _, w := range words(name) {
			add(w)
		}
	}
	local, domain, _ := strings.Cut(c.Email, "@")
	for _, t := range append([]string{fold(c.Email), fold(local), fold(domain)}, words(local)...) {
		add(t)
	}
	for _, p := range []string{c.MainPhone, c.AlternatePhone} {
		for _, t := range phoneTerms(p) {
			add(t)
		}
	}
	return terms
}

// phoneTerms returns the digit strings an E.164 number is found by.
func phoneTerms(e164 string) []string {
	if e164 == "" {
		return nil
	}
	terms := phone.DigitForms(e164)
	d := phone.Digits(e164)
	for _, n := range []int{7, 4} {
		if len(d) > n {
			terms = append(terms, d[len(d)-n:])
		}
	}
	return terms
}

// searchWords turns a query into the prefixes a candidate must all match.
// A query that looks like a phone number ("(312) 555-0123") is one word of
// its digits; otherwise each whitespace-separated word is folded.
func searchWords(q string) []string {
	if looksLikePhone(q) {
		return []string{truncateTerm(phone.Digits(q))}
	}
	var out []string
	for _, f := range strings.Fields(q) {
		if w := truncateTerm(fold(f)); w != "" && !slices.Contains(out, w) && len(out) < maxSearchWords {
			out = append(out, w)
		}
	}
	return out
}

// looksLikePhone reports whether q holds only what people type in phone
// numbers, with at least three digits.
func looksLikePhone(q string) bool {
	digits := 0
	for _, r := range q {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case !strings.ContainsRune(" +-().", r):
			return false
		}
	}
	return digits >= 3
}

// fold lower-cases s, strips accents (José → jose) and keeps only letters and
// digits, so "O'Brien", "o brien" and "OBRIEN" all become "obrien".
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// words returns the folded words of s, split at anything that is not a
// letter, digit or combining mark.
func words(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r)
	}) {
		if f := fold(w); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// truncateTerm cuts t to maxTermBytes without splitting a character.
func truncateTerm(t string) string {
	if len(t) <= maxTermBytes {
		return t
	}
	cut := maxTermBytes
	for cut > 0 && !utf8.RuneStart(t[cut]) {
		cut--
	}
	return t[:cut]
}

// prefixEnd is the exclusive upper bound of the terms that start with p: no
// folded term holds U+10FFFF, the largest character, so every extension of p
// sorts below p followed by it (byte order in both databases).
func prefixEnd(p string) string { return p + "\U0010FFFF" }
