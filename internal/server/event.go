package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/events"
)

// StreamOptions tune live-update streams. The zero value is the default.
type StreamOptions struct {
	// Heartbeat is how often an idle stream sends a comment, so proxies and
	// load balancers do not close it; default 15 s.
	Heartbeat time.Duration
	// MaxAge ends a stream after about this long (±10%); the browser
	// reconnects at once and resumes, which re-checks its session and number
	// and spreads streams across instances; default 5 min.
	MaxAge time.Duration
	// WriteTimeout is how long one write may wait on a client that does not
	// read before the stream ends; default 30 s.
	WriteTimeout time.Duration
	// PerUser is how many streams one user may have open on this instance;
	// a new one closes their oldest. Default 10.
	PerUser int
	// Max is how many streams this instance keeps open; beyond it a new one
	// is refused with 503 and Retry-After. Default 1000.
	Max int
}

func (o StreamOptions) withDefaults() StreamOptions {
	if o.Heartbeat <= 0 {
		o.Heartbeat = 15 * time.Second
	}
	if o.MaxAge <= 0 {
		o.MaxAge = 5 * time.Minute
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 30 * time.Second
	}
	if o.PerUser <= 0 {
		o.PerUser = 10
	}
	if o.Max <= 0 {
		o.Max = 1000
	}
	return o
}

// Reconnection delays (ms) the stream asks browsers for: normally a few
// seconds; after a planned end (MaxAge) soon, though not so soon that the
// browser hammers a server that went down meanwhile (the delay sticks until
// a stream sets another).
const (
	retryNormal = 3000
	retrySoon   = 1000
	// retryEvicted is for a stream closed because its user opened too many:
	// the tab opened longest ago waits a minute, so a user with more tabs
	// than slots does not make them take turns every few seconds.
	retryEvicted = 60000
)

// handleEvents streams the caller's live updates as server-sent events
// (GET /events for browsers, GET /api/v1/events for tokens). Each event
// carries, as its id, the cursor to resume from: a client that reconnects
// with Last-Event-ID (or ?lastEventId=) gets what it missed, and an
// "event: resync" when that can no longer be replayed.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Events == nil {
		return hiretext.Errorf(hiretext.ENotFound, "Live updates are not enabled on this server.")
	}
	ctx := r.Context()
	p := principalFrom(ctx)
	f, err := s.eventFilter(ctx, p)
	if err != nil {
		return err
	}
	opts := s.cfg.Stream.withDefaults()
	slot := s.streams.take(p.user.ID, opts.PerUser, opts.Max)
	if slot == nil {
		return hiretext.Errorf(hiretext.EUnavailable, "This server has as many live-update streams open as it allows; the page tries again by itself.")
	}
	defer s.streams.release(slot)
	from, badCursor := lastEventID(r)
	sub, missed, err := s.cfg.Events.Resume(ctx, f, from)
	resync := badCursor || errors.Is(err, events.ErrMissed)
	if err != nil && !resync {
		return err
	}
	defer sub.Close()
	st := &eventStream{w: w, rc: http.NewResponseController(w), timeout: opts.WriteTimeout}
	st.begin(sub.Cursor(), resync)
	changed := false
	for _, u := range missed {
		changed = st.pass(sub, u) || changed
	}
	if changed && !s.sameAccess(r, f) {
		st.retry(retrySoon)
		_ = st.flush()
		return nil
	}
	if st.flush() != nil {
		return nil
	}
	s.stream(ctx, r, f, slot, st, sub, opts)
	return nil
}

// sameAccess checks a stream's caller again after an access.changed event:
// the stream goes on only while its session or token still authenticates
// them and they would still be sent the same events. Otherwise it ends, and
// the browser's reconnection meets the new rules (or the login page).
func (s *Server) sameAccess(r *http.Request, f hiretext.EventFilter) bool {
	p, err := s.authenticate(r, strings.HasPrefix(r.URL.Path, apiPrefix))
	if err != nil || p == nil {
		return false
	}
	g, err := s.eventFilter(r.Context(), p)
	return err == nil && g == f
}

// eventFilter selects the events of the caller: their own, and their
// number's when they follow it (hiretext.User.FollowsNumber).
func (s *Server) eventFilter(ctx context.Context, p *principal) (hiretext.EventFilter, error) {
	f := hiretext.EventFilter{OrgID: p.org.ID, UserID: p.user.ID}
	if !p.user.FollowsNumber() {
		return f, nil
	}
	n, err := s.store.NumberForUser(ctx, p.org.ID, p.user.ID)
	switch {
	case err == nil:
		f.NumberID = n.ID
	case hiretext.ErrorCode(err) != hiretext.ENotAssigned:
		return f, err
	}
	return f, nil
}

// lastEventID reads the client's cursor from the Last-Event-ID header (sent
// by browsers when they reconnect) or the lastEventId query parameter (for a
// page's first connection). bad is true for one that is not a cursor.
func lastEventID(r *http.Request) (from *events.Cursor, bad bool) {
	v := r.Header.Get("Last-Event-ID")
	if v == "" {
		v = r.URL.Query().Get("lastEventId")
	}
	if v == "" {
		return nil, false
	}
	c, err := events.ParseCursor(v)
	if err != nil {
		return nil, true
	}
	return &c, false
}

// stream passes the subscription's events to the client until the client
// goes, the subscription is dropped or closed, the stream reaches its age,
// or the caller's access changes (see sameAccess).
func (s *Server) stream(ctx context.Context, r *http.Request, f hiretext.EventFilter, slot *streamSlot, st *eventStream,
	sub *events.Subscription, opts StreamOptions) {
	heartbeat := time.NewTicker(opts.Heartbeat)
	defer heartbeat.Stop()
	age := opts.MaxAge - opts.MaxAge/10 + rand.N(opts.MaxAge/5+1)
	end := time.NewTimer(age)
	defer end.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-end.C:
			st.retry(retrySoon)
			_ = st.flush()
			return
		case <-slot.evicted:
			st.retry(retryEvicted)
			_ = st.flush()
			return
		case u, ok := <-sub.C:
			if !ok {
				s.logDropped(ctx, sub)
				return
			}
			changed := st.pass(sub, u)
			drained, err := st.drain(sub)
			if err != nil || st.flush() != nil {
				s.logDropped(ctx, sub)
				return
			}
			if (changed || drained) && !s.sameAccess(r, f) {
				st.retry(retrySoon)
				_ = st.flush()
				return
			}
		case <-heartbeat.C:
			// Read the broker's position before emptying the queue: every
			// event it covers is then either queued or sent.
			pos := sub.Position()
			changed, err := st.drain(sub)
			if err != nil {
				s.logDropped(ctx, sub)
				return
			}
			if changed && !s.sameAccess(r, f) {
				st.retry(retrySoon)
				_ = st.flush()
				return
			}
			sub.Advance(pos)
			st.heartbeat(sub.Cursor())
			if st.flush() != nil {
				return
			}
		}
	}
}

// logDropped notes a stream that ends because its client fell behind; the
// browser reconnects and resumes.
func (s *Server) logDropped(ctx context.Context, sub *events.Subscription) {
	if sub.Dropped() {
		s.log.Info("live updates: dropped a client that fell behind", "request_id", requestIDFrom(ctx))
	}
}

// errSubscriptionEnded reports that the subscription closed mid-drain.
var errSubscriptionEnded = errors.New("server: subscription ended")

// eventStream writes server-sent events, buffering until flush.
type eventStream struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
	buf     []byte
}

// begin sends the headers, the reconnection delay, the client's starting
// cursor and, when its missed events cannot be replayed, a resync event.
func (st *eventStream) begin(cur events.Cursor, resync bool) {
	h := st.w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // proxies such as nginx must not hold events back
	// The server's ReadTimeout would otherwise cancel the request mid-stream;
	// a dead client is noticed by the write deadline instead.
	_ = st.rc.SetReadDeadline(time.Time{})
	st.w.WriteHeader(http.StatusOK)
	st.retry(retryNormal)
	st.buf = append(st.buf, "id: "...)
	st.buf = append(st.buf, cur.String()...)
	if resync {
		st.buf = append(st.buf, "\nevent: resync\ndata: {}"...)
	}
	st.buf = append(st.buf, "\n\n"...)
}

func (st *eventStream) retry(ms int) {
	st.buf = append(st.buf, "retry: "...)
	st.buf = strconv.AppendInt(st.buf, int64(ms), 10)
	st.buf = append(st.buf, "\n\n"...)
}

// event appends e with cur, the cursor that covers it, as its id.
func (st *eventStream) event(e hiretext.Event, cur events.Cursor) {
	data := []byte(e.Data)
	if len(data) == 0 || bytes.ContainsAny(data, "\r\n") {
		var b bytes.Buffer
		if json.Compact(&b, data) != nil {
			b.Reset()
			b.WriteString("{}")
		}
		data = b.Bytes()
	}
	st.buf = append(st.buf, "id: "...)
	st.buf = append(st.buf, cur.String()...)
	st.buf = append(st.buf, "\nevent: "...)
	st.buf = append(st.buf, e.Kind...)
	st.buf = append(st.buf, "\ndata: "...)
	st.buf = append(st.buf, data...)
	st.buf = append(st.buf, "\n\n"...)
}

// heartbeat appends a comment and the client's cursor: an id without data
// moves the browser's Last-Event-ID on without firing an event.
func (st *eventStream) heartbeat(cur events.Cursor) {
	st.buf = append(st.buf, ": heartbeat\nid: "...)
	st.buf = append(st.buf, cur.String()...)
	st.buf = append(st.buf, "\n\n"...)
}

// pass appends u unless the client already has it. An access.changed event
// is for the server, not the browser: it is not sent, and pass reports it.
func (st *eventStream) pass(sub *events.Subscription, u *events.Update) (accessChanged bool) {
	if !sub.Accept(u) {
		return false
	}
	if u.Event.Kind == hiretext.EventAccessChanged {
		return true
	}
	st.event(u.Event, sub.Cursor())
	return false
}

// drain appends every update already queued, without waiting, and reports
// whether one was an access.changed.
func (st *eventStream) drain(sub *events.Subscription) (accessChanged bool, err error) {
	for {
		select {
		case u, ok := <-sub.C:
			if !ok {
				_ = st.flush()
				return accessChanged, errSubscriptionEnded
			}
			accessChanged = st.pass(sub, u) || accessChanged
		default:
			return accessChanged, nil
		}
	}
}

// flush writes what is buffered and pushes it to the client, giving a
// client that does not read WriteTimeout before the stream ends. The
// per-write deadline replaces the server's WriteTimeout, which would
// otherwise cut every stream.
func (st *eventStream) flush() error {
	if len(st.buf) == 0 {
		return nil
	}
	_ = st.rc.SetWriteDeadline(time.Now().Add(st.timeout))
	_, err := st.w.Write(st.buf)
	st.buf = st.buf[:0]
	if err == nil {
		err = st.rc.Flush()
	}
	return err
}
