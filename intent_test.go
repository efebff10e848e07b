package hiretext

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// intentCase is one line of a file in testdata/intent.
type intentCase struct {
	language Language
	fields   []string // the columns after the language; the message is last
	line     int
}

// readIntentCases reads testdata/intent/name: LANGUAGE<TAB>…<TAB>MESSAGE per
// line, skipping blank lines and # comments.
func readIntentCases(t *testing.T, name string) []intentCase {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "intent", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []intentCase
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) < 2 || (cols[0] != string(English) && cols[0] != string(Spanish)) {
			t.Fatalf("%s:%d: want LANGUAGE<TAB>MESSAGE, got %q", name, n, line)
		}
		out = append(out, intentCase{language: Language(cols[0]), fields: cols[1:], line: n})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func (c intentCase) message() string { return c.fields[len(c.fields)-1] }

// TestIntentTables runs the phrase tables: every positive is read in its
// tier and language, and no negative opts anybody out.
func TestIntentTables(t *testing.T) {
	t.Parallel()
	positives, languages := 0, map[Language]int{}
	for file, tier := range map[string]Revocation{"clear.txt": RevocationClear,
		"wrong_number.txt": RevocationWrongNumber, "possible.txt": RevocationPossible} {
		for _, c := range readIntentCases(t, file) {
			r := ReadMessage(c.message())
			if r.Revocation != tier || r.Keyword != KeywordNone || r.Language != c.language || r.Rule == "" {
				t.Errorf("%s:%d: ReadMessage(%q) = %+v, want %s in %s", file, c.line, c.message(), r, tier, c.language)
			}
			positives++
			languages[c.language]++
		}
	}
	falsePositives := 0
	negatives := readIntentCases(t, "negative.txt")
	for _, c := range negatives {
		if r := ReadMessage(c.message()); r.OptsOut() {
			falsePositives++
			t.Errorf("negative.txt:%d: ReadMessage(%q) = %+v opts out", c.line, c.message(), r)
		}
		languages[c.language]++
	}
	if positives < 60 || len(negatives) < 60 || languages[English] == 0 || languages[Spanish] == 0 {
		t.Errorf("the tables hold %d positives and %d negatives (%v), want at least 60 of each in both languages",
			positives, len(negatives), languages)
	}
	t.Logf("%d positives, %d negatives, %d false positives", positives, len(negatives), falsePositives)
}

// TestIntentKeywords checks the English and Spanish keywords and the
// language of their replies.
func TestIntentKeywords(t *testing.T) {
	t.Parallel()
	for _, c := range readIntentCases(t, "keywords.txt") {
		r := ReadMessage(c.message())
		if string(r.Keyword) != c.fields[0] || r.Language != c.language || !strings.HasPrefix(r.Rule, "keyword ") {
			t.Errorf("keywords.txt:%d: ReadMessage(%q) = %+v, want %s in %s", c.line, c.message(), r, c.fields[0], c.language)
		}
		if MatchKeyword(c.message()) != r.Keyword {
			t.Errorf("MatchKeyword(%q) = %q, ReadMessage says %q", c.message(), MatchKeyword(c.message()), r.Keyword)
		}
	}
}

// TestReadMessageOptsOut: STOP and the clear and wrong-number tiers opt out;
// possible and ordinary messages do not.
func TestReadMessageOptsOut(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]bool{"STOP": true, "baja": true, "please stop texting me": true,
		"wrong number": true, "not interested": false, "START": false, "AYUDA": false, "hello": false} {
		if got := ReadMessage(body).OptsOut(); got != want {
			t.Errorf("ReadMessage(%q).OptsOut() = %v, want %v", body, got, want)
		}
	}
}

// hostileSamples are pieces of the worst messages the rule must read in
// bounded time: mixed scripts, zero-width characters, emoji with
// modifiers, combining marks and words of the phrases.
var hostileSamples = []string{
	"stop ", "texting ", "no ", "me ", "escriban ", "más ", "\u200b", "\u200d", "\ufeff", "👩🏽‍💻", "🙏🏻",
	"ЅТОР ", "текст ", "停止 ", "توقف ", "a\u0301\u0301\u0301", "not ", "wrong ", "number ", "* ", "| ",
	"please ", "dont ", "don't ", ". ", "¿", "remove ", "from ", "list ",
}

// hostile builds a 1,600-character message from hostileSamples, chosen by seed.
func hostile(seed string) string {
	var b strings.Builder
	n := uint32(2166136261)
	for utf8.RuneCountInString(b.String()) < 1600 {
		for _, c := range []byte(seed + "x") {
			n = (n ^ uint32(c)) * 16777619
		}
		b.WriteString(hostileSamples[n%uint32(len(hostileSamples))])
	}
	return string([]rune(b.String())[:1600])
}

// maxSteps bounds the matching work for any message: each word is tried
// against each phrase, and a "*" multiplies by at most 3 per star.
var maxSteps = maxIntentWords * (len(intentPhrases) * 30)

func FuzzReadMessage(f *testing.F) {
	for _, seed := range []string{"", "STOP", "please stop texting me", "no me escriban más", "Can you stop by tomorrow?",
		"wrong number", "st\u200bop", "ЅТОР", strings.Repeat("stop ", 400), strings.Repeat("no ", 800), "\xff\xfe"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, msg := range []string{body, hostile(body), body + hostile(body)} {
			r, steps := readMessage(msg)
			if steps > maxSteps {
				t.Fatalf("readMessage took %d steps (bound %d) on %q", steps, maxSteps, msg)
			}
			if (r.Keyword != KeywordNone || r.Revocation != RevocationNone) && r.Rule == "" {
				t.Fatalf("ReadMessage(%q) = %+v without a rule", msg, r)
			}
			if r.Language != English && r.Language != Spanish {
				t.Fatalf("ReadMessage(%q) = %+v: unknown language", msg, r)
			}
		}
	})
}

// TestReadMessageHostile reads 1,600-character messages of every kind of
// hostile input within the step bound, deterministically.
func TestReadMessageHostile(t *testing.T) {
	t.Parallel()
	for i := range 200 {
		msg := hostile(strings.Repeat("s", i))
		if _, steps := readMessage(msg); steps > maxSteps {
			t.Fatalf("readMessage took %d steps (bound %d) on %q", steps, maxSteps, msg)
		}
	}
}
