package server

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/export"
	"github.com/hiretext/hiretext/internal/phone"
)

// Downloads stream: the writers of internal/export write to a download,
// which hands rows to the client as they are produced, so an export of a
// million rows holds a few buffers, never the rows. Headers are sent with
// the first bytes, so an error before then still becomes an ordinary error
// page; after, the response can only be cut short (see exportActivity).

// downloadWriteTimeout is how long one write may wait on a client that does
// not read. It replaces the server's WriteTimeout, which would cut a long
// export.
const downloadWriteTimeout = 30 * time.Second

// download is the response of a streamed attachment.
type download struct {
	w           http.ResponseWriter
	rc          *http.ResponseController
	contentType string
	filename    string
	started     bool
	deadline    time.Time // when the current write deadline was set
	end         time.Time // no write deadline goes past it; zero for none
}

// newDownload prepares an attachment. The server's ReadTimeout would cancel
// the request's context, and with it the database cursor, partway through a
// long export: it is lifted (the request is a GET, its body already read).
func newDownload(w http.ResponseWriter, contentType, filename string) *download {
	d := &download{w: w, rc: http.NewResponseController(w), contentType: contentType, filename: filename}
	_ = d.rc.SetReadDeadline(time.Time{})
	return d
}

// lasting bounds the whole download to limit from now: past it, writes
// fail and the export is cut, however steadily the client reads.
func (d *download) lasting(limit time.Duration) *download {
	d.end = time.Now().Add(limit)
	return d
}

// Write sends the headers before the first bytes and keeps a rolling write
// deadline, renewed at most once a second, never past the download's end.
func (d *download) Write(p []byte) (int, error) {
	if now := time.Now(); now.Sub(d.deadline) > time.Second {
		deadline := now.Add(downloadWriteTimeout)
		if !d.end.IsZero() && deadline.After(d.end) {
			deadline = d.end
		}
		_ = d.rc.SetWriteDeadline(deadline)
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

// Flush pushes what the server has buffered to the client.
func (d *download) Flush() {
	if d.started {
		_ = d.rc.Flush()
	}
}

// endDownload ends a download that returned err. An error before the first
// bytes went out is an ordinary error response; after, it cannot become one:
// it is logged and the connection is cut, so the client sees a failed
// download rather than a file that looks complete.
func (s *Server) endDownload(r *http.Request, d *download, err error, what string) error {
	if err == nil || d == nil || !d.started {
		return err
	}
	level := slog.LevelError
	if r.Context().Err() != nil {
		level = slog.LevelInfo // the client went away
	}
	var org hiretext.OrgID
	if p := principalFrom(r.Context()); p != nil {
		org = p.org.ID
	}
	s.log.Log(r.Context(), level, "export cut short", "request_id", requestIDFrom(r.Context()), "org_id", org, "format", what, "err", err)
	panic(http.ErrAbortHandler)
}

// writeCandidatesCSV sends candidates as a CSV download.
func writeCandidatesCSV(w http.ResponseWriter, filename string, cs []*hiretext.Candidate) error {
	rows := [][]string{{"Candidate ID", "First name", "Last name", "Email", "Main phone", "Alternate phone", "SMS status", "SMS phone"}}
	for _, c := range cs {
		rows = append(rows, []string{idString(c.ID), c.FirstName, c.LastName, c.Email, phone.ForSpreadsheet(c.MainPhone), phone.ForSpreadsheet(c.AlternatePhone),
			string(c.SMSStatus), string(c.SMSPhone)})
	}
	return writeCSV(w, filename, rows)
}

// writeCSV sends rows as a CSV attachment (see export.CSV: UTF-8 with a
// byte-order mark so Excel reads UTF-8, and cells that a spreadsheet would
// run as a formula neutralised).
func writeCSV(w http.ResponseWriter, filename string, rows [][]string) error {
	out := export.NewCSV(newDownload(w, export.CSVMediaType, filename))
	for _, row := range rows {
		if err := out.Row(row...); err != nil {
			return err
		}
	}
	return out.Finish()
}
