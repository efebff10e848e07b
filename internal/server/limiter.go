package server

import (
	"strconv"
	"sync"
	"time"

	"github.com/hiretext/hiretext"
)

// LoginLimitRules configure login throttling.
type LoginLimitRules struct {
	Failures int           // failures allowed within Window before blocking
	Window   time.Duration // how long failures are remembered
	Block    time.Duration // how long a key is blocked once over the limit
}

// DefaultLoginLimit allows 5 failures per 15 minutes, then blocks for 15 minutes.
var DefaultLoginLimit = LoginLimitRules{Failures: 5, Window: 15 * time.Minute, Block: 15 * time.Minute}

// loginLimiter counts failed logins per key (an address, an email). It is
// per process: behind a load balancer each instance throttles on its own,
// which still bounds guessing to a small multiple of the limit.
type loginLimiter struct {
	mu    sync.Mutex
	rules LoginLimitRules
	clock hiretext.Clock
	keys  map[string]*attempts
}

type attempts struct {
	failures     []time.Time
	blockedUntil time.Time
}

func newLoginLimiter(rules LoginLimitRules, clock hiretext.Clock) *loginLimiter {
	return &loginLimiter{rules: rules, clock: clock, keys: map[string]*attempts{}}
}

// blocked returns how long the longest-blocked key still must wait, or 0.
func (l *loginLimiter) blocked(keys ...string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	var wait time.Duration
	for _, k := range keys {
		if a := l.keys[k]; a != nil && a.blockedUntil.After(now) {
			wait = max(wait, a.blockedUntil.Sub(now))
		}
	}
	return wait
}

// fail records a failed attempt against each key.
func (l *loginLimiter) fail(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	l.sweep(now)
	for _, k := range keys {
		a := l.keys[k]
		if a == nil {
			a = &attempts{}
			l.keys[k] = a
		}
		a.failures = append(recent(a.failures, now.Add(-l.rules.Window)), now)
		if len(a.failures) >= l.rules.Failures {
			a.blockedUntil = now.Add(l.rules.Block)
			a.failures = nil
		}
	}
}

// succeed forgets the failures of key (the email that just logged in).
func (l *loginLimiter) succeed(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.keys, key)
}

// sweep drops keys with nothing left to remember, bounding memory.
func (l *loginLimiter) sweep(now time.Time) {
	if len(l.keys) < 10000 {
		return
	}
	for k, a := range l.keys {
		if a.blockedUntil.Before(now) && len(recent(a.failures, now.Add(-l.rules.Window))) == 0 {
			delete(l.keys, k)
		}
	}
}

func recent(ts []time.Time, since time.Time) []time.Time {
	out := ts[:0]
	for _, t := range ts {
		if t.After(since) {
			out = append(out, t)
		}
	}
	return out
}

// retryAfter formats a wait as whole seconds for the Retry-After header.
func retryAfter(d time.Duration) string {
	return strconv.Itoa(int((d + time.Second - 1) / time.Second))
}

// humanWait formats a wait for people.
func humanWait(d time.Duration) string {
	if m := int((d + time.Minute - 1) / time.Minute); m > 1 {
		return strconv.Itoa(m) + " minutes"
	}
	return "a minute"
}
