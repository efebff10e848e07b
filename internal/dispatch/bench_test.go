package dispatch_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/dispatch"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

// BenchmarkDispatch1000 measures the dispatcher's throughput with a provider
// that answers at once: 1,000 messages queued by one bulk send, from the
// dispatcher's start until every one is recorded as handed to the provider
// (claimed, consent re-checked, sent, recorded). The send rate is unlimited,
// so the database is the bottleneck.
//
//	HIRETEXT_TEST_POSTGRES_URL=… go test ./internal/dispatch/ -run '^$' -bench BenchmarkDispatch1000 -benchtime 10x
func BenchmarkDispatch1000(b *testing.B) {
	for name, url := range map[string]func(testing.TB) string{"sqlite": storetest.SQLiteURL, "postgres": storetest.PostgresURL} {
		for _, workers := range []int{8, 32} {
			b.Run(fmt.Sprintf("%s/workers=%d", name, workers), func(b *testing.B) {
				db := storetest.Open(b, url(b), storetest.Config{})
				fx := storetest.MustSetUpTexting(b, db, hiretext.MaxMonthlyAllowance)
				var ids []hiretext.CandidateID
				for _, c := range fx.MustRecipients(b, db, hiretext.MaxBulkCandidates) {
					ids = append(ids, c.ID)
				}
				cfg := dispatch.Config{Workers: workers, Rate: 1e6, Poll: 50 * time.Millisecond}
				var total time.Duration
				for b.Loop() {
					b.StopTimer()
					fx.MustSend(b, db, "Your interview is confirmed.", ids...)
					b.StartTimer()
					total += drain(b, db, len(ids), newFake(nil), cfg)
				}
				b.ReportMetric(float64(b.N*len(ids))/total.Seconds(), "msgs/s")
			})
		}
	}
}

// drain runs a dispatcher until n sends are recorded, and returns how long
// that took.
func drain(b *testing.B, db *store.DB, n int, p *fakeProvider, cfg dispatch.Config) time.Duration {
	c, cancel := context.WithCancel(ctx)
	st := &countingStore{DB: db, done: make(chan struct{}), want: int64(n)}
	d := dispatch.New(st, p, cfg)
	start := time.Now()
	stopped := make(chan error, 1)
	go func() { stopped <- d.Run(c) }()
	select {
	case <-st.done:
	case <-time.After(5 * time.Minute):
		b.Fatalf("%d of %d sends recorded", st.recorded.Load(), n)
	}
	elapsed := time.Since(start)
	cancel()
	<-stopped
	return elapsed
}

// countingStore closes done when want sends are recorded.
type countingStore struct {
	*store.DB
	recorded atomic.Int64
	want     int64
	done     chan struct{}
}

func (s *countingStore) RecordSentBatch(ctx context.Context, sent []hiretext.SentDelivery, next []hiretext.ClaimRequest) ([]*hiretext.Delivery, error) {
	claimed, err := s.DB.RecordSentBatch(ctx, sent, next)
	if err == nil {
		if n := s.recorded.Add(int64(len(sent))); n >= s.want && n-int64(len(sent)) < s.want {
			close(s.done)
		}
	}
	return claimed, err
}
