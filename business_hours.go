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
