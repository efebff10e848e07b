package export

import (
	"bytes"
	"slices"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestXLSXContinuesOnANewSheet fills sheets of three rows: rows
// beyond a sheet's capacity go on to "Texts 2", under the same header.
func TestXLSXContinuesOnANewSheet(t *testing.T) {
	var buf bytes.Buffer
	x, err := NewXLSX(&buf, "Texts", []string{"N", "Text"}, []float64{5, 20})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	x.rows = 3
	for i := range 5 {
		if err := x.Row([]any{i, "=row " + strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.Finish(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{"Texts", "Texts 2", "Texts 3"}) {
		t.Fatalf("sheets = %q", got)
	}
	var texts []string
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil || len(rows) == 0 || !slices.Equal(rows[0], []string{"N", "Text"}) {
			t.Fatalf("%s: %q, %v", sheet, rows, err)
		}
		for _, r := range rows[1:] {
			texts = append(texts, r[1])
		}
	}
	if want := []string{"=row 0", "=row 1", "=row 2", "=row 3", "=row 4"}; !slices.Equal(texts, want) {
		t.Errorf("texts = %q, want %q (stored as text, not formulas)", texts, want)
	}
}
