// Package export renders what hiretext hands out as files and pictures:
// CSV and XLSX downloads, written a row at a time so that an export of a
// million rows holds a few buffers, never the rows, and the SVG chart of
// the SMS Activity report. It knows nothing of HTTP: the server gives the
// writers its response. It is the only package that imports excelize.
package export

// Media types of the files, for a response's Content-Type.
const (
	CSVMediaType  = "text/csv; charset=utf-8"
	XLSXMediaType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// flushEvery is how many rows a CSV writes between pushes to the client.
const flushEvery = 1000

// flusher is a destination that can push what it has buffered on to the
// client, as an HTTP response can (http.Flusher). The writers flush a
// destination that is one, so a long download arrives as it is written.
type flusher interface{ Flush() }

// flush pushes w's buffered bytes on, when w can.
func flush(w any) {
	if f, ok := w.(flusher); ok {
		f.Flush()
	}
}
