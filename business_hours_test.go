package hiretext

import (
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
