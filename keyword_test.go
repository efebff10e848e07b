package hiretext

import (
	"strings"
	"testing"
)

func TestMatchKeyword(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body string
		want Keyword
	}{
		// Opt-out words, including the FCC per-se list.
		{"STOP", KeywordOptOut},
		{"stop", KeywordOptOut},
		{"Stop.", KeywordOptOut},
		{"STOP!!", KeywordOptOut},
		{"«stop»", KeywordOptOut},
		{`"Stop"`, KeywordOptOut},
		{"stop 🙏", KeywordOptOut},
		{"  stop\r\n", KeywordOptOut},
		{"ＳＴＯＰ", KeywordOptOut},             // fullwidth
		{"𝐒𝐓𝐎𝐏", KeywordOptOut},             // mathematical bold
		{"\u00A0STOP\u00A0", KeywordOptOut}, // NBSP
		{"st\u200Bop", KeywordOptOut},       // zero-width space inside
		{"S T O P", KeywordOptOut},
		{"STOPALL", KeywordOptOut},
		{"stop all", KeywordOptOut},
		{"Unsubscribe", KeywordOptOut},
		{"cancel", KeywordOptOut},
		{"End", KeywordOptOut},
		{"quit!", KeywordOptOut},
		{"REVOKE", KeywordOptOut},
		{"OPTOUT", KeywordOptOut},
		{"opt out", KeywordOptOut},
		{"opt   out", KeywordOptOut},
		{"OPT-OUT", KeywordOptOut},
		{"Opt\tOut.", KeywordOptOut},
		// Opt-in.
		{"START", KeywordOptIn},
		{"yes", KeywordOptIn},
		{"Yes!", KeywordOptIn},
		{"unstop", KeywordOptIn},
		{"UN-STOP", KeywordOptIn},
		// Help.
		{"HELP", KeywordHelp},
		{"¿Help?", KeywordHelp},
		{"info", KeywordHelp},
		{"İNFO", KeywordHelp}, // dotted capital I folds to i
		// Not keywords: the whole message must be the keyword.
		{"", KeywordNone},
		{"   ", KeywordNone},
		{"!!!", KeywordNone},
		{"STOP PLEASE", KeywordNone},
		{"PLEASE CANCEL", KeywordNone},
		{"stop texting me", KeywordNone},
		{"yes please", KeywordNone},
		{"STOP 2", KeywordNone},
		{"stopp", KeywordNone},
		{"ST0P", KeywordNone},
		{"When does the job end?", KeywordNone},
		{"I can start on Monday", KeywordNone},
		{"STÖP", KeywordNone},
		{"UNSUBSCRIBED", KeywordNone},
	}
	for _, tt := range tests {
		if got := MatchKeyword(tt.body); got != tt.want {
			t.Errorf("MatchKeyword(%q) = %q, want %q", tt.body, got, tt.want)
		}
	}
}

func TestLooksLikeOptOut(t *testing.T) {
	t.Parallel()
	optOut := []string{
		"please stop texting me",
		"Stop messaging me!",
		"STOP PLEASE",
		"stop stop stop",
		"Please stop.",
		"ok stop now",
		"stop it",
		"Can you stop sending me these?",
		"stop with the texts",
		"Wrong number",
		"you have the wrong number",
		"No more texts",
		"no more, thanks",
		"Enough!",
		"Remove me from your list",
		"please take me off the list",
		"remove my number",
		"Not interested, remove me.",
		"Not interested. Stop",
		"stop, I'm not interested",
		"Unsubscribe me",
		"how do I unsubscribe",
		"please opt me out",
		"opt-out please",
		"Don't text me",
		"don’t text me again", // curly apostrophe
		"Do not contact me",
		"I don't want any more texts",
		"leave me alone",
		"no mas",
		"No más, gracias",
		"NO MAS MENSAJES",
		"no me escribas",
		"BAJA",
		"baja por favor",
		"Dame de baja",
		"dejen de escribirme",
		"número equivocado",
		"sáquenme de su lista",
	}
	for _, body := range optOut {
		if !LooksLikeOptOut(body) {
			t.Errorf("LooksLikeOptOut(%q) = false, want true", body)
		}
	}
	notOptOut := []string{
		"", "STOP", "stop!", "Opt out", "UNSUBSCRIBE", "END", // exact keywords: MatchKeyword's job
		"START", "yes", "HELP",
		"I can start on Monday",
		"When does the job end?",
		"I'll stop by the office tomorrow",
		"Is there a bus stop nearby?",
		"Don't call me, text me instead",
		"text me the address",
		"Please don't stop texting me, I'm interested",
		"Do not remove me from the list",
		"I have no more questions",
		"Cancel my interview please",
		"Can you remove me from Tuesday's interview and reschedule?",
		"I quit my last job in May",
		"Not interested in that one, anything remote?",
		"La paga es muy baja",
		"Para cuándo es la entrevista?",
		"Thanks!",
	}
	for _, body := range notOptOut {
		if LooksLikeOptOut(body) {
			t.Errorf("LooksLikeOptOut(%q) = true, want false", body)
		}
	}
}

// surroundings are whitespace and punctuation a keyword may arrive wrapped in.
var surroundings = [][2]string{
	{" ", " "}, {"\t\n", "\r\n"}, {"", "."}, {"", "!!"}, {"«", "»"}, {"¿", "?"},
	{"\u00A0", "\u3000"}, {"\"", "\""}, {"(", ")"}, {"...", "..."}, {"", " 🙏"},
}

func FuzzMatchKeyword(f *testing.F) {
	for _, seed := range []string{
		"", "STOP", "stop.", "«stop»", "ＳＴＯＰ", "opt out", "OPT-OUT", "Yes!", "İNFO",
		"STOP PLEASE", "please stop texting me", "no más", "\u0301stop", "stop\u0345",
		"\xff", strings.Repeat("stop ", 50),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		k := MatchKeyword(body)
		switch k {
		case KeywordNone, KeywordOptOut, KeywordOptIn, KeywordHelp:
		default:
			t.Fatalf("MatchKeyword(%q) = unknown %q", body, k)
		}
		for _, s := range surroundings {
			if got := MatchKeyword(s[0] + body + s[1]); got != k {
				t.Fatalf("MatchKeyword(%q) = %q but %q wrapped in %q = %q", body, k, body, s, got)
			}
		}
		if up := MatchKeyword(strings.ToUpper(body)); up != k {
			t.Fatalf("MatchKeyword(%q) = %q but upper case = %q", body, k, up)
		}
		if low := MatchKeyword(strings.ToLower(body)); low != k {
			t.Fatalf("MatchKeyword(%q) = %q but lower case = %q", body, k, low)
		}
		if LooksLikeOptOut(body) && k != KeywordNone {
			t.Fatalf("LooksLikeOptOut(%q) for keyword %q", body, k)
		}
	})
}
