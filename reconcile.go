package hiretext

import "time"

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
