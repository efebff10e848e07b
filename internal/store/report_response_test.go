package store

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestAnswerMedianFromItsWindow checks that a group's median, found from
// the few times of the period's answers around it (medianWindow) and the
// answers to waits that began before the period, is the median of all of
// them, as hiretext.ResponseTally computes it: with few and many answers
// of either kind, ties, and answers across that fall below, inside and
// above the window.
func TestAnswerMedianFromItsWindow(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		count, across := rnd.IntN(12), rnd.IntN(6)
		if i%10 == 0 {
			count = rnd.IntN(300)
		}
		spread := 1 + rnd.IntN(50) // small spreads make ties
		times := func(n int) []time.Duration {
			out := make([]time.Duration, n)
			for j := range out {
				out[j] = time.Duration(rnd.IntN(spread)) * time.Microsecond
			}
			return out
		}
		period, before := times(count), times(across)
		slices.Sort(period)
		lo, hi := medianWindow(count, across)
		g := &answerGroup{count: count, lo: lo, window: slices.Clone(period[lo:hi]), across: slices.Clone(before)}
		n, got := g.median()
		all := append(slices.Clone(period), before...)
		slices.Sort(all)
		var want time.Duration
		if len(all) > 0 {
			want = all[len(all)/2]
			if len(all)%2 == 0 {
				want = (all[len(all)/2-1] + all[len(all)/2]) / 2
			}
		}
		if n != len(all) || got != want {
			t.Fatalf("period %v, before %v, window [%d, %d): got %d answers, median %s; want %d, %s",
				period, before, lo, hi, n, got, len(all), want)
		}
	}
}
