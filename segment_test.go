package hiretext

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCountSegments(t *testing.T) {
	t.Parallel()
	r := strings.Repeat
	tests := []struct {
		name       string
		body       string
		enc        Encoding
		units      int
		segments   int
		perSegment int
		nonGSM     []rune
	}{
		{"empty", "", EncodingGSM7, 0, 0, 160, nil},
		{"one char", "a", EncodingGSM7, 1, 1, 160, nil},
		{"160 GSM fit one segment", r("a", 160), EncodingGSM7, 160, 1, 160, nil},
		{"161 GSM need two", r("a", 161), EncodingGSM7, 161, 2, 153, nil},
		{"306 GSM fill two", r("a", 306), EncodingGSM7, 306, 2, 153, nil},
		{"307 GSM need three", r("a", 307), EncodingGSM7, 307, 3, 153, nil},
		{"GSM accents and Greek", "Hé à ü ñ Ç ¿¡ £¥§ ΔΩ", EncodingGSM7, 20, 1, 160, nil},
		{"CRLF is GSM", "a\r\nb", EncodingGSM7, 4, 1, 160, nil},
		{"euro counts double", "€5", EncodingGSM7, 3, 1, 160, nil},
		{"every extension char counts double", "^{}\\[~]|€\f", EncodingGSM7, 20, 1, 160, nil},
		{"80 euros fit one segment", r("€", 80), EncodingGSM7, 160, 1, 160, nil},
		{"81 euros need two", r("€", 81), EncodingGSM7, 162, 2, 153, nil},
		// 306 septets would fit two segments by division, but the escape pair
		// at septets 153–154 moves whole to segment two, so one "a" spills.
		{"escape pair not split at 153", r("a", 152) + "€" + r("a", 152), EncodingGSM7, 306, 3, 153, nil},
		{"escape pair fits exactly at 153", r("a", 151) + "€" + r("a", 153), EncodingGSM7, 306, 2, 153, nil},
		{"70 UCS-2 fit one segment", r("ą", 70), EncodingUCS2, 70, 1, 70, []rune{'ą'}},
		{"71 UCS-2 need two", r("ą", 71), EncodingUCS2, 71, 2, 67, []rune{'ą'}},
		{"134 UCS-2 fill two", r("ą", 134), EncodingUCS2, 134, 2, 67, []rune{'ą'}},
		{"135 UCS-2 need three", r("ą", 135), EncodingUCS2, 135, 3, 67, []rune{'ą'}},
		{"emoji is two units", "😀", EncodingUCS2, 2, 1, 70, []rune{'😀'}},
		{"35 emoji fit one segment", r("😀", 35), EncodingUCS2, 70, 1, 70, []rune{'😀'}},
		{"36 emoji need two", r("😀", 36), EncodingUCS2, 72, 2, 67, []rune{'😀'}},
		// 134 units would fit two segments by division, but the surrogate pair
		// at units 67–68 moves whole to segment two.
		{"surrogate pair not split at 67", r("ą", 66) + "😀" + r("ą", 66), EncodingUCS2, 134, 3, 67, []rune{'ą', '😀'}},
		{"surrogate pair fits exactly at 67", r("ą", 65) + "😀" + r("ą", 67), EncodingUCS2, 134, 2, 67, []rune{'ą', '😀'}},
		{"family emoji is eight units", "👨‍👩‍👧", EncodingUCS2, 8, 1, 70, []rune{'👨', '\u200D', '👩', '👧'}},
		{"flag is four units", "🇺🇸", EncodingUCS2, 4, 1, 70, []rune{'🇺', '🇸'}},
		{"one curly apostrophe switches to UCS-2", "It’s a match", EncodingUCS2, 12, 1, 70, []rune{'’'}},
		{"extension char is one unit in UCS-2", "€ 😀", EncodingUCS2, 4, 1, 70, []rune{'😀'}},
		{"NonGSM distinct in order", "ç “hi” ç 😀 “", EncodingUCS2, 13, 1, 70, []rune{'ç', '“', '”', '😀'}},
		{"backtick is not GSM", "`a`", EncodingUCS2, 3, 1, 70, []rune{'`'}},
		{"tab is not GSM", "a\tb", EncodingUCS2, 3, 1, 70, []rune{'\t'}},
		{"invalid UTF-8 is U+FFFD", "a\xffb", EncodingUCS2, 3, 1, 70, []rune{utf8.RuneError}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := CountSegments(tt.body)
			want := SegmentCount{
				Encoding:   tt.enc,
				Characters: utf8.RuneCountInString(tt.body),
				Units:      tt.units,
				Segments:   tt.segments,
				PerSegment: tt.perSegment,
				NonGSM:     tt.nonGSM,
			}
			if !equalCounts(got, want) {
				t.Errorf("CountSegments(%q)\n got %+v\nwant %+v", tt.body, got, want)
			}
		})
	}
}

func equalCounts(a, b SegmentCount) bool {
	return a.Encoding == b.Encoding && a.Characters == b.Characters && a.Units == b.Units &&
		a.Segments == b.Segments && a.PerSegment == b.PerSegment && slices.Equal(a.NonGSM, b.NonGSM)
}

func TestGSMAlphabet(t *testing.T) {
	t.Parallel()
	basic := []rune(gsmBasic)
	if n := len(basic); n != 127 {
		t.Errorf("basic set has %d characters, want 127", n)
	}
	if n := len(slices.Compact(slices.Sorted(slices.Values(basic)))); n != len(basic) {
		t.Errorf("basic set has duplicates: %d distinct of %d", n, len(basic))
	}
	for _, r := range gsmExtension {
		if strings.ContainsRune(gsmBasic, r) {
			t.Errorf("%q is in both the basic set and the extension table", r)
		}
	}
}

func TestValidateBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		wantErr string // "" for valid; otherwise a substring of the message
	}{
		{"plain", "Hi Sam, are you free for a call?", ""},
		{"emoji", "Great news 🎉", ""},
		{"1600 chars", strings.Repeat("a", 1600), ""},
		{"1600 emoji are 1600 chars", strings.Repeat("😀", 1600), ""},
		{"empty", "", "Write a message."},
		{"whitespace", " \n\t ", "Write a message."},
		{"zero-width only", "\u200B\uFEFF \u00A0", "Write a message."},
		{"1601 chars", strings.Repeat("a", 1601), "1600 characters or fewer; it has 1601"},
		{"invalid UTF-8", "hi \xff", "cannot be sent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := ValidateBody(tt.body)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("ValidateBody: %v", err)
				}
				return
			}
			if code := ErrorCode(err); code != EInvalid {
				t.Fatalf("code %q, want %q (err %v)", code, EInvalid, err)
			}
			if msg := ErrorFields(err)["body"]; !strings.Contains(msg, tt.wantErr) {
				t.Errorf("body field message %q, want it to contain %q", msg, tt.wantErr)
			}
		})
	}
}

func TestSuggestGSMReplacements(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want string
		reps []Replacement
	}{
		{"smart punctuation", "It’s a “great” match…", `It's a "great" match...`,
			[]Replacement{{'’', "'"}, {'“', `"`}, {'”', `"`}, {'…', "..."}}},
		{"dashes", "Mon–Fri — 9‑5", "Mon-Fri - 9-5", []Replacement{{'–', "-"}, {'—', "-"}, {'‑', "-"}}},
		{"bullets and spaces", "•\u00A0Pay\u2009$20", "- Pay $20", []Replacement{{'•', "-"}, {'\u00A0', " "}, {'\u2009', " "}}},
		{"invisible chars removed", "a\u200Bb\uFEFF", "ab", []Replacement{{'\u200B', ""}, {'\uFEFF', ""}}},
		{"fullwidth", "ＳＴＯＰ！｛｝｀", "STOP!{}'", []Replacement{
			{'Ｓ', "S"}, {'Ｔ', "T"}, {'Ｏ', "O"}, {'Ｐ', "P"}, {'！', "!"}, {'｛', "{"}, {'｝', "}"}, {'｀', "'"}}},
		{"fractions", "½ day", "1/2 day", []Replacement{{'½', "1/2"}}},
		{"emoji stays, quote replaced", "It’s 😀", "It's 😀", []Replacement{{'’', "'"}}},
		{"already GSM", "Hello, José!", "Hello, José!", nil},
		{"CJK has no look-alike", "日本語", "日本語", nil},
		{"invalid UTF-8 left alone", "\xff’", "\xff’", nil},
		// 70 ellipses are one UCS-2 segment; 210 dots would be two GSM-7.
		{"not when it adds a segment", strings.Repeat("…", 70), strings.Repeat("…", 70), nil},
		{"when segments do not grow", strings.Repeat("…", 100), strings.Repeat("...", 100), []Replacement{{'…', "..."}}},
		{"not past MaxBodyChars", strings.Repeat("…", 100) + strings.Repeat("a", 1400),
			strings.Repeat("…", 100) + strings.Repeat("a", 1400), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, reps := SuggestGSMReplacements(tt.body)
			if got != tt.want {
				t.Errorf("body %q, want %q", got, tt.want)
			}
			if !slices.Equal(reps, tt.reps) {
				t.Errorf("replacements %q, want %q", reps, tt.reps)
			}
		})
	}
}

// TestGSMLookalikes checks every code point: a replacement exists only for a
// character outside GSM, and consists only of GSM characters.
func TestGSMLookalikes(t *testing.T) {
	t.Parallel()
	for r := rune(0); r <= utf8.MaxRune; r++ {
		to, ok := gsmLookalike(r)
		if !ok {
			continue
		}
		if gsmSeptets(r) != 0 {
			t.Errorf("%U %q is GSM but has a replacement %q", r, r, to)
		}
		if !isGSM(to) {
			t.Errorf("%U %q is replaced by non-GSM %q", r, r, to)
		}
	}
}

func FuzzCountSegments(f *testing.F) {
	for _, seed := range []string{
		"", "a", "Hi Sam!", strings.Repeat("a", 160), strings.Repeat("a", 161),
		strings.Repeat("€", 81), strings.Repeat("a", 152) + "€" + strings.Repeat("a", 152),
		strings.Repeat("ą", 71), strings.Repeat("ą", 66) + "😀" + strings.Repeat("ą", 66),
		"It’s a “match”…", "👨‍👩‍👧 🇺🇸", "日本語", "\xff\xfe", strings.Repeat("…", 70),
		"\u00A0\u200B\t", "ＳＴＯＰ",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		c := CountSegments(body)
		checkCount(t, body, c)
		out, reps := SuggestGSMReplacements(body)
		checkReplacements(t, body, c, out, reps)
	})
}

// checkCount asserts the invariants of a SegmentCount.
func checkCount(t *testing.T, body string, c SegmentCount) {
	t.Helper()
	if (c.Segments == 0) != (body == "") {
		t.Fatalf("%q: %d segments", body, c.Segments)
	}
	if c.Units < c.Characters {
		t.Fatalf("%q: %d units < %d characters", body, c.Units, c.Characters)
	}
	if (c.Encoding == EncodingGSM7) != (len(c.NonGSM) == 0) {
		t.Fatalf("%q: encoding %s with NonGSM %q", body, c.Encoding, c.NonGSM)
	}
	if c.Units > c.Segments*c.PerSegment {
		t.Fatalf("%q: %d units overflow %d×%d", body, c.Units, c.Segments, c.PerSegment)
	}
	// Packing wastes at most one unit per full segment.
	if c.Segments > 1 && c.Units <= (c.Segments-1)*(c.PerSegment-1) {
		t.Fatalf("%q: %d units use too many segments: %d×%d", body, c.Units, c.Segments, c.PerSegment)
	}
}

// checkReplacements asserts SuggestGSMReplacements never costs more, is a
// no-op without replacements, and leaves nothing more to replace.
func checkReplacements(t *testing.T, body string, before SegmentCount, out string, reps []Replacement) {
	t.Helper()
	after := CountSegments(out)
	if after.Segments > before.Segments {
		t.Fatalf("%q → %q: segments grew from %d to %d", body, out, before.Segments, after.Segments)
	}
	if len(reps) == 0 {
		if out != body {
			t.Fatalf("%q → %q without replacements", body, out)
		}
		return
	}
	if again, more := SuggestGSMReplacements(out); again != out || more != nil {
		t.Fatalf("%q → %q → %q %q: second pass changed it", body, out, again, more)
	}
	if after.Characters > MaxBodyChars && after.Characters > before.Characters {
		t.Fatalf("%q: grew past MaxBodyChars to %d", body, after.Characters)
	}
}

func TestValidateBodyRejectsControlCharacters(t *testing.T) {
	for _, body := range []string{"hi\x00there", "bell\x07", "del\x7f"} {
		if ErrorCode(ValidateBody(body)) != EInvalid {
			t.Errorf("ValidateBody(%q) accepted a control character", body)
		}
	}
	if err := ValidateBody("line one\nline two\r\n\tindented"); err != nil {
		t.Errorf("line breaks and tabs rejected: %v", err)
	}
}
