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

// passCounter counts the dispatcher's passes (each starts by releasing).
type passCounter struct {
	*store.DB
	passes atomic.Int64
}

func (p *passCounter) ReleaseDue(ctx context.Context, limit int) (int, error) {
	defer p.passes.Add(1)
	return p.DB.ReleaseDue(ctx, limit)
}

// TestHeldTextGoesAtItsMinuteOnceAcrossRestart schedules a text, runs a
// dispatcher for several passes before its minute (nothing goes), stops it
// as a restart would, moves the clock to the minute and starts another
// dispatcher: the text goes, once.
func TestHeldTextGoesAtItsMinuteOnceAcrossRestart(t *testing.T) {
	ct, _ := time.LoadLocation("America/Chicago")
	start := time.Date(2026, 12, 1, 10, 0, 0, 0, ct)
	for name, open := range map[string]func(testing.TB, storetest.Config) *store.DB{"sqlite": storetest.NewSQLite, "postgres": storetest.NewPostgres} {
		t.Run(name, func(t *testing.T) { heldTextAcrossRestart(t, open, start) })
	}
}

func heldTextAcrossRestart(t *testing.T, open func(testing.TB, storetest.Config) *store.DB, start time.Time) {
	clock := storetest.NewClock(start)
	db := open(t, storetest.Config{Clock: clock.Now})
	fx := storetest.MustSetUpTexting(t, db, 10)
	c, _ := fx.MustCandidate(t, db, "Sam")
	at := start.Add(30 * time.Minute)
	res, err := db.SendMessages(ctx, hiretext.SendRequest{OrgID: fx.Org.ID, UserID: fx.Recruiter.ID,
		CandidateIDs: []hiretext.CandidateID{c.ID}, Body: "See you at 11", SendAt: at})
	if err != nil || !res[0].Scheduled {
		t.Fatalf("schedule: %+v %v", res, err)
	}
	p := newFake(nil)
	cfg := fastConfig()
	cfg.Clock = clock.Now
	counter := &passCounter{DB: db}
	run := func(cond func() bool) {
		c, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- dispatch.New(counter, p, cfg).Run(c) }()
		defer func() { cancel(); <-done }()
		storetest.EventuallyNil(t, time.Minute, "the dispatcher's passes", func() error {
			if cond() {
				return nil
			}
			return fmt.Errorf("%d passes, %d provider calls", counter.passes.Load(), p.calls.Load())
		})
	}
	run(func() bool { return counter.passes.Load() >= 5 })
	if n := p.calls.Load(); n != 0 {
		t.Fatalf("%d provider calls before the text's minute", n)
	}
	clock.Set(at)
	run(func() bool { d, _ := p.delivered(); return d == 1 })
	if _, total := p.delivered(); total != 1 {
		t.Fatalf("sent %d times, want once", total)
	}
	if m, _ := db.MessageByID(ctx, fx.Org.ID, res[0].MessageID); m.Status != hiretext.StatusSending || !m.SendAt.Equal(at) {
		t.Fatalf("message %s, send_at %v", m.Status, m.SendAt)
	}
}
