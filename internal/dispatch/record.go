package dispatch

import (
	"context"
	"sync"

	"github.com/hiretext/hiretext"
)

// recorder writes the outcomes of accepted sends with group commit: a
// worker hands its outcome over and waits until it is committed, and the
// outcomes of workers that finish together share one transaction (one
// fsync) instead of one each. It never waits to fill a batch, so a lone
// send is recorded at once. A worker keeps its slot until its record is
// durable, so no more than Workers messages are ever sent and not yet
// recorded: a crash still re-sends at most the messages in flight.
//
// The same transaction claims the next texts of the recorded sends'
// numbers, one per worker that asked (see claim), and hands each to a
// worker of its number, which sends it on the slot it kept: one durable
// commit records N sends and leases N more, instead of a record and a
// claim of its own on the dispatcher's one loop. A claimed text is leased
// durably before its provider call, and the workers' slots bound the texts
// in flight as before.
type recorder struct {
	store Store
	queue chan *pendingRecord
	done  chan struct{}
	// claim says what to claim for limit slots of number n, nil for
	// nothing (the dispatcher is stopping). nil: never claim.
	claim func(n hiretext.NumberID, limit int) *hiretext.ClaimRequest
	// hold hands the claimed deliveries off as a group, returning each
	// one's grant (see holdConsent). nil: each is handed off on its own.
	hold func(dls []*hiretext.Delivery) []*consentGrant
}

// recorderStreams is how many batches are written at once. One: the
// record transactions of a number queue on its pace row and its daily
// counter row from their claim to their commit anyway, so a second stream
// overlapped little, and it halved the batches (and the group hand-offs)
// that one transaction records and claims. Measured on PostgreSQL, 8
// workers: 1,256 and 1,603 texts/s with one stream against 972 and 1,112
// with two (load 4-5).
const recorderStreams = 1

type pendingRecord struct {
	sent  hiretext.SentDelivery
	claim bool // the worker will send a delivery claimed for it
	done  chan recorded
}

// recorded is a record's outcome: its error, or the delivery claimed for
// its worker (none for none).
type recorded struct {
	next claimed
	err  error
}

// claimed is a delivery a record claimed for its worker, with its share of
// the group hand-off of the deliveries claimed with it (nil: handed off on
// its own). dl is nil when nothing was claimed.
type claimed struct {
	dl    *hiretext.Delivery
	grant *consentGrant
}

// startRecorder starts a recorder for up to workers concurrent records.
func startRecorder(ctx context.Context, st Store, workers int) *recorder {
	r := &recorder{store: st, queue: make(chan *pendingRecord, workers), done: make(chan struct{})}
	var wg sync.WaitGroup
	for range recorderStreams {
		wg.Go(func() { r.run(ctx) })
	}
	go func() { wg.Wait(); close(r.done) }()
	return r
}

// record writes s and returns once it is committed, or failed. With claim,
// it returns the delivery claimed in the same transaction for the caller
// to send next, if any.
func (r *recorder) record(s hiretext.SentDelivery, claim bool) (claimed, error) {
	p := &pendingRecord{sent: s, claim: claim, done: make(chan recorded, 1)}
	r.queue <- p
	out := <-p.done
	return out.next, out.err
}

// stop ends the recorder; call it once no worker can record any more.
func (r *recorder) stop() {
	close(r.queue)
	<-r.done
}

func (r *recorder) run(ctx context.Context) {
	for first := range r.queue {
		r.write(ctx, r.collect(first))
	}
}

// collect adds to first the records already waiting, without waiting for more.
func (r *recorder) collect(first *pendingRecord) []*pendingRecord {
	batch := []*pendingRecord{first}
	for {
		select {
		case p, ok := <-r.queue:
			if !ok {
				return batch
			}
			batch = append(batch, p)
		default:
			return batch
		}
	}
}

// claims is what a batch asks to claim: per number, one text for each of
// its records whose worker will send one.
func (r *recorder) claims(batch []*pendingRecord) []hiretext.ClaimRequest {
	if r.claim == nil {
		return nil
	}
	want := map[hiretext.NumberID]int{}
	var order []hiretext.NumberID
	for _, p := range batch {
		if p.claim {
			n := p.sent.Delivery.NumberID
			if want[n] == 0 {
				order = append(order, n)
			}
			want[n]++
		}
	}
	var out []hiretext.ClaimRequest
	for _, n := range order {
		if c := r.claim(n, want[n]); c != nil {
			out = append(out, *c)
		}
	}
	return out
}

// write records a batch in one transaction, with the claims of its
// workers, and hands each claimed delivery to a worker of its number. If
// that fails it records each on its own, without claims, so one record
// the database refuses does not fail the others.
func (r *recorder) write(ctx context.Context, batch []*pendingRecord) {
	sent := make([]hiretext.SentDelivery, len(batch))
	for i, p := range batch {
		sent[i] = p.sent
	}
	next, err := r.store.RecordSentBatch(ctx, sent, r.claims(batch))
	switch {
	case len(next) > 0 && r.hold != nil:
		// The group hand-off runs beside the next batch's transaction,
		// not before it: the stream never waits for a hand-off's round
		// trips, or for a connection of the hand-off pool.
		go func() { handOut(batch, next, r.hold(next), err) }()
	case err == nil || len(batch) == 1:
		handOut(batch, next, nil, err)
	default:
		for _, p := range batch {
			_, err := r.store.RecordSentBatch(ctx, []hiretext.SentDelivery{p.sent}, nil)
			p.done <- recorded{err: err}
		}
	}
}

// handOut answers each record of a batch that committed (or failed, err)
// with a delivery of its number claimed for its worker, if it asked for one
// and one is left, and that delivery's grant (grants: one per delivery of
// next, or nil).
func handOut(batch []*pendingRecord, next []*hiretext.Delivery, grants []*consentGrant, err error) {
	byNumber := map[hiretext.NumberID][]claimed{}
	for i, dl := range next {
		c := claimed{dl: dl}
		if grants != nil {
			c.grant = grants[i]
		}
		byNumber[dl.NumberID] = append(byNumber[dl.NumberID], c)
	}
	for _, p := range batch {
		out := recorded{err: err}
		if n := p.sent.Delivery.NumberID; p.claim && len(byNumber[n]) > 0 {
			out.next, byNumber[n] = byNumber[n][0], byNumber[n][1:]
		}
		p.done <- out
	}
	// A number claims no more than its records ask for, so nothing should
	// be left; were anything left, its lease would bring it back, but a
	// share of a group hand-off never given back would hold its candidates'
	// consent (a STOP) until the process ends.
	for _, left := range byNumber {
		for _, c := range left {
			c.grant.done()
		}
	}
}
