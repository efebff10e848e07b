package hiretext

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// TestBusinessHours: adding and counting business hours of 9-to-5
// weekdays across a night, a weekend and the spring-forward night.
func TestBusinessHours(t *testing.T) {
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	week := DefaultBusinessHours()
	at := func(month time.Month, day, hour, minute int) time.Time {
		return time.Date(2026, month, day, hour, minute, 0, 0, chicago)
	}
	adds := []struct {
		from  time.Time
		hours time.Duration
		want  time.Time
	}{
		{at(12, 7, 10, 0), 2 * time.Hour, at(12, 7, 12, 0)},    // within a day
		{at(12, 7, 16, 0), 2 * time.Hour, at(12, 8, 10, 0)},    // over a night
		{at(12, 4, 15, 0), 4 * time.Hour, at(12, 7, 11, 0)},    // Friday afternoon to Monday
		{at(12, 5, 12, 0), time.Hour, at(12, 7, 10, 0)},        // from a Saturday
		{at(12, 7, 6, 0), 8 * time.Hour, at(12, 7, 17, 0)},     // before opening: the whole day
		{at(12, 7, 17, 0), 30 * time.Minute, at(12, 8, 9, 30)}, // at closing
		{at(3, 6, 16, 0), 2 * time.Hour, at(3, 9, 10, 0)},      // over the night the clocks jump
		{at(12, 7, 9, 0), 40 * time.Hour, at(12, 11, 17, 0)},   // a working week
		{at(12, 7, 9, 0), 41 * time.Hour, at(12, 14, 10, 0)},   // and an hour
	}
	for _, c := range adds {
		got, ok := week.AddOpen(c.from, c.hours, chicago)
		if !ok || !got.Equal(c.want) {
			t.Errorf("%v + %v business hours = %v, want %v", c.from, c.hours, got, c.want)
		}
		if between := week.OpenBetween(c.from, c.want, chicago); between != c.hours {
			t.Errorf("business hours from %v to %v = %v, want %v", c.from, c.want, between, c.hours)
		}
	}
	if got := week.OpenBetween(at(12, 7, 12, 0), at(12, 7, 11, 0), chicago); got != 0 {
		t.Errorf("backwards span counts %v", got)
	}
	if _, ok := (Week{}).AddOpen(at(12, 7, 9, 0), time.Hour, chicago); ok {
		t.Error("a week with no open day gave a due time")
	}
}

// TestOpenCalendarAgreesWithTheWeek: a week laid out as a calendar over a
// year measures what the week's own walk measures, for random weeks
// (closed days, windows to midnight) in zones with and without daylight
// saving (Lord Howe's moves by half an hour), between random instants
// inside the year and across its ends, where it falls back to the walk.
func TestOpenCalendarAgreesWithTheWeek(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 7))
	for _, zone := range []string{"America/Chicago", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		for range 20 {
			var week Week
			for d := range week {
				if rng.IntN(4) > 0 {
					start := 15 * rng.IntN(90)
					week[d] = &Window{Start: start, End: start + 15*(1+rng.IntN((1440-start)/15))}
				}
			}
			from := time.Date(2026, time.January, 1, 0, 0, 0, 0, loc)
			to := from.AddDate(1, 0, 0)
			cal := week.Calendar(from, to, loc)
			span := to.Sub(from)
			for range 200 {
				a := from.Add(time.Duration(rng.Int64N(int64(span)*12/10)) - span/10) // a tenth before the year too
				b := a.Add(time.Duration(rng.Int64N(int64(40 * 24 * time.Hour))))
				if got, want := cal.OpenBetween(a, b), week.OpenBetween(a, b, loc); got != want {
					t.Fatalf("%s, %s: calendar says %v open from %v to %v, the week %v", zone, weekString(week), got, a, b, want)
				}
			}
		}
	}
}

// weekString writes a week's windows, Sunday first.
func weekString(w Week) string {
	var out []string
	for _, d := range w {
		if d == nil {
			out = append(out, "closed")
		} else {
			out = append(out, d.String())
		}
	}
	return strings.Join(out, ", ")
}
