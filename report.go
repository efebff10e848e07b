package hiretext

import (
	"context"
	"strconv"
	"time"
)

// The SMS Activity report lists every text of a company, in both directions,
// for administrators and users with PermSMSReport. It is the only place where
// administrators who are not assigned to a number see texts.

// MaxReportDays bounds a report's period: a year, leap day included.
const MaxReportDays = 366

// dateLayout is how report periods name days: "2026-03-31".
const dateLayout = "2006-01-02"

// ReportPeriod is a span of whole calendar days in the company's time zone,
// both ends included. First and Last are midnight of those days in that zone.
type ReportPeriod struct {
	First, Last time.Time
}

// NewReportPeriod reads a period from "YYYY-MM-DD" dates in loc, the
// company's time zone. An empty to means today; an empty from means the first
// day of to's month, so no dates at all mean this month so far. Errors name
// the fields "from" and "to".
func NewReportPeriod(from, to string, loc *time.Location, now time.Time) (ReportPeriod, error) {
	v := Validation{}
	today := now.In(loc)
	last, ok := parseDay(to, loc, time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc))
	if !ok {
		v.Add("to", "Enter the end date as YYYY-MM-DD, for example 2026-03-31.")
	}
	first, ok := parseDay(from, loc, time.Date(last.Year(), last.Month(), 1, 0, 0, 0, 0, loc))
	if !ok {
		v.Add("from", "Enter the start date as YYYY-MM-DD, for example 2026-03-01.")
	}
	if err := v.Err(); err != nil {
		return ReportPeriod{}, err
	}
	p := ReportPeriod{First: first, Last: last}
	switch {
	case last.Before(first):
		v.Add("to", "The end date is before the start date.")
	case p.Days() > MaxReportDays:
		v.Add("to", "Choose at most 366 days (a year) at a time.")
	}
	return p, v.Err()
}

// parseDay reads a "YYYY-MM-DD" date as midnight in loc, or returns def for
// an empty string.
func parseDay(s string, loc *time.Location, def time.Time) (time.Time, bool) {
	if s == "" {
		return def, true
	}
	t, err := time.ParseInLocation(dateLayout, s, loc)
	if err != nil || len(s) != len(dateLayout) {
		return def, false
	}
	return t, true
}

// Location returns the time zone of the period's days.
func (p ReportPeriod) Location() *time.Location { return p.First.Location() }

// Start returns the first instant of the period.
func (p ReportPeriod) Start() time.Time { return p.First }

// End returns the first instant after the period: midnight after its last
// day, which is not always 24 hours after the last midnight.
func (p ReportPeriod) End() time.Time { return nextDay(p.Last) }

func nextDay(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, t.Location())
}

// Days returns how many calendar days the period spans.
func (p ReportPeriod) Days() int {
	a := time.Date(p.First.Year(), p.First.Month(), p.First.Day(), 0, 0, 0, 0, time.UTC)
	b := time.Date(p.Last.Year(), p.Last.Month(), p.Last.Day(), 0, 0, 0, 0, time.UTC)
	return int(b.Sub(a)/(24*time.Hour)) + 1
}

// EachDay returns midnight of every day of the period, in order.
func (p ReportPeriod) EachDay() []time.Time {
	days := make([]time.Time, 0, p.Days())
	for d := p.First; !d.After(p.Last); d = nextDay(d) {
		days = append(days, d)
	}
	return days
}

// Months returns the allowance periods ("YYYY-MM") the period touches,
// oldest first.
func (p ReportPeriod) Months() []string {
	if p.Last.Before(p.First) {
		return nil
	}
	last := p.Last.Format(periodLayout)
	var out []string
	for m := time.Date(p.First.Year(), p.First.Month(), 1, 0, 0, 0, 0, time.UTC); ; m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format(periodLayout))
		if out[len(out)-1] == last {
			return out
		}
	}
}

// FromDate formats the first day of the period as "YYYY-MM-DD".
func (p ReportPeriod) FromDate() string { return p.First.Format(dateLayout) }

// ToDate formats the last day of the period as "YYYY-MM-DD".
func (p ReportPeriod) ToDate() string { return p.Last.Format(dateLayout) }

// ActivityFilter selects the texts of the SMS Activity report: those of the
// period, narrowed by any of the other fields (zero means any).
type ActivityFilter struct {
	Period      ReportPeriod
	NumberID    NumberID
	UserID      UserID // the sender of outbound texts
	CandidateID CandidateID
	Direction   Direction
	Status      MessageStatus
	OldestFirst bool // sort oldest first; newest first otherwise
}

// Validate checks the direction and status. Errors name the fields
// "direction" and "status".
func (f ActivityFilter) Validate() error {
	v := Validation{}
	if f.Direction != "" && f.Direction != Outbound && f.Direction != Inbound {
		v.Add("direction", "Choose outbound or inbound.")
	}
	if f.Status != "" && !f.Status.Valid() {
		v.Add("status", "Choose a status from the list.")
	}
	if f.Period.First.IsZero() {
		v.Add("from", "Choose the dates to report on.")
	}
	return v.Err()
}

// ActivityQuery asks for one page of the report.
type ActivityQuery struct {
	ActivityFilter
	Cursor string // from the previous page's NextCursor; "" for the first page
	Limit  int    // rows per page; 0 means DefaultActivityLimit
}

// Report page sizes.
const (
	DefaultActivityLimit = 50
	MaxActivityLimit     = 500
)

// ActivityRow is one text as the report shows it.
type ActivityRow struct {
	MessageID      MessageID
	CreatedAt      time.Time
	NumberID       NumberID
	NumberPhone    string // E.164
	UserID         UserID // the sender of a recruiter's text; 0 otherwise
	UserName       string
	CandidateID    CandidateID // 0 for an unknown sender
	CandidateName  string
	CandidatePhone string // the remote phone: the recipient of outbound texts, the sender of inbound ones
	Direction      Direction
	Kind           MessageKind
	Body           string
	Status         MessageStatus
	ErrorCode      string
	ErrorMessage   string
	Segments       int
	TemplateName   string // the template a recruiter's text came from, as named when sent; "" for none
	// SendAt is the minute a held or scheduled text goes (kept once it
	// went); zero for a text that never waited.
	SendAt time.Time
	// Attachments counts the files (pictures) the text came with.
	Attachments int
}

// AttachmentsLabel lists the text's files as the report shows them:
// "1 attachment", "3 attachments", or "" for none.
func (r *ActivityRow) AttachmentsLabel() string {
	switch r.Attachments {
	case 0:
		return ""
	case 1:
		return "1 attachment"
	}
	return strconv.Itoa(r.Attachments) + " attachments"
}

// FailureReason is why the text was not sent or delivered, or "".
func (r *ActivityRow) FailureReason() string {
	if Failed(r.Status) || r.Status == StatusCanceled {
		return r.ErrorMessage
	}
	return ""
}

// Sender names who sent an outbound text: the user, or "Automatic reply"
// for the answers to STOP, START and HELP; "" for inbound texts.
func (r *ActivityRow) Sender() string {
	switch {
	case r.Direction != Outbound:
		return ""
	case r.Kind == KindKeywordReply:
		return "Automatic reply"
	}
	return r.UserName
}

// ActivityPage is one page of the report.
type ActivityPage struct {
	Rows       []ActivityRow
	NextCursor string // "" on the last page
}

// Failed reports whether an outbound text with status s failed: not sent,
// or not delivered by the carrier.
func Failed(s MessageStatus) bool { return s == StatusFailed || s == StatusUndelivered }

// ActivityCounts totals texts: sent (outbound texts that have not failed and
// were not canceled, including those still queued), received, failed and
// canceled, and the segments of all of them.
type ActivityCounts struct {
	Sent, Received, Failed, Canceled int
	Segments                         int
}

// Add counts n texts of one direction and status, with their segments.
func (c *ActivityCounts) Add(d Direction, s MessageStatus, n, segments int) {
	switch {
	case d == Inbound:
		c.Received += n
	case Failed(s):
		c.Failed += n
	case s == StatusCanceled:
		c.Canceled += n
	default:
		c.Sent += n
	}
	c.Segments += segments
}

// NumberActivity is one number's share of the report, with its allowance
// usage in each month the period touches.
type NumberActivity struct {
	NumberID NumberID
	Phone    string
	Released bool
	ActivityCounts
	Usage []Usage // one per month of the period, oldest first
}

// UserActivity is one sender's share: a user, or (UserID 0) the automatic
// replies to keywords.
type UserActivity struct {
	UserID UserID
	Name   string
	ActivityCounts
}

// DayActivity counts one day's texts, in the company's time zone.
type DayActivity struct {
	Day      time.Time // midnight
	Sent     int
	Received int
}

// ActivitySummary totals the texts a filter selects.
type ActivitySummary struct {
	Totals  ActivityCounts
	Numbers []NumberActivity // by phone
	Users   []UserActivity   // by name; automatic replies last
	Days    []DayActivity    // every day of the period
}

// ReportService reads the SMS Activity report. Every method takes the
// organization explicitly and sees only its texts.
type ReportService interface {
	// ActivityPage returns one page of texts, keyset-paginated by time.
	ActivityPage(ctx context.Context, org OrgID, q ActivityQuery) (*ActivityPage, error)
	// EachActivity calls fn with every text the filter selects, in order,
	// reading them from the database as it goes (for exports). fn must not
	// keep the row. An error from fn stops the iteration and is returned.
	EachActivity(ctx context.Context, org OrgID, f ActivityFilter, fn func(*ActivityRow) error) error
	// ActivitySummary totals the texts the filter selects.
	ActivitySummary(ctx context.Context, org OrgID, f ActivityFilter) (*ActivitySummary, error)
}
