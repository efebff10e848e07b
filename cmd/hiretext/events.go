package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/hiretext/hiretext/internal/events"
	"github.com/hiretext/hiretext/internal/store"
)

// The store is where the broker reads events.
var _ events.Source = (*store.DB)(nil)

// startEvents creates the live-update broker on db, listening on PostgreSQL
// for other instances' events, and runs it until ctx ends or stop is called.
// stop waits for the broker to end, which closes every live-update stream,
// so a graceful shutdown does not wait for them.
func startEvents(ctx context.Context, cfg *serveConfig, db *store.DB, log *slog.Logger) (b *events.Broker, stop func(), err error) {
	brokerCfg := events.Config{Logger: log}
	if db.NotifiesEvents() {
		brokerCfg.PostgresURL = cfg.Database
	}
	if b, err = events.New(ctx, db, brokerCfg); err != nil {
		return nil, nil, fmt.Errorf("start live updates: %w", err)
	}
	db.SetBroker(b)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.Run(runCtx)
	}()
	return b, func() { cancel(); <-done }, nil
}
