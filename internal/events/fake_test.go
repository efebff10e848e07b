package events

import (
	"context"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
)

// fakeSource is an events table in memory where the test decides when each
// id becomes visible, so commits can land out of id order.
type fakeSource struct {
	mu     sync.Mutex
	events map[int64]hiretext.Event
}

func newFakeSource() *fakeSource { return &fakeSource{events: map[int64]hiretext.Event{}} }

// commit makes events visible.
func (f *fakeSource) commit(evs ...hiretext.Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, e := range evs {
		if e.Data == nil {
			e.Data = []byte("{}")
		}
		f.events[e.ID] = e
	}
}

// remove deletes events, as pruning does.
func (f *fakeSource) remove(ids ...int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, id := range ids {
		delete(f.events, id)
	}
}

func (f *fakeSource) sorted(keep func(hiretext.Event) bool, limit int) []hiretext.Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []hiretext.Event
	for _, id := range slices.Sorted(maps.Keys(f.events)) {
		if e := f.events[id]; keep(e) && (limit <= 0 || len(out) < limit) {
			out = append(out, e)
		}
	}
	return out
}

func (f *fakeSource) EventsAfter(_ context.Context, after int64, limit int) ([]hiretext.Event, error) {
	return f.sorted(func(e hiretext.Event) bool { return e.ID > after }, limit), nil
}

func (f *fakeSource) EventsByID(_ context.Context, ids []int64) ([]hiretext.Event, error) {
	return f.sorted(func(e hiretext.Event) bool { return slices.Contains(ids, e.ID) }, 0), nil
}

func (f *fakeSource) EventsFor(_ context.Context, flt hiretext.EventFilter, after, through int64, limit int) ([]hiretext.Event, error) {
	return f.sorted(func(e hiretext.Event) bool { return e.ID > after && e.ID <= through && flt.Matches(&e) }, limit), nil
}

func (f *fakeSource) LatestEventID(context.Context) (int64, error) {
	all := f.sorted(func(hiretext.Event) bool { return true }, 0)
	if len(all) == 0 {
		return 0, nil
	}
	return all[len(all)-1].ID, nil
}

func (f *fakeSource) OldestEventID(context.Context) (int64, error) {
	all := f.sorted(func(hiretext.Event) bool { return true }, 0)
	if len(all) == 0 {
		return 0, nil
	}
	return all[0].ID, nil
}

func (f *fakeSource) PruneEvents(_ context.Context, before time.Time) (int64, error) {
	all := f.sorted(func(e hiretext.Event) bool { return true }, 0)
	var n int64
	for i, e := range all {
		if i < len(all)-1 && e.At.Before(before) {
			f.remove(e.ID)
			n++
		}
	}
	return n, nil
}

// ev is an event of org 1 for number 5, the number every test user shares.
func ev(id int64) hiretext.Event {
	return hiretext.Event{ID: id, OrgID: 1, NumberID: 5, Kind: hiretext.EventMessageInbound, At: time.Now()}
}

// recruiter is the filter of a user of number 5 in org 1.
var recruiter = hiretext.EventFilter{OrgID: 1, NumberID: 5, UserID: 100}

// testClock is a clock the test moves by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *testClock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func newTestBroker(t *testing.T, src Source, cfg Config) *Broker {
	t.Helper()
	b, err := New(context.Background(), src, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// received empties s without waiting, accepting each update, and returns the
// ids the client is given.
func received(s *Subscription) []int64 {
	var ids []int64
	ups, _ := s.Take(nil)
	for _, u := range ups {
		if s.Accept(u) {
			ids = append(ids, u.Event.ID)
		}
	}
	return ids
}
