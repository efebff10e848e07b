package export

import (
	"archive/zip"
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
)

// XLSX writes an XLSX workbook with excelize's StreamWriter. The stream
// writer keeps up to 16 MiB of sheet XML in memory and spills the rest to a
// temporary file (in os.TempDir, about half a kilobyte per text); Finish
// zips the workbook straight into the destination rather than into
// excelize's in-memory buffer. A sheet holds at most 1,048,575 rows under
// its header; further rows continue on a new sheet.
type XLSX struct {
	w      io.Writer
	f      *excelize.File
	sw     *excelize.StreamWriter
	name   string
	header []any
	widths []float64
	cells  []any // the row being written, with date cells styled
	date   int   // the style of date-time cells
	sheets int
	row    int // the last row written on the current sheet
	rows   int // rows a sheet may hold, header included: excelize.TotalRows
}

// NewXLSX starts a workbook written to w, with one sheet named sheet under
// a bold header row; widths are the columns' widths. Close it when done,
// written or not.
func NewXLSX(w io.Writer, sheet string, header []string, widths []float64) (*XLSX, error) {
	x := &XLSX{w: w, f: excelize.NewFile(), name: sheet, widths: widths, rows: excelize.TotalRows}
	for _, h := range header {
		x.header = append(x.header, h)
	}
	format := dateTimeFormat
	var err error
	if x.date, err = x.f.NewStyle(&excelize.Style{CustomNumFmt: &format}); err != nil {
		x.f.Close()
		return nil, err
	}
	if err := x.f.SetSheetName("Sheet1", sheet); err != nil {
		x.f.Close()
		return nil, err
	}
	if err := x.sheet(sheet); err != nil {
		x.f.Close()
		return nil, err
	}
	return x, nil
}

// sheet starts writing sheet: column widths, a frozen bold header row.
func (x *XLSX) sheet(name string) error {
	sw, err := x.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	// Last column first: excelize puts each new column before the others,
	// and Excel wants them in ascending order.
	for i := len(x.widths) - 1; i >= 0; i-- {
		if err := sw.SetColWidth(i+1, i+1, x.widths[i]); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	bold, err := x.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	x.sw, x.row, x.sheets = sw, 1, x.sheets+1
	return sw.SetRow("A1", x.header, excelize.RowOpts{StyleID: bold})
}

// AddSheet ends the current sheet and starts another, named name, under its
// own bold header row and column widths: a second table of the workbook.
func (x *XLSX) AddSheet(name string, header []string, widths []float64) error {
	if err := x.sw.Flush(); err != nil {
		return err
	}
	if _, err := x.f.NewSheet(name); err != nil {
		return err
	}
	x.name, x.widths, x.header = name, widths, x.header[:0]
	for _, h := range header {
		x.header = append(x.header, h)
	}
	return x.sheet(name)
}

// dateTimeFormat shows date-time cells sortably, to the second, as the CSV
// writes them.
const dateTimeFormat = "yyyy-mm-dd hh:mm:ss"

// Row writes one row of values: strings are stored as text cells, which
// spreadsheets never evaluate as formulas; numbers as numbers; a time.Time
// as a date cell holding its wall-clock time in its own location (pass it
// In the company's time zone), so date filters and sorting work.
func (x *XLSX) Row(values []any) error {
	if x.row == x.rows {
		if err := x.sw.Flush(); err != nil {
			return err
		}
		name := x.name + " " + strconv.Itoa(x.sheets+1)
		if _, err := x.f.NewSheet(name); err != nil {
			return err
		}
		if err := x.sheet(name); err != nil {
			return err
		}
	}
	x.row++
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return err
	}
	x.cells = x.cells[:0]
	for _, v := range values {
		if t, ok := v.(time.Time); ok {
			// To the second, as shown: a spreadsheet would round a fraction
			// up to a second the CSV of the same texts does not show.
			v = excelize.Cell{StyleID: x.date, Value: t.Truncate(time.Second)}
		}
		x.cells = append(x.cells, v)
	}
	return x.sw.SetRow(cell, x.cells)
}

// Finish completes the workbook and zips it into the destination.
func (x *XLSX) Finish() error {
	if err := x.sw.Flush(); err != nil {
		return err
	}
	x.f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(x.w) })
	if err := x.f.Write(io.Discard); err != nil {
		return err
	}
	flush(x.w)
	return nil
}

// Close removes the temporary files.
func (x *XLSX) Close() error { return x.f.Close() }
