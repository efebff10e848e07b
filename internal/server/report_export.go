package server

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/export"
	"github.com/hiretext/hiretext/internal/phone"
)

// Exports of the SMS Activity report hold exactly the texts the filters
// select, in the report's order, read row by row from the database (the read
// pool) and written as they arrive.

// reportFormat is an export's file type.
type reportFormat string

const (
	formatCSV  reportFormat = "csv"
	formatXLSX reportFormat = "xlsx"
)

// activityHeader heads every export; activityWidths are the XLSX columns' widths.
var (
	activityHeader = []string{"Message ID", "Date and time", "Company number", "User", "Candidate", "Candidate phone",
		"Direction", "Message text", "Status", "Failure reason", "Error code", "Segments", "Template", "Attachments"}
	activityWidths = []float64{11, 20, 16, 20, 22, 16, 11, 60, 13, 40, 10, 9, 24, 14}
)

// exportTimeLayout writes times sortably in CSV, in the company's time zone
// (named in the header); XLSX holds them as date cells of the same wall
// clock. Phones in both are in the form spreadsheets show as written
// (phone.ForSpreadsheet).
const exportTimeLayout = "2006-01-02 15:04:05"

// handleReportExport downloads the page's filters as CSV or XLSX.
func (s *Server) handleReportExport(format reportFormat) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p := principalFrom(r.Context())
		f, err := s.parseReportForm(r.Context(), p, reportFormFrom(r.URL.Query()))
		if err != nil {
			return err
		}
		return s.exportActivity(w, r, p, f.ActivityFilter, format)
	}
}

// exportActivity streams the texts f selects as a file. An error after the
// first bytes went out cannot become an error response: it is logged and the
// connection is cut, so the client sees a failed download rather than a file
// that looks complete.
func (s *Server) exportActivity(w http.ResponseWriter, r *http.Request, p *principal, f hiretext.ActivityFilter, format reportFormat) error {
	limits, release, err := s.startExport(w, p, "the report")
	if err != nil {
		return err
	}
	defer release()
	name := "sms-activity-" + f.Period.FromDate() + "-to-" + f.Period.ToDate() + "." + string(format)
	header := append([]string(nil), activityHeader...)
	header[1] = "Date and time (" + p.org.Timezone + ")"
	loc := p.org.Location()
	var d *download
	switch format {
	case formatXLSX:
		d, err = s.exportXLSX(r.Context(), w, p.org.ID, f, name, header, loc, limits.MaxDuration)
	default:
		d, err = s.exportCSV(r.Context(), w, p.org.ID, f, name, header, loc, limits.MaxDuration)
	}
	return s.endDownload(r, d, err, string(format))
}

func (s *Server) exportCSV(ctx context.Context, w http.ResponseWriter, org hiretext.OrgID, f hiretext.ActivityFilter,
	name string, header []string, loc *time.Location, limit time.Duration) (*download, error) {
	d := newDownload(w, export.CSVMediaType, name).lasting(limit)
	out := export.NewCSV(d)
	if err := out.Row(header...); err != nil {
		return d, err
	}
	err := s.store.EachActivity(ctx, org, f, func(a *hiretext.ActivityRow) error {
		return out.Row(idString(a.MessageID), a.CreatedAt.In(loc).Format(exportTimeLayout), phone.ForSpreadsheet(a.NumberPhone), a.Sender(),
			a.CandidateName, phone.ForSpreadsheet(a.CandidatePhone), directionLabels[a.Direction], a.Body, activityStatus(a),
			a.FailureReason(), a.ErrorCode, strconv.Itoa(a.Segments), a.TemplateName, a.AttachmentsLabel())
	})
	if err != nil {
		return d, err
	}
	return d, out.Finish()
}

func (s *Server) exportXLSX(ctx context.Context, w http.ResponseWriter, org hiretext.OrgID, f hiretext.ActivityFilter,
	name string, header []string, loc *time.Location, limit time.Duration) (*download, error) {
	d := newDownload(w, export.XLSXMediaType, name).lasting(limit)
	out, err := export.NewXLSX(d, "SMS Activity", header, activityWidths)
	if err != nil {
		return nil, err
	}
	defer out.Close()
	values := make([]any, len(header))
	err = s.store.EachActivity(ctx, org, f, func(a *hiretext.ActivityRow) error {
		values[0], values[1], values[2], values[3] = int64(a.MessageID), a.CreatedAt.In(loc), phone.ForSpreadsheet(a.NumberPhone), a.Sender()
		values[4], values[5], values[6], values[7] = a.CandidateName, phone.ForSpreadsheet(a.CandidatePhone), directionLabels[a.Direction], a.Body
		values[8], values[9], values[10], values[11] = activityStatus(a), a.FailureReason(), a.ErrorCode, a.Segments
		values[12], values[13] = a.TemplateName, a.AttachmentsLabel()
		return out.Row(values)
	})
	if err == nil {
		err = s.writeResponseXLSX(ctx, out, org, f)
	}
	if err != nil {
		return d, err
	}
	return d, out.Finish()
}

// apiActivityRow is one text in the API.
type apiActivityRow struct {
	ID             string                 `json:"id"`
	CreatedAt      time.Time              `json:"created_at"`
	NumberID       string                 `json:"number_id"`
	NumberPhone    string                 `json:"number_phone"`
	UserID         *string                `json:"user_id"`
	Sender         *string                `json:"sender"`
	CandidateID    *string                `json:"candidate_id"`
	CandidateName  *string                `json:"candidate_name"`
	CandidatePhone string                 `json:"candidate_phone"`
	Direction      hiretext.Direction     `json:"direction"`
	Kind           hiretext.MessageKind   `json:"kind"`
	Body           string                 `json:"body"`
	Status         hiretext.MessageStatus `json:"status"`
	ErrorCode      *string                `json:"error_code"`
	FailureReason  *string                `json:"failure_reason"`
	Segments       int                    `json:"segments"`
	Template       *string                `json:"template"`    // the template's name when the text was sent
	SendAt         *time.Time             `json:"send_at"`     // when a scheduled text goes; null for any other
	Attachments    int                    `json:"attachments"` // files (pictures) the text came with
}

type apiActivityCounts struct {
	Sent     int `json:"sent"`
	Received int `json:"received"`
	Failed   int `json:"failed"`
	Canceled int `json:"canceled"`
	Segments int `json:"segments"`
}

type apiNumberActivity struct {
	NumberID    string `json:"number_id"`
	PhoneNumber string `json:"phone_number"`
	Released    bool   `json:"released"`
	apiActivityCounts
	Usage []apiMonthUsage `json:"usage"`
}

type apiMonthUsage struct {
	Period           string `json:"period"`
	Used             int    `json:"used"`
	MonthlyAllowance int    `json:"monthly_allowance"`
}

type apiUserActivity struct {
	UserID *string `json:"user_id"`
	Name   string  `json:"name"`
	apiActivityCounts
}

type apiDayActivity struct {
	Date     string `json:"date"`
	Sent     int    `json:"sent"`
	Received int    `json:"received"`
}

type apiActivitySummary struct {
	Totals  apiActivityCounts   `json:"totals"`
	Numbers []apiNumberActivity `json:"numbers"`
	Users   []apiUserActivity   `json:"users"`
	Days    []apiDayActivity    `json:"days"`
}

type apiActivityPage struct {
	From       string              `json:"from"`
	To         string              `json:"to"`
	Timezone   string              `json:"timezone"`
	Messages   []apiActivityRow    `json:"messages"`
	NextCursor *string             `json:"next_cursor"`
	Summary    *apiActivitySummary `json:"summary"`
	Response   *apiResponseReport  `json:"response"` // the response figures, on the first page like the summary
}

// handleAPIReport is GET /api/v1/reports/sms-activity: a JSON page of texts
// (with the period's summary on the first page), or the whole selection as
// CSV or XLSX with format=csv or format=xlsx.
func (s *Server) handleAPIReport(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	qs := r.URL.Query()
	v := hiretext.Validation{}
	format := qs.Get("format")
	if format != "" && format != "json" && format != string(formatCSV) && format != string(formatXLSX) {
		v.Add("format", "Use json, csv or xlsx.")
	}
	limit := queryLimit(qs, v, hiretext.DefaultActivityLimit, hiretext.MaxActivityLimit)
	f, err := s.parseReportForm(r.Context(), p, reportFormFrom(qs))
	if err != nil && hiretext.ErrorCode(err) != hiretext.EInvalid {
		return err
	}
	for field, msg := range hiretext.ErrorFields(err) {
		v.Add(field, msg)
	}
	if err := v.Err(); err != nil {
		return err
	}
	if format == string(formatCSV) || format == string(formatXLSX) {
		return s.exportActivity(w, r, p, f.ActivityFilter, reportFormat(format))
	}
	return s.writeAPIReport(w, r, p, f.ActivityFilter, qs.Get("cursor"), limit)
}

func (s *Server) writeAPIReport(w http.ResponseWriter, r *http.Request, p *principal, f hiretext.ActivityFilter, cursor string, limit int) error {
	page, err := s.store.ActivityPage(r.Context(), p.org.ID, hiretext.ActivityQuery{ActivityFilter: f, Cursor: cursor, Limit: limit})
	if err != nil {
		return err
	}
	loc := p.org.Location()
	out := apiActivityPage{From: f.Period.FromDate(), To: f.Period.ToDate(), Timezone: p.org.Timezone,
		Messages: make([]apiActivityRow, len(page.Rows)), NextCursor: optional(page.NextCursor)}
	for i := range page.Rows {
		out.Messages[i] = toAPIActivityRow(&page.Rows[i], loc)
	}
	if cursor == "" {
		sum, err := s.store.ActivitySummary(r.Context(), p.org.ID, f)
		if err != nil {
			return err
		}
		out.Summary = toAPISummary(sum)
		if out.Response, err = s.apiResponseReport(r.Context(), p.org.ID, f); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func toAPIActivityRow(a *hiretext.ActivityRow, loc *time.Location) apiActivityRow {
	row := apiActivityRow{ID: idString(a.MessageID), CreatedAt: a.CreatedAt.In(loc), NumberID: idString(a.NumberID),
		NumberPhone: a.NumberPhone, UserID: optionalIDString(a.UserID), Sender: optional(a.Sender()),
		CandidateID: optionalIDString(a.CandidateID), CandidateName: optional(a.CandidateName), CandidatePhone: a.CandidatePhone,
		Direction: a.Direction, Kind: a.Kind, Body: a.Body, Status: a.Status, ErrorCode: optional(a.ErrorCode),
		FailureReason: optional(a.FailureReason()), Segments: a.Segments, Template: optional(a.TemplateName), Attachments: a.Attachments}
	if a.Status == hiretext.StatusScheduled && !a.SendAt.IsZero() {
		at := a.SendAt.In(loc)
		row.SendAt = &at
	}
	return row
}

func toAPICounts(c hiretext.ActivityCounts) apiActivityCounts {
	return apiActivityCounts{Sent: c.Sent, Received: c.Received, Failed: c.Failed, Canceled: c.Canceled, Segments: c.Segments}
}

func toAPISummary(s *hiretext.ActivitySummary) *apiActivitySummary {
	out := &apiActivitySummary{Totals: toAPICounts(s.Totals), Numbers: []apiNumberActivity{}, Users: []apiUserActivity{},
		Days: make([]apiDayActivity, len(s.Days))}
	for _, n := range s.Numbers {
		an := apiNumberActivity{NumberID: idString(n.NumberID), PhoneNumber: n.Phone, Released: n.Released,
			apiActivityCounts: toAPICounts(n.ActivityCounts), Usage: []apiMonthUsage{}}
		for _, u := range n.Usage {
			an.Usage = append(an.Usage, apiMonthUsage{Period: u.Period, Used: u.Used, MonthlyAllowance: u.Allowance})
		}
		out.Numbers = append(out.Numbers, an)
	}
	for _, u := range s.Users {
		out.Users = append(out.Users, apiUserActivity{UserID: optionalIDString(u.UserID), Name: u.Name, apiActivityCounts: toAPICounts(u.ActivityCounts)})
	}
	for i, d := range s.Days {
		out.Days[i] = apiDayActivity{Date: d.Day.Format("2006-01-02"), Sent: d.Sent, Received: d.Received}
	}
	return out
}
