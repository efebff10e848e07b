package hiretext

import (
	"context"
	"slices"
	"time"
)

// The SMS Activity report's response figures, per user and per number: how
// many of the candidates a user (or a number) first texted in the period
// replied within ResponseWindow, and how long users took to answer a
// candidate's text, counted in the company's business hours (its escalation
// policy's), or in clock hours when it never set any. The store keeps small
// facts about the texts as it writes them and ResponseTally adds them up.
// A user's text counts once it goes (not failed, canceled or still held); a
// candidate's text counts unless it is a keyword (STOP, HELP…), which
// neither replies nor waits.

// ResponseWindow is how long after a user's first text a candidate's reply
// counts toward the response rate.
const ResponseWindow = 7 * 24 * time.Hour

// ResponseFigures are one user's or one number's figures.
type ResponseFigures struct {
	UserID   UserID   // 0 in a number's figures
	NumberID NumberID // 0 in a user's figures
	Name     string   // the user's name, or the number's phone in E.164
	// Texted counts the candidates first texted in the period; Replied
	// those of them who replied within ResponseWindow of that text.
	Texted, Replied int
	// Answered counts the candidates' texts answered (the first of each
	// wait that began in the period); MedianAnswer is the median time to
	// the answer, in business hours or clock hours (ResponseReport.BusinessHours).
	Answered     int
	MedianAnswer time.Duration
	answers      []time.Duration
}

// RatePercent is the response rate, rounded to a whole percent; false when
// nobody was texted.
func (f *ResponseFigures) RatePercent() (int, bool) {
	if f.Texted == 0 {
		return 0, false
	}
	return (200*f.Replied + f.Texted) / (2 * f.Texted), true
}

// ResponseReport holds the response figures of a period.
type ResponseReport struct {
	// BusinessHours is true when answer times count the company's business
	// hours; false when it set none, and they count clock hours.
	BusinessHours bool
	ByUser        []*ResponseFigures // by name
	ByNumber      []*ResponseFigures // by phone
}

// ResponseTally adds up response figures from what the store kept of the
// texts (see docs/architecture.md, "Response figures"): each candidate first
// texted in the period, with whether they replied in time. The store adds
// the answer times and medians itself (mostly in the database); Answer
// counts one answer with its two instants, measured as the store measures
// it, for a replay of the texts (the store's tests compare the two). Answer
// times are measured when the report is read, so they follow the business
// hours the company has now.
type ResponseTally struct {
	measure func(from, to time.Time) time.Duration
	hours   bool
	users   map[UserID]*ResponseFigures
	numbers map[NumberID]*ResponseFigures
}

// NewResponseTally starts the figures of a period in loc, counting answer
// times in hours when the company set business hours (nil for clock hours).
func NewResponseTally(loc *time.Location, hours *Week) *ResponseTally {
	t := &ResponseTally{hours: hours != nil, users: map[UserID]*ResponseFigures{}, numbers: map[NumberID]*ResponseFigures{},
		measure: func(from, to time.Time) time.Duration { return to.Sub(from) }}
	if hours != nil {
		t.measure = func(from, to time.Time) time.Duration { return hours.OpenBetween(from, to, loc) }
	}
	return t
}

// TextedByUser counts a candidate user first texted in the period, and
// whether they replied within ResponseWindow of that text.
func (t *ResponseTally) TextedByUser(user UserID, replied bool) { t.userFigures(user).texted(replied) }

// TextedByNumber counts a candidate first texted from number in the period.
func (t *ResponseTally) TextedByNumber(number NumberID, replied bool) {
	t.numberFigures(number).texted(replied)
}

// Answer counts user's answer, from number at to, to a wait that began at
// from.
func (t *ResponseTally) Answer(user UserID, number NumberID, from, to time.Time) {
	d := t.measure(from, to)
	for _, f := range []*ResponseFigures{t.userFigures(user), t.numberFigures(number)} {
		f.Answered++
		f.answers = append(f.answers, d)
	}
}

func (f *ResponseFigures) texted(replied bool) {
	f.Texted++
	if replied {
		f.Replied++
	}
}

func (t *ResponseTally) userFigures(id UserID) *ResponseFigures {
	if t.users[id] == nil {
		t.users[id] = &ResponseFigures{UserID: id}
	}
	return t.users[id]
}

func (t *ResponseTally) numberFigures(id NumberID) *ResponseFigures {
	if t.numbers[id] == nil {
		t.numbers[id] = &ResponseFigures{NumberID: id}
	}
	return t.numbers[id]
}

// Finish computes the medians and returns the report; the caller names
// the users and numbers and sorts them (see SortResponseFigures).
func (t *ResponseTally) Finish() *ResponseReport {
	r := &ResponseReport{BusinessHours: t.hours}
	for _, f := range t.users {
		r.ByUser = append(r.ByUser, f.finish())
	}
	for _, f := range t.numbers {
		r.ByNumber = append(r.ByNumber, f.finish())
	}
	return r
}

// finish sets the median answer time.
func (f *ResponseFigures) finish() *ResponseFigures {
	if n := len(f.answers); n > 0 {
		slices.Sort(f.answers)
		f.MedianAnswer = f.answers[n/2]
		if n%2 == 0 {
			f.MedianAnswer = (f.answers[n/2-1] + f.answers[n/2]) / 2
		}
	}
	f.answers = nil
	return f
}

// SortResponseFigures orders figures by name, then id, as the page lists them.
func SortResponseFigures(figures []*ResponseFigures) {
	slices.SortFunc(figures, func(a, b *ResponseFigures) int {
		if a.Name != b.Name {
			if a.Name < b.Name {
				return -1
			}
			return 1
		}
		return int(a.UserID-b.UserID) + int(a.NumberID-b.NumberID)
	})
}

// ResponseReportService computes the SMS Activity report's response
// figures for the period, number, user and candidate of a filter (its
// direction and status do not apply: a response needs both).
type ResponseReportService interface {
	ResponseReport(ctx context.Context, org OrgID, f ActivityFilter) (*ResponseReport, error)
}
