package hiretext

import "time"

// Business hours are a Week read in the company's time zone: escalation
// counts how long a candidate has waited in them, and the SMS Activity
// report the time users took to answer. Like the send windows, everything
// here is arithmetic on a given instant and zone, tested without a clock.

// maxBusinessDays bounds the walk over days: ten years of calendar, far
// past any wait the rules count.
const maxBusinessDays = 3660

// AddOpen returns the instant at which w has been open for d in loc,
// counting from from: 4 business hours after 3 p.m. on a Friday, with
// 9-to-5 weekdays, is 11 a.m. on Monday. It is false when no day is open.
func (w Week) AddOpen(from time.Time, d time.Duration, loc *time.Location) (time.Time, bool) {
	if !w.AnyOpen() {
		return time.Time{}, false
	}
	local := from.In(loc)
	for i := range maxBusinessDays {
		start, end, ok := w.dayWindow(local, i, loc)
		if !ok {
			continue
		}
		start = later(start, from)
		if !end.After(start) {
			continue
		}
		if span := end.Sub(start); span >= d {
			return start.Add(d), true
		}
		d -= end.Sub(start)
	}
	return time.Time{}, false
}

// OpenBetween is how long w is open in loc between from and to (zero when
// to is not after from).
func (w Week) OpenBetween(from, to time.Time, loc *time.Location) time.Duration {
	var total time.Duration
	local := from.In(loc)
	for i := range maxBusinessDays {
		if !wallClock(local.Year(), local.Month(), local.Day()+i, 0, loc).Before(to) {
			break
		}
		start, end, ok := w.dayWindow(local, i, loc)
		if !ok {
			continue
		}
		start, end = later(start, from), earlier(end, to)
		if end.After(start) {
			total += end.Sub(start)
		}
	}
	return total
}

// dayWindow is the open window of the day i days after local's, as
// instants, or false when that day is closed.
func (w Week) dayWindow(local time.Time, i int, loc *time.Location) (start, end time.Time, ok bool) {
	day := w[(int(local.Weekday())+i)%7]
	if day == nil {
		return time.Time{}, time.Time{}, false
	}
	return wallClock(local.Year(), local.Month(), local.Day()+i, day.Start, loc),
		wallClock(local.Year(), local.Month(), local.Day()+i, day.End, loc), true
}

func later(a, b time.Time) time.Time {
	if a.Before(b) {
		return b
	}
	return a
}

func earlier(a, b time.Time) time.Time {
	if a.After(b) {
		return b
	}
	return a
}

// OpenCalendar is a Week laid out over a span of days in a zone. It
// answers OpenBetween for instants inside the span with two look-ups
// instead of a walk over the days between them: the SMS Activity report
// measures every answer of a period, a year of them at a time. Outside the
// span it walks, as Week.OpenBetween does.
type OpenCalendar struct {
	w     Week
	loc   *time.Location
	first int // the span's first day, in days since 1970-01-01 (its local date)
	days  []calendarDay
}

// calendarDay is one day of an OpenCalendar.
type calendarDay struct {
	start, end time.Time     // its open window; both zero when it is closed
	before     time.Duration // how long the span's days before it are open
}

// Calendar lays w out in loc over the days from from's date through to's
// (at most maxBusinessDays of them).
func (w Week) Calendar(from, to time.Time, loc *time.Location) *OpenCalendar {
	local := from.In(loc)
	c := &OpenCalendar{w: w, loc: loc, first: civilDay(local)}
	n := min(civilDay(to.In(loc))-c.first+1, maxBusinessDays)
	var open time.Duration
	for i := range n {
		d := calendarDay{before: open}
		if start, end, ok := w.dayWindow(local, i, loc); ok && end.After(start) {
			d.start, d.end = start, end
			open += end.Sub(start)
		}
		c.days = append(c.days, d)
	}
	return c
}

// OpenBetween is how long the week is open between from and to, as
// Week.OpenBetween says.
func (c *OpenCalendar) OpenBetween(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	a, inA := c.openUntil(from)
	b, inB := c.openUntil(to)
	if !inA || !inB {
		return c.w.OpenBetween(from, to, c.loc)
	}
	return b - a
}

// openUntil is how long the span is open before t, and whether t falls on
// one of its days. A day's window lies within its date, so the days before
// t's count whole and t's own up to t.
func (c *OpenCalendar) openUntil(t time.Time) (time.Duration, bool) {
	i := civilDay(t.In(c.loc)) - c.first
	if i < 0 || i >= len(c.days) {
		return 0, false
	}
	d := c.days[i]
	open := d.before
	if t.After(d.start) {
		open += earlier(t, d.end).Sub(d.start)
	}
	return open, true
}

// civilDay numbers local's date: days since 1970-01-01, from its wall
// clock (the instant plus its zone's offset), rounding down.
func civilDay(local time.Time) int {
	_, offset := local.Zone()
	secs := local.Unix() + int64(offset)
	day := secs / 86400
	if secs%86400 < 0 {
		day--
	}
	return int(day)
}
