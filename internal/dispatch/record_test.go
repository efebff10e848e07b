package dispatch

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/storetest"
)

// batchStore notes every batch it is asked to write, refuses any batch
// holding the poisoned message, and holds writes until gate is closed.
type batchStore struct {
	Store    // only RecordSentBatch is used
	poisoned hiretext.MessageID
	gate     chan struct{}

	mu       sync.Mutex
	waiting  int // records held at the gate
	calls    [][]hiretext.MessageID
	recorded int
}

var errPoisoned = errors.New("refused")

func (s *batchStore) RecordSentBatch(_ context.Context, sent []hiretext.SentDelivery, _ []hiretext.ClaimRequest) ([]*hiretext.Delivery, error) {
	s.mu.Lock()
	s.waiting += len(sent)
	s.mu.Unlock()
	<-s.gate
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []hiretext.MessageID
	for _, x := range sent {
		ids = append(ids, x.Delivery.ID)
	}
	s.calls = append(s.calls, ids)
	for _, id := range ids {
		if id == s.poisoned {
			return nil, errPoisoned
		}
	}
	s.recorded += len(ids)
	return nil, nil
}

func (s *batchStore) held() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.waiting
}

func TestRecorderBatchesWaitingRecordsAndIsolatesAFailure(t *testing.T) {
	st := &batchStore{poisoned: 5, gate: make(chan struct{})}
	r := startRecorder(context.Background(), st, 16)
	var wg sync.WaitGroup
	errs := make([]error, 11)
	for i := 1; i <= 10; i++ {
		wg.Go(func() {
			_, errs[i] = r.record(hiretext.SentDelivery{Delivery: &hiretext.Delivery{ID: hiretext.MessageID(i)}}, false)
		})
	}
	// Every record is either at the gate (the first batch of each stream)
	// or waiting in the queue behind them.
	storetest.Eventually(t, "every record at the gate or queued", func() bool { return st.held()+len(r.queue) >= 10 })
	close(st.gate)
	wg.Wait()
	r.stop()
	for i := 1; i <= 10; i++ {
		switch {
		case i == 5 && !errors.Is(errs[i], errPoisoned):
			t.Errorf("the refused record got %v", errs[i])
		case i != 5 && errs[i] != nil:
			t.Errorf("record %d failed with its batch: %v", i, errs[i])
		}
	}
	largest := 0
	for _, c := range st.calls {
		largest = max(largest, len(c))
	}
	if st.recorded != 9 || largest < 2 {
		t.Errorf("%d records written in batches %v; want the 9 good ones, those that waited together in one", st.recorded, st.calls)
	}
}

// claimStore answers each claim request with deliveries of its number,
// one fewer than asked for number 2 (its queue ran dry), and notes the
// requests.
type claimStore struct {
	Store
	mu       sync.Mutex
	requests []hiretext.ClaimRequest
	nextID   hiretext.MessageID
}

func (s *claimStore) RecordSentBatch(_ context.Context, _ []hiretext.SentDelivery, next []hiretext.ClaimRequest) ([]*hiretext.Delivery, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, next...)
	var out []*hiretext.Delivery
	for _, r := range next {
		n := r.Limit
		if r.Number == 2 {
			n--
		}
		for range n {
			s.nextID++
			out = append(out, &hiretext.Delivery{ID: 100 + s.nextID, NumberID: r.Number})
		}
	}
	return out, nil
}

// TestRecorderClaimsOneTextPerWorker records sends of two numbers in one
// batch: it asks, per number, for one text per worker that will send one
// (not for a record without a claim), and hands each claimed text to a
// worker of its number, with that text's share of their group hand-off; a
// worker left without one gets none.
func TestRecorderClaimsOneTextPerWorker(t *testing.T) {
	st := &claimStore{}
	r := &recorder{store: st, queue: make(chan *pendingRecord, 8), done: make(chan struct{})}
	r.claim = func(n hiretext.NumberID, limit int) *hiretext.ClaimRequest {
		return &hiretext.ClaimRequest{Number: n, Limit: limit}
	}
	r.hold = func(dls []*hiretext.Delivery) []*consentGrant {
		grants := make([]*consentGrant, len(dls))
		for i, dl := range dls {
			grants[i] = &consentGrant{ok: dl.ID%2 == 0}
		}
		return grants
	}
	var batch []*pendingRecord
	for i, number := range []hiretext.NumberID{1, 2, 1, 2, 1} {
		batch = append(batch, &pendingRecord{claim: i != 4, done: make(chan recorded, 1),
			sent: hiretext.SentDelivery{Delivery: &hiretext.Delivery{ID: hiretext.MessageID(i + 1), NumberID: number}}})
	}
	r.write(context.Background(), batch)
	if len(st.requests) != 2 || st.requests[0] != (hiretext.ClaimRequest{Number: 1, Limit: 2}) || st.requests[1] != (hiretext.ClaimRequest{Number: 2, Limit: 2}) {
		t.Fatalf("claim requests %+v, want 2 texts of number 1 and 2 of number 2", st.requests)
	}
	got := 0
	for i, p := range batch {
		out := <-p.done
		switch {
		case out.err != nil:
			t.Errorf("record %d: %v", i+1, out.err)
		case out.next.dl != nil && (!p.claim || out.next.dl.NumberID != p.sent.Delivery.NumberID):
			t.Errorf("record %d of number %d (claim %v) got text %+v", i+1, p.sent.Delivery.NumberID, p.claim, out.next.dl)
		case out.next.dl != nil && (out.next.grant == nil || out.next.grant.ok != (out.next.dl.ID%2 == 0)):
			t.Errorf("record %d got text %d with the hand-off grant %+v of another", i+1, out.next.dl.ID, out.next.grant)
		case out.next.dl != nil:
			got++
		}
	}
	if got != 3 {
		t.Errorf("%d workers got a text, want 3 (2 of number 1, the 1 claimed of number 2)", got)
	}
}

// TestHandOutGivesBackSharesNobodyTakes: a claimed delivery no record asked
// for gives its share of the group hand-off back at once, so the group's
// lock is released when the workers' own shares are, not never.
func TestHandOutGivesBackSharesNobodyTakes(t *testing.T) {
	released := 0
	group := &consentGroup{release: func() { released++ }}
	group.left.Store(2)
	next := []*hiretext.Delivery{{ID: 1, NumberID: 7}, {ID: 2, NumberID: 7}}
	grants := []*consentGrant{{ok: true, group: group}, {ok: true, group: group}}
	rec := &pendingRecord{sent: hiretext.SentDelivery{Delivery: &hiretext.Delivery{NumberID: 7}}, claim: true, done: make(chan recorded, 1)}
	handOut([]*pendingRecord{rec}, next, grants, nil)
	out := <-rec.done
	if out.next.dl == nil || out.next.grant == nil {
		t.Fatalf("the record's worker got %+v, want a delivery with its grant", out.next)
	}
	if released != 0 {
		t.Fatal("the group's lock was released while a worker still holds its share")
	}
	out.next.grant.done() // the worker's call returned
	if released != 1 {
		t.Fatalf("the group's lock was released %d times after every share was given back, want once", released)
	}
}
