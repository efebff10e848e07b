package hiretext

import (
	"context"
	"time"
)

// OperationalStats are the figures monitoring reads from the database at a
// moment: whether texts wait to go out, and how many numbers have stopped
// sending because their allowance is used up.
type OperationalStats struct {
	DueMessages      int           // texts due to be handed to the provider now
	OldestDueAge     time.Duration // how long the oldest of them has been due; 0 when none is
	NumbersAtMaximum int           // active numbers whose allowance this month is used up (an allowance of 0 aside)
}

// OperationsService reads the operational figures.
type OperationsService interface {
	OperationalStats(ctx context.Context, now time.Time) (*OperationalStats, error)
}
