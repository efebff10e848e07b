package hiretext

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// The monthly allowance: each number may send and receive so many messages
// per calendar month of its company's time zone. Sent and received messages
// count alike; sending stops at the maximum, receiving never does. Unused
// messages do not carry over.

// WarnPercent is the share of the allowance at which users are warned.
const WarnPercent = 90

// periodLayout formats a period: the year and month, "2026-03".
const periodLayout = "2006-01"

// Period returns the allowance period containing t: its calendar month in
// loc (the company's time zone), as "YYYY-MM".
func Period(t time.Time, loc *time.Location) string {
	return t.In(loc).Format(periodLayout)
}

// PeriodResetsAt returns when the period containing t ends: the first
// instant of the next calendar month in loc.
func PeriodResetsAt(t time.Time, loc *time.Location) time.Time {
	local := t.In(loc)
	return time.Date(local.Year(), local.Month()+1, 1, 0, 0, 0, 0, loc)
}

// PeriodStart returns the first instant of period ("YYYY-MM") in loc, or an
// EInvalid error naming the field "month" when period is malformed.
func PeriodStart(period string, loc *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation(periodLayout, period, loc)
	if err != nil || len(period) != len(periodLayout) {
		return time.Time{}, FieldError("Give the month as YYYY-MM, for example 2026-03.",
			map[string]string{"month": "Use the form YYYY-MM."})
	}
	return t, nil
}

// UsagePeriodStart checks that period ("YYYY-MM") is a month a number has
// usage for — from first, the month the number was added, to current, the
// month now, both periods in loc, the company's time zone — and returns
// its first instant in loc. Errors are EInvalid on the field "month" and
// say which months are available.
func UsagePeriodStart(period, first, current string, loc *time.Location) (time.Time, error) {
	start, err := PeriodStart(period, loc)
	if err != nil {
		return start, err
	}
	available := "Use a month from " + first + " to " + current + "."
	if first == current {
		available = "Use " + current + ": the number was added this month."
	}
	switch {
	case period < first:
		return time.Time{}, FieldError("The number was added in "+first+"; it has no usage before. "+available,
			map[string]string{"month": available})
	case period > current:
		return time.Time{}, FieldError("That month has not started yet. "+available, map[string]string{"month": available})
	}
	return start, nil
}

// Usage is one number's use of its allowance in one period.
type Usage struct {
	NumberID  NumberID
	Period    string // "YYYY-MM" in the company's time zone
	Allowance int
	Used      int       // may exceed Allowance: received messages always count
	ResetsAt  time.Time // first instant of the next period
}

// Remaining returns how many messages may still be sent this period.
func (u Usage) Remaining() int { return max(u.Allowance-u.Used, 0) }

// Percent returns the share of the allowance used, rounded down (100 and
// more at the maximum; an allowance of 0 counts as fully used).
func (u Usage) Percent() int {
	if u.Allowance <= 0 {
		return 100
	}
	return u.Used * 100 / u.Allowance
}

// NearLimit reports whether WarnPercent of the allowance is used.
func (u Usage) NearLimit() bool { return u.Used*100 >= u.Allowance*WarnPercent }

// Exhausted reports whether the allowance is used up, so sending stops.
func (u Usage) Exhausted() bool { return u.Used >= u.Allowance }

// CanSend reports whether n more messages fit in the allowance.
func (u Usage) CanSend(n int) bool { return u.Used+n <= u.Allowance }

// AllowanceExceeded returns the EAllowanceExceeded error for a send of n
// messages that usage cannot cover, saying how many remain and when the
// allowance resets (a date in loc, the company's time zone).
func AllowanceExceeded(u Usage, n int, loc *time.Location) *Error {
	resets := u.ResetsAt.In(loc).Format("Jan 2")
	if u.Remaining() == 0 {
		return Errorf(EAllowanceExceeded, "All %d messages of this number's monthly allowance are used; the allowance resets on %s.",
			u.Allowance, resets)
	}
	verb := "remain"
	if u.Remaining() == 1 {
		verb = "remains"
	}
	return Errorf(EAllowanceExceeded, "Only %d of %d messages %s this month (this needs %d); the allowance resets on %s.",
		u.Remaining(), u.Allowance, verb, n, resets)
}

// AlertKind names an allowance threshold.
type AlertKind string

// The thresholds. Each fires at most once per number per period.
const (
	AlertAllowance90  AlertKind = "allowance_90"  // WarnPercent of the allowance used
	AlertAllowanceMax AlertKind = "allowance_max" // the allowance used up: sending stops
)

// AllowanceAlert is a threshold a number just crossed. Each user assigned to
// the number got a notification; the caller publishes the alert after commit.
type AllowanceAlert struct {
	OrgID     OrgID
	NumberID  NumberID
	Phone     string // E.164
	Kind      AlertKind
	Period    string
	Used      int
	Allowance int
	ResetsAt  time.Time
	UserIDs   []UserID // who was notified
	// NotificationIDs are the notifications recorded, one per user of
	// UserIDs, in the same order.
	NotificationIDs []NotificationID
}

// UsageChange is the outcome of reserving or counting messages against a
// number's allowance: the usage after the change and any alerts it fired.
type UsageChange struct {
	Usage  Usage
	Count  int // messages reserved or counted
	Alerts []AllowanceAlert
}

// MonthOutlook is a number's allowance in a month that may lie ahead, as a
// user scheduling a text into it sees it: what is used so far and how many
// texts are scheduled into it. A scheduled text holds no allowance; it
// counts in the month it goes (see SendPolicy), so Scheduled is what that
// month will have to cover, not a reservation.
type MonthOutlook struct {
	Usage
	Scheduled int // texts of the number waiting to go in the month (not sent, not canceled)
}

// Sentence says it for the composer: "January: 0 of 500 used, 12 already
// scheduled", the month named in loc, the company's time zone.
func (o MonthOutlook) Sentence(loc *time.Location) string {
	start, err := PeriodStart(o.Period, loc)
	if err != nil {
		return ""
	}
	scheduled := "none scheduled yet"
	if o.Scheduled > 0 {
		scheduled = strconv.Itoa(o.Scheduled) + " already scheduled"
	}
	return fmt.Sprintf("%s: %d of %d used, %s.", start.Format("January 2006"), o.Used, o.Allowance, scheduled)
}

// AllowanceService reads numbers' usage of their allowances. Reserving and
// counting happen inside the store's transactions that record the messages
// (a send, an inbound text), so a message and its use of the allowance
// commit together.
type AllowanceService interface {
	// Usage returns a number's usage in period ("YYYY-MM"; "" for the current one).
	Usage(ctx context.Context, org OrgID, number NumberID, period string) (Usage, error)
	// MonthOutlook returns a number's allowance in period ("YYYY-MM", the
	// current month or a later one) with the texts scheduled into it.
	MonthOutlook(ctx context.Context, org OrgID, number NumberID, period string) (MonthOutlook, error)
}
