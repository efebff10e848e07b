// Package reconcile imports what lost webhooks kept from hiretext. Every
// Interval it asks the SMS provider for each active number's messages, in
// both directions, since that number's last check, and feeds them through
// the same idempotent paths the webhooks use: an inbound text hiretext
// never received is stored as if its webhook had come (keywords, opt-outs,
// the bell and the allowance alike); a status hiretext never heard moves
// its message forward. Texts whose send had an unknown outcome are the
// dispatcher's (it looks them up); here only messages hiretext recorded
// get statuses. One instance at a time runs it, the holder of a lease in
// the database.
package reconcile

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/sms"
)

// Store is what reconciliation needs from storage.
type Store interface {
	TakeReconcileLease(ctx context.Context, holder string, d time.Duration) (bool, error)
	ReconcileTargets(ctx context.Context) ([]hiretext.ReconcileTarget, error)
	SaveReconcileCheck(ctx context.Context, t hiretext.ReconcileTarget, check hiretext.ReconcileCheck) error
	KnownProviderMessages(ctx context.Context, provider string, ids []string) (map[string]hiretext.MessageStatus, error)
	ReceiveText(ctx context.Context, in hiretext.IncomingText) (*hiretext.InboundResult, error)
	ApplyDeliveryReport(ctx context.Context, r hiretext.DeliveryReport) (*hiretext.StatusResult, error)
}

// Kind is what reconciliation imported.
type Kind string

// The kinds of import.
const (
	KindInbound Kind = "inbound" // a text a candidate sent whose webhook never came
	KindStatus  Kind = "status"  // a delivery status whose callback never came
)

// Kinds lists the kinds, in the order metrics show them.
var Kinds = []Kind{KindInbound, KindStatus}

// Config tunes a Reconciler. Zero values take the defaults.
type Config struct {
	Interval time.Duration // between runs (default 5m)
	// Overlap is how far before each number's last check a run looks
	// again (default 15m): statuses that came late, and a clock that is
	// not the provider's.
	Overlap time.Duration
	Clock   hiretext.Clock
	Logger  *slog.Logger
}

// Reconciler runs reconciliation.
type Reconciler struct {
	cfg         Config
	store       Store
	provider    sms.Provider
	holder      string
	imported    [2]atomic.Uint64
	lastSuccess atomic.Int64 // unix seconds of the last run that checked every number
}

// New returns a Reconciler; call Run, or Once.
func New(st Store, p sms.Provider, cfg Config) *Reconciler {
	if cfg.Interval <= 0 {
		cfg.Interval = 5 * time.Minute
	}
	if cfg.Overlap <= 0 {
		cfg.Overlap = 15 * time.Minute
	}
	if cfg.Clock == nil {
		cfg.Clock = hiretext.SystemClock
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return &Reconciler{cfg: cfg, store: st, provider: p, holder: hex.EncodeToString(b)}
}

// Run reconciles every Interval until ctx ends, on the instance that
// holds the lease.
func (r *Reconciler) Run(ctx context.Context) {
	ticker := time.NewTicker(r.cfg.Interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		ok, err := r.store.TakeReconcileLease(ctx, r.holder, 2*r.cfg.Interval)
		if err != nil || !ok {
			continue // another instance reconciles, or the database is away
		}
		if _, err := r.Once(ctx); err != nil && ctx.Err() == nil {
			r.cfg.Logger.Error("reconciliation failed", "err", err)
		}
	}
}

// Result is what one run imported.
type Result struct {
	Inbound, Statuses int
	Failed            int // numbers whose history could not be read (retried next run)
}

// Once reconciles every active number of this provider now. A number whose
// history cannot be read is logged and left at its checkpoint, to be
// retried next run; the others go on.
func (r *Reconciler) Once(ctx context.Context) (Result, error) {
	targets, err := r.store.ReconcileTargets(ctx)
	if err != nil {
		return Result{}, err
	}
	var res Result
	for _, t := range targets {
		if t.Provider != r.provider.Name() {
			continue
		}
		in, st, err := r.number(ctx, t)
		res.Inbound, res.Statuses = res.Inbound+in, res.Statuses+st
		if err != nil {
			res.Failed++
			r.cfg.Logger.Warn("reconciling a number failed; retried next run", "number_id", int64(t.NumberID), "org_id", int64(t.OrgID), "err", err)
		}
	}
	r.imported[0].Add(uint64(res.Inbound))
	r.imported[1].Add(uint64(res.Statuses))
	if res.Failed == 0 {
		r.lastSuccess.Store(r.cfg.Clock.Now().Unix())
	}
	return res, nil
}

// number reconciles one number and moves its checkpoint to when it began.
// It writes only what is missing or behind: each run reads the overlap
// again, and a write per message already known would hold the database.
func (r *Reconciler) number(ctx context.Context, t hiretext.ReconcileTarget) (inbound, statuses int, err error) {
	began := r.cfg.Clock.Now()
	hist, err := r.provider.History(ctx, sms.HistoryQuery{Number: t.Phone, Since: t.Since.Add(-r.cfg.Overlap)})
	if err != nil {
		return 0, 0, err
	}
	ids := make([]string, len(hist))
	for i, m := range hist {
		ids[i] = m.ProviderMessageID
	}
	known, err := r.store.KnownProviderMessages(ctx, r.provider.Name(), ids)
	if err != nil {
		return 0, 0, err
	}
	for _, m := range hist {
		status, ok := known[m.ProviderMessageID]
		var imported bool
		switch {
		case m.Inbound && !ok:
			imported, err = r.receive(ctx, m)
			inbound += count(imported)
		case !m.Inbound && ok && status.Advances(m.Status):
			imported, err = r.advance(ctx, m)
			statuses += count(imported)
		}
		if err != nil {
			return inbound, statuses, err
		}
	}
	return inbound, statuses, r.store.SaveReconcileCheck(ctx, t, hiretext.ReconcileCheck{CheckedAt: began, Missing: inbound + statuses})
}

// count is 1 for true.
func count(b bool) int {
	if b {
		return 1
	}
	return 0
}

// receive stores an inbound text hiretext never received, through the
// webhook's own path; it reports whether it was new.
func (r *Reconciler) receive(ctx context.Context, m sms.HistoryMessage) (bool, error) {
	res, err := r.store.ReceiveText(ctx, hiretext.IncomingText{Provider: r.provider.Name(),
		ProviderMessageID: hiretext.SanitizeText(m.ProviderMessageID, hiretext.SingleLine),
		From:              hiretext.SanitizeText(m.From, hiretext.SingleLine), To: hiretext.SanitizeText(m.To, hiretext.SingleLine),
		Body: hiretext.SanitizeText(m.Body, hiretext.MultiLine), ReceivedAt: m.CreatedAt, Media: sms.IncomingMedia(m.Media)})
	if err != nil {
		return false, err
	}
	return !res.Duplicate, nil
}

// advance applies a status hiretext never heard, as its callback would
// have; it reports whether the message moved.
func (r *Reconciler) advance(ctx context.Context, m sms.HistoryMessage) (bool, error) {
	res, err := r.store.ApplyDeliveryReport(ctx, hiretext.DeliveryReport{Provider: r.provider.Name(),
		ProviderMessageID: m.ProviderMessageID, Status: m.Status, ErrorCode: m.ErrorCode, ErrorMessage: m.ErrorMessage,
		InvalidRecipient: m.Class == sms.InvalidRecipient, OptedOut: m.Class == sms.OptedOut})
	if err != nil {
		return false, err
	}
	return res.Changed, nil
}

// Imported returns how many messages and statuses reconciliation imported
// since the start, by kind: counters for monitoring.
func (r *Reconciler) Imported() map[Kind]uint64 {
	return map[Kind]uint64{KindInbound: r.imported[0].Load(), KindStatus: r.imported[1].Load()}
}

// LastSuccess is when a run last checked every number, or zero.
func (r *Reconciler) LastSuccess() time.Time {
	if s := r.lastSuccess.Load(); s != 0 {
		return time.Unix(s, 0)
	}
	return time.Time{}
}
