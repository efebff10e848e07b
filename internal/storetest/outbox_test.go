package storetest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// claimAll queues body to n new recipients and claims every message.
func claimAll(t *testing.T, db *store.DB, fx *Texting, n int) []*hiretext.Delivery {
	t.Helper()
	var ids []hiretext.CandidateID
	for _, c := range fx.MustRecipients(t, db, n) {
		ids = append(ids, c.ID)
	}
	fx.MustSend(t, db, "Hello", ids...)
	claimed, err := db.ClaimDeliveries(ctx, fx.Number.ID, n, time.Minute)
	if err != nil || len(claimed) != n {
		t.Fatalf("claimed %d of %d: %v", len(claimed), n, err)
	}
	return claimed
}

func TestRecordSentBatchAppliesEarlyReports(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 10)
		claimed := claimAll(t, db, fx, 3)
		// The provider reported the second message delivered before the
		// dispatcher recorded it, and the third one failed.
		for id, st := range map[string]hiretext.MessageStatus{"SMb": hiretext.StatusDelivered, "SMc": hiretext.StatusFailed} {
			res, err := db.ApplyDeliveryReport(ctx, hiretext.DeliveryReport{Provider: fx.Number.Provider, ProviderMessageID: id, Status: st})
			if err != nil || !res.Pending {
				t.Fatalf("early report: %+v %v", res, err)
			}
		}
		_, err := db.RecordSentBatch(ctx, []hiretext.SentDelivery{{Delivery: claimed[0], ProviderID: "SMa", Status: hiretext.StatusQueued},
			{Delivery: claimed[1], ProviderID: "SMb", Status: hiretext.StatusQueued}, {Delivery: claimed[2], ProviderID: "SMc", Status: hiretext.StatusSent}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := fx.StatusCounts(t, db, hiretext.KindRecruiter)
		want := map[hiretext.MessageStatus]int{hiretext.StatusSending: 1, hiretext.StatusDelivered: 1, hiretext.StatusFailed: 1}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("statuses %v, want %v", got, want)
		}
		if u := usage(t, db, fx); u.Used != 2 {
			t.Fatalf("used %d, want 2: the failed message releases its unit", u.Used)
		}
	})
}

// TestStatusReportRacingTheRecordIsApplied races each send's record against
// the provider's report for it, which may arrive first. On PostgreSQL, each
// transaction could miss the other's uncommitted row, leaving the report
// pending and the message "sending" for ever; every report must be applied.
func TestStatusReportRacingTheRecordIsApplied(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 1000)
		claimed := claimAll(t, db, fx, 150)
		var wg sync.WaitGroup
		for i, dl := range claimed {
			id := fmt.Sprint("SMrace", i)
			wg.Go(func() {
				if err := db.RecordSent(ctx, dl, id, hiretext.StatusQueued); err != nil {
					t.Error(err)
				}
			})
			wg.Go(func() {
				if _, err := db.ApplyDeliveryReport(ctx, hiretext.DeliveryReport{Provider: fx.Number.Provider,
					ProviderMessageID: id, Status: hiretext.StatusSent}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if got := fx.StatusCounts(t, db, hiretext.KindRecruiter); got[hiretext.StatusSent] != len(claimed) {
			t.Fatalf("statuses %v: every one of the %d messages should be sent", got, len(claimed))
		}
	})
}

// TestDuplicateFailureReportsReleaseOnce delivers one "failed" report for a
// sent message several times at once, as a provider retrying its callback
// might: the message's unit of allowance is released once.
func TestDuplicateFailureReportsReleaseOnce(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 10)
		claimed := claimAll(t, db, fx, 3)
		for i, dl := range claimed {
			if err := db.RecordSent(ctx, dl, fmt.Sprint("SMdup", i), hiretext.StatusQueued); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				if _, err := db.ApplyDeliveryReport(ctx, hiretext.DeliveryReport{Provider: fx.Number.Provider, ProviderMessageID: "SMdup0",
					Status: hiretext.StatusFailed, ErrorCode: "30008", ErrorMessage: "Unknown error"}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if u := usage(t, db, fx); u.Used != 2 {
			t.Fatalf("used %d, want 2: one failed message releases one unit", u.Used)
		}
	})
}

func TestClaimPacedKeepsTheNumbersPace(t *testing.T) {
	start := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	eachWithClock(t, start, func(t *testing.T, db *store.DB, clock *Clock) {
		fx := MustSetUpTexting(t, db, 50)
		var ids []hiretext.CandidateID
		for _, c := range fx.MustRecipients(t, db, 20) {
			ids = append(ids, c.ID)
		}
		fx.MustSend(t, db, "Hello", ids...)
		pace := hiretext.SendPace{Rate: 2, Burst: 3} // a text every 500 ms, 3 at once
		claim := func(limit int) hiretext.DeliveryClaim {
			t.Helper()
			c, err := db.ClaimPaced(ctx, fx.Number.ID, limit, time.Minute, pace)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		steps := []struct {
			advance time.Duration
			limit   int
			want    int
			nextAt  time.Duration // after start
		}{
			{0, 10, 3, 500 * time.Millisecond}, // a quiet number sends its burst at once
			{0, 10, 0, 500 * time.Millisecond}, // then nothing until an interval has passed
			{499 * time.Millisecond, 10, 0, 500 * time.Millisecond},
			{1 * time.Millisecond, 10, 1, 1000 * time.Millisecond}, // one interval later, one text
			{10 * time.Second, 2, 2, 10500 * time.Millisecond},     // the limit bounds a claim
			{0, 10, 1, 11000 * time.Millisecond},                   // a long quiet spell refills the burst only
			{0, 10, 0, 11000 * time.Millisecond},
		}
		for i, s := range steps {
			clock.Advance(s.advance)
			c := claim(s.limit)
			if len(c.Deliveries) != s.want || !c.NextAt.Equal(start.Add(s.nextAt)) {
				t.Fatalf("step %d: claimed %d, next at +%v; want %d, next at +%v", i, len(c.Deliveries), c.NextAt.Sub(start), s.want, s.nextAt)
			}
		}
	})
}

// TestClaimPacedConcurrentClaimsShareTheBurst is several dispatchers (or
// instances) claiming one number at the same instant: together they get its
// burst, not a burst each.
func TestClaimPacedConcurrentClaimsShareTheBurst(t *testing.T) {
	eachWithClock(t, time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC), func(t *testing.T, db *store.DB, clock *Clock) {
		const rounds, burst = 5, 5
		fx := MustSetUpTexting(t, db, 200)
		var ids []hiretext.CandidateID
		for _, c := range fx.MustRecipients(t, db, 16*rounds) {
			ids = append(ids, c.ID)
		}
		fx.MustSend(t, db, "Hello", ids...)
		pace := hiretext.SendPace{Rate: 1, Burst: burst}
		// A round a minute later, when the number's burst is whole again,
		// with connections opened by the rounds before.
		for round := range rounds {
			clock.Advance(time.Minute)
			var claimed atomic.Int64
			var wg sync.WaitGroup
			for range 16 {
				wg.Go(func() {
					c, err := db.ClaimPaced(ctx, fx.Number.ID, 10, time.Hour, pace)
					if err != nil {
						t.Error(err)
					}
					claimed.Add(int64(len(c.Deliveries)))
				})
			}
			wg.Wait()
			if got := claimed.Load(); got != burst {
				t.Fatalf("round %d: 16 concurrent claims took %d texts; the number's burst is %d", round, got, burst)
			}
		}
	})
}

// TestPendingReportsForUnknownTextsExpire: a status report for a text this
// database never recorded waits a week for its send, then is dropped, so
// such reports cannot pile up.
func TestPendingReportsForUnknownTextsExpire(t *testing.T) {
	eachWithClock(t, time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC), func(t *testing.T, db *store.DB, clock *Clock) {
		fx := MustSetUpTexting(t, db, 10)
		report := func(id string) {
			t.Helper()
			res, err := db.ApplyDeliveryReport(ctx, hiretext.DeliveryReport{Provider: fx.Number.Provider, ProviderMessageID: id, Status: hiretext.StatusDelivered})
			if err != nil || !res.Pending {
				t.Fatalf("report for %s: %+v %v", id, res, err)
			}
		}
		pending := func() int {
			t.Helper()
			read, _ := db.Pools()
			var n int
			if err := read.QueryRowContext(ctx, "SELECT COUNT(*) FROM pending_reports").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		report("SMnever1")
		clock.Advance(6 * 24 * time.Hour)
		report("SMnever2")
		if n := pending(); n != 2 {
			t.Fatalf("%d pending reports after 6 days, want both kept", n)
		}
		clock.Advance(2 * 24 * time.Hour)
		report("SMnever3")
		if n := pending(); n != 2 {
			t.Fatalf("%d pending reports, want the 8-day-old one dropped and 2 kept", n)
		}
	})
}

// TestStopAndHandOffExcludeEachOther interleaves a candidate's STOP with
// the dispatcher's hand-off of a text to them, both ways round, step by
// step. A STOP that arrives while the text is with the provider waits until
// the provider call has returned, so no text is handed over after a STOP
// committed; a hand-off after the STOP committed sees it and calls nothing.
func TestStopAndHandOffExcludeEachOther(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 10)
		cand, phone := fx.MustCandidate(t, db, "Ann")
		fx.MustSend(t, db, "Can you start Monday?", cand.ID)
		fx.MustSend(t, db, "Please confirm.", cand.ID)
		claimed, err := db.ClaimDeliveries(ctx, fx.Number.ID, 2, time.Minute)
		if err != nil || len(claimed) != 2 {
			t.Fatalf("claimed %d: %v", len(claimed), err)
		}

		// The hand-off first: the STOP waits for the provider call.
		inCall, release, handedOff := make(chan struct{}), make(chan struct{}), make(chan bool, 1)
		go func() {
			sent, err := db.WhileConsented(ctx, claimed[0], func() { close(inCall); <-release })
			if err != nil {
				t.Error(err)
			}
			handedOff <- sent
		}()
		<-inCall
		stopped := stopWaitingForHandOff(t, db, fx, phone)
		close(release)
		if !<-handedOff {
			t.Fatal("the text handed over before the STOP was not sent")
		}
		<-stopped
		if c, _ := db.CandidateByID(ctx, fx.Org.ID, cand.ID); c.OptedIn() {
			t.Fatal("the STOP did not opt the candidate out once the hand-off was done")
		}

		// The STOP first: the next hand-off sees it and calls nothing.
		called := false
		sent, err := db.WhileConsented(ctx, claimed[1], func() { called = true })
		if err != nil || sent || called {
			t.Fatalf("a hand-off after the STOP committed: sent %v, provider called %v, err %v; want nothing sent", sent, called, err)
		}
	})
}

// TestStopAndGroupHandOffExcludeEachOther is TestStopAndHandOffExcludeEachOther
// for texts handed off as a group (HoldConsent): a STOP from one of the
// group's candidates waits until the group's lock is released (after the
// last of its provider calls), and a group checked after the STOP committed
// holds that candidate's text back and lets the other go. On PostgreSQL a
// group whose candidate's row is being changed fails at once, holding
// nothing, rather than wait while holding the other rows.
func TestStopAndGroupHandOffExcludeEachOther(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 10)
		ann, annPhone := fx.MustCandidate(t, db, "Ann")
		bob, _ := fx.MustCandidate(t, db, "Bob")
		fx.MustSend(t, db, "Can you start Monday?", ann.ID, bob.ID)
		fx.MustSend(t, db, "Please confirm.", ann.ID, bob.ID)
		claimed, err := db.ClaimDeliveries(ctx, fx.Number.ID, 4, time.Minute)
		if err != nil || len(claimed) != 4 {
			t.Fatalf("claimed %d: %v", len(claimed), err)
		}

		// The group first: Ann's STOP waits for its release.
		ok, release, err := db.HoldConsent(ctx, claimed[:2])
		if err != nil || !ok[0] || !ok[1] {
			t.Fatalf("the first group: may go %v, err %v; want both", ok, err)
		}
		release = sync.OnceFunc(release)
		defer release() // a failure must not leave the schema locked
		stopped := stopWaitingForHandOff(t, db, fx, annPhone)
		release()
		<-stopped

		// The STOP first: the next group holds Ann's text back, not Bob's.
		if db.Dialect() == "postgres" {
			holdRowOf(t, db, bob.ID, func() {
				if _, _, err := db.HoldConsent(ctx, claimed[2:]); err == nil {
					t.Error("a group hand-off waited for, or ignored, a candidate's row being changed; want it to fail at once")
				}
			})
		}
		ok, release, err = db.HoldConsent(ctx, claimed[2:])
		if err != nil {
			t.Fatal(err)
		}
		release()
		for i, dl := range claimed[2:] {
			if want := dl.CandidateID == bob.ID; ok[i] != want {
				t.Errorf("after Ann's STOP, the text to candidate %d may go: %v, want %v", dl.CandidateID, ok[i], want)
			}
		}
	})
}

// stopWaitingForHandOff has phone text STOP while a text to it is being
// handed to the provider, and returns once the STOP waits for that
// hand-off (failing if it commits instead); stopped is closed when the
// STOP has committed.
func stopWaitingForHandOff(t *testing.T, db *store.DB, fx *Texting, phone string) (stopped <-chan struct{}) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fx.Receive(t, db, "SMstop", phone, "STOP")
	}()
	Eventually(t, "the STOP to wait for the text being handed to the provider", func() bool {
		select {
		case <-done:
			t.Fatal("the STOP committed while a text was being handed to the provider")
		default:
		}
		n, err := db.ConsentChangesWaiting(ctx)
		return err == nil && n > 0
	})
	return done
}

// holdRowOf runs fn while another transaction holds a lock on the
// candidate's row, as a change of the candidate does until it commits.
func holdRowOf(t *testing.T, db *store.DB, id hiretext.CandidateID, fn func()) {
	t.Helper()
	_, pool := db.Pools()
	tx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // nothing was changed
	if _, err := tx.ExecContext(ctx, db.Rebind("SELECT id FROM candidates WHERE id = ? FOR UPDATE"), id); err != nil {
		t.Fatal(err)
	}
	fn()
}

// TestRecordSentBatchClaimsTheNextTexts records two sends and, in the same
// transaction, claims the next texts of their number for the workers'
// slots: the claimed texts are leased (no other claim takes them) as a
// claim of their own would leave them, and a paced request takes no more
// than the number's pace allows.
func TestRecordSentBatchClaimsTheNextTexts(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 100)
		var ids []hiretext.CandidateID
		for _, c := range fx.MustRecipients(t, db, 6) {
			ids = append(ids, c.ID)
		}
		fx.MustSend(t, db, "Hello", ids...)
		first, err := db.ClaimDeliveries(ctx, fx.Number.ID, 2, time.Minute)
		if err != nil || len(first) != 2 {
			t.Fatalf("claimed %d: %v", len(first), err)
		}
		sent := []hiretext.SentDelivery{{Delivery: first[0], ProviderID: "SMn0", Status: hiretext.StatusSent},
			{Delivery: first[1], ProviderID: "SMn1", Status: hiretext.StatusSent}}
		next, err := db.RecordSentBatch(ctx, sent, []hiretext.ClaimRequest{{Number: fx.Number.ID, Limit: 2, Lease: time.Minute}})
		if err != nil || len(next) != 2 {
			t.Fatalf("record and claim: %d claimed, %v", len(next), err)
		}
		for _, dl := range next {
			if dl.ID == first[0].ID || dl.ID == first[1].ID || dl.NumberID != fx.Number.ID || dl.Attempts != 1 {
				t.Errorf("claimed %+v with the record of %d and %d", dl, first[0].ID, first[1].ID)
			}
		}
		if got := fx.StatusCounts(t, db, hiretext.KindRecruiter); got[hiretext.StatusSent] != 2 || got[hiretext.StatusQueued] != 4 {
			t.Errorf("statuses %v, want the 2 recorded sent and 4 queued", got)
		}
		rest, err := db.ClaimDeliveries(ctx, fx.Number.ID, 10, time.Minute)
		if err != nil || len(rest) != 2 {
			t.Fatalf("a later claim took %d (%v), want the 2 nobody leased", len(rest), err)
		}
		// A paced request takes what the number's pace allows: one text a
		// second with a burst of one, right after a claim of it, none.
		fx.MustSend(t, db, "Hello again", ids...)
		if _, err := db.ClaimPaced(ctx, fx.Number.ID, 1, time.Minute, hiretext.SendPace{Rate: 1, Burst: 1}); err != nil {
			t.Fatal(err)
		}
		paced, err := db.RecordSentBatch(ctx, []hiretext.SentDelivery{{Delivery: next[0], ProviderID: "SMn2", Status: hiretext.StatusSent}},
			[]hiretext.ClaimRequest{{Number: fx.Number.ID, Limit: 5, Lease: time.Minute, Pace: hiretext.SendPace{Rate: 1, Burst: 1}}})
		if err != nil || len(paced) != 0 {
			t.Errorf("a paced claim took %d (%v) a moment after the pace's one text", len(paced), err)
		}
	})
}
