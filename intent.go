package hiretext

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Revocation is how surely a message that is not a keyword revokes consent
// to texts. Since April 2025 the FCC lets a person revoke consent "by any
// reasonable means", so "please stop texting me" counts as surely as STOP;
// but "can you stop by tomorrow?" must not silence a candidate.
type Revocation string

// The revocation tiers.
const (
	// RevocationNone: the message does not read as a revocation.
	RevocationNone Revocation = ""
	// RevocationClear: any reasonable person reads it as "stop texting me";
	// it is honoured at once, exactly like STOP.
	RevocationClear Revocation = "clear"
	// RevocationWrongNumber: the phone is not the candidate's. It opts the
	// phone out like STOP and marks it on the profile.
	RevocationWrongNumber Revocation = "wrong_number"
	// RevocationPossible: it may mean "leave me alone" ("not interested",
	// "who is this?"); a person decides, with one click.
	RevocationPossible Revocation = "possible"
)

// Reading is what an inbound message asks, as the keyword and intent rules
// read it.
type Reading struct {
	Keyword    Keyword    // the whole message is this keyword, or KeywordNone
	Revocation Revocation // for a message that is not a keyword
	// Rule names what matched, for the consent ledger: "keyword BAJA" or
	// "phrase no me escriba|…"; "" when nothing did.
	Rule     string
	Language Language // the language of the keyword or phrase; English when none matched
}

// OptsOut reports whether the message revokes consent at once: an opt-out
// keyword, a clear revocation or a wrong number.
func (r Reading) OptsOut() bool {
	return r.Keyword == KeywordOptOut || r.Revocation == RevocationClear || r.Revocation == RevocationWrongNumber
}

// ReadMessage reads an inbound text: a keyword when the whole message is one
// (MatchKeyword), otherwise the revocation tier of its words. Words are
// compared after folding case, accents, apostrophes, compatibility forms and
// look-alike letters ("No más" reads as "no mas", "don't" as "dont"), with
// emoji and punctuation as spaces and zero-width characters removed. Its cost
// is linear in the length of body.
func ReadMessage(body string) Reading {
	r, _ := readMessage(body)
	return r
}

// readMessage is ReadMessage, also returning the matching steps it took
// (calls of matchAt), which tests bound.
func readMessage(body string) (Reading, int) {
	if m, ok := keywords[compactKey(body)]; ok {
		return Reading{Keyword: m.keyword, Rule: "keyword " + compactKey(body), Language: m.language}, 0
	}
	f := foldWords(body)
	if len(f.words) > maxIntentWords {
		f.words, f.clause = f.words[:maxIntentWords], f.clause[:maxIntentWords]
	}
	if p := wholeRevocation(f.words); p != nil {
		return Reading{Revocation: RevocationClear, Rule: "whole " + p.pattern, Language: p.language}, f.steps
	}
	for _, tier := range []Revocation{RevocationWrongNumber, RevocationClear, RevocationPossible} {
		for i := range intentPhrases {
			if p := &intentPhrases[i]; p.tier == tier && f.contains(p) {
				return Reading{Revocation: tier, Rule: "phrase " + p.pattern, Language: p.language}, f.steps
			}
		}
	}
	return Reading{Language: English}, f.steps
}

// maxIntentWords bounds the words the intent rule reads: a revocation is
// said in a text's first sentences, and a 1,600-character text has fewer
// words than this anyway.
const maxIntentWords = 400

// folded is a message as the intent rule reads it: its words, and for each
// word the index of the first word of its clause (punctuation such as
// ".,;:!?" ends a clause), so a negation does not reach across "No. Stop".
type folded struct {
	words  []string
	clause []int
	steps  int // calls of matchAt so far
}

// foldWords splits body into lower-case words without accents or
// apostrophes, so phrases can be written plainly.
func foldWords(body string) *folded {
	f := &folded{}
	var w strings.Builder
	start := 0
	end := func() {
		if w.Len() > 0 {
			f.words, f.clause = append(f.words, w.String()), append(f.clause, start)
			w.Reset()
		}
	}
	for _, r := range norm.NFKD.String(norm.NFKC.String(body)) {
		r = lookAlike(r)
		switch {
		case unicode.Is(unicode.Mn, r), unicode.Is(unicode.Cf, r), r == '\'', r == '’', r == 'ʼ':
			continue // "más" → "mas", "don't" → "dont", zero-width characters vanish
		case unicode.IsLetter(r), unicode.IsNumber(r):
			w.WriteRune(unicode.ToLower(r))
		case strings.ContainsRune(".,;:!?¿¡\n", r):
			end()
			start = len(f.words)
		default:
			end()
		}
	}
	end()
	return f
}

// phrase is one pattern of the intent rule. In a pattern, "a|b" matches
// either word, "*" skips up to two words, "^" matches the start of the
// message and "$" its end (politeness words around them allowed).
type phrase struct {
	pattern  string
	tier     Revocation
	language Language
	words    [][]string // the pattern split into words and alternatives
}

func newPhrases(tier Revocation, lang Language, patterns ...string) []phrase {
	out := make([]phrase, len(patterns))
	for i, p := range patterns {
		out[i] = phrase{pattern: p, tier: tier, language: lang}
		for _, w := range strings.Fields(p) {
			out[i].words = append(out[i].words, strings.Split(w, "|"))
		}
	}
	return out
}

// wholeRevocations are whole messages that revoke consent once politeness
// words and repeats are removed: "please stop", "STOP PLEASE", "no more,
// thanks", "baja por favor". Read-only.
var wholeRevocations = slices.Concat(
	newPhrases(RevocationClear, English, "stop", "stop it", "quit", "end", "revoke", "cancel", "no more",
		"enough", "unsubscribe", "opt out", "stop all"),
	newPhrases(RevocationClear, Spanish, "no mas", "baja", "para", "parar", "alto", "basta", "cancelar",
		"detener", "ya basta"),
)

// intentPhrases are the phrases that revoke consent (or may) wherever they
// occur, unless a negation comes just before them ("please don't stop
// texting me", "no quiero que dejen de escribirme"). They are specific on
// purpose: "when does the job end?", "I'll stop by" and "cancel my
// interview" must not opt anybody out. Read-only.
var intentPhrases = slices.Concat(
	newPhrases(RevocationWrongNumber, English,
		"^ wrong number|person|phone|guy|girl",
		"you|youve|u have|got|texted|txted|messaged|reached|sent * wrong number|person|phone",
		"this is * wrong number",
		"im|am not the person|one * looking for",
	),
	newPhrases(RevocationWrongNumber, Spanish,
		"^ numero equivocado|incorrecto|errado",
		"tiene|tienes|tienen * numero equivocado|incorrecto|errado",
		"se equivoco|equivocaron|equivocaste|equivoca de numero|persona",
		"no soy * persona que busca|buscan|buscas",
	),
	newPhrases(RevocationClear, English,
		"stop|quit|cease texting|txting|messaging|msging|contacting|bothering|spamming|harassing",
		"stop|quit|cease sending|calling|emailing me|us|these|those|texts|messages|msgs|this",
		"stop|quit|cease the|these|those|your|all|with * text|texts|txts|messages|msgs|sms|spam",
		"stop|quit text|txt|message|msg|contact|email me|us",
		"dont text|txt|message|msg|sms|contact me|us",
		"do not text|txt|message|msg|sms|contact me|us",
		"never text|txt|message|contact me|us * again",
		"dont|not want|need * text|texts|txts|messages|msgs|sms",
		"no more text|texts|txt|txts|messages|message|msgs|sms|contact",
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
		"no longer * want|wish * texts|messages|texting|contact",
	),
	newPhrases(RevocationClear, Spanish,
		"no mas mensajes|mensaje|mensajitos|textos|texto|msj|sms",
		"no me escriba|escribas|escriban|envie|envies|envien|mande|mandes|manden|contacte|contactes|contacten|moleste|molestes|molesten|textee|texteen",
		"no me vuelva|vuelvas|vuelvan a escribir|enviar|mandar|contactar|molestar|llamar",
		"deja|dejen|dejes|deje de escribir|escribirme|enviar|enviarme|mandar|mandarme|molestar|molestarme|contactar|contactarme",
		"dame|darme|denme|dar|den de baja",
		"no quiero * mensajes|textos|msj|sms",
		"borra|borren|borrame|borrenme|quita|quitame|quitenme|saca|sacame|saquenme|elimina|eliminen|eliminame|eliminenme de * lista|listas|base",
		"borren|borra|eliminen|elimina mi * numero|datos|informacion",
		"cancelar * suscripcion|mensajes",
	),
	newPhrases(RevocationPossible, English,
		"^ not|no|nope * interested $",
		"no longer interested",
		"not interested anymore",
		"im|am not interested $",
		"found|got|took|accepted * other|another|a|new job|position|offer",
		"already have|got|found * job",
		"who is this",
		"whos this",
		"dont know who this|you is|are",
		"do not know who this|you is|are",
		"who are you",
		"how did you get * number",
		"^ no thanks|thank $",
		"^ no thank you $",
		"^ spam|scam $",
	),
	newPhrases(RevocationPossible, Spanish,
		"no me interesa",
		"ya no * interesa|interesado|interesada",
		"ya encontre|consegui|tengo * trabajo|empleo|chamba",
		"^ quien es|eres|habla $",
		"de donde sacaron|tienen|sacaste * numero",
		"^ no gracias $",
	),
)

// fillers are words that do not change what a revocation means. Read-only.
var fillers = map[string]bool{
	"please": true, "pls": true, "plz": true, "thanks": true, "thank": true,
	"thx": true, "ty": true, "now": true, "ok": true, "okay": true, "just": true,
	"already": true, "asap": true, "all": true, "hi": true, "hello": true,
	"hey": true, "sir": true, "maam": true, "seriously": true, "sorry": true,
	"por": true, "favor": true, "porfa": true, "porfavor": true, "gracias": true, "ya": true,
	"hola": true, "disculpe": true, "perdon": true, "señor": true, "senor": true,
}

// isFiller reports whether words[i] is a filler; "you" is one only in
// "thank you".
func isFiller(words []string, i int) bool {
	return fillers[words[i]] || (words[i] == "you" && i > 0 && words[i-1] == "thank")
}

// wholeRevocation returns the whole-message revocation words are, without
// fillers and repeats ("stop stop stop"), or nil.
func wholeRevocation(words []string) *phrase {
	var kept []string
	for i, w := range words {
		switch {
		case isFiller(words, i):
		case len(kept) > 0 && kept[len(kept)-1] == w:
		default:
			kept = append(kept, w)
		}
		if len(kept) > 3 {
			return nil // longer than any whole revocation
		}
	}
	for i := range wholeRevocations {
		if p := &wholeRevocations[i]; slices.Equal(kept, strings.Fields(p.pattern)) {
			return p
		}
	}
	return nil
}

// negations cancel a phrase that follows them in the same clause, directly
// or through words of wanting ("I don't want to unsubscribe", "no quiero que
// dejen de escribirme"). Read-only.
var negations = map[string]bool{
	"dont": true, "not": true, "never": true, "wont": true, "cant": true, "no": true,
	"didnt": true, "doesnt": true, "shouldnt": true, "wouldnt": true, "nunca": true,
}

// negationBridges are the words that may stand between a negation and the
// phrase it cancels. Read-only.
var negationBridges = map[string]bool{
	"want": true, "wanna": true, "to": true, "need": true, "going": true, "gonna": true,
	"please": true, "you": true, "ever": true, "quiero": true, "que": true, "necesito": true,
	"me": true, "will": true, "can": true,
}

// negated reports whether the phrase starting at words[i] follows a
// negation in its clause.
func (f *folded) negated(i int) bool {
	for j := i - 1; j >= f.clause[i] && j >= i-4; j-- {
		switch {
		case negations[f.words[j]]:
			return true
		case !negationBridges[f.words[j]]:
			return false
		}
	}
	return false
}

// contains reports whether p occurs in f, not after a negation.
func (f *folded) contains(p *phrase) bool {
	for i := range f.words {
		if !f.negated(i) && f.matchAt(p.words, i) {
			return true
		}
	}
	return false
}

// matchAt reports whether pattern matches f's words starting at index i.
func (f *folded) matchAt(pattern [][]string, i int) bool {
	f.steps++
	if len(pattern) == 0 {
		return true
	}
	switch pattern[0][0] {
	case "^":
		return f.onlyFillers(0, i) && f.matchAt(pattern[1:], i)
	case "$":
		return f.onlyFillers(i, len(f.words))
	case "*":
		for skip := 0; skip <= 2 && i+skip <= len(f.words); skip++ {
			if f.matchAt(pattern[1:], i+skip) {
				return true
			}
		}
		return false
	}
	if i >= len(f.words) || !slices.Contains(pattern[0], f.words[i]) {
		return false
	}
	return f.matchAt(pattern[1:], i+1)
}

// onlyFillers reports whether every word in [from, to) is a filler.
func (f *folded) onlyFillers(from, to int) bool {
	for ; from < to; from++ {
		if !isFiller(f.words, from) {
			return false
		}
	}
	return true
}
