package server

import (
	"archive/zip"
	"bufio"
	"encoding/csv"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/xuri/excelize/v2"
)

// Downloads stream: rows go to the client as they are produced, so an export
// of a million rows holds a few buffers, never the rows. Headers are sent
// with the first bytes, so an error before then still becomes an ordinary
// error page; after, the response can only be cut short (see abortDownload).

// downloadWriteTimeout is how long one write may wait on a client that does
// not read. It replaces the server's WriteTimeout, which would cut a long
// export.
const downloadWriteTimeout = 30 * time.Second

// flushEvery is how many rows a download writes between pushes to the client.
const flushEvery = 1000

// download is the response of a streamed attachment.
type download struct {
	w           http.ResponseWriter
	rc          *http.ResponseController
	contentType string
	filename    string
	started     bool
	deadline    time.Time // when the current write deadline was set
}

// newDownload prepares an attachment. The server's ReadTimeout would cancel
// the request's context, and with it the database cursor, partway through a
// long export: it is lifted (the request is a GET, its body already read).
func newDownload(w http.ResponseWriter, contentType, filename string) *download {
	d := &download{w: w, rc: http.NewResponseController(w), contentType: contentType, filename: filename}
	_ = d.rc.SetReadDeadline(time.Time{})
	return d
}

// Write sends the headers before the first bytes and keeps a rolling write
// deadline, renewed at most once a second.
func (d *download) Write(p []byte) (int, error) {
	if now := time.Now(); now.Sub(d.deadline) > time.Second {
		_ = d.rc.SetWriteDeadline(now.Add(downloadWriteTimeout))
		d.deadline = now
	}
	if !d.started {
		h := d.w.Header()
		h.Set("Content-Type", d.contentType)
		h.Set("Content-Disposition", `attachment; filename="`+d.filename+`"`)
		h.Set("Cache-Control", "no-store")
		d.w.WriteHeader(http.StatusOK)
		d.started = true
	}
	return d.w.Write(p)
}

// flush pushes what the server has buffered to the client.
func (d *download) flush() {
	if d.started {
		_ = d.rc.Flush()
	}
}

// csvDownload streams a CSV attachment: UTF-8 with a byte-order mark, so
// Excel reads it as UTF-8, and every cell neutralised by csvSafe.
type csvDownload struct {
	d     *download
	bw    *bufio.Writer
	cw    *csv.Writer
	cells []string
	rows  int
}

func newCSVDownload(w http.ResponseWriter, filename string) *csvDownload {
	d := newDownload(w, "text/csv; charset=utf-8", filename)
	bw := bufio.NewWriterSize(d, 32<<10)
	_, _ = bw.WriteString("\ufeff")
	return &csvDownload{d: d, bw: bw, cw: csv.NewWriter(bw)}
}

// row writes one record, pushing to the client every flushEvery rows.
func (c *csvDownload) row(cells ...string) error {
	c.cells = c.cells[:0]
	for _, cell := range cells {
		c.cells = append(c.cells, csvSafe(cell))
	}
	if err := c.cw.Write(c.cells); err != nil {
		return err
	}
	if c.rows++; c.rows%flushEvery == 0 {
		return c.push()
	}
	return nil
}

func (c *csvDownload) push() error {
	c.cw.Flush()
	if err := c.cw.Error(); err != nil {
		return err
	}
	if err := c.bw.Flush(); err != nil {
		return err
	}
	c.d.flush()
	return nil
}

// close writes what is left.
func (c *csvDownload) close() error { return c.push() }

// xlsxDownload streams an XLSX attachment with excelize's StreamWriter. The
// stream writer keeps up to 16 MiB of sheet XML in memory and spills the rest
// to a temporary file (in os.TempDir, about half a kilobyte per text); at the
// end the workbook is zipped straight into the response rather than into
// excelize's in-memory buffer. A sheet holds at most 1,048,575 rows under
// its header; further rows continue on a new sheet.
type xlsxDownload struct {
	d      *download
	f      *excelize.File
	sw     *excelize.StreamWriter
	name   string
	header []any
	widths []float64
	sheets int
	row    int // the last row written on the current sheet
	rows   int // rows a sheet may hold, header included: excelize.TotalRows
}

func newXLSXDownload(w http.ResponseWriter, filename, sheet string, header []string, widths []float64) (*xlsxDownload, error) {
	x := &xlsxDownload{d: newDownload(w, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename),
		f: excelize.NewFile(), name: sheet, widths: widths, rows: excelize.TotalRows}
	for _, h := range header {
		x.header = append(x.header, h)
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
func (x *xlsxDownload) sheet(name string) error {
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

// add writes one row of values (strings and numbers; strings are stored as
// text cells, which spreadsheets never evaluate as formulas).
func (x *xlsxDownload) add(values []any) error {
	if x.row == x.rows {
		if err := x.sw.Flush(); err != nil {
			return err
		}
		name := x.name + " " + itoa(x.sheets+1)
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
	return x.sw.SetRow(cell, values)
}

// close finishes the workbook and zips it into the response.
func (x *xlsxDownload) close() error {
	if err := x.sw.Flush(); err != nil {
		return err
	}
	x.f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(x.d) })
	if err := x.f.Write(io.Discard); err != nil {
		return err
	}
	x.d.flush()
	return nil
}

// discard removes the temporary files.
func (x *xlsxDownload) discard() { _ = x.f.Close() }

func itoa(n int) string { return idString(int64(n)) }

// writeCandidatesCSV sends candidates as a CSV download.
func writeCandidatesCSV(w http.ResponseWriter, filename string, cs []*hiretext.Candidate) error {
	rows := [][]string{{"Candidate ID", "First name", "Last name", "Email", "Main phone", "Alternate phone", "SMS status", "SMS phone"}}
	for _, c := range cs {
		rows = append(rows, []string{idString(c.ID), c.FirstName, c.LastName, c.Email, c.MainPhone, c.AlternatePhone,
			string(c.SMSStatus), string(c.SMSPhone)})
	}
	return writeCSV(w, filename, rows)
}

// writeCSV sends rows as a UTF-8 CSV attachment through csvDownload: with a
// byte-order mark so Excel reads UTF-8, and cells that a spreadsheet would
// run as a formula neutralised.
func writeCSV(w http.ResponseWriter, filename string, rows [][]string) error {
	out := newCSVDownload(w, filename)
	for _, row := range rows {
		if err := out.row(row...); err != nil {
			return err
		}
	}
	return out.close()
}

// csvSafe neutralises a cell a spreadsheet would evaluate (one starting with
// =, +, -, @, tab or carriage return) by prefixing an apostrophe, as OWASP
// recommends against CSV injection.
func csvSafe(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}
