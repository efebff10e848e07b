package hiretext

import (
	"context"
	"strconv"
	"time"
)

// Reconciliation compares, periodically, each number's history at the
// provider with what hiretext recorded, and imports what a lost webhook
// kept from it: inbound texts and delivery statuses.

// ReconcileTarget is an active number to reconcile: its history at the
// provider is imported up to Since.
type ReconcileTarget struct {
	NumberID NumberID
	OrgID    OrgID
	Phone    string
	Provider string
	Since    time.Time // the last check, or when the number was added
}

// ReconcileCheck is where a number's reconciliation stands: when its
// history was last checked with the provider, and how many messages or
// statuses that check found missing (and imported).
type ReconcileCheck struct {
	CheckedAt time.Time
	Missing   int
}

// ReconcileService tells where reconciliation stands.
type ReconcileService interface {
	// ReconcileChecks returns each of org's numbers' last check; a number
	// never checked is absent.
	ReconcileChecks(ctx context.Context, org OrgID) (map[NumberID]ReconcileCheck, error)
}

// Ago says how long before now t was, in words: "just now", "1 minute
// ago", "5 minutes ago", "2 hours ago", "3 days ago".
func Ago(t, now time.Time) string {
	d := now.Sub(t)
	unit, n := "", 0
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		unit, n = "minute", int(d/time.Minute)
	case d < 48*time.Hour:
		unit, n = "hour", int(d/time.Hour)
	default:
		unit, n = "day", int(d/(24*time.Hour))
	}
	if n == 1 {
		return "1 " + unit + " ago"
	}
	return strconv.Itoa(n) + " " + unit + "s ago"
}
