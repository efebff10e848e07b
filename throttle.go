package hiretext

import (
	"context"
	"time"
)

// ThrottleRule limits events per key: after Limit of them within Window of
// the first, the key is blocked for Block.
type ThrottleRule struct {
	Limit  int
	Window time.Duration
	Block  time.Duration
}

// ThrottleService counts failed logins and public applications per key (a
// client address, an email), shared by every instance on the database.
type ThrottleService interface {
	// ThrottleWait returns how long the longest-blocked of keys must still
	// wait, or 0 when none is blocked.
	ThrottleWait(ctx context.Context, keys ...string) (time.Duration, error)
	// ThrottleCount counts one event against each key, blocking a key that
	// reaches the rule's limit.
	ThrottleCount(ctx context.Context, rule ThrottleRule, keys ...string) error
	// ThrottleForget forgets key's events (an email that just logged in).
	ThrottleForget(ctx context.Context, key string) error
}
