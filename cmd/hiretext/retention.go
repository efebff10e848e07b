package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/hiretext/hiretext"
)

// retentionInterval is how often the retention job runs.
const retentionInterval = 24 * time.Hour

// startRetention runs the retention job a minute after start and then
// daily, until the returned stop is called: each company's retention
// settings (off by default) erase old texts' bodies and inactive
// candidates. It logs what it erased in counts, never contents. Several
// instances may each run it: erasing what is already erased finds nothing.
func startRetention(ctx context.Context, db hiretext.PrivacyService, log *slog.Logger) (stop func()) {
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		wait := time.NewTimer(time.Minute)
		defer wait.Stop()
		for {
			select {
			case <-runCtx.Done():
				return
			case <-wait.C:
			}
			applyRetention(runCtx, db, log, time.Now())
			wait.Reset(retentionInterval)
		}
	}()
	return func() { cancel(); <-done }
}

// applyRetention runs the job once and logs each company's counts.
func applyRetention(ctx context.Context, db hiretext.PrivacyService, log *slog.Logger, now time.Time) {
	runs, err := db.ApplyRetention(ctx, now)
	for _, r := range runs {
		log.Info("retention applied", "org_id", int64(r.OrgID), "messages_erased", r.MessagesErased, "candidates_erased", r.CandidatesErased)
	}
	if err != nil && ctx.Err() == nil {
		log.Error("retention failed", "err", err)
	}
}
