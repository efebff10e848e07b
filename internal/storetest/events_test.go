package storetest

import (
	"encoding/json"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// wakeCounter is a Waker that counts wake-ups.
type wakeCounter struct{ n atomic.Int32 }

func (w *wakeCounter) Wake() { w.n.Add(1) }

func mustRecord(t *testing.T, db *store.DB, e hiretext.Event) hiretext.Event {
	t.Helper()
	if err := db.RecordEvent(ctx, &e); err != nil {
		t.Fatalf("record event: %v", err)
	}
	return e
}

func ids(evs []hiretext.Event) []int64 {
	out := []int64{}
	for _, e := range evs {
		out = append(out, e.ID)
	}
	return out
}

func TestEventsAreRecordedAndReadBack(t *testing.T) {
	clock := NewClock(time.Date(2026, 5, 1, 9, 0, 0, 123456789, time.UTC))
	EachWith(t, func() Config { c := NewClock(clock.Now()); return Config{Clock: c.Now} }, func(t *testing.T, db *store.DB, o Config) {
		acme, other := MustCreateOrg(t, db, "Acme"), MustCreateOrg(t, db, "Other")
		wake := &wakeCounter{}
		db.SetBroker(wake)
		data := json.RawMessage(`{"conversation_id":"7","message_id":"42"}`)
		inbound := mustRecord(t, db, hiretext.Event{OrgID: acme.ID, NumberID: 5, Kind: hiretext.EventMessageInbound, Data: data})
		personal := mustRecord(t, db, hiretext.Event{OrgID: acme.ID, UserID: 9, Kind: hiretext.EventMessageStatus})
		foreign := mustRecord(t, db, hiretext.Event{OrgID: other.ID, NumberID: 5, UserID: 9, Kind: hiretext.EventAllowanceAlert})
		if !(inbound.ID > 0 && personal.ID > inbound.ID && foreign.ID > personal.ID) {
			t.Fatalf("ids %d, %d, %d do not increase", inbound.ID, personal.ID, foreign.ID)
		}
		if wake.n.Load() != 3 {
			t.Fatalf("publisher woken %d times for 3 commits", wake.n.Load())
		}

		all, err := db.EventsAfter(ctx, 0, 10)
		if err != nil || !slices.Equal(ids(all), []int64{inbound.ID, personal.ID, foreign.ID}) {
			t.Fatalf("EventsAfter(0) = %v, %v", ids(all), err)
		}
		got := all[0]
		if got.OrgID != acme.ID || got.NumberID != 5 || got.UserID != 0 || got.Kind != hiretext.EventMessageInbound ||
			string(got.Data) != string(data) || !got.At.Equal(clock.Now().Truncate(time.Microsecond)) {
			t.Fatalf("read back %+v (data %s), want what was recorded at %v", got, got.Data, clock.Now())
		}
		if string(all[1].Data) != "{}" {
			t.Fatalf("event without data reads back %s, want {}", all[1].Data)
		}
		if evs, _ := db.EventsAfter(ctx, inbound.ID, 1); !slices.Equal(ids(evs), []int64{personal.ID}) {
			t.Fatalf("EventsAfter with limit 1 = %v", ids(evs))
		}
		if evs, _ := db.EventsByID(ctx, []int64{foreign.ID, inbound.ID, foreign.ID + 100}); !slices.Equal(ids(evs), []int64{inbound.ID, foreign.ID}) {
			t.Fatalf("EventsByID = %v, want the two that exist, in order", ids(evs))
		}

		// What a reconnecting user of number 5 (user 9) of Acme may see: never the other company's.
		f := hiretext.EventFilter{OrgID: acme.ID, NumberID: 5, UserID: 9}
		if evs, _ := db.EventsFor(ctx, f, 0, foreign.ID, 10); !slices.Equal(ids(evs), []int64{inbound.ID, personal.ID}) {
			t.Fatalf("EventsFor = %v", ids(evs))
		}
		noNumber := hiretext.EventFilter{OrgID: acme.ID, UserID: 9}
		if evs, _ := db.EventsFor(ctx, noNumber, 0, foreign.ID, 10); !slices.Equal(ids(evs), []int64{personal.ID}) {
			t.Fatalf("EventsFor a user without a number = %v", ids(evs))
		}
		if evs, _ := db.EventsFor(ctx, f, inbound.ID, inbound.ID, 10); len(evs) != 0 {
			t.Fatalf("EventsFor an empty range = %v", ids(evs))
		}
		if latest, _ := db.LatestEventID(ctx); latest != foreign.ID {
			t.Fatalf("LatestEventID = %d", latest)
		}
		if oldest, _ := db.OldestEventID(ctx); oldest != inbound.ID {
			t.Fatalf("OldestEventID = %d", oldest)
		}
	})
}

func TestInvalidEventsAreRefused(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		org := MustCreateOrg(t, db, "Acme")
		wake := &wakeCounter{}
		db.SetBroker(wake)
		bad := []hiretext.Event{
			{OrgID: org.ID, Kind: "message.deleted"},
			{OrgID: 0, Kind: hiretext.EventMessageInbound},
			{OrgID: org.ID, Kind: hiretext.EventMessageInbound, Data: json.RawMessage(`[1]`)},
			{OrgID: org.ID, Kind: hiretext.EventMessageInbound, Data: json.RawMessage(`{"a":`)},
			{OrgID: org.ID, Kind: hiretext.EventMessageInbound, Data: json.RawMessage(`{"a":"` + string(make([]byte, 1100)) + `"}`)},
		}
		for _, e := range bad {
			if err := db.RecordEvent(ctx, &e); hiretext.ErrorCode(err) != hiretext.EInvalid {
				t.Errorf("RecordEvent(%+v) = %v, want invalid", e, err)
			}
		}
		if latest, _ := db.LatestEventID(ctx); latest != 0 || wake.n.Load() != 0 {
			t.Fatalf("refused events left latest id %d and %d wake-ups", latest, wake.n.Load())
		}
	})
}

func TestPruneEventsKeepsRecentOnesAndTheNewest(t *testing.T) {
	start := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	EachWith(t, func() Config { c := NewClock(start); return Config{Clock: c.Now} }, func(t *testing.T, db *store.DB, o Config) {
		org := MustCreateOrg(t, db, "Acme")
		at := func(h int) hiretext.Event {
			return mustRecord(t, db, hiretext.Event{OrgID: org.ID, NumberID: 1, Kind: hiretext.EventMessageInbound, At: start.Add(time.Duration(h) * time.Hour)})
		}
		e1, e2, e3 := at(0), at(1), at(30)
		n, err := db.PruneEvents(ctx, start.Add(30*time.Minute))
		if err != nil || n != 1 {
			t.Fatalf("PruneEvents = %d, %v; want 1: only event %d is older than the cutoff", n, err, e1.ID)
		}
		if evs, _ := db.EventsAfter(ctx, 0, 10); !slices.Equal(ids(evs), []int64{e2.ID, e3.ID}) {
			t.Fatalf("after prune: %v, want [%d %d]", ids(evs), e2.ID, e3.ID)
		}
		// Everything is older than the cutoff: the newest still stays, so ids never go back.
		if _, err := db.PruneEvents(ctx, start.Add(48*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if evs, _ := db.EventsAfter(ctx, 0, 10); !slices.Equal(ids(evs), []int64{e3.ID}) {
			t.Fatalf("after pruning everything: %v, want the newest [%d]", ids(evs), e3.ID)
		}
		if e4 := at(31); e4.ID <= e3.ID {
			t.Fatalf("id %d reused after pruning (newest was %d)", e4.ID, e3.ID)
		}
	})
}
