package dispatch

import (
	"math"
	"sync"
	"time"

	"github.com/hiretext/hiretext"
)

// rateLimits is a token bucket per number: each fills at rate per second up
// to one second's worth (at least one token), so a number sends at most its
// rate on average and never bursts past a second of it. The limits are per
// process; several dispatchers on one database each keep their own.
type rateLimits struct {
	mu      sync.Mutex
	rate    float64
	burst   float64
	clock   hiretext.Clock
	buckets map[hiretext.NumberID]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newRateLimits(rate float64, clock hiretext.Clock) *rateLimits {
	return &rateLimits{rate: rate, burst: math.Max(1, rate), clock: clock, buckets: map[hiretext.NumberID]*bucket{}}
}

// available returns how many messages number may send now.
func (l *rateLimits) available(n hiretext.NumberID) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return int(l.fill(n).tokens)
}

// take spends k tokens of number.
func (l *rateLimits) take(n hiretext.NumberID, k int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fill(n).tokens -= float64(k)
}

func (l *rateLimits) fill(n hiretext.NumberID) *bucket {
	now := l.clock.Now()
	b := l.buckets[n]
	if b == nil {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[n] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	return b
}
