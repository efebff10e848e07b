// Package dispatch delivers queued messages: it claims due messages from the
// store (the messages table is the outbox), re-checks consent just before
// each provider call, sends at each number's rate (kept in the database, so
// every instance shares it), retries transient failures
// with backoff, and records every outcome (accepted sends that finish
// together in one transaction: see recorder). It is safe to run in several
// processes on one PostgreSQL database: claims are leases taken with SKIP
// LOCKED, and a lease that expires unresolved (a crash mid-call) makes the
// message due again, so a message is never lost. Nor is it sent twice: a
// message whose earlier provider call may have reached the provider (a
// lost answer, a crash mid-call) is in doubt, and is looked up at the
// provider before any new call; only the provider's "not there" lets it
// be sent again (see resolveDoubt).
package dispatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/sms"
)

// Store is what the dispatcher needs from storage.
type Store interface {
	// ReleaseDue queues up to limit held texts whose minute has come (or
	// cancels or fails them, with the reason), returning how many it took.
	ReleaseDue(ctx context.Context, limit int) (int, error)
	DueNumbers(ctx context.Context, now time.Time) ([]hiretext.NumberID, error)
	ClaimPaced(ctx context.Context, number hiretext.NumberID, limit int, lease time.Duration, pace hiretext.SendPace) (hiretext.DeliveryClaim, error)
	// WhileConsented calls send only if the delivery may still go, and keeps
	// the candidate's consent from changing until send returns: no text is
	// handed to the provider after an opt-out committed.
	WhileConsented(ctx context.Context, dl *hiretext.Delivery, send func()) (bool, error)
	// HoldConsent is WhileConsented for texts claimed together: it says
	// which may still go and keeps their candidates' consent from changing
	// until release is called. On an error nothing is held.
	HoldConsent(ctx context.Context, dls []*hiretext.Delivery) (ok []bool, release func(), err error)
	// RecordSentBatch records accepted sends and, in the same transaction,
	// claims what next asks, returning those deliveries.
	RecordSentBatch(ctx context.Context, sent []hiretext.SentDelivery, next []hiretext.ClaimRequest) ([]*hiretext.Delivery, error)
	// RetryDelivery makes dl due again at at; uncertain keeps it in doubt.
	RetryDelivery(ctx context.Context, dl *hiretext.Delivery, at time.Time, code, reason string, uncertain bool) error
	// KnownProviderMessages says which provider ids messages already hold.
	KnownProviderMessages(ctx context.Context, provider string, ids []string) (map[string]hiretext.MessageStatus, error)
	// ApplyDeliveryReport records a provider's final word on a sent message.
	ApplyDeliveryReport(ctx context.Context, r hiretext.DeliveryReport) (*hiretext.StatusResult, error)
	FailDelivery(ctx context.Context, dl *hiretext.Delivery, status hiretext.MessageStatus, code, reason string, optOut bool) error
}

// Config tunes a Dispatcher. Zero values take the defaults.
type Config struct {
	Workers     int           // provider calls in flight at once (default 8)
	Rate        float64       // messages per second per number (default: the provider's SendRate)
	SendTimeout time.Duration // one provider call (default 15s)
	Lease       time.Duration // how long a claim lasts before it is retried (default 2m; > SendTimeout)
	Poll        time.Duration // how often to look for due messages without a wake-up (default 1s)
	MaxAttempts int           // transient failures before giving up (default 10)
	BaseBackoff time.Duration // first retry delay, doubled each time (default 5s)
	MaxBackoff  time.Duration // longest retry delay (default 10m)
	Clock       hiretext.Clock
	Logger      *slog.Logger
	// OnFailure, if set, is told the provider's code of every send the
	// provider refused for good, or a lookup found failed (monitoring
	// counts carrier errors by it).
	OnFailure func(code string)
}

func (c *Config) defaults(p sms.Provider) {
	if c.Workers <= 0 {
		c.Workers = 8
	}
	if c.Rate <= 0 {
		c.Rate = p.SendRate()
	}
	if c.SendTimeout <= 0 {
		c.SendTimeout = 15 * time.Second
	}
	if c.Lease <= c.SendTimeout {
		c.Lease = max(2*time.Minute, 2*c.SendTimeout)
	}
	if c.Poll <= 0 {
		c.Poll = time.Second
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 10
	}
	if c.BaseBackoff <= 0 {
		c.BaseBackoff = 5 * time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 10 * time.Minute
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Dispatcher sends queued messages through one provider.
type Dispatcher struct {
	cfg      Config
	store    Store
	provider sms.Provider
	wake     chan struct{}
	pace     hiretext.SendPace
	// notBefore is when each number's pace next lets it send, as of this
	// dispatcher's last claim: a hint that saves claims bound to come back
	// empty. Other instances' claims may push it later; the database decides.
	notBefore map[hiretext.NumberID]time.Time
	slots     chan struct{} // one per worker; a claim never exceeds the free slots
	inflight  sync.WaitGroup
	rec       *recorder // set by Run
	outcomes  outcomeCounts
	lookups   lookupCounts
}

// New returns a Dispatcher; call Run to start it.
func New(st Store, p sms.Provider, cfg Config) *Dispatcher {
	cfg.defaults(p)
	return &Dispatcher{cfg: cfg, store: st, provider: p, wake: make(chan struct{}, 1),
		pace: paceOf(cfg.Rate), notBefore: map[hiretext.NumberID]time.Time{}, slots: make(chan struct{}, cfg.Workers)}
}

// paceOf is the pace of a number sending rate texts a second: at most a
// second's worth at once (at least one), so a number never bursts past what
// its carrier allows in a second.
func paceOf(rate float64) hiretext.SendPace {
	return hiretext.SendPace{Rate: rate, Burst: max(1, int(rate))}
}

// Wake asks the dispatcher to look for due messages now (after a send was
// queued). It never blocks.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers messages until ctx ends, then waits for the provider calls in
// flight to finish (each is bounded by SendTimeout) and to be recorded.
func (d *Dispatcher) Run(ctx context.Context) error {
	ticker := time.NewTicker(d.cfg.Poll)
	defer ticker.Stop()
	d.rec = startRecorder(context.WithoutCancel(ctx), d.store, d.cfg.Workers)
	d.rec.hold = func(dls []*hiretext.Delivery) []*consentGrant { return d.holdConsent(context.WithoutCancel(ctx), dls) }
	d.rec.claim = func(n hiretext.NumberID, limit int) *hiretext.ClaimRequest {
		if ctx.Err() != nil {
			return nil // stopping: start nothing new
		}
		return &hiretext.ClaimRequest{Number: n, Limit: limit, Lease: d.cfg.Lease, Pace: d.pace}
	}
	defer d.rec.stop() // after the workers, deferred below, have finished
	defer d.inflight.Wait()
	release := true
	for {
		if err := d.pass(ctx, release); err != nil && ctx.Err() == nil {
			d.cfg.Logger.Error("dispatch pass failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-d.wake:
			// A wake-up is a text queued or a worker done: nothing held
			// came due because of it, so the held texts wait for the
			// ticker (their minute is kept to within Poll).
			release = false
		case <-ticker.C:
			release = true
		}
	}
}

// releaseBatch bounds the held texts one transaction releases.
const releaseBatch = 200

// pass releases the held texts whose minute has come (when release is
// set: each Poll), then claims what each due number may send now and hands
// it to workers. A held text is never claimed before it is released, so
// none goes early; it waits in the database, so none is lost across a
// restart.
func (d *Dispatcher) pass(ctx context.Context, release bool) error {
	for release {
		n, err := d.store.ReleaseDue(ctx, releaseBatch)
		if err != nil {
			return err
		}
		release = n == releaseBatch
	}
	numbers, err := d.store.DueNumbers(ctx, d.cfg.Clock.Now())
	if err != nil {
		return err
	}
	now := d.cfg.Clock.Now()
	for _, n := range numbers {
		free := cap(d.slots) - len(d.slots)
		if free == 0 || now.Before(d.notBefore[n]) {
			continue
		}
		claim, err := d.store.ClaimPaced(ctx, n, free, d.cfg.Lease, d.pace)
		if err != nil {
			return err
		}
		d.notBefore[n] = claim.NextAt
		grants := d.holdConsent(context.WithoutCancel(ctx), claim.Deliveries)
		for i, dl := range claim.Deliveries {
			d.start(ctx, dl, grants[i])
		}
	}
	return nil
}

// start runs one delivery, with its share of a group hand-off if it has
// one, on a worker slot. It outlives a cancelled ctx for at most
// SendTimeout, so a shutdown records what the provider answered.
func (d *Dispatcher) start(ctx context.Context, dl *hiretext.Delivery, g *consentGrant) {
	d.slots <- struct{}{}
	d.inflight.Add(1)
	go func() {
		defer func() { <-d.slots; d.inflight.Done(); d.Wake() }()
		d.deliver(context.WithoutCancel(ctx), dl, g)
	}()
}

// deliver sends one delivery and records the outcome, then, on the same
// slot, the delivery its record claimed next, if any.
func (d *Dispatcher) deliver(ctx context.Context, dl *hiretext.Delivery, g *consentGrant) {
	for dl != nil {
		next, err := d.send(ctx, dl, g)
		g.done() // already, unless dl never reached its hand-off
		if err != nil {
			d.cfg.Logger.Error("recording a send outcome failed; the message will be retried when its lease ends", "err", err,
				"message_id", int64(dl.ID), "org_id", int64(dl.OrgID), "provider", d.provider.Name())
		}
		dl, g = next.dl, next.grant
	}
}

// send sends dl, handed off with g (nil: on its own), and records the
// outcome, returning the delivery the record claimed for this slot (none
// when it claimed none, or dl did not go).
func (d *Dispatcher) send(ctx context.Context, dl *hiretext.Delivery, g *consentGrant) (claimed, error) {
	if dl.Provider != d.provider.Name() {
		return claimed{}, d.store.FailDelivery(ctx, dl, hiretext.StatusFailed, "", fmt.Sprintf(
			"Not sent: this number belongs to the %s provider, which is not configured.", dl.Provider), false)
	}
	if dl.InDoubt {
		if settled, err := d.resolveDoubt(ctx, dl); settled || err != nil {
			return claimed{}, err
		}
	}
	var res sms.SendResult
	var callErr error
	ok, err := d.whileConsented(ctx, dl, g, func() {
		callCtx, cancel := context.WithTimeout(ctx, d.cfg.SendTimeout)
		defer cancel()
		res, callErr = d.provider.Send(callCtx, sms.OutboundMessage{From: dl.From, To: dl.To, Body: dl.Body, Reference: fmt.Sprint(int64(dl.ID))})
		d.outcomes.add(callErr)
	})
	switch {
	case err != nil:
		return claimed{}, err
	case !ok:
		return claimed{}, d.store.FailDelivery(ctx, dl, hiretext.StatusCanceled, "", "Not sent: the candidate opted out before it went.", false)
	case callErr != nil:
		return claimed{}, d.failed(ctx, dl, callErr)
	}
	return d.rec.record(hiretext.SentDelivery{Delivery: dl, ProviderID: res.ProviderMessageID, Status: res.Status}, true)
}

// failed records a provider error by its class.
func (d *Dispatcher) failed(ctx context.Context, dl *hiretext.Delivery, err error) error {
	var pe *sms.Error
	code, msg := "", "the provider did not answer"
	if errors.As(err, &pe) {
		code, msg = pe.Code, pe.Message
	}
	if class := sms.ClassOf(err); class != sms.Transient && d.cfg.OnFailure != nil {
		d.cfg.OnFailure(code)
	}
	switch sms.ClassOf(err) {
	case sms.InvalidRecipient:
		return d.store.FailDelivery(ctx, dl, hiretext.StatusFailed, code, hiretext.InvalidNumberReason(code), false)
	case sms.OptedOut:
		return d.store.FailDelivery(ctx, dl, hiretext.StatusFailed, code, "Not sent: the recipient opted out at the carrier"+detail(msg, code), true)
	case sms.Permanent:
		reason := "Not sent: " + msg + detail("", code)
		if _, known := hiretext.CarrierProblemOf(code); known {
			reason = hiretext.DeliveryFailureReason(code, msg)
		}
		return d.store.FailDelivery(ctx, dl, hiretext.StatusFailed, code, reason, false)
	}
	uncertain := sms.Uncertain(err)
	if dl.Attempts >= d.cfg.MaxAttempts {
		reason := fmt.Sprintf("Not sent: the provider failed %d times (%s).", dl.Attempts, msg)
		if uncertain || dl.InDoubt {
			reason = fmt.Sprintf("Not confirmed: the provider failed %d times (%s) and never said whether it took the text; "+
				"it may have reached the candidate.", dl.Attempts, msg)
		}
		return d.store.FailDelivery(ctx, dl, hiretext.StatusFailed, code, reason, false)
	}
	at := d.cfg.Clock.Now().Add(d.backoff(dl.Attempts))
	reason := "Retrying: " + msg + "."
	if uncertain {
		reason = "Checking with the provider whether it took the text: " + msg + "."
	}
	return d.store.RetryDelivery(ctx, dl, at, code, reason, uncertain)
}

func detail(msg, code string) string {
	msg = strings.TrimRight(strings.TrimSpace(msg), ".")
	switch {
	case msg != "" && code != "":
		return " (" + msg + ", code " + code + ")."
	case code != "":
		return " (code " + code + ")."
	case msg != "":
		return " (" + msg + ")."
	}
	return "."
}

// backoff doubles from BaseBackoff per attempt up to MaxBackoff, with ±20%
// jitter so a provider outage does not end in a thundering herd.
func (d *Dispatcher) backoff(attempt int) time.Duration {
	b := d.cfg.BaseBackoff
	for i := 1; i < attempt && b < d.cfg.MaxBackoff; i++ {
		b *= 2
	}
	b = min(b, d.cfg.MaxBackoff)
	return time.Duration(float64(b) * (0.8 + 0.4*rand.Float64()))
}
