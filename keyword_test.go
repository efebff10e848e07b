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
		if r := ReadMessage(body); r.Keyword != k || (k != KeywordNone && r.Revocation != RevocationNone) {
			t.Fatalf("ReadMessage(%q) = %+v, MatchKeyword = %q", body, r, k)
		}
	})
}
