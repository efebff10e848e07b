package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/dispatch"
	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/sms/simulator"
	"github.com/hiretext/hiretext/internal/storetest"
)

// revocationBenchEnv runs the revocation benchmark when set.
const revocationBenchEnv = "HIRETEXT_BENCH_REVOCATION"

// sendClock is the provider of the benchmark's number ("test", which the
// simulator did not provision): it notes when each recipient's first text
// was handed to it and accepts it.
type sendClock struct {
	sms.Provider
	mu   sync.Mutex
	sent map[string]time.Time
}

func (s *sendClock) Name() string { return "test" }

func (s *sendClock) Send(_ context.Context, m sms.OutboundMessage) (sms.SendResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sent[m.To]; !ok {
		s.sent[m.To] = time.Now()
	}
	return sms.SendResult{ProviderMessageID: "SMconfirm" + m.Reference, Status: hiretext.StatusSending}, nil
}

func (s *sendClock) at(phone string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.sent[phone]
	return t, ok
}

// TestRevocationBenchmark measures how fast a STOP takes effect: rounds of
// 64 signed STOP webhooks POSTed at once over real TCP, each from another
// opted-in candidate, to an in-process server with its dispatcher. The
// webhook is answered after the commit that opts the candidate out (and
// so blocks every later send of the company to them): its latency bounds
// the time to that commit. The confirmation's latency runs from the POST
// to the dispatcher handing the reply to the provider, at the simulator's
// pace for one number (10 texts a second, as a 10DLC number) and at 1,000.
//
//	HIRETEXT_BENCH_REVOCATION=1 go test ./internal/server/ -run TestRevocationBenchmark -v -timeout 30m
func TestRevocationBenchmark(t *testing.T) {
	if testing.Short() || os.Getenv(revocationBenchEnv) == "" {
		t.Skipf("benchmark: set %s=1 to run it", revocationBenchEnv)
	}
	const clients, rounds = 64, 5
	for name, dbURL := range map[string]func(testing.TB) string{"sqlite": storetest.SQLiteURL, "postgres": storetest.PostgresURL} {
		for _, rate := range []float64{10, 1000} {
			t.Run(fmt.Sprintf("%s/%.0f-per-second", name, rate), func(t *testing.T) {
				u := dbURL(t)
				db := openProduction(t, u)
				bench := newWebhookBench(t, db, u)
				clock := &sendClock{Provider: bench.sim, sent: map[string]time.Time{}}
				ctx, cancel := context.WithCancel(context.Background())
				d := dispatch.New(db, clock, dispatch.Config{Rate: rate, Workers: 8})
				db.SetDispatcher(d)
				done := make(chan struct{})
				go func() { _ = d.Run(ctx); close(done) }()
				t.Cleanup(func() { cancel(); <-done })
				var commit, confirm []time.Duration
				var mu sync.Mutex
				for r := range rounds {
					phones := bench.phones[r*clients : (r+1)*clients]
					starts := make([]time.Time, clients)
					var wg sync.WaitGroup
					for i, p := range phones {
						wg.Go(func() {
							starts[i] = time.Now()
							if err := bench.postBody(p, "STOP"); err != nil {
								t.Error(err)
								return
							}
							d := time.Since(starts[i])
							mu.Lock()
							commit = append(commit, d)
							mu.Unlock()
						})
					}
					wg.Wait()
					storetest.EventuallyNil(t, 2*time.Minute, "every confirmation handed to the provider", func() error {
						for _, p := range phones {
							if _, ok := clock.at(p); !ok {
								return fmt.Errorf("none yet for %s", p)
							}
						}
						return nil
					})
					for i, p := range phones {
						at, _ := clock.at(p)
						confirm = append(confirm, at.Sub(starts[i]))
					}
				}
				round := func(d time.Duration) time.Duration { return d.Round(100 * time.Microsecond) }
				t.Logf("%s: %d STOPs, %d at once: to the commit (webhook answered) p50 %v p99 %v; to the confirmation handed to the provider p50 %v p99 %v",
					t.Name(), len(commit), clients, round(percentile(commit, 50)), round(percentile(commit, 99)),
					round(percentile(confirm, 50)), round(percentile(confirm, 99)))
			})
		}
	}
}

// postBody sends one signed inbound text from phone and waits for the answer.
func (b *webhookBench) postBody(from, text string) error {
	form := url.Values{"EventType": {"inbound"}, "MessageID": {fmt.Sprintf("SMrev%d", b.seq.Add(1))},
		"From": {from}, "To": {b.number}, "Body": {text}, "Segments": {"1"},
		"Timestamp": {time.Now().UTC().Format(time.RFC3339Nano)}}
	body := form.Encode()
	req, err := http.NewRequest(http.MethodPost, b.url, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(simulator.SignatureHeader, b.sim.Sign([]byte(body)))
	resp, err := b.client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("webhook answered %d", resp.StatusCode)
	}
	return nil
}
