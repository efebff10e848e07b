package server

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/export"
	"github.com/hiretext/hiretext/internal/phone"
)

// reportPath is the report's page; its exports add ".csv" and ".xlsx".
const reportPath = "/reports/sms-activity"

// reportForm is the report's filter form as typed: the query parameters of
// the page, its exports and the API.
type reportForm struct {
	From, To, NumberID, UserID, CandidateID, Direction, Status, Sort string
}

func reportFormFrom(q url.Values) reportForm {
	return reportForm{From: q.Get("from"), To: q.Get("to"), NumberID: q.Get("number_id"), UserID: q.Get("user_id"),
		CandidateID: q.Get("candidate_id"), Direction: q.Get("direction"), Status: q.Get("status"), Sort: q.Get("sort")}
}

// values encodes the form for a link, with the cursor when not "".
func (f reportForm) values(cursor string) url.Values {
	v := url.Values{}
	for _, kv := range [][2]string{{"from", f.From}, {"to", f.To}, {"number_id", f.NumberID}, {"user_id", f.UserID},
		{"candidate_id", f.CandidateID}, {"direction", f.Direction}, {"status", f.Status}, {"sort", f.Sort}, {"cursor", cursor}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	return v
}

// url is path with the form's filters (and cursor) as its query.
func (f reportForm) url(path, cursor string) string {
	if q := f.values(cursor).Encode(); q != "" {
		return path + "?" + q
	}
	return path
}

// reportFilter is a checked form: the store's filter and the candidate it
// names, if any.
type reportFilter struct {
	hiretext.ActivityFilter
	Candidate *hiretext.Candidate
}

// parseReportForm checks every field of f at once and turns it into a
// filter. Ids must name a number, user or candidate of the caller's company:
// another company's are refused like ids that do not exist.
func (s *Server) parseReportForm(ctx context.Context, p *principal, f reportForm) (reportFilter, error) {
	v := hiretext.Validation{}
	var out reportFilter
	period, err := hiretext.NewReportPeriod(f.From, f.To, p.org.Location(), s.cfg.Clock.Now())
	for field, msg := range hiretext.ErrorFields(err) {
		v.Add(field, msg)
	}
	out.Period = period
	out.Direction, out.Status = hiretext.Direction(f.Direction), hiretext.MessageStatus(f.Status)
	for field, msg := range hiretext.ErrorFields(hiretext.ActivityFilter{Period: period, Direction: out.Direction, Status: out.Status}.Validate()) {
		if field != "from" {
			v.Add(field, msg)
		}
	}
	switch f.Sort {
	case "", "newest":
	case "oldest":
		out.OldestFirst = true
	default:
		v.Add("sort", "Sort by newest or oldest first.")
	}
	if id, ok := reportID(f.NumberID, "number_id", "Choose a number from the list.", v); ok {
		_, err := s.store.NumberByID(ctx, p.org.ID, hiretext.NumberID(id))
		if err := lookupField(err, v, "number_id", "Choose a number from the list."); err != nil {
			return out, err
		}
		out.NumberID = hiretext.NumberID(id)
	}
	if id, ok := reportID(f.UserID, "user_id", "Choose a user from the list.", v); ok {
		_, err := s.store.UserByID(ctx, p.org.ID, hiretext.UserID(id))
		if err := lookupField(err, v, "user_id", "Choose a user from the list."); err != nil {
			return out, err
		}
		out.UserID = hiretext.UserID(id)
	}
	if id, ok := reportID(f.CandidateID, "candidate_id", "No such candidate.", v); ok {
		c, err := s.store.CandidateByID(ctx, p.org.ID, hiretext.CandidateID(id))
		if err := lookupField(err, v, "candidate_id", "No such candidate."); err != nil {
			return out, err
		}
		if c != nil {
			out.CandidateID, out.Candidate = c.ID, c
		}
	}
	return out, v.Err()
}

// reportID reads an optional id parameter, recording msg for field in v when
// it is not an id (see parseID).
func reportID(raw, field, msg string, v hiretext.Validation) (int64, bool) {
	if raw == "" {
		return 0, false
	}
	id, ok := parseID[int64](raw)
	if !ok {
		v.Add(field, msg)
	}
	return id, ok
}

// lookupField records msg for field when a lookup found nothing, and
// returns any other error.
func lookupField(err error, v hiretext.Validation, field, msg string) error {
	if hiretext.ErrorCode(err) == hiretext.ENotFound {
		v.Add(field, msg)
		return nil
	}
	return err
}

// reportOption is one choice of a filter's select.
type reportOption struct {
	Value, Label string
}

type reportPage struct {
	Page     Page
	Form     reportForm
	Errors   map[string]string
	Error    string // what is wrong with the filters, all at once
	Timezone string
	Numbers  []reportOption
	Users    []reportOption
	// Candidate is the candidate filter's name, with a link that removes it.
	Candidate, CandidateClearURL string
	Directions, Statuses         []reportOption
	OldestFirst                  bool
	Period                       string // "Mar 1 – Mar 31, 2026"
	Summary                      *reportSummary
	Chart                        *export.Chart
	Rows                         []reportRow
	NextURL, FirstURL            string
	SortURL                      string // the same filters in the other order
	CSVURL, XLSXURL              string
	Response                     *responseSection // response rates and answer times, per user and number
}

// reportRow is one text of the report's table.
type reportRow struct {
	Date, Clock             string // in the company's time zone: "Mar 31, 2026", "11:30 PM CDT"
	Number, Sender          string
	Candidate, CandidateURL string // CandidateURL narrows the report to the candidate
	CandidatePhone          string
	Direction, Body, Status string
	StatusClass, Failure    string
	Segments                int
	Template                string // the template the text came from, as named when sent
	Attachments             string // "1 attachment", or ""
}

var directionLabels = map[hiretext.Direction]string{hiretext.Outbound: "Outbound", hiretext.Inbound: "Inbound"}

// handleReport is Reports → SMS Activity: the filters, the summary and chart
// of the period, and a page of texts.
func (s *Server) handleReport(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	qs := r.URL.Query()
	form := reportFormFrom(qs)
	data := &reportPage{Page: s.page(w, r, "SMS Activity"), Form: form, Timezone: p.org.Timezone,
		Directions: []reportOption{{"outbound", "Outbound (sent)"}, {"inbound", "Inbound (received)"}}, OldestFirst: form.Sort == "oldest"}
	if err := s.reportOptions(r.Context(), p, data); err != nil {
		return err
	}
	f, err := s.parseReportForm(r.Context(), p, form)
	var page *hiretext.ActivityPage
	if err == nil {
		page, err = s.store.ActivityPage(r.Context(), p.org.ID, hiretext.ActivityQuery{ActivityFilter: f.ActivityFilter, Cursor: qs.Get("cursor")})
	}
	if hiretext.ErrorCode(err) == hiretext.EInvalid {
		data.Errors, data.Error = hiretext.ErrorFields(err), fieldMessages(err)
		return s.render(w, r, http.StatusUnprocessableEntity, "report_sms", data)
	}
	if err != nil {
		return err
	}
	sum, err := s.store.ActivitySummary(r.Context(), p.org.ID, f.ActivityFilter)
	if err != nil {
		return err
	}
	s.fillReport(data, p, f, sum, page, qs.Get("cursor"))
	if data.Response, err = s.responseSectionFor(r.Context(), p, f.ActivityFilter, data.Form); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "report_sms", data)
}

// reportOptions lists the company's numbers and users for the filters.
func (s *Server) reportOptions(ctx context.Context, p *principal, data *reportPage) error {
	nums, err := s.store.ListNumbers(ctx, p.org.ID)
	if err != nil {
		return err
	}
	for _, n := range nums {
		label := phone.Format(n.Phone)
		if !n.Active() {
			label += " (released)"
		}
		data.Numbers = append(data.Numbers, reportOption{idString(n.ID), label})
	}
	users, err := s.store.ListUsers(ctx, p.org.ID)
	if err != nil {
		return err
	}
	for _, u := range users {
		label := u.Name
		if !u.Active {
			label += " (deactivated)"
		}
		data.Users = append(data.Users, reportOption{idString(u.ID), label})
	}
	for _, st := range []hiretext.MessageStatus{hiretext.StatusScheduled, hiretext.StatusQueued, hiretext.StatusSending, hiretext.StatusSent, hiretext.StatusDelivered,
		hiretext.StatusUndelivered, hiretext.StatusFailed, hiretext.StatusCanceled, hiretext.StatusReceived} {
		data.Statuses = append(data.Statuses, reportOption{string(st), statusLabels[st]})
	}
	return nil
}

// fillReport puts the summary, the chart and the page of rows into data.
func (s *Server) fillReport(data *reportPage, p *principal, f reportFilter, sum *hiretext.ActivitySummary, page *hiretext.ActivityPage, cursor string) {
	// The form and links show the dates the defaults chose, so "this month"
	// stays the same month across pages and in the downloads.
	data.Form.From, data.Form.To = f.Period.FromDate(), f.Period.ToDate()
	form := data.Form
	data.Period = periodLabel(f.Period)
	data.Summary = newReportSummary(sum)
	if t := sum.Totals; t.Sent+t.Received+t.Failed+t.Canceled > 0 { // an empty period draws no empty chart
		data.Chart = export.NewChart(sum.Days, data.Period)
	}
	data.Rows = reportRows(page.Rows, p.org.Location(), form)
	if f.Candidate != nil {
		clear := form
		clear.CandidateID = ""
		data.Candidate, data.CandidateClearURL = f.Candidate.Name(), clear.url(reportPath, "")
	}
	if page.NextCursor != "" {
		data.NextURL = form.url(reportPath, page.NextCursor)
	}
	if cursor != "" {
		data.FirstURL = form.url(reportPath, "")
	}
	other := form
	other.Sort = "oldest"
	if f.OldestFirst {
		other.Sort = ""
	}
	data.SortURL = other.url(reportPath, "")
	data.CSVURL, data.XLSXURL = form.url(reportPath+".csv", ""), form.url(reportPath+".xlsx", "")
}

// periodLabel names a period for people: "Mar 1 – Mar 31, 2026".
func periodLabel(p hiretext.ReportPeriod) string {
	if p.First.Equal(p.Last) {
		return p.First.Format("Jan 2, 2006")
	}
	if p.First.Year() == p.Last.Year() {
		return p.First.Format("Jan 2") + " – " + p.Last.Format("Jan 2, 2006")
	}
	return p.First.Format("Jan 2, 2006") + " – " + p.Last.Format("Jan 2, 2006")
}

// activityStatus is a report row's status as the page and its exports
// show it: a text still scheduled shows the minute it waits for
// ("Scheduled · 9:00 AM Dec 2, their time").
func activityStatus(r *hiretext.ActivityRow) string {
	if r.Status == hiretext.StatusScheduled && !r.SendAt.IsZero() {
		return scheduledLabel(r.SendAt, r.CandidatePhone)
	}
	return statusLabels[r.Status]
}

// reportRows formats a page of texts; each candidate links to the report
// narrowed to them.
func reportRows(rows []hiretext.ActivityRow, loc *time.Location, form reportForm) []reportRow {
	out := make([]reportRow, len(rows))
	for i := range rows {
		r := &rows[i]
		at := r.CreatedAt.In(loc)
		row := reportRow{Date: at.Format("Jan 2, 2006"), Clock: at.Format("3:04 PM MST"), Number: phone.Format(r.NumberPhone), Sender: r.Sender(),
			Candidate: r.CandidateName, CandidatePhone: formatOptional(r.CandidatePhone),
			Direction: directionLabels[r.Direction], Body: r.Body,
			Status: activityStatus(r), StatusClass: statusClass(r.Status), Failure: r.FailureReason(), Segments: r.Segments,
			Template: r.TemplateName, Attachments: r.AttachmentsLabel()}
		if r.CandidateID != 0 {
			narrow := form
			narrow.CandidateID = idString(r.CandidateID)
			row.CandidateURL = narrow.url(reportPath, "")
		}
		out[i] = row
	}
	return out
}

// statusClass picks the badge colour of a status.
func statusClass(s hiretext.MessageStatus) string {
	switch {
	case hiretext.Failed(s):
		return "badge-danger"
	case s == hiretext.StatusCanceled:
		return "badge-warn"
	case s == hiretext.StatusDelivered || s == hiretext.StatusReceived:
		return "badge-ok"
	}
	return "badge-muted"
}

// reportSummary is the summary as the page shows it.
type reportSummary struct {
	Totals  hiretext.ActivityCounts
	Numbers []reportNumber
	Users   []hiretext.UserActivity
}

type reportNumber struct {
	Phone    string
	Released bool
	hiretext.ActivityCounts
	Usage []reportUsage
}

type reportUsage struct {
	Month                    string // "Mar 2026"
	Used, Allowance, Percent int
	Class                    string // usage-warn at 90%, usage-max at the maximum
}

func newReportSummary(sum *hiretext.ActivitySummary) *reportSummary {
	out := &reportSummary{Totals: sum.Totals, Users: sum.Users}
	for _, n := range sum.Numbers {
		rn := reportNumber{Phone: phone.Format(n.Phone), Released: n.Released, ActivityCounts: n.ActivityCounts}
		for _, u := range n.Usage {
			month, _ := time.Parse("2006-01", u.Period)
			ru := reportUsage{Month: month.Format("Jan 2006"), Used: u.Used, Allowance: u.Allowance, Percent: u.Percent()}
			switch {
			case u.Exhausted():
				ru.Class = "usage-max"
			case u.NearLimit():
				ru.Class = "usage-warn"
			}
			rn.Usage = append(rn.Usage, ru)
		}
		out.Numbers = append(out.Numbers, rn)
	}
	return out
}
