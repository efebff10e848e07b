// Package hiretext is the domain of the hiretext service: the text-messaging
// part of an applicant tracking system. It holds the types, typed IDs, rules
// (consent, allowance, keywords, segments), service interfaces and coded
// errors. It knows nothing of HTTP or SQL; the store, the server and the SMS
// providers live in their own packages and depend on this one.
package hiretext

import (
	"context"
	"time"
)

// OrgID identifies an organization (a company, the tenant).
type OrgID int64

// UserID identifies a user of one organization.
type UserID int64

// TokenID identifies an API token.
type TokenID int64

// Clock returns the current time. It is injected so tests control time.
type Clock func() time.Time

// SystemClock is the Clock of the real world.
func SystemClock() time.Time { return time.Now() }

// Now returns the time from c, or the system time when c is nil.
func (c Clock) Now() time.Time {
	if c == nil {
		return time.Now()
	}
	return c()
}

// Pinger reports whether a backing service is reachable and current.
type Pinger interface {
	// Ready returns nil when the database is reachable and its schema is current.
	Ready(ctx context.Context) error
}
