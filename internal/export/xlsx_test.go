package export

import (
	"bytes"
	"slices"
	"strconv"
	"testing"
	"time"

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

// TestXLSXDateTimesAreDateCells: a time is written as a date cell with its
// wall-clock time in its own location (a Chicago afternoon stays an
// afternoon, not UTC's evening), shown to the second; text stays text.
func TestXLSXDateTimesAreDateCells(t *testing.T) {
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 7, 15, 4, 5, 999_000_000, chicago)
	f := writeAndOpen(t, []string{"When", "Text"}, []any{at, "2026-12-07 15:04:05"})
	if typ, _ := f.GetCellType("Texts", "A2"); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("the date-time cell's type is %v, want a number (a date)", typ)
	}
	raw, _ := f.GetCellValue("Texts", "A2", excelize.Options{RawCellValue: true})
	serial, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		t.Fatalf("the date-time cell holds %q, not a serial date", raw)
	}
	if got, _ := excelize.ExcelDateToTime(serial, false); !got.Equal(time.Date(2026, 12, 7, 15, 4, 5, 0, time.UTC)) {
		t.Errorf("the date-time cell reads %v, want 2026-12-07 15:04:05 (Chicago's wall clock)", got)
	}
	if shown, _ := f.GetCellValue("Texts", "A2"); shown != "2026-12-07 15:04:05" {
		t.Errorf("the date-time cell shows %q", shown)
	}
	if typ, _ := f.GetCellType("Texts", "B2"); typ == excelize.CellTypeNumber {
		t.Error("text that looks like a date became a number")
	}
}

// writeAndOpen writes rows under header on a sheet named "Texts" and opens
// the workbook as a spreadsheet program would.
func writeAndOpen(t *testing.T, header []string, rows ...[]any) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	x, err := NewXLSX(&buf, "Texts", header, []float64{20, 20})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	for _, r := range rows {
		if err := x.Row(r); err != nil {
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
	t.Cleanup(func() { f.Close() })
	return f
}

// TestXLSXAddSheet: a second table goes on a sheet of its own, under its
// own header, after the first sheet's rows.
func TestXLSXAddSheet(t *testing.T) {
	var buf bytes.Buffer
	x, err := NewXLSX(&buf, "Texts", []string{"N", "Text"}, []float64{5, 20})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if err := x.Row([]any{1, "Hello"}); err != nil {
		t.Fatal(err)
	}
	if err := x.AddSheet("Response", []string{"Name", "Rate", "Hours"}, []float64{20, 8, 8}); err != nil {
		t.Fatal(err)
	}
	if err := x.Row([]any{"Rita", 50, 1.25}); err != nil {
		t.Fatal(err)
	}
	if err := x.Finish(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	texts, _ := f.GetRows("Texts")
	response, _ := f.GetRows("Response")
	if !slices.Equal(f.GetSheetList(), []string{"Texts", "Response"}) || len(texts) != 2 ||
		len(response) != 2 || !slices.Equal(response[0], []string{"Name", "Rate", "Hours"}) || !slices.Equal(response[1], []string{"Rita", "50", "1.25"}) {
		t.Fatalf("sheets %q: texts %q, response %q", f.GetSheetList(), texts, response)
	}
}
