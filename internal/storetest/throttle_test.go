package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

var loginRule = hiretext.ThrottleRule{Limit: 5, Window: 15 * time.Minute, Block: 15 * time.Minute}

func throttleWait(t *testing.T, db *store.DB, keys ...string) time.Duration {
	t.Helper()
	w, err := db.ThrottleWait(ctx, keys...)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func countFailures(t *testing.T, db *store.DB, n int, keys ...string) {
	t.Helper()
	for range n {
		if err := db.ThrottleCount(ctx, loginRule, keys...); err != nil {
			t.Fatal(err)
		}
	}
}

func TestThrottleBlocksAtTheLimitWithinTheWindow(t *testing.T) {
	eachWithClock(t, time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC), func(t *testing.T, db *store.DB, clock *Clock) {
		countFailures(t, db, 4, "ip:10.0.0.1", "email:ann@example.com")
		if w := throttleWait(t, db, "ip:10.0.0.1", "email:ann@example.com"); w != 0 {
			t.Fatalf("blocked after 4 of 5 failures: %v", w)
		}
		clock.Advance(10 * time.Minute)
		countFailures(t, db, 1, "ip:10.0.0.1", "email:ann@example.com")
		if w := throttleWait(t, db, "email:ann@example.com"); w != 15*time.Minute {
			t.Fatalf("after the 5th failure within the window: wait %v, want 15m", w)
		}
		if w := throttleWait(t, db, "ip:10.0.0.2"); w != 0 {
			t.Fatalf("another address is blocked too: %v", w)
		}
		clock.Advance(15 * time.Minute)
		if w := throttleWait(t, db, "ip:10.0.0.1", "email:ann@example.com"); w != 0 {
			t.Fatalf("still blocked after the block ended: %v", w)
		}

		// Failures spread wider than the window never add up to a block.
		countFailures(t, db, 4, "email:bob@example.com")
		clock.Advance(16 * time.Minute)
		countFailures(t, db, 4, "email:bob@example.com")
		if w := throttleWait(t, db, "email:bob@example.com"); w != 0 {
			t.Fatalf("4 failures, then 4 more 16 minutes later, blocked: %v", w)
		}
		// A login forgets the email's failures.
		if err := db.ThrottleForget(ctx, "email:bob@example.com"); err != nil {
			t.Fatal(err)
		}
		countFailures(t, db, 4, "email:bob@example.com")
		if w := throttleWait(t, db, "email:bob@example.com"); w != 0 {
			t.Fatalf("failures before a successful login still counted: %v", w)
		}
	})
}

// TestThrottleCountsConcurrentFailures is many instances counting failures
// of one key at once: every one counts, so the limit is exact.
func TestThrottleCountsConcurrentFailures(t *testing.T) {
	eachWithClock(t, time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC), func(t *testing.T, db *store.DB, clock *Clock) {
		const rounds, parallel = 4, 16
		limit := 1 + rounds*parallel + 1
		rule := hiretext.ThrottleRule{Limit: limit, Window: time.Hour, Block: time.Hour}
		// The key's row exists, so the counts race on updating it, and the
		// rounds after the first run on open connections.
		if err := db.ThrottleCount(ctx, rule, "ip:10.0.0.9"); err != nil {
			t.Fatal(err)
		}
		for range rounds {
			var wg sync.WaitGroup
			for range parallel {
				wg.Go(func() {
					if err := db.ThrottleCount(ctx, rule, "ip:10.0.0.9", "email:ann@example.com"); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
		}
		if w := throttleWait(t, db, "ip:10.0.0.9"); w != 0 {
			t.Fatalf("blocked after %d of %d failures: %v", limit-1, limit, w)
		}
		if err := db.ThrottleCount(ctx, rule, "ip:10.0.0.9"); err != nil {
			t.Fatal(err)
		}
		if w := throttleWait(t, db, "ip:10.0.0.9"); w != time.Hour {
			t.Fatalf("failure %d of %d did not block (lost counts?): wait %v", limit, limit, w)
		}
	})
}
