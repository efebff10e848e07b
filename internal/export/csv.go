package export

import (
	"bufio"
	"encoding/csv"
	"io"
	"strings"
	"unicode/utf8"
)

// CSV writes a CSV file: UTF-8 with a byte-order mark, so Excel reads it as
// UTF-8, and every cell neutralised by csvSafe. Rows go through a 32 KiB
// buffer and are pushed on every flushEvery rows.
type CSV struct {
	w     io.Writer
	bw    *bufio.Writer
	cw    *csv.Writer
	cells []string
	rows  int
}

// NewCSV starts a CSV file written to w.
func NewCSV(w io.Writer) *CSV {
	bw := bufio.NewWriterSize(w, 32<<10)
	_, _ = bw.WriteString("\ufeff")
	return &CSV{w: w, bw: bw, cw: csv.NewWriter(bw)}
}

// Row writes one record, pushing to the client every flushEvery rows.
func (c *CSV) Row(cells ...string) error {
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

func (c *CSV) push() error {
	c.cw.Flush()
	if err := c.cw.Error(); err != nil {
		return err
	}
	if err := c.bw.Flush(); err != nil {
		return err
	}
	flush(c.w)
	return nil
}

// Finish writes what is left.
func (c *CSV) Finish() error { return c.push() }

// FormulaStarts are the first characters that make a spreadsheet evaluate a
// cell: OWASP's list for CSV injection (=, +, -, @, tab, carriage return),
// a line feed, and the fullwidth forms of the four signs, which spreadsheets
// set up for East Asian input read as the signs themselves.
const FormulaStarts = "=+-@\t\r\n＝＋－＠"

// csvSafe neutralises a cell a spreadsheet would evaluate (one starting with
// one of FormulaStarts) by prefixing an apostrophe, as OWASP recommends
// against CSV injection. Every cell goes through it, so nothing a candidate
// sends can run; values of a known shape, such as phones, are written in a
// form that needs no apostrophe (phone.ForSpreadsheet).
func csvSafe(cell string) string {
	first, _ := utf8.DecodeRuneInString(cell)
	if cell != "" && strings.ContainsRune(FormulaStarts, first) {
		return "'" + cell
	}
	return cell
}
