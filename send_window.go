package hiretext

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Quiet hours are kept as the window in which texting is allowed, per
// weekday, in the candidate's local time. Everything here is arithmetic on
// time.Time and *time.Location: the caller resolves the candidate's zones
// (internal/phone knows which zones a phone's prefix covers) and passes
// them in, so the rules are tested with a fixed instant and no clock.

// MinutesPerDay is the end of a window that runs to midnight ("24:00").
const MinutesPerDay = 24 * 60

// Window is the stretch of one day in which texting is allowed, in minutes
// after local midnight: from Start (included) to End (excluded); End may be
// MinutesPerDay, which a form writes "24:00".
type Window struct {
	Start, End int
}

// ParseWindow reads a window written as two clock times, "09:00" and
// "20:00"; "24:00" may end a day, and the end must come after the start.
func ParseWindow(start, end string) (Window, error) {
	s, err := parseClock(start, false)
	if err != nil {
		return Window{}, err
	}
	e, err := parseClock(end, true)
	if err != nil {
		return Window{}, err
	}
	if e <= s {
		return Window{}, Errorf(EInvalid, "The window must end after it starts (%s–%s).", start, end)
	}
	return Window{Start: s, End: e}, nil
}

// parseClock reads "HH:MM" as minutes after midnight; "24:00" only when
// asEnd.
func parseClock(s string, asEnd bool) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	switch {
	case !ok || len(h) != 2 || len(m) != 2 || err1 != nil || err2 != nil:
	case hh == 24 && mm == 0 && asEnd:
		return MinutesPerDay, nil
	case hh >= 0 && hh < 24 && mm >= 0 && mm < 60:
		return hh*60 + mm, nil
	}
	if asEnd {
		return 0, Errorf(EInvalid, "Write the time as HH:MM, from 00:00 to 24:00 (%q).", s)
	}
	return 0, Errorf(EInvalid, "Write the time as HH:MM, from 00:00 to 23:59 (%q).", s)
}

// ClockTime returns a minute of the day as a form writes it: "09:00", "24:00".
func ClockTime(minute int) string {
	return fmt.Sprintf("%02d:%02d", minute/60, minute%60)
}

// String writes w as "09:00–20:00".
func (w Window) String() string { return ClockTime(w.Start) + "–" + ClockTime(w.End) }

// intersect returns the part of w inside o, or nil when they do not overlap.
func (w Window) intersect(o Window) *Window {
	r := Window{Start: max(w.Start, o.Start), End: min(w.End, o.End)}
	if r.End <= r.Start {
		return nil
	}
	return &r
}

// Week holds the allowed window of each weekday, indexed by time.Weekday
// (Sunday first, as in package time); nil closes the day.
type Week [7]*Window

// AnyOpen reports whether some day has a window.
func (w Week) AnyOpen() bool {
	for _, d := range w {
		if d != nil {
			return true
		}
	}
	return false
}

// Equal reports whether w and o have the same windows.
func (w Week) Equal(o Week) bool {
	for d := range w {
		if (w[d] == nil) != (o[d] == nil) || (w[d] != nil && *w[d] != *o[d]) {
			return false
		}
	}
	return true
}

// Intersect is the week in which both w and o allow texting, day by day.
func (w Week) Intersect(o Week) Week {
	var out Week
	for d := range w {
		if w[d] != nil && o[d] != nil {
			out[d] = w[d].intersect(*o[d])
		}
	}
	return out
}

// EveryDay is a week with the same window each day.
func EveryDay(start, end int) Week {
	var w Week
	for d := range w {
		w[d] = &Window{Start: start, End: end}
	}
	return w
}

// OpenIn reports whether t falls inside the window of its own weekday in loc.
func (w Week) OpenIn(t time.Time, loc *time.Location) bool {
	local := t.In(loc)
	day := w[local.Weekday()]
	if day == nil {
		return false
	}
	sec := local.Hour()*3600 + local.Minute()*60 + local.Second()
	return day.Start*60 <= sec && sec < day.End*60
}

// nextOpenIn returns the first instant at or after t at which w is open in
// loc, or false when no day is open.
func (w Week) nextOpenIn(t time.Time, loc *time.Location) (time.Time, bool) {
	if w.OpenIn(t, loc) {
		return t, true
	}
	local := t.In(loc)
	// Eight days: today's window may have passed, and the same weekday a
	// week later is then the last chance.
	for i := range 8 {
		day := w[(int(local.Weekday())+i)%7]
		if day == nil {
			continue
		}
		open := wallClock(local.Year(), local.Month(), local.Day()+i, day.Start, loc)
		if !open.Before(t) {
			return open, true
		}
	}
	return time.Time{}, false
}

// wallClock is the instant the clocks of loc show minute on the given day.
// When that minute does not exist (the spring-forward gap, e.g. 2:30 on a
// day the clocks jump from 2:00 to 3:00), it is the instant the clocks
// jump: the first moment at or after that wall-clock time. time.Date would
// return an instant an hour past the jump instead.
func wallClock(year int, month time.Month, day, minute int, loc *time.Location) time.Time {
	t := time.Date(year, month, day, minute/60, minute%60, 0, 0, loc)
	want := time.Date(year, month, day, minute/60, minute%60, 0, 0, time.UTC)
	wall := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, time.UTC)
	// time.Date read a missing minute in one of the two offsets around the
	// jump: with the earlier one (an earlier wall clock) the jump ends t's
	// zone; with the later one it starts it.
	start, end := t.ZoneBounds()
	switch {
	case wall.Before(want) && !end.IsZero():
		return end
	case wall.After(want) && !start.IsZero():
		return start
	}
	return t
}

// NextOpen returns the first instant at or after t at which w is open in
// every one of zones (a phone whose prefix spans several zones is texted
// only when the window is open in all of them). It is false when there is
// no such instant within two weeks: no day open, or zones so far apart
// that their windows never overlap.
func (w Week) NextOpen(t time.Time, zones []*time.Location) (time.Time, bool) {
	limit := t.AddDate(0, 0, 14)
	for t.Before(limit) {
		later := t
		for _, loc := range zones {
			next, ok := w.nextOpenIn(t, loc)
			if !ok {
				return time.Time{}, false
			}
			if next.After(later) {
				later = next
			}
		}
		if later.Equal(t) {
			return t, true // open in every zone at once
		}
		t = later
	}
	return time.Time{}, false
}
