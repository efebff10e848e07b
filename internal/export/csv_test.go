package export

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// formulaStarts are the first characters that make a spreadsheet evaluate
// a cell (OWASP's list for CSV injection).
const formulaStarts = "=+-@\t\r"

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
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, cell string) {
		out := csvSafe(cell)
		if out != "" && strings.ContainsRune(formulaStarts, rune(out[0])) {
			t.Fatalf("csvSafe(%q) = %q starts a formula", cell, out)
		}
		if starts := cell != "" && strings.ContainsRune(formulaStarts, rune(cell[0])); starts != (out != cell) || (starts && out != "'"+cell) {
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
