package dispatch_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/dispatch"
	"github.com/hiretext/hiretext/internal/phone"
	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/sms/simulator"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

// TestLostAnswersAreLookedUpNotResent has the provider take every third
// text and lose its answer: each such text is found by a lookup and
// adopted, so every candidate gets exactly one copy and every message is
// recorded with the provider's id.
func TestLostAnswersAreLookedUpNotResent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := storetest.MustSetUpTexting(t, db, 100)
		msgs, _ := queue(t, db, fx, 12)
		p := newFake(func(m sms.OutboundMessage, call int) error {
			if call%3 == 0 {
				return loseAnswer
			}
			return nil
		})
		d := runUntil(t, db, p, fastConfig(), func() bool { return handedOver(t, db, fx, msgs) == 12 })
		distinct, total := p.delivered()
		if distinct != 12 || total != 12 {
			t.Fatalf("%d candidates texted with %d texts; want 12 with one each", distinct, total)
		}
		if got := d.Lookups(); got[dispatch.LookupFound] != 4 || got[dispatch.LookupNotFound] != 0 {
			t.Fatalf("lookups %v, want the 4 lost answers found", got)
		}
		if got := d.SendOutcomes(); got[dispatch.OutcomeUncertain] != 4 || got[dispatch.OutcomeAccepted] != 8 {
			t.Fatalf("outcomes %v, want 4 uncertain and 8 accepted", got)
		}
		for _, id := range msgs {
			m, _ := db.MessageByID(ctx, fx.Org.ID, id)
			if m.ProviderID == "" {
				t.Fatalf("message %d was recorded without the provider's id", id)
			}
		}
	})
}

// TestUncertainSendNotTakenIsSentAgain: a timeout the provider never saw is
// looked up, not found, and only then sent again, once.
func TestUncertainSendNotTakenIsSentAgain(t *testing.T) {
	t.Parallel()
	db, fx, msgs := oneQueued(t)
	p := newFake(func(m sms.OutboundMessage, call int) error {
		if call == 1 {
			return &sms.Error{Class: sms.Transient, Uncertain: true, Message: "timed out"} // never reached it
		}
		return nil
	})
	d := runUntil(t, db, p, fastConfig(), func() bool { return handedOver(t, db, fx, msgs) == 1 })
	if distinct, total := p.delivered(); distinct != 1 || total != 1 {
		t.Fatalf("%d texts to %d candidates, want one", total, distinct)
	}
	if got := d.Lookups(); got[dispatch.LookupNotFound] != 1 || got[dispatch.LookupFound] != 0 || p.calls.Load() != 2 {
		t.Fatalf("lookups %v and %d calls; want one lookup saying not there, then the second call", got, p.calls.Load())
	}
}

// TestNothingIsSentWhileTheLookupFails: while the provider cannot say
// whether it took a text in doubt, the text is not sent again; once it
// answers, the text is found and adopted.
func TestNothingIsSentWhileTheLookupFails(t *testing.T) {
	t.Parallel()
	db, fx, msgs := oneQueued(t)
	p := newFake(func(m sms.OutboundMessage, call int) error {
		if call == 1 {
			return loseAnswer
		}
		return nil
	})
	p.lookup = func() error {
		if p.looked.Load() <= 3 {
			return &sms.Error{Class: sms.Transient, Message: "503 Service Unavailable"}
		}
		return nil
	}
	cfg := fastConfig()
	cfg.MaxAttempts = 10
	d := runUntil(t, db, p, cfg, func() bool { return handedOver(t, db, fx, msgs) == 1 })
	if p.calls.Load() != 1 {
		t.Fatalf("%d provider calls; a text in doubt was sent again before the provider said it was not there", p.calls.Load())
	}
	if got := d.Lookups(); got[dispatch.LookupFailed] != 3 || got[dispatch.LookupFound] != 1 {
		t.Fatalf("lookups %v, want 3 failed then found", got)
	}
}

// TestUncertainToTheEndSaysSo: a text whose every call and lookup failed
// is failed with words that say it may have arrived.
func TestUncertainToTheEndSaysSo(t *testing.T) {
	t.Parallel()
	db, fx, msgs := oneQueued(t)
	p := newFake(func(sms.OutboundMessage, int) error { return errors.New("connection reset by peer") })
	p.lookup = func() error { return errors.New("connection reset by peer") }
	cfg := fastConfig()
	cfg.MaxAttempts = 3
	runUntil(t, db, p, cfg, func() bool { return statuses(t, db, fx, msgs)[hiretext.StatusFailed] == 1 })
	if p.calls.Load() != 1 {
		t.Fatalf("%d provider calls, want 1: the rest were lookups", p.calls.Load())
	}
	m, _ := db.MessageByID(ctx, fx.Org.ID, msgs[0])
	if want := "Not confirmed: the provider failed 3 times"; len(m.ErrorMessage) < len(want) || m.ErrorMessage[:len(want)] != want {
		t.Fatalf("reason %q, want it to start %q", m.ErrorMessage, want)
	}
}

// handedOver counts the messages recorded as taken by the provider: sent
// by a call ("sending") or adopted after a lookup (as the provider had it:
// sent, or delivered).
func handedOver(t *testing.T, db *store.DB, fx *storetest.Texting, msgs []hiretext.MessageID) int {
	got := statuses(t, db, fx, msgs)
	return got[hiretext.StatusSending] + got[hiretext.StatusSent] + got[hiretext.StatusDelivered]
}

// simulatorAsTest is the simulator under the name of the numbers storetest
// makes ("test").
type simulatorAsTest struct{ *simulator.Provider }

func (simulatorAsTest) Name() string { return "test" }

// TestSimulatorLosingAnswersTextsEachCandidateOnce runs the dispatcher
// against the simulator told to lose the answer of a third of the sends
// (its dice roll 0.5, 1, 0, …):
// every candidate's simulated phone holds exactly one copy.
func TestSimulatorLosingAnswersTextsEachCandidateOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := storetest.MustSetUpTexting(t, db, 100)
		if _, err := db.Simulator().ProvisionNumber(ctx, fx.Number.Phone, "PN-test", time.Now()); err != nil {
			t.Fatal(err)
		}
		var rolls atomic.Int64
		sim, err := simulator.New(ctx, simulator.Config{Store: db.Simulator(), Clock: hiretext.SystemClock,
			Faults: simulator.Faults{LoseAnswers: 0.5, Rand: func() float64 { return float64(rolls.Add(1)%3) / 2 }}})
		if err != nil {
			t.Fatal(err)
		}
		msgs, cands := queue(t, db, fx, 15)
		c, cancel := context.WithCancel(ctx)
		// A send timeout and a lease that outlast any call: this test is
		// about answers the simulator loses, not calls cut short. Under -race
		// on a loaded machine fastConfig's 200 ms timeout and 400 ms lease
		// ran out while the simulator was still storing a text, and a lookup
		// run before that write found nothing and sent it again.
		cfg := fastConfig()
		cfg.SendTimeout, cfg.Lease = 10*time.Second, time.Minute
		d := dispatch.New(db, simulatorAsTest{sim}, cfg)
		done := make(chan error, 1)
		go func() { done <- d.Run(c) }()
		defer func() { cancel(); <-done }()
		storetest.EventuallyNil(t, storetest.Patience, "every text handed over", func() error {
			if n := handedOver(t, db, fx, msgs); n != 15 {
				return fmt.Errorf("%d of 15 recorded", n)
			}
			return nil
		})
		for _, cand := range cands {
			e164, _ := phone.Parse(cand.MainPhone, "US")
			if inbox, _ := sim.Handset(ctx, e164); len(inbox) != 1 {
				t.Fatalf("%s's phone holds %d copies, want 1", e164, len(inbox))
			}
		}
		if got := d.Lookups(); got[dispatch.LookupFound] != 5 {
			t.Fatalf("lookups %v, want the 5 lost answers found", got)
		}
	})
}

// oneQueued is a company on SQLite with one text queued.
func oneQueued(t *testing.T) (*store.DB, *storetest.Texting, []hiretext.MessageID) {
	db := storetest.NewSQLite(t, storetest.Config{})
	fx := storetest.MustSetUpTexting(t, db, 100)
	msgs, _ := queue(t, db, fx, 1)
	return db, fx, msgs
}
