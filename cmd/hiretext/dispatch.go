package main

import (
	"context"
	"log/slog"

	"github.com/hiretext/hiretext/internal/dispatch"
	"github.com/hiretext/hiretext/internal/mediafetch"
	"github.com/hiretext/hiretext/internal/reconcile"
	"github.com/hiretext/hiretext/internal/server"
	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/store"
)

// startDispatcher runs the outbound queue's dispatcher on db until stop is
// called; stop waits for the provider calls in flight to be recorded. The
// operational metrics count its provider calls.
func startDispatcher(ctx context.Context, cfg *serveConfig, db *store.DB, p sms.Provider, metrics *server.Metrics, log *slog.Logger) (stop func()) {
	d := dispatch.New(db, p, dispatch.Config{Rate: cfg.SendRate, SendTimeout: cfg.SendTimeout, Lease: cfg.SendLease, Clock: cfg.clock, Logger: log,
		OnFailure: metrics.CountCarrierError})
	db.SetDispatcher(d)
	metrics.WatchOperations(db, func() map[string]uint64 { return labelled(d.SendOutcomes()) },
		func() map[string]uint64 { return labelled(d.Lookups()) })
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = d.Run(runCtx)
	}()
	return func() { cancel(); <-done }
}

// startMediaFetch fetches the files candidates send with their texts from
// the provider, in the background, until stop is called; stop waits for
// the download in hand. A provider whose messages carry no files has none
// to fetch.
func startMediaFetch(ctx context.Context, cfg *serveConfig, db *store.DB, p sms.Provider, log *slog.Logger) (stop func()) {
	source, ok := p.(sms.MediaSource)
	if !ok {
		return func() {}
	}
	w := mediafetch.New(db, p.Name(), source, mediafetch.Config{Clock: cfg.clock, Logger: log.With("worker", "media")})
	return runInBackground(ctx, w.Run)
}

// labelled turns counts keyed by a string type into counts by label.
func labelled[K ~string](counts map[K]uint64) map[string]uint64 {
	out := make(map[string]uint64, len(counts))
	for k, n := range counts {
		out[string(k)] = n
	}
	return out
}

// startReconcile runs reconciliation with the provider every
// --reconcile-interval (none when 0) until stop is called; the operational
// metrics show what it imported and when it last succeeded.
func startReconcile(ctx context.Context, cfg *serveConfig, db *store.DB, p sms.Provider, metrics *server.Metrics, log *slog.Logger) (stop func()) {
	if cfg.ReconcileInterval == 0 {
		return func() {}
	}
	r := reconcile.New(db, p, reconcile.Config{Interval: cfg.ReconcileInterval, Clock: cfg.clock, Logger: log})
	metrics.WatchReconcile(func() map[string]uint64 { return labelled(r.Imported()) }, r.LastSuccess)
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.Run(runCtx)
	}()
	return func() { cancel(); <-done }
}
