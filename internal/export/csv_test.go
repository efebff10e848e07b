package export

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzCSVSafe checks the export's cell neutraliser: no cell it returns
// starts a formula, it changes only cells that would, and whatever it
// returns comes back from a CSV reader as written. Two limits of
// encoding/csv are not the exports' concern: a reader turns "\r\n" inside
// a quoted cell into "\n", and a row of one empty cell is an empty line,
// which readers skip (every export has several columns).
func FuzzCSVSafe(f *testing.F) {
	for _, seed := range []string{
		"", "Ann", "=1+1", "+1 312 555 0100", "-5", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://x\",\"y\")",
		"'=quoted", " =1", "a,b", "say \"hi\"", "two\nlines", "crlf\r\nin it", "\ufeff=1", "\xff", "=", "-",
		"\n=1", "＝1+1", "＋1", "－1", "＠SUM(A1)",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, cell string) {
		out := csvSafe(cell)
		if startsFormula(out) {
			t.Fatalf("csvSafe(%q) = %q starts a formula", cell, out)
		}
		if starts := startsFormula(cell); starts != (out != cell) || (starts && out != "'"+cell) {
			t.Fatalf("csvSafe(%q) = %q", cell, out)
		}
		for _, tt := range []struct {
			row []string
			col int // where cell is
		}{{[]string{cell, "x"}, 0}, {[]string{"42", cell, "x"}, 1}} {
			var buf bytes.Buffer
			w := NewCSV(&buf)
			if err := w.Row(tt.row...); err != nil {
				t.Fatal(err)
			}
			if err := w.Finish(); err != nil {
				t.Fatal(err)
			}
			body, ok := strings.CutPrefix(buf.String(), "\ufeff")
			if !ok {
				t.Fatalf("no byte-order mark: %q", buf.String())
			}
			r := csv.NewReader(strings.NewReader(body))
			r.FieldsPerRecord = len(tt.row)
			got, err := r.ReadAll()
			if err != nil || len(got) != 1 || got[0][tt.col] != strings.ReplaceAll(out, "\r\n", "\n") {
				t.Fatalf("%q written as %q read back as %q, %v; want %q", cell, body, got, err, out)
			}
		}
	})
}

// TestCSVNeutralisesEveryFormulaStart: each way a cell can start a formula,
// the line feed and the fullwidth signs included, gets its apostrophe; a
// phone in the exports' form and ordinary text get none.
func TestCSVNeutralisesEveryFormulaStart(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"=1+1", "'=1+1"}, {"+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"}, {"-2+3", "'-2+3"}, {"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"}, {"\r=1", "'\r=1"}, {"\n=1", "'\n=1"},
		{"＝1+1", "'＝1+1"}, {"＋1", "'＋1"}, {"－1", "'－1"}, {"＠SUM(A1)", "'＠SUM(A1)"},
		{"(312) 555-0123", "(312) 555-0123"}, {"(+44) 7911 123456", "(+44) 7911 123456"}, {"Ann", "Ann"}, {"", ""},
	} {
		if got := csvSafe(tt.in); got != tt.want {
			t.Errorf("csvSafe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// startsFormula reports whether cell starts with one of FormulaStarts.
func startsFormula(cell string) bool {
	first, _ := utf8.DecodeRuneInString(cell)
	return cell != "" && strings.ContainsRune(FormulaStarts, first)
}

// flushRecorder is a destination that notes how many lines it held each
// time it was flushed.
type flushRecorder struct {
	bytes.Buffer
	flushedAt []int
}

func (f *flushRecorder) Flush() {
	f.flushedAt = append(f.flushedAt, bytes.Count(f.Bytes(), []byte("\n")))
}

// TestCSVPushesRowsAsItWrites checks that a CSV hands its rows on while it
// writes them: every flushEvery rows the destination holds every row so far
// and is flushed, so a long download reaches the client as it is written
// and the writer keeps a buffer, never the rows.
func TestCSVPushesRowsAsItWrites(t *testing.T) {
	t.Parallel()
	dst := &flushRecorder{}
	w := NewCSV(dst)
	for i := range 2*flushEvery + 1 {
		if err := w.Row(strconv.Itoa(i), "text"); err != nil {
			t.Fatal(err)
		}
	}
	if want := []int{flushEvery, 2 * flushEvery}; !slices.Equal(dst.flushedAt, want) {
		t.Fatalf("flushed holding %v lines, want %v", dst.flushedAt, want)
	}
	if err := w.Finish(); err != nil {
		t.Fatal(err)
	}
	if want := []int{flushEvery, 2 * flushEvery, 2*flushEvery + 1}; !slices.Equal(dst.flushedAt, want) {
		t.Fatalf("after Finish, flushed holding %v lines, want %v", dst.flushedAt, want)
	}
}
