package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/hiretext/hiretext"
)

// escalationInterval is how often an instance runs the escalation job: a
// step is due in whole business hours, so a minute late is on time.
const escalationInterval = time.Minute

// startEscalation runs the escalation job every escalationInterval until
// stop is called. Every instance runs it; each step still happens once
// (see store.DB.Escalate).
func startEscalation(ctx context.Context, db hiretext.EscalationService, log *slog.Logger) (stop func()) {
	return runInBackground(ctx, func(ctx context.Context) {
		ticker := time.NewTicker(escalationInterval)
		defer ticker.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
				escalate(ctx, db, log)
			}
		}
	})
}

// escalate runs the job once, within a per-run timeout, and logs what it did.
func escalate(ctx context.Context, db hiretext.EscalationService, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(ctx, escalationInterval)
	defer cancel()
	n, err := db.Escalate(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		log.Error("escalate", "error", err)
	case n > 0:
		log.Info("escalated", "steps", n)
	}
}
