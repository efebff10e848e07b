package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/events"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

type wakeCounter struct{ n atomic.Int32 }

func (w *wakeCounter) Wake() { w.n.Add(1) }

func TestEventExistsOnlyIfItsChangeCommits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := storetest.MustCreateOrg(t, db, "Acme")
		wake := &wakeCounter{}
		db.SetBroker(wake)
		broken := errors.New("the change broke a rule")
		e := hiretext.Event{OrgID: org.ID, NumberID: 1, Kind: hiretext.EventMessageInbound}
		if err := db.RecordEventThenFail(ctx, &e, broken); !errors.Is(err, broken) {
			t.Fatalf("err = %v, want the change's error", err)
		}
		if latest, _ := db.LatestEventID(ctx); latest != 0 || wake.n.Load() != 0 {
			t.Fatalf("after a rolled-back change: latest event %d, %d wake-ups; want none", latest, wake.n.Load())
		}
		if err := db.RecordEventThenFail(ctx, &e, nil); err != nil || wake.n.Load() != 1 {
			t.Fatalf("committed change: err %v, %d wake-ups; want 1", err, wake.n.Load())
		}
	})
}

// TestPostgresOutOfOrderCommitsReachSubscribersOnce commits event ids out of
// order on a real PostgreSQL, with one rolled back, and relies on NOTIFY
// alone (the broker polls hourly and nobody calls Wake).
func TestPostgresOutOfOrderCommitsReachSubscribersOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := storetest.PostgresURL(t)
	db := storetest.Open(t, url, storetest.Config{})
	org := storetest.MustCreateOrg(t, db, "Acme")
	const grace = 10 * time.Second
	clock := storetest.NewClock(time.Now()) // gaps expire only when the test says
	b, err := events.New(ctx, db, events.Config{PostgresURL: url, PollInterval: time.Hour, GapGrace: grace, Clock: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { b.Run(runCtx); close(done) }()
	t.Cleanup(func() { stop(); <-done })
	storetest.Eventually(t, "the PostgreSQL listener to connect", b.Listening)
	sub := b.Subscribe(hiretext.EventFilter{OrgID: org.ID, NumberID: 1})
	updates := sub.Updates()

	begin := func() (*hiretext.Event, func(bool) error) {
		e := &hiretext.Event{OrgID: org.ID, NumberID: 1, Kind: hiretext.EventMessageInbound}
		finish, err := db.BeginEvent(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		return e, finish
	}
	slow, finishSlow := begin()     // id n, commits late
	fast, finishFast := begin()     // id n+1, commits first
	doomed, finishDoomed := begin() // id n+2, rolls back: a permanent gap
	last, finishLast := begin()     // id n+3
	must(t, finishFast(true))
	expect(t, sub, updates, fast.ID) // delivered although n is missing
	must(t, finishSlow(true))
	expect(t, sub, updates, slow.ID) // not lost for committing late
	must(t, finishDoomed(false))
	must(t, finishLast(true))
	expect(t, sub, updates, last.ID)
	clock.Advance(grace) // past the grace period
	after := &hiretext.Event{OrgID: org.ID, NumberID: 1, Kind: hiretext.EventMessageStatus}
	must(t, db.RecordEvent(ctx, after)) // drives the pump once more
	expect(t, sub, updates, after.ID)
	// A pump that began before the clock moved may deliver after with the
	// gap still awaited; the next one, woken by after's NOTIFY, gives it up.
	storetest.EventuallyNil(t, storetest.Patience, "the broker to give up the rolled-back id", func() error {
		if pos := b.Position(); len(pos.Missing) != 0 || pos.High != after.ID {
			return fmt.Errorf("position = %s; want %d with the rolled-back id %d given up", pos, after.ID, doomed.ID)
		}
		return nil
	})
	// The position covers every event delivered, so none can still be on
	// its way.
	select {
	case u := <-updates:
		t.Fatalf("unexpected extra event %d", u.Event.ID)
	default:
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// expect waits for the next event on sub (its updates) and checks it is id, delivered once.
func expect(t *testing.T, sub *events.Subscription, updates <-chan *events.Update, id int64) {
	t.Helper()
	select {
	case u := <-updates:
		if u.Event.ID != id || !sub.Accept(u) {
			t.Fatalf("got event %d, want %d", u.Event.ID, id)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("event %d did not arrive", id)
	}
}
