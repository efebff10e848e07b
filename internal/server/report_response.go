package server

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/export"
	"github.com/hiretext/hiretext/internal/phone"
)

// The SMS Activity report's response figures: a section of the page of
// their own, a CSV download of their own, and a sheet of their own in the
// XLSX download.

// responseSection is the page's Response section: a table by user and
// one by number.
type responseSection struct {
	Unit   string // "business hours" or "clock hours"
	CSVURL string // the figures as CSV, for the same filters
	Empty  bool   // nobody texted or answered a candidate in the period
	Tables [2]responseTable
}

// responseTable is one of the section's tables.
type responseTable struct {
	Caption, Heading string // "By user", "User"
	Unit             string
	Rows             []responseRow
}

// responseRow is one user's or one number's figures, as shown.
type responseRow struct {
	Name                      string
	Texted, Replied, Answered int
	Rate                      string // "67%", or "—" when nobody was texted
	Median                    string // "1 h 15 min", or "—" when nothing was answered
}

// responseUnit names what answer times count.
func responseUnit(r *hiretext.ResponseReport) string {
	if r.BusinessHours {
		return "business hours"
	}
	return "clock hours"
}

// responseSectionFor reads the figures of f for the page; form gives the
// download's link.
func (s *Server) responseSectionFor(ctx context.Context, p *principal, f hiretext.ActivityFilter, form reportForm) (*responseSection, error) {
	r, err := s.store.ResponseReport(ctx, p.org.ID, f)
	if err != nil {
		return nil, err
	}
	unit := responseUnit(r)
	sec := &responseSection{Unit: unit, CSVURL: form.url(responseCSVPath, ""), Empty: len(r.ByUser)+len(r.ByNumber) == 0,
		Tables: [2]responseTable{{Caption: "By user", Heading: "User", Unit: unit}, {Caption: "By number", Heading: "Number", Unit: unit}}}
	for _, u := range r.ByUser {
		sec.Tables[0].Rows = append(sec.Tables[0].Rows, newResponseRow(u, u.Name))
	}
	for _, n := range r.ByNumber {
		sec.Tables[1].Rows = append(sec.Tables[1].Rows, newResponseRow(n, phone.Format(n.Name)))
	}
	return sec, nil
}

func newResponseRow(f *hiretext.ResponseFigures, name string) responseRow {
	row := responseRow{Name: name, Texted: f.Texted, Replied: f.Replied, Answered: f.Answered, Rate: "—", Median: "—"}
	if rate, ok := f.RatePercent(); ok {
		row.Rate = strconv.Itoa(rate) + "%"
	}
	if f.Answered > 0 {
		row.Median = formatSpan(f.MedianAnswer)
	}
	return row
}

// formatSpan writes a duration for reading: "45 min", "2 h", "1 h 15 min".
func formatSpan(d time.Duration) string {
	m := int(d.Round(time.Minute) / time.Minute)
	switch {
	case m < 60:
		return strconv.Itoa(m) + " min"
	case m%60 == 0:
		return strconv.Itoa(m/60) + " h"
	}
	return fmt.Sprintf("%d h %d min", m/60, m%60)
}

// responseHeader heads the response table of the downloads.
func responseHeader(r *hiretext.ResponseReport) []string {
	return []string{"Response by", "Name", "Candidates texted", "Replied within 7 days", "Response rate (%)",
		"Texts answered", "Median time to answer (" + responseUnit(r) + ")"}
}

// responseWidths are the XLSX columns' widths of the response sheet.
var responseWidths = []float64{12, 24, 18, 20, 17, 15, 34}

// responseValues are the cells of each row of the response table: the
// rate in whole percent and the median in hours to the hundredth, empty
// when there is none.
func responseValues(r *hiretext.ResponseReport) [][]any {
	var out [][]any
	add := func(by, name string, f *hiretext.ResponseFigures) {
		row := []any{by, name, f.Texted, f.Replied, "", f.Answered, ""}
		if rate, ok := f.RatePercent(); ok {
			row[4] = rate
		}
		if f.Answered > 0 {
			row[6] = math.Round(f.MedianAnswer.Hours()*100) / 100
		}
		out = append(out, row)
	}
	for _, u := range r.ByUser {
		add("User", u.Name, u)
	}
	for _, n := range r.ByNumber {
		add("Number", phone.ForSpreadsheet(n.Name), n)
	}
	return out
}

// responseCSVPath is the response figures' CSV download: a file of its
// own, since a CSV holds one table (the texts' download stays one).
const responseCSVPath = reportPath + "/response.csv"

// handleResponseCSV downloads the response figures of the report's
// filters as CSV.
func (s *Server) handleResponseCSV(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	f, err := s.parseReportForm(r.Context(), p, reportFormFrom(r.URL.Query()))
	if err != nil {
		return err
	}
	limits, release, err := s.startExport(w, p, "the report")
	if err != nil {
		return err
	}
	defer release()
	rep, err := s.store.ResponseReport(r.Context(), p.org.ID, f.ActivityFilter)
	if err != nil {
		return err
	}
	name := "sms-response-" + f.Period.FromDate() + "-to-" + f.Period.ToDate() + ".csv"
	d := newDownload(w, export.CSVMediaType, name).lasting(limits.MaxDuration)
	out := export.NewCSV(d)
	err = out.Row(responseHeader(rep)...)
	for _, values := range responseValues(rep) {
		if err != nil {
			break
		}
		cells := make([]string, len(values))
		for i, v := range values {
			cells[i] = fmt.Sprint(v)
		}
		err = out.Row(cells...)
	}
	if err == nil {
		err = out.Finish()
	}
	return s.endDownload(r, d, err, "csv")
}

// writeResponseXLSX adds the response table on a sheet of its own.
func (s *Server) writeResponseXLSX(ctx context.Context, out *export.XLSX, org hiretext.OrgID, f hiretext.ActivityFilter) error {
	r, err := s.store.ResponseReport(ctx, org, f)
	if err != nil {
		return err
	}
	if err := out.AddSheet("Response", responseHeader(r), responseWidths); err != nil {
		return err
	}
	for _, values := range responseValues(r) {
		if err := out.Row(values); err != nil {
			return err
		}
	}
	return nil
}

// apiResponseReport is the response figures in the report's API.
type apiResponseReport struct {
	Unit    string              `json:"unit"` // "business_hours" or "clock_hours"
	Users   []apiResponseFigure `json:"users"`
	Numbers []apiResponseFigure `json:"numbers"`
}

// apiResponseFigure is one user's or one number's figures; the rate and
// the median are null when there is none.
type apiResponseFigure struct {
	UserID              string   `json:"user_id,omitempty"`
	NumberID            string   `json:"number_id,omitempty"`
	Name                string   `json:"name"` // the user's name, or the number in E.164
	CandidatesTexted    int      `json:"candidates_texted"`
	Replied             int      `json:"replied"`
	ResponseRatePercent *int     `json:"response_rate_percent"`
	Answered            int      `json:"answered"`
	MedianAnswerHours   *float64 `json:"median_answer_hours"`
}

// apiResponseReport reads the figures of f for the API.
func (s *Server) apiResponseReport(ctx context.Context, org hiretext.OrgID, f hiretext.ActivityFilter) (*apiResponseReport, error) {
	r, err := s.store.ResponseReport(ctx, org, f)
	if err != nil {
		return nil, err
	}
	out := &apiResponseReport{Unit: "clock_hours", Users: []apiResponseFigure{}, Numbers: []apiResponseFigure{}}
	if r.BusinessHours {
		out.Unit = "business_hours"
	}
	for _, u := range r.ByUser {
		out.Users = append(out.Users, toAPIResponseFigure(u))
	}
	for _, n := range r.ByNumber {
		out.Numbers = append(out.Numbers, toAPIResponseFigure(n))
	}
	return out, nil
}

func toAPIResponseFigure(f *hiretext.ResponseFigures) apiResponseFigure {
	out := apiResponseFigure{Name: f.Name, CandidatesTexted: f.Texted, Replied: f.Replied, Answered: f.Answered}
	if f.UserID != 0 {
		out.UserID = idString(f.UserID)
	}
	if f.NumberID != 0 {
		out.NumberID = idString(f.NumberID)
	}
	if rate, ok := f.RatePercent(); ok {
		out.ResponseRatePercent = &rate
	}
	if f.Answered > 0 {
		hours := math.Round(f.MedianAnswer.Hours()*100) / 100
		out.MedianAnswerHours = &hours
	}
	return out
}
