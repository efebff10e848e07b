package events

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/hiretext/hiretext"
)

// Subscription receives the events its filter matches, in the order the
// broker reads them. One goroutine consumes it: it reads C, passes each
// update to Accept and reports Cursor to its client.
type Subscription struct {
	// C delivers updates. It is closed when the subscription is closed, when
	// the subscriber fell a buffer behind (Dropped), or when the broker stops.
	C <-chan *Update

	ch      chan *Update
	b       *Broker
	filter  hiretext.EventFilter
	dropped atomic.Bool
	closed  bool   // guarded by b.mu
	start   Cursor // the broker's position when the subscription began
	cur     Cursor // what the client has accounted for; consumer-side only
}

// Subscribe starts delivering events matching f that the broker reads from
// now on.
func (b *Broker) Subscribe(f hiretext.EventFilter) *Subscription {
	ch := make(chan *Update, b.cfg.Buffer)
	s := &Subscription{C: ch, ch: ch, b: b, filter: f}
	b.mu.Lock()
	defer b.mu.Unlock()
	s.start, s.cur = b.pos, b.pos
	if b.stopped {
		s.closed = true
		close(ch)
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
	close(s.ch)
	if set := b.subs[s.filter.OrgID]; set != nil {
		delete(set, s)
		if len(set) == 0 {
			delete(b.subs, s.filter.OrgID)
		}
	}
}
