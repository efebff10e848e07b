package store

import (
	"cmp"
	"context"
	"fmt"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hiretext/hiretext"
)

// Group commit. Webhooks (inbound texts and status callbacks) that arrive
// while the database is busy with others share one transaction: one BEGIN,
// one COMMIT and one fsync for the lot, where each used to pay for its own.
// Each caller still returns only after the commit that holds its work, so a
// webhook answered 200 is as durable as before, and the events it recorded
// are announced (the broker woken) exactly when they committed.
//
// There is no background goroutine: the first caller to find a free slot
// leads, running everything queued in one transaction; callers arriving
// meanwhile queue, and the leader hands its slot to the first of them when
// it is done, so no caller waits for more than the group before it and its
// own. SQLite has one slot (one writer); PostgreSQL a few, so several groups
// run at once on the pool's connections.
//
// A failure of any one webhook's work (a constraint, a deadlock, a closed
// connection) rolls the group back, and every member is then run in a
// transaction of its own, exactly as without grouping: the failing one
// fails alone, with its own error, and the others commit. Members must
// therefore be safe to run twice, which a rolled-back transaction makes
// them, provided they keep their results in variables they set anew each
// run. Work runs to its end even if its caller's context ends (a provider
// that gave up waiting): the group's other members share its transaction.

// maxGroup bounds the webhooks in one transaction, so that a burst does not
// build one long transaction holding the writer (and, on PostgreSQL, the
// number's counter row) while later webhooks wait.
const maxGroup = 64

// postgresGroups is how many groups run at once on PostgreSQL. Measured
// (docs/benchmarks.md), one or two groups beat eight: with many slots the
// groups stay near one webhook each, and each pays its own commit, NOTIFY
// and counter row. Two rather than one, so that a group held up by a lock
// (a status callback's carrier opt-out waiting for a hand-off's share lock
// on the candidate) does not stop every webhook of the process.
const postgresGroups = 2

// groupWork is one webhook's work inside a (shared) transaction. It records
// what is counted on the number's allowance in g, which the transaction
// applies once for all its members at the end.
type groupWork func(ctx context.Context, tx conn, g *txGroup) error

// groupCommitter queues work and runs it in grouped transactions.
type groupCommitter struct {
	db    *DB
	slots chan struct{} // one per group that may run at once
	mu    sync.Mutex
	queue []*groupItem
	// Committed groups and the webhooks they held, for tests (and a
	// curious operator): members/groups is the mean group size.
	groups, members atomic.Int64
}

// groupItem is one caller's work, waiting in the queue.
type groupItem struct {
	ctx  context.Context
	work groupWork
	// reads are what an inbound text's work reads first, which its group
	// reads for all its members before running any (see readFirst); nil
	// for work that reads nothing first.
	reads *inboundReads
	// done receives the work's outcome, or a turn to lead (lead true), for
	// which the caller then runs the next group. Buffered for both, so a
	// leader never waits on a member.
	done chan groupSignal
	// handed is set, under the committer's mu, once the item was given a
	// turn to lead, so that it is given at most one: a leader's slot is
	// handed to exactly one waiting caller.
	handed bool
}

// groupSignal is what a member hears: its outcome, or that it leads next.
type groupSignal struct {
	err  error
	lead bool
}

func newGroupCommitter(db *DB, slots int) *groupCommitter {
	return &groupCommitter{db: db, slots: make(chan struct{}, slots)}
}

// do runs work in the next group transaction and returns once that
// transaction committed (nil) or work failed in a transaction of its own
// (its error). The group reads reads, if not nil, before running any work.
func (gc *groupCommitter) do(ctx context.Context, work groupWork, reads *inboundReads) error {
	it := &groupItem{ctx: context.WithoutCancel(ctx), work: work, reads: reads, done: make(chan groupSignal, 2)}
	gc.mu.Lock()
	gc.queue = append(gc.queue, it)
	gc.mu.Unlock()
	select {
	case gc.slots <- struct{}{}:
		gc.lead()
	default: // every slot runs a group; one of their leaders will take this
	}
	for {
		s := <-it.done
		if !s.lead {
			return s.err
		}
		gc.lead()
	}
}

// lead runs one group with the slot its caller holds, then passes the slot
// to the first member still queued, or frees it.
func (gc *groupCommitter) lead() {
	gc.mu.Lock()
	n := min(len(gc.queue), maxGroup)
	batch := slices.Clone(gc.queue[:n])
	gc.queue = slices.Delete(gc.queue, 0, n)
	gc.mu.Unlock()
	if len(batch) > 0 {
		gc.run(batch)
	}
	gc.mu.Lock()
	defer gc.mu.Unlock()
	for _, next := range gc.queue {
		if !next.handed {
			next.handed = true
			next.done <- groupSignal{lead: true}
			return
		}
	}
	// Freed under mu: a caller queueing after this sees the free slot, one
	// that queued before was seen above (or already has a leader coming).
	<-gc.slots
}

// run commits batch in one transaction, or, if any member failed, each
// member in its own.
func (gc *groupCommitter) run(batch []*groupItem) {
	ctx := batch[0].ctx
	err := gc.db.inEventTx(ctx, func(tx conn) error {
		g := &txGroup{}
		if err := readFirst(ctx, tx, batch, g); err != nil {
			return err
		}
		for _, it := range batch {
			if err := it.run(it.ctx, tx, g); err != nil {
				return err
			}
		}
		return g.finish(ctx, gc.db, tx)
	})
	if err == nil {
		gc.groups.Add(1)
		gc.members.Add(int64(len(batch)))
	}
	for _, it := range batch {
		if err != nil && len(batch) > 1 {
			if it.reads != nil {
				it.reads.ready = false // what the group read is gone with it: read afresh
			}
			it.done <- groupSignal{err: gc.db.inGroupTx(it.ctx, it.run)}
		} else {
			it.done <- groupSignal{err: err}
		}
	}
}

// readFirst sends the reads the members begin with in one batch, one
// round trip on PostgreSQL, rather than one a member. On PostgreSQL they
// are two statements for the whole group (readsOfGroup), and it takes a
// message id for each member that read from the sequence too (see
// txGroup.ids).
func readFirst(ctx context.Context, tx conn, batch []*groupItem, g *txGroup) error {
	// A later member with the same key as an earlier one (a provider's
	// second delivery of a text) reads for itself, after the first's work,
	// which it must see.
	var first []*inboundReads
	seen := map[string]bool{}
	for _, it := range batch {
		if it.reads != nil && !seen[it.reads.key()] {
			seen[it.reads.key()] = true
			first = append(first, it.reads)
		}
	}
	if len(first) == 0 {
		return nil
	}
	var reads []batchRead
	if tx.d.pipelined() {
		reads = readsOfGroup(tx.d, first)
		reads = append(reads, batchQuery(takeMessageIDs, func(row scanner) error {
			var id hiretext.MessageID
			err := row.Scan(&id)
			g.ids = append(g.ids, id)
			return err
		}, len(first)))
	} else {
		for _, r := range first {
			reads = append(reads, r.batch(tx.d)...)
		}
	}
	if err := tx.readBatch(ctx, reads...); err != nil {
		return err
	}
	for _, r := range first {
		r.ready = true
	}
	return nil
}

// run runs the item's work in tx. A panic becomes the item's error: the
// leader runs other callers' work, and must go on to answer them and pass
// its slot on.
func (it *groupItem) run(ctx context.Context, tx conn, g *txGroup) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("store: panic in a webhook's transaction: %v\n%s", p, debug.Stack())
		}
	}()
	return it.work(ctx, tx, g)
}

// inGroupTx runs work alone, in a transaction of its own: a webhook that
// must not share one (an opt-out on SQLite, see changingConsent), or a
// member of a group that failed.
func (db *DB) inGroupTx(ctx context.Context, work groupWork) error {
	return db.inEventTx(ctx, func(tx conn) error {
		g := &txGroup{}
		if err := work(ctx, tx, g); err != nil {
			return err
		}
		return g.finish(ctx, db, tx)
	})
}

// txGroup collects what the members of one transaction count on their
// numbers' allowance, to count it in one statement per number at the end.
// Counting last also keeps the order every other writer follows on
// PostgreSQL (conversation and message rows first, the number's counter row
// last), so a group cannot deadlock with a send: its counter rows are taken
// only after every member's other rows, in number order.
type txGroup struct {
	counts []groupCount
	// tally is the texts the members wrote or moved, for the report's daily
	// counters: written after the allowance counters, the very last (see
	// countTexts), so the group takes its rows in the order a send does.
	tally textTally
	// What the members' texts without a keyword change besides their own
	// rows, written at the end in one statement each for the whole group
	// (finish), where each text used to pay for its own: their
	// conversations (one entry per conversation), their response facts and
	// their new-message events, in the order the texts came.
	touches []inboundTouch
	facts   []responseText
	events  []*hiretext.Event
	// On PostgreSQL the group takes its texts' message ids from the
	// sequence with its reads (readFirst), and inserts their messages at
	// the end in one statement (deferMessage) rather than one round trip a
	// text. pending finds a deferred message by its provider key, for a
	// second delivery of it in the group.
	ids        []hiretext.MessageID // taken, not yet given
	messages   []messageInsert
	messageIDs []hiretext.MessageID
	pending    map[string]*hiretext.Message
}

// takeID returns a message id taken ahead for the group, if one is left.
func (g *txGroup) takeID() (hiretext.MessageID, bool) {
	if len(g.ids) == 0 {
		return 0, false
	}
	id := g.ids[0]
	g.ids = g.ids[1:]
	return id, true
}

// deferMessage keeps m, to insert with id at the end of the transaction,
// counts it in the tally as insertMessageReturning would, and returns the
// message as it will be stored.
func (g *txGroup) deferMessage(m messageInsert, id hiretext.MessageID) *hiretext.Message {
	g.tally.add(m.countedText())
	g.messages, g.messageIDs = append(g.messages, m), append(g.messageIDs, id)
	stored := m.stored(id)
	if g.pending == nil {
		g.pending = map[string]*hiretext.Message{}
	}
	g.pending[providerMessageKey(m.provider, m.providerID)] = stored
	return stored
}

// groupCount is the inbound count of one number in one allowance period.
type groupCount struct {
	org    hiretext.OrgID
	number hiretext.NumberID
	target usageTarget
	period string
	n      int
	now    time.Time
}

// countInbound counts n received messages (a text and its automatic
// replies) to number at the end of the transaction (see countInbound).
func (g *txGroup) countInbound(org hiretext.OrgID, number hiretext.NumberID, t usageTarget, n int, now time.Time) {
	period := hiretext.Period(storedTime(now), t.loc)
	for i := range g.counts {
		if c := &g.counts[i]; c.number == number && c.period == period {
			c.n += n
			return
		}
	}
	g.counts = append(g.counts, groupCount{org: org, number: number, target: t, period: period, n: n, now: now})
}

// touchInbound records, at the end of the transaction, a text without a
// keyword received at now as message msg of conversation conv: the
// conversation's newest message, one more unread, waiting since its first
// text if it was not waiting (see touchInbounds).
func (g *txGroup) touchInbound(conv hiretext.ConversationID, msg hiretext.MessageID, now time.Time) {
	for i := range g.touches {
		if t := &g.touches[i]; t.conv == conv {
			t.msg, t.at, t.texts = max(t.msg, msg), maxTime(t.at, now), t.texts+1
			return
		}
	}
	g.touches = append(g.touches, inboundTouch{conv: conv, msg: msg, at: now, since: now, texts: 1})
}

// maxTime is the later of a and b.
func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// finish writes what the members left for the end: their conversations,
// response facts and events; then it counts what they counted, number by
// number, and records the allowance alerts the counts fire; then the
// report's daily counters. The conversations come first and the counter
// rows last, the order every writer takes them in.
func (g *txGroup) finish(ctx context.Context, db *DB, tx conn) error {
	if err := insertMessagesWithIDs(ctx, tx, g.messages, g.messageIDs); err != nil {
		return err
	}
	if err := touchInbounds(ctx, tx, g.touches); err != nil {
		return err
	}
	for _, texts := range byOrg(g.facts) {
		if err := recordResponseTexts(ctx, tx, texts); err != nil {
			return err
		}
	}
	if err := db.queueEvents(ctx, tx, g.events); err != nil {
		return err
	}
	slices.SortFunc(g.counts, func(a, b groupCount) int {
		return cmp.Or(cmp.Compare(a.number, b.number), cmp.Compare(a.period, b.period))
	})
	for _, c := range g.counts {
		change, err := countInbound(ctx, tx, c.org, c.number, c.target, c.n, c.now)
		if err != nil {
			return err
		}
		if err := db.recordAlertEvents(ctx, tx, change.Alerts, c.now); err != nil {
			return err
		}
	}
	return db.countTexts(ctx, tx, &g.tally)
}
