package dispatch_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/dispatch"
	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

var ctx = context.Background()

// fakeProvider records sends and answers what the test tells it to. An
// answer of loseAnswer accepts the send and then fails it as uncertain, as
// a provider whose answer was lost; Lookup finds what it accepted.
type fakeProvider struct {
	mu       sync.Mutex
	sent     map[string]int // reference (our message id) → texts accepted
	to       []string
	accepted []fakeSent
	answer   func(m sms.OutboundMessage, call int) error // nil error = accepted
	lookup   func() error                                // nil or nil error = answer from what was accepted
	calls    atomic.Int64
	looked   atomic.Int64
}

// fakeSent is a text the fake accepted.
type fakeSent struct {
	id string
	m  sms.OutboundMessage
}

// loseAnswer tells the fake to accept a send and lose its answer.
var loseAnswer = &sms.Error{Class: sms.Transient, Uncertain: true, Message: "the answer was lost"}

func newFake(answer func(sms.OutboundMessage, int) error) *fakeProvider {
	return &fakeProvider{sent: map[string]int{}, answer: answer}
}

func (f *fakeProvider) Name() string      { return "test" }
func (f *fakeProvider) SendRate() float64 { return 1000 }
func (f *fakeProvider) Send(ctx context.Context, m sms.OutboundMessage) (sms.SendResult, error) {
	call := int(f.calls.Add(1))
	var err error
	if f.answer != nil {
		if err = f.answer(m, call); err != nil && err != loseAnswer {
			return sms.SendResult{}, err
		}
	}
	f.mu.Lock()
	f.sent[m.Reference]++
	f.to = append(f.to, m.To)
	id := fmt.Sprintf("SM%s-%d", m.Reference, f.sent[m.Reference])
	f.accepted = append(f.accepted, fakeSent{id: id, m: m})
	f.mu.Unlock()
	if err != nil {
		return sms.SendResult{}, err
	}
	return sms.SendResult{ProviderMessageID: id, Status: hiretext.StatusQueued, Segments: 1}, nil
}

// Lookup finds the accepted texts From, To, with Body (of any time: the
// test's texts are all recent).
func (f *fakeProvider) Lookup(_ context.Context, q sms.LookupQuery) ([]sms.FoundMessage, error) {
	f.looked.Add(1)
	if f.lookup != nil {
		if err := f.lookup(); err != nil {
			return nil, err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []sms.FoundMessage
	for _, s := range f.accepted {
		if s.m.From == q.From && s.m.To == q.To && s.m.Body == q.Body {
			out = append(out, sms.FoundMessage{ProviderMessageID: s.id, Status: hiretext.StatusSent})
		}
	}
	return out, nil
}
func (f *fakeProvider) History(context.Context, sms.HistoryQuery) ([]sms.HistoryMessage, error) {
	return nil, errors.New("not used")
}
func (f *fakeProvider) SearchNumbers(context.Context, sms.NumberQuery) ([]sms.AvailableNumber, error) {
	return nil, errors.New("not used")
}
func (f *fakeProvider) BuyNumber(context.Context, string) (sms.ProvisionedNumber, error) {
	return sms.ProvisionedNumber{}, errors.New("not used")
}
func (f *fakeProvider) ReleaseNumber(context.Context, sms.ProvisionedNumber) error { return nil }
func (f *fakeProvider) VerifyWebhook(sms.WebhookRequest) error                     { return nil }
func (f *fakeProvider) ParseInbound(sms.WebhookRequest) ([]sms.InboundMessage, error) {
	return nil, nil
}
func (f *fakeProvider) ParseStatus(sms.WebhookRequest) ([]sms.StatusUpdate, error) { return nil, nil }
func (f *fakeProvider) Ack(sms.WebhookKind) sms.Response                           { return sms.Response{Status: 200} }

func (f *fakeProvider) delivered() (distinct, total int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, n := range f.sent {
		distinct++
		total += n
	}
	return distinct, total
}

// fastConfig is a dispatcher for tests: quick polls, backoffs and calls,
// and a lease that outlasts any wait of a loaded machine (under the race
// detector a record can take longer than 400 ms, the lease this had): a
// claim that expired before its outcome was recorded would be claimed and
// looked up again, and the tests count every call and look-up exactly.
// Retries do not wait for the lease: a failure is recorded and due again.
func fastConfig() dispatch.Config {
	return dispatch.Config{Workers: 4, Rate: 10000, SendTimeout: 200 * time.Millisecond, Lease: time.Minute,
		Poll: 10 * time.Millisecond, BaseBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, MaxAttempts: 5}
}

// runUntil runs a dispatcher until cond holds, then stops it and waits for
// its provider calls. A 1,000-message send under the race detector may take
// minutes on a loaded machine, so it waits longer than storetest.Patience.
func runUntil(t *testing.T, db *store.DB, p *fakeProvider, cfg dispatch.Config, cond func() bool) *dispatch.Dispatcher {
	t.Helper()
	c, cancel := context.WithCancel(ctx)
	d := dispatch.New(db, p, cfg)
	done := make(chan error, 1)
	go func() { done <- d.Run(c) }()
	defer func() { cancel(); <-done }()
	storetest.EventuallyNil(t, 5*time.Minute, "the dispatcher to finish", func() error {
		if cond() {
			return nil
		}
		distinct, total := p.delivered()
		return fmt.Errorf("%d distinct sends, %d calls", distinct, total)
	})
	return d
}

func statuses(t *testing.T, db *store.DB, fx *storetest.Texting, ids []hiretext.MessageID) map[hiretext.MessageStatus]int {
	out := map[hiretext.MessageStatus]int{}
	for _, id := range ids {
		m, err := db.MessageByID(ctx, fx.Org.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		out[m.Status]++
	}
	return out
}

func queue(t *testing.T, db *store.DB, fx *storetest.Texting, n int) ([]hiretext.MessageID, []*hiretext.Candidate) {
	var ids []hiretext.CandidateID
	var cands []*hiretext.Candidate
	for i := range n {
		c, _ := fx.MustCandidate(t, db, fmt.Sprint("C", i))
		ids = append(ids, c.ID)
		cands = append(cands, c)
	}
	var msgs []hiretext.MessageID
	for _, r := range fx.MustSend(t, db, "Your interview is confirmed.", ids...) {
		msgs = append(msgs, r.MessageID)
	}
	return msgs, cands
}

func TestDeliversAndRechecksConsent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := storetest.MustSetUpTexting(t, db, 100)
		msgs, cands := queue(t, db, fx, 3)
		// Candidate 0 texts STOP after the message was queued.
		fx.Receive(t, db, "SMstop", cands[0].MainPhone, "STOP")
		p := newFake(nil)
		runUntil(t, db, p, fastConfig(), func() bool { return statuses(t, db, fx, msgs)[hiretext.StatusQueued] == 0 && p.calls.Load() >= 3 })
		got := statuses(t, db, fx, msgs)
		if got[hiretext.StatusCanceled] != 1 || got[hiretext.StatusSending] != 2 {
			t.Fatalf("statuses %v, want 1 canceled and 2 handed to the provider", got)
		}
		for _, to := range p.to {
			if to == cands[0].MainPhone && p.sent[fmt.Sprint(int64(msgs[0]))] > 0 {
				t.Fatal("the opted-out candidate was texted")
			}
		}
		n, _ := db.NumberByID(ctx, fx.Org.ID, fx.Number.ID)
		// 3 reserved - 1 canceled + STOP inbound + its confirmation = 4.
		if n.Usage.Used != 4 {
			t.Fatalf("used %d, want 4", n.Usage.Used)
		}
	})
}

func TestTransientOutageDelaysButLosesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := storetest.MustSetUpTexting(t, db, 100)
		msgs, _ := queue(t, db, fx, 10)
		p := newFake(func(m sms.OutboundMessage, call int) error {
			if call <= 25 {
				return &sms.Error{Class: sms.Transient, Code: "20429", Message: "Too Many Requests"}
			}
			return nil
		})
		cfg := fastConfig()
		cfg.MaxAttempts = 20
		d := runUntil(t, db, p, cfg, func() bool { d, _ := p.delivered(); return d == 10 })
		if got := statuses(t, db, fx, msgs); got[hiretext.StatusSending] != 10 {
			t.Fatalf("statuses %v, want all 10 sent after the outage", got)
		}
		if got := d.SendOutcomes(); got[dispatch.OutcomeTransient] != 25 || got[dispatch.OutcomeAccepted] != 10 {
			t.Fatalf("outcomes counted %v, want 25 transient and 10 accepted", got)
		}
	})
}

func TestPermanentErrorsAreNotRetried(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	fx := storetest.MustSetUpTexting(t, db, 100)
	msgs, cands := queue(t, db, fx, 3)
	p := newFake(func(m sms.OutboundMessage, call int) error {
		switch m.To {
		case cands[0].MainPhone:
			return &sms.Error{Class: sms.InvalidRecipient, Code: "21211", Message: "Invalid 'To' Phone Number"}
		case cands[1].MainPhone:
			return &sms.Error{Class: sms.OptedOut, Code: "21610", Message: "Attempt to send to unsubscribed recipient"}
		}
		return &sms.Error{Class: sms.Permanent, Code: "30007", Message: "Message filtered"}
	})
	// fastConfig's lease outlasts any wait of a loaded machine: only a
	// retry, not a claim that expired before its failure was recorded,
	// could call again.
	d := runUntil(t, db, p, fastConfig(), func() bool { return statuses(t, db, fx, msgs)[hiretext.StatusFailed] == 3 })
	if got := fmt.Sprint(d.SendOutcomes()); got != "map[accepted:0 invalid_recipient:1 opted_out:1 refused:1 transient:0 uncertain:0]" {
		t.Fatalf("outcomes counted %s", got)
	}
	// The dispatcher has stopped with every call answered, and nothing of
	// the number is left to claim, now or after any backoff: the calls made
	// are all there will be.
	if due, err := db.DueNumbers(ctx, time.Now().Add(time.Hour)); err != nil || len(due) != 0 {
		t.Fatalf("due numbers %v, %v; want none", due, err)
	}
	if p.calls.Load() != 3 {
		t.Fatalf("%d provider calls, want 3 (no retries)", p.calls.Load())
	}
	m, _ := db.MessageByID(ctx, fx.Org.ID, msgs[0])
	if want := "Not sent: invalid phone number — this is not a valid phone number (code 21211)."; m.ErrorCode != "21211" || m.ErrorMessage != want {
		t.Fatalf("invalid recipient: code %q, reason %q, want 21211 and %q", m.ErrorCode, m.ErrorMessage, want)
	}
	if c, _ := db.CandidateByID(ctx, fx.Org.ID, cands[1].ID); c.OptedIn() {
		t.Fatal("a carrier opt-out did not opt the candidate out")
	}
	n, _ := db.NumberByID(ctx, fx.Org.ID, fx.Number.ID)
	if n.Usage.Used != 0 {
		t.Fatalf("used %d, want 0: failed messages release their reservation", n.Usage.Used)
	}
}

// killableStore stops recording anything once killed, like a process that
// died: provider calls in flight happened, their outcomes were never written.
type killableStore struct {
	*store.DB
	killed atomic.Bool
}

var errKilled = errors.New("process killed")

func (k *killableStore) RecordSentBatch(ctx context.Context, sent []hiretext.SentDelivery, next []hiretext.ClaimRequest) ([]*hiretext.Delivery, error) {
	if k.killed.Load() {
		return nil, errKilled
	}
	return k.DB.RecordSentBatch(ctx, sent, next)
}

func (k *killableStore) ClaimPaced(ctx context.Context, n hiretext.NumberID, limit int, lease time.Duration, pace hiretext.SendPace) (hiretext.DeliveryClaim, error) {
	if k.killed.Load() {
		return hiretext.DeliveryClaim{}, errKilled
	}
	return k.DB.ClaimPaced(ctx, n, limit, lease, pace)
}

// TestKilledMidBulkLosesNothing kills the dispatcher in the middle of a
// 1,000-message bulk send and starts another: every candidate gets the
// message exactly once, because the messages in flight at the kill are
// looked up at the provider, not sent again.
func TestKilledMidBulkLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000-message bulk send; run without -short")
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := storetest.MustSetUpTexting(t, db, 2000)
		var ids []hiretext.CandidateID
		for _, c := range fx.MustRecipients(t, db, 1000) {
			ids = append(ids, c.ID)
		}
		fx.MustSend(t, db, "Open house on Friday!", ids...)
		// The lease outlasts any claim-to-record time under the race
		// detector, so the only second sends are those of the kill.
		cfg := dispatch.Config{Workers: 16, Rate: 10000, SendTimeout: time.Second, Lease: 5 * time.Second,
			Poll: 10 * time.Millisecond, MaxAttempts: 5}
		ks := &killableStore{DB: db}
		first, kill := context.WithCancel(ctx)
		// The process dies during the 300th provider call: that call and
		// those in flight with it reach the provider, unrecorded.
		p := newFake(func(_ sms.OutboundMessage, call int) error {
			if call == 300 {
				ks.killed.Store(true)
				kill()
			}
			return nil
		})
		d := dispatch.New(ks, p, cfg)
		done := make(chan error, 1)
		go func() { done <- d.Run(first) }()
		select {
		case <-done:
		case <-time.After(5 * time.Minute):
			kill()
			t.Fatalf("the dispatcher made %d provider calls of the 300 before the kill", p.calls.Load())
		}
		before, _ := p.delivered()
		// Messages sent but not recorded before the kill wait for their
		// lease to lapse; then they are looked up, found and recorded.
		d2 := runUntil(t, db, p, cfg, func() bool {
			d, _ := p.delivered()
			return d == 1000 && fx.StatusCounts(t, db, hiretext.KindRecruiter)[hiretext.StatusQueued] == 0
		})
		// Sent by a call ("sending"), or adopted from the provider's list ("sent").
		if got := fx.StatusCounts(t, db, hiretext.KindRecruiter); got[hiretext.StatusSending]+got[hiretext.StatusSent] != 1000 {
			t.Fatalf("statuses %v, want all 1000 recorded as handed to the provider", got)
		}
		distinct, total := p.delivered()
		if distinct != 1000 {
			t.Fatalf("%d of 1000 candidates texted", distinct)
		}
		if dup := total - distinct; dup != 0 {
			t.Fatalf("%d messages sent twice; the ones in flight at the kill must be looked up, not re-sent", dup)
		}
		if found := d2.Lookups()[dispatch.LookupFound]; found == 0 {
			t.Fatal("no send in flight at the kill was found by a lookup")
		}
		t.Logf("killed after %d sends; %d adopted by lookup, none re-sent", before, d2.Lookups()[dispatch.LookupFound])
	})
}
