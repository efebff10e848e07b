package events

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/hiretext/hiretext"
)

// Subscription receives the events its filter matches, in the order the
// broker reads them. One goroutine consumes it: when woken (SetWake) it
// takes the queued updates (Take), passes each to Accept and reports Cursor
// to its client.
//
// The queue is a slice that grows with what is waiting and is handed back
// and forth between the broker and the consumer, instead of a channel with
// room for Config.Buffer updates: an open browser stream mostly waits with
// nothing queued, and a thousand of them should not hold a thousand
// buffers of 256 slots (see docs/benchmarks.md, live updates).
type Subscription struct {
	b      *Broker
	filter hiretext.EventFilter
	start  Cursor // the broker's position when the subscription began
	cur    Cursor // what the client has accounted for; consumer-side only

	mu      sync.Mutex
	queue   []*Update
	wake    func()
	ended   bool // closed, dropped or the broker stopped: nothing more is queued
	dropped atomic.Bool
	closed  bool // guarded by b.mu: removed from the broker
}

// Subscribe starts delivering events matching f that the broker reads from
// now on.
func (b *Broker) Subscribe(f hiretext.EventFilter) *Subscription {
	s := &Subscription{b: b, filter: f}
	b.mu.Lock()
	defer b.mu.Unlock()
	s.start, s.cur = b.pos, b.pos
	if b.stopped {
		s.closed, s.ended = true, true
		return s
	}
	set := b.subs[f.OrgID]
	if set == nil {
		set = map[*Subscription]struct{}{}
		b.subs[f.OrgID] = set
	}
	set[s] = struct{}{}
	return s
}

// SetWake sets the function called whenever updates are queued or the
// subscription ends, and calls it at once if either has happened already,
// so nothing is missed between Subscribe and SetWake. It runs on the
// broker's goroutine while the broker holds its lock: it must only signal
// the consumer (a non-blocking channel send, a deadline), never wait.
func (s *Subscription) SetWake(wake func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.wake = wake
	if wake != nil && (len(s.queue) > 0 || s.ended) {
		wake()
	}
}

// Take returns the updates queued since the last Take, oldest first, and
// whether more may come: false once the subscription ended, when ups are
// its last. buf, the slice an earlier Take returned, is reused for the next
// updates: the caller must be done with it.
func (s *Subscription) Take(buf []*Update) (ups []*Update, open bool) {
	clear(buf)
	s.mu.Lock()
	defer s.mu.Unlock()
	ups, s.queue = s.queue, buf[:0]
	if cap(s.queue) > s.b.cfg.Buffer/4 {
		s.queue = nil // a burst's room is not kept for an idle stream
	}
	return ups, !s.ended
}

// Updates passes the updates of s on a channel, for consumers that wait on
// one (tests, tools); the channel closes once s ends and its last updates
// are received. It holds none itself, so updates wait in s's queue (and
// count towards its buffer) until received. It takes s's wake function and
// a goroutine of its own: live-update streams use SetWake and Take instead.
func (s *Subscription) Updates() <-chan *Update {
	ready := make(chan struct{}, 1)
	out := make(chan *Update)
	s.SetWake(func() {
		select {
		case ready <- struct{}{}:
		default:
		}
	})
	go func() {
		defer close(out)
		var ups []*Update
		for range ready {
			var open bool
			ups, open = s.Take(ups)
			for _, u := range ups {
				out <- u
			}
			if !open {
				return
			}
		}
	}()
	return out
}

// push queues u, reporting false (and queueing nothing) when the consumer
// is a full buffer behind.
func (s *Subscription) push(u *Update) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) >= s.b.cfg.Buffer {
		return false
	}
	s.queue = append(s.queue, u)
	if len(s.queue) == 1 && s.wake != nil {
		s.wake() // the consumer takes everything queued: one wake-up per batch
	}
	return true
}

// end marks that nothing more will be queued and wakes the consumer.
func (s *Subscription) end() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ended = true
	if s.wake != nil {
		s.wake()
	}
}

// Resume subscribes for a client that last reported cursor from (nil for a
// new client) and returns, oldest first, the matching events it missed
// before the subscription began. Pass them, then the subscription's, through
// Accept: each carries the cursor the client may resume from once it has it,
// and none repeats an event the client has. When the missed events can no
// longer be replayed, Resume returns the subscription with ErrMissed: the
// client must refresh what it shows and carry on from the subscription's
// cursor.
func (b *Broker) Resume(ctx context.Context, f hiretext.EventFilter, from *Cursor) (*Subscription, []*Update, error) {
	s := b.Subscribe(f)
	if from == nil {
		return s, nil, nil
	}
	missed, err := b.Replay(ctx, f, *from, s.start)
	if errors.Is(err, ErrMissed) {
		return s, nil, err
	}
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	if len(missed) == 0 {
		s.cur = from.Union(s.start)
		return s, nil, nil
	}
	// Until the client has the last missed event, it has only what the
	// subscription's start covers up to the event it has.
	s.cur = *from
	ups := make([]*Update, len(missed))
	for i, e := range missed {
		ups[i] = &Update{Event: e, Cursor: s.start.truncate(e.ID)}
	}
	ups[len(ups)-1].Cursor = s.start
	return s, ups, nil
}

// Replay returns, oldest first, the events matching f that cursor from does
// not cover and cursor upTo does. It returns ErrMissed when some of them
// may have been pruned, when there are more than ReplayLimit, or when from
// is ahead of every event in the database.
func (b *Broker) Replay(ctx context.Context, f hiretext.EventFilter, from, upTo Cursor) ([]hiretext.Event, error) {
	latest, err := b.src.LatestEventID(ctx)
	if err != nil {
		return nil, err
	}
	if from.High > latest {
		return nil, ErrMissed
	}
	lo := from.lowest()
	if upTo.High <= lo {
		return nil, nil
	}
	evs, err := b.src.EventsFor(ctx, f, lo, upTo.High, ReplayLimit+1)
	if err != nil {
		return nil, err
	}
	if len(evs) > ReplayLimit {
		return nil, ErrMissed
	}
	// Read the oldest id after the events: a prune in between then shows.
	oldest, err := b.src.OldestEventID(ctx)
	if err != nil {
		return nil, err
	}
	if oldest > lo+1 {
		return nil, ErrMissed
	}
	out := evs[:0]
	for _, e := range evs {
		if !from.Covers(e.ID) && upTo.Covers(e.ID) {
			out = append(out, e)
		}
	}
	return out, nil
}

// Accept records that u reached the consumer and reports whether to pass it
// on: false when the client already had the event (it was replayed, or the
// client came from an instance further ahead).
func (s *Subscription) Accept(u *Update) bool {
	seen := s.cur.Covers(u.Event.ID)
	s.cur = s.cur.Union(u.Cursor)
	return !seen
}

// Advance moves the subscription's cursor to the broker position pos, read
// before the consumer emptied C; a client idle for long then resumes from a
// recent point rather than an old one.
func (s *Subscription) Advance(pos Cursor) { s.cur = s.cur.Union(pos) }

// Position returns the broker's current position; see Advance.
func (s *Subscription) Position() Cursor { return s.b.Position() }

// Cursor returns what the client has accounted for: send it as the
// server-sent event id after the event.
func (s *Subscription) Cursor() Cursor { return s.cur }

// Dropped reports whether the broker dropped the subscriber for falling
// behind.
func (s *Subscription) Dropped() bool { return s.dropped.Load() }

// Close ends the subscription. It is safe to call more than once.
func (s *Subscription) Close() {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	s.b.removeLocked(s)
}

func (b *Broker) removeLocked(s *Subscription) {
	if s.closed {
		return
	}
	s.closed = true
	s.end()
	if set := b.subs[s.filter.OrgID]; set != nil {
		delete(set, s)
		if len(set) == 0 {
			delete(b.subs, s.filter.OrgID)
		}
	}
}
