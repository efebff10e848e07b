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

func (s *batchStore) RecordSentBatch(_ context.Context, sent []hiretext.SentDelivery) error {
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
			return errPoisoned
		}
	}
	s.recorded += len(ids)
	return nil
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
			errs[i] = r.record(hiretext.SentDelivery{Delivery: &hiretext.Delivery{ID: hiretext.MessageID(i)}})
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
