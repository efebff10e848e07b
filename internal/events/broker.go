// Package events fans committed events out to live subscribers (browsers on
// server-sent events). Each instance runs one Broker. Events are rows written
// in the transaction that makes the change; the broker's pump reads them in id
// order and hands each to the subscribers it concerns. The pump runs when a
// writer of this instance wakes it after a commit, when PostgreSQL announces a
// commit of another instance (LISTEN/NOTIFY, ids only), and on a short poll
// that covers anything else, such as a listener that lost its connection.
//
// PostgreSQL can commit a transaction holding id 10 after one holding id 11,
// so the pump remembers ids it saw skipped and looks for them again for a
// grace period; a rolled-back transaction leaves a permanent gap, given up
// after it. Subscribers carry a Cursor (the event ids accounted for), which
// lets a reconnecting client resume on any instance without losing or
// repeating an event.
package events

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hiretext/hiretext"
)

// Source is where the broker reads committed events: the store.
type Source interface {
	EventsAfter(ctx context.Context, afterID int64, limit int) ([]hiretext.Event, error)
	EventsByID(ctx context.Context, ids []int64) ([]hiretext.Event, error)
	EventsFor(ctx context.Context, f hiretext.EventFilter, afterID, throughID int64, limit int) ([]hiretext.Event, error)
	LatestEventID(ctx context.Context) (int64, error)
	OldestEventID(ctx context.Context) (int64, error)
	PruneEvents(ctx context.Context, olderThan time.Time) (int64, error)
}

// Config configures a Broker. The zero value suits one SQLite instance.
type Config struct {
	// PostgresURL, when set, makes the broker LISTEN on the events channel
	// of that database so events committed by other instances arrive at once.
	PostgresURL   string
	PollInterval  time.Duration // how often to look for events nobody announced; default 2 s
	GapGrace      time.Duration // how long a skipped id is awaited before it counts as rolled back; default 10 s
	Retention     time.Duration // how long events are kept for reconnecting clients; default 24 h
	PruneInterval time.Duration // how often old events are deleted; default 1 h
	Buffer        int           // events a subscriber may fall behind before it is dropped; default 256 (its queue grows only as needed)
	Clock         hiretext.Clock
	Logger        *slog.Logger
}

func (c *Config) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.PollInterval, 2*time.Second)
	def(&c.GapGrace, 10*time.Second)
	def(&c.Retention, 24*time.Hour)
	def(&c.PruneInterval, time.Hour)
	if c.Buffer <= 0 {
		c.Buffer = 256
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

const (
	batchSize = 500 // events read per query while catching up
	// maxGaps bounds the skipped ids awaited at once. Out-of-order commits
	// come from transactions in flight together, a few per connection pool;
	// a larger jump (sequence values lost in a crash) is given up early.
	maxGaps = 64
	// ReplayLimit is the most events replayed to one reconnecting client;
	// beyond it the client is told to refresh instead.
	ReplayLimit = 1000
	pumpTimeout = 10 * time.Second
)

// ErrMissed reports that a client's cursor is older than the events kept
// (or more events passed than are replayed, or the cursor belongs to another
// database): the client must refresh what it shows.
var ErrMissed = errors.New("events: replay window missed")

// Update is one event as delivered to subscribers, with the broker's cursor
// just after it. Updates are shared by every subscriber: do not modify them.
type Update struct {
	Event  hiretext.Event
	Cursor Cursor
}

// Broker fans events out to this instance's subscribers.
type Broker struct {
	src   Source
	cfg   Config
	log   *slog.Logger
	wake  chan struct{}
	pgPID atomic.Uint32 // the listener's backend process id, 0 when disconnected

	// The pump's own state: only the pump goroutine (and New) touch it.
	lastID int64               // the highest id seen
	gaps   map[int64]time.Time // ids below lastID not yet seen → when first skipped

	mu      sync.Mutex
	subs    map[hiretext.OrgID]map[*Subscription]struct{}
	pos     Cursor // after the last fan-out: what a new subscriber has not missed
	stopped bool
}

// New returns a broker positioned after the events already committed. Ids
// just below the newest that are not there yet are awaited like any gap, in
// case their transactions are still committing.
func New(ctx context.Context, src Source, cfg Config) (*Broker, error) {
	cfg.defaults()
	b := &Broker{src: src, cfg: cfg, log: cfg.Logger, wake: make(chan struct{}, 1),
		gaps: map[int64]time.Time{}, subs: map[hiretext.OrgID]map[*Subscription]struct{}{}}
	latest, err := src.LatestEventID(ctx)
	if err != nil {
		return nil, err
	}
	from := max(0, latest-maxGaps)
	recent, err := src.EventsAfter(ctx, from, maxGaps)
	if err != nil {
		return nil, err
	}
	now := cfg.Clock.Now()
	for id := from + 1; id < latest; id++ {
		b.gaps[id] = now
	}
	for _, e := range recent {
		delete(b.gaps, e.ID)
	}
	b.lastID = latest
	b.pos = b.cursor()
	return b, nil
}

// Wake tells the pump that events may have committed. It never blocks.
func (b *Broker) Wake() {
	select {
	case b.wake <- struct{}{}:
	default: // a wake-up is already pending; it will see these events too
	}
}

// Run pumps events until ctx ends, then closes every subscription. Call it
// once.
func (b *Broker) Run(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	defer b.stop()
	if b.cfg.PostgresURL != "" {
		wg.Go(func() { b.listen(ctx, b.cfg.PostgresURL) })
	}
	poll := time.NewTicker(b.cfg.PollInterval)
	defer poll.Stop()
	prune := time.NewTicker(b.cfg.PruneInterval)
	defer prune.Stop()
	b.prune(ctx)
	b.Wake() // for anything committed since New
	for {
		select {
		case <-ctx.Done():
			return
		case <-prune.C:
			b.prune(ctx)
			continue
		case <-b.wake:
		case <-poll.C:
		}
		b.pump(ctx)
	}
}

// pump looks again for skipped ids, then reads everything committed since
// the last run.
func (b *Broker) pump(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, pumpTimeout)
	defer cancel()
	if len(b.gaps) > 0 {
		b.fillGaps(ctx)
	}
	for {
		evs, err := b.src.EventsAfter(ctx, b.lastID, batchSize)
		if err != nil {
			b.warn(ctx, "events: read new events", err)
			return
		}
		for _, e := range evs {
			b.accept(e)
		}
		if len(evs) < batchSize {
			return
		}
	}
}

// fillGaps delivers skipped events that have committed since, and gives up
// on ids awaited longer than the grace period: their transactions rolled back.
func (b *Broker) fillGaps(ctx context.Context) {
	evs, err := b.src.EventsByID(ctx, slices.Sorted(maps.Keys(b.gaps)))
	if err != nil {
		b.warn(ctx, "events: read skipped events", err)
		return
	}
	for _, e := range evs {
		b.accept(e)
	}
	now, expired := b.cfg.Clock.Now(), false
	for id, since := range b.gaps {
		if now.Sub(since) >= b.cfg.GapGrace {
			delete(b.gaps, id)
			expired = true
		}
	}
	if expired {
		b.mu.Lock()
		b.pos = b.cursor()
		b.mu.Unlock()
	}
}

// accept delivers e unless it already was, noting ids skipped before it.
func (b *Broker) accept(e hiretext.Event) {
	switch _, awaited := b.gaps[e.ID]; {
	case e.ID > b.lastID:
		now := b.cfg.Clock.Now()
		for id := max(b.lastID+1, e.ID-maxGaps); id < e.ID; id++ {
			b.gaps[id] = now
		}
		b.lastID = e.ID
		b.trimGaps()
	case awaited:
		delete(b.gaps, e.ID)
	default:
		return // delivered before
	}
	b.deliver(&Update{Event: e, Cursor: b.cursor()})
}

// trimGaps keeps the maxGaps most recent skipped ids.
func (b *Broker) trimGaps() {
	if len(b.gaps) <= maxGaps {
		return
	}
	ids := slices.Sorted(maps.Keys(b.gaps))
	for _, id := range ids[:len(ids)-maxGaps] {
		delete(b.gaps, id)
	}
}

// cursor is the pump's position: everything up to lastID but the gaps.
func (b *Broker) cursor() Cursor {
	if len(b.gaps) == 0 {
		return Cursor{High: b.lastID}
	}
	return Cursor{High: b.lastID, Missing: slices.Sorted(maps.Keys(b.gaps))}
}

// deliver hands u to every subscriber it concerns without ever waiting: a
// subscriber whose buffer is full is dropped, and resumes by reconnecting.
func (b *Broker) deliver(u *Update) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs[u.Event.OrgID] {
		if !s.filter.Matches(&u.Event) {
			continue
		}
		if !s.push(u) {
			s.dropped.Store(true)
			b.removeLocked(s)
			b.log.Info("events: dropped a slow subscriber", "org_id", s.filter.OrgID, "user_id", s.filter.UserID)
		}
	}
	b.pos = u.Cursor
}

func (b *Broker) prune(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	n, err := b.src.PruneEvents(ctx, b.cfg.Clock.Now().Add(-b.cfg.Retention))
	if err != nil {
		b.warn(ctx, "events: prune", err)
		return
	}
	if n > 0 {
		b.log.Debug("events: pruned", "events", n)
	}
}

func (b *Broker) warn(ctx context.Context, msg string, err error) {
	if ctx.Err() == nil {
		b.log.Warn(msg, "err", err)
	}
}

// stop closes every subscription and refuses new ones.
func (b *Broker) stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stopped = true
	for _, set := range b.subs {
		for s := range set {
			b.removeLocked(s)
		}
	}
}

// Position returns the broker's cursor after its latest fan-out.
func (b *Broker) Position() Cursor {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.pos
}

// Subscribers returns how many subscriptions are open.
func (b *Broker) Subscribers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, set := range b.subs {
		n += len(set)
	}
	return n
}
