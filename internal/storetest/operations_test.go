package storetest

import (
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// TestOperationalStats: texts waiting to go out are counted with the age of
// the oldest, and numbers whose allowance is used up are counted across
// companies until released or the month resets.
func TestOperationalStats(t *testing.T) {
	clock := func() Config { return Config{Clock: NewClock(time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)).Now} }
	EachWith(t, clock, func(t *testing.T, db *store.DB, o Config) {
		now := o.Clock()
		stats := func(at time.Time) hiretext.OperationalStats {
			t.Helper()
			s, err := db.OperationalStats(ctx, at)
			if err != nil {
				t.Fatal(err)
			}
			return *s
		}
		if got := stats(now); got != (hiretext.OperationalStats{}) {
			t.Fatalf("an empty database: %+v", got)
		}
		fx := MustSetUpTexting(t, db, 3)
		a, _ := fx.MustCandidate(t, db, "Ann")
		b, _ := fx.MustCandidate(t, db, "Bob")
		fx.MustSend(t, db, "Hello", a.ID, b.ID)
		if got := stats(now.Add(90 * time.Second)); got.DueMessages != 2 || got.OldestDueAge != 90*time.Second || got.NumbersAtMaximum != 0 {
			t.Fatalf("two texts queued 90 seconds ago: %+v", got)
		}
		fx.MustSend(t, db, "Hello again", a.ID)
		other := MustSetUpTexting(t, db, 1)
		c, _ := other.MustCandidate(t, db, "Cy")
		other.MustSend(t, db, "Hi", c.ID)
		if got := stats(now); got.DueMessages != 4 || got.NumbersAtMaximum != 2 {
			t.Fatalf("two numbers used up: %+v", got)
		}
		if _, err := db.ReleaseNumber(ctx, other.Org.ID, other.Number.ID); err != nil {
			t.Fatal(err)
		}
		if got := stats(now.AddDate(0, 1, 0)); got.NumbersAtMaximum != 0 {
			t.Fatalf("next month, one number released: %+v", got)
		}
		if got := stats(now); got.NumbersAtMaximum != 1 {
			t.Fatalf("after a release: %+v", got)
		}
	})
}
