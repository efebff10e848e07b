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
// policy's), or in clock hours when it never set any. They are built here
// from the texts in time order, so the rules are tested without a database.

// ResponseWindow is how long after a user's first text a candidate's reply
// counts toward the response rate.
const ResponseWindow = 7 * 24 * time.Hour

// ResponseText is one text the response figures read: a user's text that
// went (not failed, canceled or still scheduled) or a candidate's text that
// is not a keyword (STOP, HELP…), which neither replies nor waits.
type ResponseText struct {
	ConversationID ConversationID
	NumberID       NumberID
	UserID         UserID // the user who wrote it; 0 for the candidate's text
	At             time.Time
}

// Inbound reports whether t is the candidate's.
func (t ResponseText) Inbound() bool { return t.UserID == 0 }

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

// ResponseBuilder builds a ResponseReport from texts given in time order.
// A wait begins with the candidate's first text in the period, or their
// first after a user answered; a user's text ends it. Texts after the
// period are given too (up to ResponseWindow after it), for the replies
// and answers they hold, but begin nothing.
type ResponseBuilder struct {
	end     time.Time
	start   time.Time
	user    UserID // only this user's figures; 0 for all
	measure func(from, to time.Time) time.Duration
	hours   bool
	users   map[UserID]*ResponseFigures
	numbers map[NumberID]*ResponseFigures
	convs   map[ConversationID]*responseConversation
}

// responseConversation is what the builder remembers of a conversation.
type responseConversation struct {
	waitingSince time.Time // zero: no wait
	texted       map[UserID]bool
	numberTexted bool
	pending      []pendingReply // first texts awaiting a reply
}

// pendingReply is a first text whose candidate has not replied yet.
type pendingReply struct {
	figures *ResponseFigures
	at      time.Time
}

// NewResponseBuilder starts the figures of period p for user (0 for every
// user), counting answer times in hours when the company set business
// hours (nil for clock hours), in the period's time zone.
func NewResponseBuilder(p ReportPeriod, hours *Week, user UserID) *ResponseBuilder {
	b := &ResponseBuilder{start: p.Start(), end: p.End(), user: user, hours: hours != nil,
		users: map[UserID]*ResponseFigures{}, numbers: map[NumberID]*ResponseFigures{}, convs: map[ConversationID]*responseConversation{},
		measure: func(from, to time.Time) time.Duration { return to.Sub(from) }}
	if hours != nil {
		loc := p.Location()
		b.measure = func(from, to time.Time) time.Duration { return hours.OpenBetween(from, to, loc) }
	}
	return b
}

// ReadUntil is the end of the texts the builder needs: ResponseWindow
// after the period.
func (b *ResponseBuilder) ReadUntil() time.Time { return b.end.Add(ResponseWindow) }

// Add reads the next text.
func (b *ResponseBuilder) Add(t ResponseText) {
	c := b.convs[t.ConversationID]
	if c == nil {
		c = &responseConversation{texted: map[UserID]bool{}}
		b.convs[t.ConversationID] = c
	}
	inPeriod := !t.At.Before(b.start) && t.At.Before(b.end)
	if t.Inbound() {
		b.reply(c, t.At)
		if c.waitingSince.IsZero() && inPeriod {
			c.waitingSince = t.At
		}
		return
	}
	counted := b.user == 0 || b.user == t.UserID
	if !c.waitingSince.IsZero() {
		if counted {
			d := b.measure(c.waitingSince, t.At)
			for _, f := range []*ResponseFigures{b.userFigures(t.UserID), b.numberFigures(t.NumberID)} {
				f.Answered++
				f.answers = append(f.answers, d)
			}
		}
		c.waitingSince = time.Time{}
	}
	if !inPeriod || !counted {
		return
	}
	if !c.texted[t.UserID] {
		c.texted[t.UserID] = true
		b.firstText(c, b.userFigures(t.UserID), t.At)
	}
	if !c.numberTexted {
		c.numberTexted = true
		b.firstText(c, b.numberFigures(t.NumberID), t.At)
	}
}

// firstText counts a candidate first texted by f's user or number at at.
func (b *ResponseBuilder) firstText(c *responseConversation, f *ResponseFigures, at time.Time) {
	f.Texted++
	c.pending = append(c.pending, pendingReply{figures: f, at: at})
}

// reply credits the first texts the candidate's text at at answers within
// ResponseWindow; older ones can no longer be answered in time.
func (b *ResponseBuilder) reply(c *responseConversation, at time.Time) {
	for _, p := range c.pending {
		if at.Sub(p.at) <= ResponseWindow {
			p.figures.Replied++
		}
	}
	c.pending = c.pending[:0]
}

func (b *ResponseBuilder) userFigures(id UserID) *ResponseFigures {
	if b.users[id] == nil {
		b.users[id] = &ResponseFigures{UserID: id}
	}
	return b.users[id]
}

func (b *ResponseBuilder) numberFigures(id NumberID) *ResponseFigures {
	if b.numbers[id] == nil {
		b.numbers[id] = &ResponseFigures{NumberID: id}
	}
	return b.numbers[id]
}

// Finish computes the medians and returns the report; the caller names
// the users and numbers and sorts them (see SortResponseFigures).
func (b *ResponseBuilder) Finish() *ResponseReport {
	r := &ResponseReport{BusinessHours: b.hours}
	for _, f := range b.users {
		r.ByUser = append(r.ByUser, f.finish())
	}
	for _, f := range b.numbers {
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
