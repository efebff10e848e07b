package events

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
)

var ctx = context.Background()

func TestFanOutFollowsOrgNumberAndUser(t *testing.T) {
	t.Parallel()
	src := newFakeSource()
	b := newTestBroker(t, src, Config{})
	subs := map[string]*Subscription{
		"recruiter 1 of number 5":   b.Subscribe(hiretext.EventFilter{OrgID: 1, NumberID: 5, UserID: 1}),
		"recruiter 2 of number 5":   b.Subscribe(hiretext.EventFilter{OrgID: 1, NumberID: 5, UserID: 2}),
		"recruiter of number 6":     b.Subscribe(hiretext.EventFilter{OrgID: 1, NumberID: 6, UserID: 3}),
		"user without a number":     b.Subscribe(hiretext.EventFilter{OrgID: 1, UserID: 4}),
		"same ids, another company": b.Subscribe(hiretext.EventFilter{OrgID: 2, NumberID: 5, UserID: 1}),
	}
	src.commit(
		hiretext.Event{ID: 1, OrgID: 1, NumberID: 5},              // the whole of number 5
		hiretext.Event{ID: 2, OrgID: 1, UserID: 3},                // one user
		hiretext.Event{ID: 3, OrgID: 1, NumberID: 6, UserID: 1},   // number 6, and user 1 personally
		hiretext.Event{ID: 4, OrgID: 2, NumberID: 5},              // the other company's number 5
		hiretext.Event{ID: 5, OrgID: 1},                           // concerns nobody
		hiretext.Event{ID: 6, OrgID: 1, NumberID: 0, UserID: 4},   // the user without a number
		hiretext.Event{ID: 7, OrgID: 3, NumberID: 5, UserID: 100}, // a company nobody here belongs to
	)
	b.pump(ctx)
	want := map[string][]int64{
		"recruiter 1 of number 5":   {1, 3},
		"recruiter 2 of number 5":   {1},
		"recruiter of number 6":     {2, 3},
		"user without a number":     {6},
		"same ids, another company": {4},
	}
	for name, s := range subs {
		if got := received(s); !slices.Equal(got, want[name]) {
			t.Errorf("%s received %v, want %v", name, got, want[name])
		}
	}
}

func TestSlowSubscriberIsDroppedWithoutDelayingOthers(t *testing.T) {
	t.Parallel()
	src := newFakeSource()
	b := newTestBroker(t, src, Config{Buffer: 4, PollInterval: time.Hour})
	runBroker(t, b)
	slow := b.Subscribe(recruiter)
	fast := b.Subscribe(recruiter)
	got := make(chan int64, 100)
	go func() {
		for u := range fast.Updates() {
			if fast.Accept(u) {
				got <- u.Event.ID
			}
		}
	}()
	start := time.Now()
	for id := int64(1); id <= 20; id++ {
		src.commit(ev(id))
		b.Wake()
		select {
		case g := <-got:
			if g != id {
				t.Fatalf("fast subscriber got %d, want %d", g, id)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("fast subscriber did not get event %d: the slow one held it up", id)
		}
	}
	t.Logf("20 events reached the fast subscriber in %v", time.Since(start))
	var kept []int64
	for u := range slow.Updates() { // closed once dropped
		kept = append(kept, u.Event.ID)
	}
	if !slow.Dropped() || len(kept) != 4 {
		t.Fatalf("slow subscriber: dropped=%v, kept %v; want dropped after its 4 buffered events", slow.Dropped(), kept)
	}
	if fast.Dropped() || b.Subscribers() != 1 {
		t.Fatalf("fast dropped=%v, subscribers=%d; want the fast one still subscribed", fast.Dropped(), b.Subscribers())
	}
}

func TestOutOfOrderCommitIsDeliveredExactlyOnce(t *testing.T) {
	t.Parallel()
	src := newFakeSource()
	for id := int64(1); id <= 9; id++ {
		src.commit(ev(id))
	}
	b := newTestBroker(t, src, Config{})
	s := b.Subscribe(recruiter)

	src.commit(ev(11)) // id 10's transaction has not committed yet
	b.pump(ctx)
	if got := b.Position().String(); got != "11:10" {
		t.Fatalf("position after 11 = %q, want 11:10 (10 awaited)", got)
	}
	src.commit(ev(10))
	b.pump(ctx)
	b.pump(ctx) // a second look finds nothing new and nothing twice
	if got := received(s); !slices.Equal(got, []int64{11, 10}) {
		t.Fatalf("received %v, want [11 10]: each event once, the late one included", got)
	}
	if got := b.Position().String(); got != "11" {
		t.Fatalf("position = %q, want 11", got)
	}
}

func TestRolledBackIDIsGivenUpAfterGrace(t *testing.T) {
	t.Parallel()
	clock := &testClock{t: time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)}
	src := newFakeSource()
	b := newTestBroker(t, src, Config{Clock: clock.now, GapGrace: 10 * time.Second})
	s := b.Subscribe(recruiter)
	src.commit(ev(1), ev(3)) // 2 rolled back
	b.pump(ctx)
	clock.advance(9 * time.Second)
	b.pump(ctx)
	if got := b.Position().String(); got != "3:2" {
		t.Fatalf("position within the grace period = %q, want 3:2", got)
	}
	clock.advance(2 * time.Second)
	b.pump(ctx)
	if got := b.Position().String(); got != "3" {
		t.Fatalf("position after the grace period = %q, want 3", got)
	}
	if got := received(s); !slices.Equal(got, []int64{1, 3}) {
		t.Fatalf("received %v, want [1 3]", got)
	}
}

func TestNewAwaitsIDsStillCommittingAtStart(t *testing.T) {
	t.Parallel()
	src := newFakeSource()
	src.commit(ev(1), ev(2), ev(4)) // 3 is in flight while the instance starts
	b := newTestBroker(t, src, Config{})
	if got := b.Position().String(); got != "4:3" {
		t.Fatalf("starting position = %q, want 4:3", got)
	}
	s := b.Subscribe(recruiter)
	src.commit(ev(3))
	b.pump(ctx)
	if got := received(s); !slices.Equal(got, []int64{3}) {
		t.Fatalf("received %v, want [3]", got)
	}
}

func TestResumeReplaysMissedEventsWithoutRepeats(t *testing.T) {
	t.Parallel()
	src := newFakeSource()
	b := newTestBroker(t, src, Config{})
	first := b.Subscribe(recruiter)
	src.commit(ev(1), ev(2))
	b.pump(ctx)
	if got := received(first); !slices.Equal(got, []int64{1, 2}) {
		t.Fatalf("first connection received %v", got)
	}
	cursor := first.Cursor()
	first.Close()

	// While the client is away: 3 commits, 5 commits before 4, and an event
	// for another number.
	src.commit(ev(3), ev(5), hiretext.Event{ID: 6, OrgID: 1, NumberID: 8})
	b.pump(ctx)
	again, missed, err := b.Resume(ctx, recruiter, &cursor)
	if err != nil {
		t.Fatal(err)
	}
	src.commit(ev(4), ev(7))
	b.pump(ctx)
	// What the client is sent, and the cursor it may resume from after each:
	// 3 and 5 replayed, then 4 and 7 live (6 was for another number).
	var got []string
	for _, u := range slices.Concat(missed, drain(again)) {
		if again.Accept(u) {
			got = append(got, fmt.Sprintf("%d@%s", u.Event.ID, again.Cursor()))
		}
	}
	if want := []string{"3@3", "5@6:4", "4@6", "7@7"}; !slices.Equal(got, want) {
		t.Fatalf("sent %v, want %v", got, want)
	}
}

func TestResumeFromAnInstanceFurtherAheadSkipsWhatTheClientHas(t *testing.T) {
	t.Parallel()
	src := newFakeSource()
	b := newTestBroker(t, src, Config{})
	src.commit(ev(1), ev(2))
	// The client saw 1 and 2 on another instance; this one has not pumped yet.
	from := Cursor{High: 2}
	s, missed, err := b.Resume(ctx, recruiter, &from)
	if err != nil || len(missed) != 0 {
		t.Fatalf("Resume = %v, %v; want nothing to replay", updateIDs(missed), err)
	}
	src.commit(ev(3))
	b.pump(ctx)
	if got := received(s); !slices.Equal(got, []int64{3}) {
		t.Fatalf("received %v, want [3] only", got)
	}
}

func TestResumeMidGapDeliversTheLateEvent(t *testing.T) {
	t.Parallel()
	src := newFakeSource()
	for id := int64(1); id <= 9; id++ {
		src.commit(ev(id))
	}
	src.commit(ev(11))
	b := newTestBroker(t, src, Config{}) // starts at "11:10"
	src.commit(ev(10))
	b.pump(ctx) // 10 arrives while the client is away
	from, err := ParseCursor("11:10")
	if err != nil {
		t.Fatal(err)
	}
	_, missed, err := b.Resume(ctx, recruiter, &from)
	if err != nil || !slices.Equal(updateIDs(missed), []int64{10}) {
		t.Fatalf("Resume from 11:10 = %v, %v; want [10]", updateIDs(missed), err)
	}
}

func TestReplayReportsAMissedWindow(t *testing.T) {
	t.Parallel()
	src := newFakeSource()
	for id := int64(1); id <= 5; id++ {
		src.commit(ev(id))
	}
	src.remove(1, 2, 3) // pruned
	b := newTestBroker(t, src, Config{})
	upTo := b.Position()
	tests := []struct {
		from    Cursor
		want    []int64
		missing bool
	}{
		{from: Cursor{High: 3}, want: []int64{4, 5}},
		{from: Cursor{High: 2}, missing: true},  // 3 was pruned
		{from: Cursor{High: 99}, missing: true}, // ahead of the database: not ours
		{from: Cursor{High: 5}, want: nil},
	}
	for _, tt := range tests {
		got, err := b.Replay(ctx, recruiter, tt.from, upTo)
		if tt.missing != errors.Is(err, ErrMissed) || (!tt.missing && !slices.Equal(eventIDs(got), tt.want)) {
			t.Errorf("Replay from %s = %v, %v; want %v, missed=%v", tt.from, eventIDs(got), err, tt.want, tt.missing)
		}
	}
	for id := int64(6); id <= 6+ReplayLimit; id++ {
		src.commit(ev(id))
	}
	b.pump(ctx)
	if _, err := b.Replay(ctx, recruiter, Cursor{High: 5}, b.Position()); !errors.Is(err, ErrMissed) {
		t.Fatalf("replaying more than ReplayLimit events: err = %v, want ErrMissed", err)
	}
	s, _, err := b.Resume(ctx, recruiter, &Cursor{High: 1})
	if !errors.Is(err, ErrMissed) || s == nil || s.Cursor().String() != b.Position().String() {
		t.Fatalf("Resume past the window = %v; want ErrMissed and a subscription at the broker's position", err)
	}
}

func TestRunDeliversOnWakeAndClosesSubscriptionsWhenStopped(t *testing.T) {
	t.Parallel()
	src := newFakeSource()
	b := newTestBroker(t, src, Config{PollInterval: time.Hour})
	stop := runBroker(t, b)
	s := b.Subscribe(recruiter)
	updates := s.Updates()
	src.commit(ev(1))
	b.Wake()
	select {
	case u := <-updates:
		if u.Event.ID != 1 {
			t.Fatalf("got event %d", u.Event.ID)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Wake did not deliver the event")
	}
	stop()
	if _, open := <-updates; open || s.Dropped() {
		t.Fatalf("after stop: channel open=%v dropped=%v; want closed, not dropped", open, s.Dropped())
	}
	if _, open := <-b.Subscribe(recruiter).Updates(); open {
		t.Fatal("a subscription made after stop is open")
	}
}

func TestPollFindsEventsNobodyAnnounced(t *testing.T) {
	t.Parallel()
	src := newFakeSource()
	b := newTestBroker(t, src, Config{PollInterval: 20 * time.Millisecond})
	runBroker(t, b)
	updates := b.Subscribe(recruiter).Updates()
	src.commit(ev(1)) // committed by a process that cannot wake us
	select {
	case <-updates:
	case <-time.After(2 * time.Second):
		t.Fatal("the poll did not deliver the event")
	}
}

func TestPruneKeepsTheRetentionWindow(t *testing.T) {
	t.Parallel()
	now := time.Now()
	src := newFakeSource()
	old, recent := ev(1), ev(2)
	old.At, recent.At = now.Add(-25*time.Hour), now.Add(-time.Hour)
	src.commit(old, recent)
	b := newTestBroker(t, src, Config{Clock: func() time.Time { return now }})
	b.prune(ctx)
	if ids, _ := src.EventsAfter(ctx, 0, 10); !slices.Equal(eventIDs(ids), []int64{2}) {
		t.Fatalf("after prune: %v, want [2]", eventIDs(ids))
	}
}

// runBroker runs b until the test ends or the returned stop is called.
func runBroker(t *testing.T, b *Broker) (stop func()) {
	c, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { b.Run(c); close(done) }()
	stop = func() { cancel(); <-done }
	t.Cleanup(stop)
	return stop
}

func updateIDs(ups []*Update) []int64 {
	var ids []int64
	for _, u := range ups {
		ids = append(ids, u.Event.ID)
	}
	return ids
}

// drain returns the updates queued on s without accepting them.
func drain(s *Subscription) []*Update {
	ups, _ := s.Take(nil)
	return ups
}

func eventIDs(evs []hiretext.Event) []int64 {
	var ids []int64
	for _, e := range evs {
		ids = append(ids, e.ID)
	}
	return ids
}
