package server

import (
	"bytes"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestXLSXDownloadContinuesOnANewSheet fills sheets of three rows: rows
// beyond a sheet's capacity go on to "Texts 2", under the same header.
func TestXLSXDownloadContinuesOnANewSheet(t *testing.T) {
	rec := httptest.NewRecorder()
	x, err := newXLSXDownload(rec, "t.xlsx", "Texts", []string{"N", "Text"}, []float64{5, 20})
	if err != nil {
		t.Fatal(err)
	}
	defer x.discard()
	x.rows = 3
	for i := range 5 {
		if err := x.add([]any{i, "=row " + itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.close(); err != nil {
		t.Fatal(err)
	}
	if rec.Header().Get("Content-Disposition") != `attachment; filename="t.xlsx"` {
		t.Errorf("headers: %v", rec.Header())
	}
	f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
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
