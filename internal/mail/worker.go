package mail

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/hiretext/hiretext"
)

// Transport sends one email; *Sender is the real one.
type Transport interface {
	Send(ctx context.Context, e *hiretext.Email) error
}

// Worker drains the email outbox: it claims due emails (each once across
// instances, by lease), sends them, and records the outcome: sent, tried
// again after hiretext.EmailBackoff, or given up (a permanent refusal, such
// as a bounce for an unknown mailbox, or hiretext.MaxEmailAttempts tries).
type Worker struct {
	outbox    hiretext.EmailOutbox
	transport Transport
	clock     hiretext.Clock
	log       *slog.Logger
	cfg       WorkerConfig
}

// WorkerConfig tunes a Worker.
type WorkerConfig struct {
	Poll  time.Duration // how often to look for due emails
	Lease time.Duration // how long a claimed email is the worker's; longer than the sender's timeout
	Batch int           // emails claimed at once
}

// NewWorker returns a worker sending outbox's emails through t.
func NewWorker(outbox hiretext.EmailOutbox, t Transport, clock hiretext.Clock, log *slog.Logger, cfg WorkerConfig) *Worker {
	if cfg.Poll <= 0 {
		cfg.Poll = 5 * time.Second
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 20
	}
	return &Worker{outbox: outbox, transport: t, clock: clock, log: log, cfg: cfg}
}

// Run sends due emails every Poll until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	ticker := time.NewTicker(w.cfg.Poll)
	defer ticker.Stop()
	for {
		if _, err := w.SendDue(ctx); err != nil && ctx.Err() == nil {
			w.log.Error("email outbox", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// SendDue claims the emails due now, sends them one after another and
// records each outcome; it returns how many it claimed.
func (w *Worker) SendDue(ctx context.Context) (int, error) {
	claimed, err := w.outbox.ClaimEmails(ctx, w.cfg.Batch, w.cfg.Lease)
	if err != nil {
		return 0, err
	}
	for _, e := range claimed {
		if err := w.settle(ctx, e, w.transport.Send(ctx, e)); err != nil {
			return len(claimed), err
		}
	}
	return len(claimed), nil
}

// settle records what sending e did. Emails go to recruiters, so the
// address is logged; their contents never are.
func (w *Worker) settle(ctx context.Context, e *hiretext.Email, sendErr error) error {
	log := w.log.With("email_id", int64(e.ID), "org_id", int64(e.OrgID), "to", e.To, "attempt", e.Attempts)
	var permanent *PermanentError
	switch {
	case sendErr == nil:
		return w.outbox.EmailSent(ctx, e.ID)
	case ctx.Err() != nil:
		return ctx.Err() // shutting down: the lease runs out and the email is sent after the restart
	case errors.As(sendErr, &permanent) || e.Attempts >= hiretext.MaxEmailAttempts:
		log.Warn("email given up", "error", sendErr.Error())
		return w.outbox.FailEmail(ctx, e.ID, sendErr.Error())
	}
	at := w.clock.Now().Add(hiretext.EmailBackoff(e.Attempts))
	log.Info("email delayed", "error", sendErr.Error(), "retry_at", at)
	return w.outbox.RetryEmail(ctx, e.ID, at, sendErr.Error())
}

// RunDigests queues the daily digests that are due (hiretext.DigestQueuer)
// every hiretext.DigestInterval until ctx ends; the worker sends them.
// Every instance runs it: the queuer sends each user's digest once.
func RunDigests(ctx context.Context, q hiretext.DigestQueuer, log *slog.Logger) {
	ticker := time.NewTicker(hiretext.DigestInterval)
	defer ticker.Stop()
	for {
		if n, err := q.QueueDigests(ctx); err != nil && ctx.Err() == nil {
			log.Error("daily digests", "error", err)
		} else if n > 0 {
			log.Info("daily digests queued", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}
