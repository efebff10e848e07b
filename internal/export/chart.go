package export

import (
	"fmt"
	"strconv"

	"github.com/hiretext/hiretext"
)

// The daily chart of the SMS Activity report is drawn here as plain numbers
// for an inline SVG in the page's template: no chart library and no script.
// Each bar has a <title> (a tooltip, and its accessible name), the axes have
// text labels, and a visually hidden table beside it holds every value.

// Chart geometry, in SVG user units; the SVG scales to the page's width.
const (
	chartWidth   = 760
	chartHeight  = 220
	chartLeft    = 44 // room for the y-axis labels
	chartRight   = 8
	chartTop     = 12
	chartBottom  = 28 // room for the x-axis labels
	chartXLabels = 8  // at most this many dates under the axis
)

// Chart is the layout of the daily chart, for the page's template.
type Chart struct {
	Title, Summary string
	Width, Height  int
	Left, Right    string // the x of the plot's edges
	Bottom         string // the y of the x axis
	Bars           []ChartBar
	Ticks          []ChartTick
	Labels         []ChartLabel
	Days           []ChartDay
}

// ChartBar is one bar of a day: its rectangle, style class and tooltip.
type ChartBar struct {
	X, Y, W, H string
	Class      string // chart-sent or chart-received
	Title      string
}

// ChartTick is a value marked on the y axis.
type ChartTick struct {
	Y, Label string
}

// ChartLabel is a date under the x axis.
type ChartLabel struct {
	X, Text string
}

// ChartDay is one day's values, for the table that accompanies the chart.
type ChartDay struct {
	Date           string
	Sent, Received int
}

// NewChart lays out one pair of bars (sent, received) per day; period names
// the days in the title, e.g. "Mar 1 – Mar 31, 2026".
func NewChart(days []hiretext.DayActivity, period string) *Chart {
	c := &Chart{Title: "Texts sent and received per day, " + period, Width: chartWidth, Height: chartHeight,
		Left: coord(chartLeft), Right: coord(chartWidth - chartRight), Bottom: coord(chartHeight - chartBottom)}
	peak, sent, received := 0, 0, 0
	for _, d := range days {
		peak = max(peak, d.Sent, d.Received)
		sent, received = sent+d.Sent, received+d.Received
		c.Days = append(c.Days, ChartDay{Date: d.Day.Format("Mon, Jan 2"), Sent: d.Sent, Received: d.Received})
	}
	c.Summary = fmt.Sprintf("%d sent and %d received over %d days; the busiest day had %d.", sent, received, len(days), peak)
	if len(days) == 0 {
		return c
	}
	top := niceCeiling(peak)
	plotW, plotH := float64(chartWidth-chartLeft-chartRight), float64(chartHeight-chartTop-chartBottom)
	slot := plotW / float64(len(days))
	barW := slot * 0.4
	y := func(v int) float64 { return chartTop + plotH - plotH*float64(v)/float64(top) }
	for i, d := range days {
		x := chartLeft + slot*float64(i) + slot*0.1
		date := d.Day.Format("Jan 2")
		for j, v := range []int{d.Sent, d.Received} {
			if v == 0 {
				continue
			}
			class, what := "chart-sent", "sent"
			if j == 1 {
				class, what = "chart-received", "received"
			}
			c.Bars = append(c.Bars, ChartBar{X: coord(x + barW*float64(j)), Y: coord(y(v)), W: coord(barW), H: coord(y(0) - y(v)),
				Class: class, Title: fmt.Sprintf("%s: %d %s", date, v, what)})
		}
	}
	for _, v := range []int{0, top / 2, top} {
		c.Ticks = append(c.Ticks, ChartTick{Y: coord(y(v)), Label: strconv.Itoa(v)})
	}
	step := (len(days) + chartXLabels - 1) / chartXLabels
	for i := 0; i < len(days); i += step {
		c.Labels = append(c.Labels, ChartLabel{X: coord(chartLeft + slot*(float64(i)+0.5)), Text: days[i].Day.Format("Jan 2")})
	}
	return c
}

// niceCeiling rounds v up to 2, 4, 10, 20, 40, 100… (at least 2), so the
// middle tick is a whole number.
func niceCeiling(v int) int {
	for scale := 1; ; scale *= 10 {
		for _, m := range []int{2, 4, 10} {
			if v <= m*scale {
				return m * scale
			}
		}
	}
}

// coord formats an SVG coordinate with one decimal.
func coord[T int | float64](v T) string { return strconv.FormatFloat(float64(v), 'f', 1, 64) }
