package dispatch_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/dispatch"
	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

// TestTwoDispatchersShareTheNumbersRate runs two dispatchers, as two
// instances would, on one number's backlog: together they send at the
// number's rate, not at twice it. At no moment t may more than
// burst + rate·t texts have reached the provider.
func TestTwoDispatchersShareTheNumbersRate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const rate, texts = 40, 120 // a burst of 40, then 40 a second: about 2 s
		fx := storetest.MustSetUpTexting(t, db, 500)
		var ids []hiretext.CandidateID
		for _, c := range fx.MustRecipients(t, db, texts) {
			ids = append(ids, c.ID)
		}
		fx.MustSend(t, db, "Open house on Friday!", ids...)

		var mu sync.Mutex
		var at []time.Duration // when each text reached the provider
		start := time.Now()
		p := newFake(func(sms.OutboundMessage, int) error {
			mu.Lock()
			at = append(at, time.Since(start))
			mu.Unlock()
			return nil
		})
		cfg := dispatch.Config{Workers: 16, Rate: rate, SendTimeout: time.Second, Lease: time.Minute, Poll: 10 * time.Millisecond}
		c, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for range 2 {
			d := dispatch.New(db, p, cfg)
			wg.Go(func() { _ = d.Run(c) })
		}
		storetest.EventuallyNil(t, time.Minute, "every text sent", func() error {
			if counts := fx.StatusCounts(t, db, hiretext.KindRecruiter); counts[hiretext.StatusQueued] > 0 {
				return fmt.Errorf("statuses %v", counts)
			}
			return nil
		})
		cancel()
		wg.Wait()

		mu.Lock()
		defer mu.Unlock()
		if len(at) != texts {
			t.Fatalf("%d provider calls, want %d", len(at), texts)
		}
		slices.Sort(at)
		for i, d := range at {
			// +1 for the microseconds the stored pace rounds away.
			if allowed := rate + int(rate*d.Seconds()) + 1; i+1 > allowed {
				t.Fatalf("%d texts had reached the provider after %v; the number's rate allows %d", i+1, d, allowed)
			}
		}
		t.Logf("%d texts in %v", texts, at[len(at)-1].Round(time.Millisecond))
	})
}
