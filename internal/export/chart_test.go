package export

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
)

func TestChartLayout(t *testing.T) {
	for v, want := range map[int]int{0: 2, 1: 2, 3: 4, 7: 10, 10: 10, 11: 20, 33: 40, 41: 100, 999: 1000, 1001: 2000} {
		if got := niceCeiling(v); got != want {
			t.Errorf("niceCeiling(%d) = %d, want %d", v, got, want)
		}
	}
	chicago, _ := time.LoadLocation("America/Chicago")
	day := func(d, sent, received int) hiretext.DayActivity {
		return hiretext.DayActivity{Day: time.Date(2026, 3, d, 0, 0, 0, 0, chicago), Sent: sent, Received: received}
	}
	c := NewChart([]hiretext.DayActivity{day(1, 7, 2), day(2, 0, 0), day(3, 0, 5)}, "Mar 1 – Mar 3, 2026")
	var titles []string
	for _, b := range c.Bars {
		titles = append(titles, b.Title)
	}
	if want := []string{"Mar 1: 7 sent", "Mar 1: 2 received", "Mar 3: 5 received"}; !slices.Equal(titles, want) {
		t.Errorf("bars = %q, want %q", titles, want)
	}
	if ticks := []string{c.Ticks[0].Label, c.Ticks[1].Label, c.Ticks[2].Label}; !slices.Equal(ticks, []string{"0", "5", "10"}) {
		t.Errorf("ticks = %q", ticks)
	}
	if c.Summary != "7 sent and 7 received over 3 days; the busiest day had 7." || len(c.Days) != 3 || c.Days[2].Received != 5 {
		t.Errorf("summary %q, days %+v", c.Summary, c.Days)
	}
	// The sent bar of 7 on a scale of 10 is 70% of the plot's height.
	plot := float64(chartHeight - chartTop - chartBottom)
	if h, _ := strconv.ParseFloat(c.Bars[0].H, 64); h < plot*0.69 || h > plot*0.71 {
		t.Errorf("bar height %v of %v", h, plot)
	}

	var year []hiretext.DayActivity
	for d := range 366 {
		year = append(year, day(1+d, d%9, d%4))
	}
	c = NewChart(year, "a year")
	if len(c.Labels) > chartXLabels || len(c.Days) != 366 {
		t.Errorf("%d date labels for a year, at most %d", len(c.Labels), chartXLabels)
	}
	for _, b := range c.Bars {
		x, _ := strconv.ParseFloat(b.X, 64)
		w, _ := strconv.ParseFloat(b.W, 64)
		y, _ := strconv.ParseFloat(b.Y, 64)
		if x < chartLeft || x+w > chartWidth-chartRight+0.1 || y < chartTop-0.1 {
			t.Fatalf("bar %+v outside the plot", b)
		}
	}
}
