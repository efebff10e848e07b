package server

import (
	"slices"
	"sync"
	"sync/atomic"

	"github.com/hiretext/hiretext"
)

// streamSlots bounds the live-update streams open on this instance, each of
// which holds a connection and a few KiB (docs/benchmarks.md): at most StreamOptions.PerUser
// per user, so one token cannot take every file descriptor (a new stream
// closes that user's oldest: the tab opened longest ago reconnects later),
// and at most StreamOptions.Max in all (a new one is refused with 503 and
// Retry-After while they are all taken).
type streamSlots struct {
	mu     sync.Mutex
	byUser map[hiretext.UserID][]*streamSlot // oldest first
	total  int
}

// streamSlot is one open stream's place; evicted is set, and wake called,
// when a newer stream of the same user takes it.
type streamSlot struct {
	user    hiretext.UserID
	evicted atomic.Bool
	wake    func()
}

// take gives user a slot, closing their oldest stream when they have
// perUser already; it returns nil when max streams are open. wake tells the
// stream that it has been evicted; it must not block.
func (l *streamSlots) take(user hiretext.UserID, perUser, max int, wake func()) *streamSlot {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byUser == nil {
		l.byUser = map[hiretext.UserID][]*streamSlot{}
	}
	mine := l.byUser[user]
	if len(mine) >= perUser {
		oldest := mine[0]
		oldest.evicted.Store(true)
		oldest.wake()
		l.removeLocked(oldest)
		mine = l.byUser[user]
	} else if l.total >= max {
		return nil
	}
	s := &streamSlot{user: user, wake: wake}
	l.byUser[user] = append(mine, s)
	l.total++
	return s
}

// release frees s when its stream ends (a no-op after an eviction).
func (l *streamSlots) release(s *streamSlot) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.removeLocked(s)
}

func (l *streamSlots) removeLocked(s *streamSlot) {
	mine := l.byUser[s.user]
	i := slices.Index(mine, s)
	if i < 0 {
		return
	}
	l.total--
	if mine = slices.Delete(mine, i, i+1); len(mine) == 0 {
		delete(l.byUser, s.user)
	} else {
		l.byUser[s.user] = mine
	}
}
