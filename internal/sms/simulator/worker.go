package simulator

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/sms/simulator/simstate"
)

// Delivery tuning.
const (
	// leaseTime is how long a claimed webhook is hidden from other workers;
	// longer than the HTTP timeout, so only a crashed worker's lease lapses.
	leaseTime = 30 * time.Second
	// maxAge is how long a webhook is retried before it is given up.
	maxAge = 24 * time.Hour
	// batchSize bounds the webhooks claimed at once.
	batchSize = 20
)

// Run delivers the queued webhooks until ctx ends: at once when Send or
// SimulateInbound queues one, and every PollInterval for retries and for
// webhooks other instances queued. Each webhook is leased while it is
// delivered, so several instances never post the same one at once.
func (p *Provider) Run(ctx context.Context) {
	ticker := time.NewTicker(p.cfg.PollInterval)
	defer ticker.Stop()
	for {
		p.deliverDue(ctx)
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		case <-p.wake:
		}
	}
}

// deliverDue delivers batches of due webhooks until none is left.
func (p *Provider) deliverDue(ctx context.Context) {
	for ctx.Err() == nil {
		now := p.now()
		batch, err := p.cfg.Store.ClaimCallbacks(ctx, now, now.Add(leaseTime), batchSize)
		if err != nil {
			if ctx.Err() == nil {
				p.cfg.Logger.Error("claim webhooks", "err", err)
			}
			return
		}
		if len(batch) == 0 {
			return
		}
		for _, cb := range batch {
			p.deliver(ctx, cb)
		}
	}
}

// deliver posts one claimed webhook and records the outcome: a status
// callback moves from sent to delivered, anything else is done; a failure is
// retried with backoff until maxAge.
func (p *Provider) deliver(ctx context.Context, cb simstate.Callback) {
	err := p.postUnlessDropped(ctx, cb)
	if ctx.Err() != nil {
		return // shutting down: the lease lapses and another attempt follows
	}
	now := p.now()
	log := p.cfg.Logger.With("message_id", cb.MessageID, "kind", string(cb.Kind), "status", cb.Status, "attempt", cb.Attempts)
	switch {
	case err == nil && cb.Kind == simstate.KindStatus && cb.Status == string(hiretext.StatusSent):
		err = p.cfg.Store.AdvanceCallback(ctx, cb.ID, string(hiretext.StatusDelivered), now.Add(p.cfg.StepDelay))
		p.signalAfter(p.cfg.StepDelay)
	case err == nil:
		err = p.cfg.Store.FinishCallback(ctx, cb.ID)
	case now.Sub(cb.CreatedAt) > maxAge:
		log.Error("webhook given up", "err", err)
		err = p.cfg.Store.FinishCallback(ctx, cb.ID)
	default:
		log.Warn("webhook failed; will retry", "err", err)
		err = p.cfg.Store.RetryCallback(ctx, cb.ID, now.Add(backoff(cb.Attempts)))
	}
	if err != nil {
		log.Error("record webhook outcome", "err", err)
	}
}

// postUnlessDropped posts cb, unless the Faults drop it: then it does
// nothing and reports success, as a carrier whose webhook was lost on the
// way believes it delivered it.
func (p *Provider) postUnlessDropped(ctx context.Context, cb simstate.Callback) error {
	rate := p.cfg.Faults.DropInbound
	if cb.Kind == simstate.KindStatus {
		rate = p.cfg.Faults.DropStatus
	}
	if p.cfg.Faults.roll(rate) {
		p.cfg.Logger.Info("webhook dropped (simulated fault)", "message_id", cb.MessageID, "kind", string(cb.Kind), "status", cb.Status)
		return nil
	}
	return p.post(ctx, cb)
}

// backoff is the wait after the attempts-th failure: 1 s doubling to 5 min.
func backoff(attempts int) time.Duration {
	if attempts > 9 {
		return 5 * time.Minute
	}
	return min(time.Second<<max(attempts-1, 0), 5*time.Minute)
}

// post sends cb, freshly stamped and signed, and wants a 2xx answer.
func (p *Provider) post(ctx context.Context, cb simstate.Callback) error {
	if p.cfg.BaseURL == "" {
		return fmt.Errorf("simulator: no BaseURL to deliver webhooks to")
	}
	path, form := webhookBody(cb, p.now())
	if cb.Kind == simstate.KindInbound {
		if err := p.addMediaParams(ctx, form, cb.MessageID); err != nil {
			return err
		}
	}
	body := []byte(form.Encode())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.cfg.BaseURL+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(SignatureHeader, p.Sign(body))
	resp, err := p.cfg.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("simulator: %s answered %s", path, resp.Status)
	}
	return nil
}
