package main

import (
	"context"
	"log/slog"

	"github.com/hiretext/hiretext/internal/store"
)

// buildResponseFacts builds, once at start, the report's response facts of
// conversations that have none yet (those from before migration 0026), so
// no report request has to wait for them; an error is logged, and the
// report builds what is left itself.
func buildResponseFacts(ctx context.Context, db *store.DB, log *slog.Logger) {
	if err := db.BuildAllResponseFacts(ctx); err != nil && ctx.Err() == nil {
		log.Warn("building the report's response facts", "err", err)
	}
}
