package dispatch_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/dispatch"
	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

// checkTimes records when the dispatcher began each delivery's last consent
// check, before the store's read took its snapshot.
type checkTimes struct {
	*store.DB
	mu     sync.Mutex
	began  map[hiretext.MessageID]time.Time
	checks int
}

func (c *checkTimes) WhileConsented(ctx context.Context, dl *hiretext.Delivery, send func()) (bool, error) {
	c.mu.Lock()
	c.began[dl.ID] = time.Now()
	c.checks++
	c.mu.Unlock()
	return c.DB.WhileConsented(ctx, dl, send)
}

func (c *checkTimes) HoldConsent(ctx context.Context, dls []*hiretext.Delivery) ([]bool, func(), error) {
	c.mu.Lock()
	for _, dl := range dls {
		c.began[dl.ID] = time.Now()
	}
	c.checks += len(dls)
	c.mu.Unlock()
	return c.DB.HoldConsent(ctx, dls)
}

func (c *checkTimes) at(id hiretext.MessageID) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.began[id]
}

// providerCall is one Send, with the moment it started.
type providerCall struct {
	msg     hiretext.MessageID
	started time.Time
	checked time.Time // when the consent check before it began
}

// TestConcurrentSendsAndStopsNeverOverspendOrTextAfterStop races two
// recruiters bulk-sending from one number against candidates texting STOP
// and replying, with a dispatcher delivering throughout through a provider
// that rejects a few phones as opted out at the carrier (some of them
// texting STOP too). The allowance is never overspent, every unit is
// accounted for, no recruiter text goes to a candidate after their STOP
// committed unless its last consent check began before that commit, and no
// transaction fails (on PostgreSQL, a deadlock would).
func TestConcurrentSendsAndStopsNeverOverspendOrTextAfterStop(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const allowance = 120
		fx := storetest.MustSetUpTexting(t, db, allowance)
		sam := storetest.MustCreateUser(t, db, fx.Org.ID, "Sam Second", hiretext.RoleUser, hiretext.PermJobs, hiretext.PermPool, hiretext.PermProfiles)
		storetest.MustAssign(t, db, fx.Org.ID, fx.Number.ID, sam.ID)
		cands := fx.MustRecipients(t, db, 40)
		stoppers := cands[:16]
		carrierOptOut := map[string]bool{} // two who text STOP, two who do not
		for _, c := range []*hiretext.Candidate{cands[0], cands[1], cands[20], cands[21]} {
			carrierOptOut[c.MainPhone] = true
		}

		checks := &checkTimes{DB: db, began: map[hiretext.MessageID]time.Time{}}
		var mu sync.Mutex
		var calls []providerCall
		p := newFake(func(m sms.OutboundMessage, _ int) error {
			id, _ := strconv.ParseInt(m.Reference, 10, 64)
			c := providerCall{msg: hiretext.MessageID(id), started: time.Now()}
			c.checked = checks.at(c.msg)
			mu.Lock()
			calls = append(calls, c)
			mu.Unlock()
			if carrierOptOut[m.To] {
				return &sms.Error{Class: sms.OptedOut, Code: "21610", Message: "Attempt to send to unsubscribed recipient"}
			}
			return nil
		})
		cfg := dispatch.Config{Workers: 4, Rate: 10000, SendTimeout: 5 * time.Second, Lease: time.Minute, Poll: 5 * time.Millisecond,
			Logger: slog.New(failOnError{t})}
		d := dispatch.New(checks, p, cfg)
		db.SetDispatcher(d)
		run, stop := context.WithCancel(ctx)
		stopped := make(chan error, 1)
		go func() { stopped <- d.Run(run) }()

		r := newRace(fx, db)
		var wg sync.WaitGroup
		for _, user := range []hiretext.UserID{fx.Recruiter.ID, sam.ID} {
			wg.Go(func() { r.send(t, user, cands, 12) })
		}
		for i, c := range stoppers {
			wg.Go(func() { r.stop(t, i, c) })
		}
		wg.Go(func() { r.reply(t, cands, 20) })
		wg.Wait()
		storetest.EventuallyNil(t, 2*time.Minute, "every message sent", func() error {
			recruiter, replies := fx.StatusCounts(t, db, hiretext.KindRecruiter), fx.StatusCounts(t, db, hiretext.KindKeywordReply)
			if recruiter[hiretext.StatusQueued] > 0 || replies[hiretext.StatusQueued] > 0 {
				return fmt.Errorf("recruiter messages %v, keyword replies %v", recruiter, replies)
			}
			return nil
		})
		stop()
		<-stopped

		r.checkAllowance(t, db, allowance)
		r.checkNoTextAfterStop(t, calls)
	})
}

// race is the shared record of what the senders and the stoppers did. Its
// senders, stoppers and repliers pause for random times so that each run
// interleaves them with the dispatcher differently, to shake out races. The
// pauses wait for nothing: the checks hold for any interleaving.
type race struct {
	fx *storetest.Texting
	db *store.DB

	mu        sync.Mutex
	queued    map[hiretext.MessageID]hiretext.CandidateID // recruiter messages
	refused   int                                         // sends refused for the allowance
	stoppedAt map[hiretext.CandidateID]time.Time          // when each STOP had committed
	replies   int                                         // automatic confirmations queued
	inbound   int                                         // texts received, STOPs included
}

func newRace(fx *storetest.Texting, db *store.DB) *race {
	return &race{fx: fx, db: db, queued: map[hiretext.MessageID]hiretext.CandidateID{}, stoppedAt: map[hiretext.CandidateID]time.Time{}}
}

// send has user text rounds random groups of eight candidates.
func (r *race) send(t *testing.T, user hiretext.UserID, cands []*hiretext.Candidate, rounds int) {
	for range rounds {
		var ids []hiretext.CandidateID
		for _, k := range rand.Perm(len(cands))[:8] {
			ids = append(ids, cands[k].ID)
		}
		res, err := r.db.SendMessages(ctx, hiretext.SendRequest{OrgID: r.fx.Org.ID, UserID: user, CandidateIDs: ids, Body: "Can you come in tomorrow?"})
		r.mu.Lock()
		switch {
		case hiretext.ErrorCode(err) == hiretext.EAllowanceExceeded:
			r.refused++
		case err != nil:
			t.Errorf("send: %v", err)
		}
		for _, s := range res {
			if s.Queued {
				r.queued[s.MessageID] = s.CandidateID
			}
		}
		r.mu.Unlock()
		time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
	}
}

// stop has candidate c text STOP at a random moment and notes when the
// STOP had committed: just after ReceiveText returned, so no later than
// the commit.
func (r *race) stop(t *testing.T, i int, c *hiretext.Candidate) {
	time.Sleep(time.Duration(rand.IntN(60)) * time.Millisecond)
	res, err := r.db.ReceiveText(ctx, hiretext.IncomingText{Provider: r.fx.Number.Provider,
		ProviderMessageID: fmt.Sprint("SMstop", i), From: c.MainPhone, To: r.fx.Number.Phone, Body: "STOP"})
	committed := time.Now()
	if err != nil {
		t.Errorf("STOP: %v", err)
		return
	}
	r.mu.Lock()
	r.stoppedAt[c.ID] = committed
	r.replies += len(res.Replies)
	r.inbound++
	r.mu.Unlock()
}

// reply has n random candidates answer, one at a time.
func (r *race) reply(t *testing.T, cands []*hiretext.Candidate, n int) {
	for i := range n {
		c := cands[rand.IntN(len(cands))]
		if _, err := r.db.ReceiveText(ctx, hiretext.IncomingText{Provider: r.fx.Number.Provider,
			ProviderMessageID: fmt.Sprint("SMreply", i), From: c.MainPhone, To: r.fx.Number.Phone, Body: "Sounds good, see you then"}); err != nil {
			t.Errorf("reply: %v", err)
			return
		}
		r.mu.Lock()
		r.inbound++
		r.mu.Unlock()
		time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
	}
}

// checkAllowance proves every unit of the allowance is accounted for: the
// counter equals what was reserved, minus what canceled or failed messages
// released, plus the inbound texts and the confirmations, which count
// unconditionally; and the reserved units still held never exceed the
// allowance.
func (r *race) checkAllowance(t *testing.T, db *store.DB, allowance int) {
	t.Helper()
	counts := r.fx.StatusCounts(t, db, hiretext.KindRecruiter)
	released := counts[hiretext.StatusCanceled] + counts[hiretext.StatusFailed]
	held := len(r.queued) - released
	confirmations := r.fx.StatusCounts(t, db, hiretext.KindKeywordReply)
	repliesHeld := r.replies - confirmations[hiretext.StatusFailed] - confirmations[hiretext.StatusCanceled]
	u, err := db.Usage(ctx, r.fx.Org.ID, r.fx.Number.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := held + r.inbound + repliesHeld; u.Used != want {
		t.Errorf("used %d, want %d: %d reserved − %d released + %d inbound + %d confirmations still counted",
			u.Used, want, len(r.queued), released, r.inbound, repliesHeld)
	}
	if held > allowance {
		t.Errorf("%d recruiter texts hold the allowance of %d", held, allowance)
	}
	if r.refused == 0 {
		t.Error("no send was refused: the race never reached the allowance")
	}
	if counts[hiretext.StatusQueued] != 0 || counts[hiretext.StatusSending]+released != len(r.queued) {
		t.Errorf("statuses %v of %d queued messages", counts, len(r.queued))
	}
	t.Logf("%d texts queued, %d sends refused, %d canceled after STOP, %d failed at the carrier; used %d of %d",
		len(r.queued), r.refused, counts[hiretext.StatusCanceled], counts[hiretext.StatusFailed], u.Used, allowance)
}

// checkNoTextAfterStop proves no provider call for a recruiter text to a
// candidate started after their STOP committed, except in the window the
// dispatcher cannot close: a call whose consent check began before the
// commit. Such a text was decided before the STOP, like one handed to the
// provider a moment earlier, and is counted in the log.
func (r *race) checkNoTextAfterStop(t *testing.T, calls []providerCall) {
	t.Helper()
	late := 0
	for _, c := range calls {
		cand, ok := r.queued[c.msg]
		stopped, stoppedOK := r.stoppedAt[cand]
		if !ok || !stoppedOK || c.started.Before(stopped) {
			continue // a keyword confirmation, or a candidate who never texted STOP, or before the STOP
		}
		late++
		if c.checked.IsZero() || !c.checked.Before(stopped) {
			t.Errorf("message %d to candidate %d: provider call at +%v after the STOP committed, its consent check at +%v",
				c.msg, cand, c.started.Sub(stopped), c.checked.Sub(stopped))
		}
	}
	t.Logf("%d provider calls; %d started after their candidate's STOP committed, each checked before it", len(calls), late)
}

// failOnError fails the test for every error the dispatcher logs: a
// recording that failed (a deadlock, say) would otherwise only be retried.
type failOnError struct{ t *testing.T }

func (h failOnError) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelError }
func (h failOnError) WithAttrs([]slog.Attr) slog.Handler           { return h }
func (h failOnError) WithGroup(string) slog.Handler                { return h }
func (h failOnError) Handle(_ context.Context, r slog.Record) error {
	msg := r.Message
	r.Attrs(func(a slog.Attr) bool { msg += " " + a.String(); return true })
	h.t.Errorf("dispatcher: %s", msg)
	return nil
}

// TestStopWaitsForTheTextWithTheProvider: a candidate's STOP arrives while
// the dispatcher is handing their first text to the provider. The STOP
// waits for that call to return (it never commits while a text is with the
// provider), and the second text, handed over after the STOP committed, is
// canceled without a provider call.
func TestStopWaitsForTheTextWithTheProvider(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := storetest.MustSetUpTexting(t, db, 100)
		cand, phone := fx.MustCandidate(t, db, "Ann")
		first := fx.MustSend(t, db, "Can you start Monday?", cand.ID)[0].MessageID
		second := fx.MustSend(t, db, "Please confirm.", cand.ID)[0].MessageID
		inCall, release := make(chan struct{}), make(chan struct{})
		p := newFake(func(m sms.OutboundMessage, call int) error {
			if call == 1 {
				close(inCall)
				<-release
			}
			return nil
		})
		cfg := fastConfig()
		cfg.Workers, cfg.SendTimeout, cfg.Lease = 1, time.Minute, 2*time.Minute
		c, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- dispatch.New(db, p, cfg).Run(c) }()
		defer func() { cancel(); <-done }()

		<-inCall
		stopped := make(chan struct{})
		go func() {
			defer close(stopped)
			fx.Receive(t, db, "SMstop", phone, "STOP")
		}()
		storetest.Eventually(t, "the STOP to wait for the provider call", func() bool {
			select {
			case <-stopped:
				t.Fatal("the STOP committed while a text was with the provider")
			default:
			}
			n, err := db.ConsentChangesWaiting(ctx)
			return err == nil && n > 0
		})
		close(release)
		<-stopped
		storetest.Eventually(t, "both texts resolved", func() bool {
			got := statuses(t, db, fx, []hiretext.MessageID{first, second})
			return got[hiretext.StatusQueued] == 0
		})
		a, _ := db.MessageByID(ctx, fx.Org.ID, first)
		b, _ := db.MessageByID(ctx, fx.Org.ID, second)
		if a.Status == hiretext.StatusCanceled || b.Status != hiretext.StatusCanceled {
			t.Fatalf("first %s, second %s: want the first handed over, the second canceled", a.Status, b.Status)
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.sent[fmt.Sprint(int64(second))] != 0 {
			t.Fatal("the text after the STOP reached the provider")
		}
	})
}
