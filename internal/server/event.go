package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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
//
// Once the caller is checked and subscribed, the handler takes the
// connection over from net/http (Hijack) and returns: one small goroutine
// then serves the stream (see eventStream), where net/http would keep two
// (the handler's, with the stack of the whole request, and its background
// reader) and a connection's worth of buffers for as long as the browser
// stays. The request is therefore logged when its stream begins.
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
	if r.Method == http.MethodHead {
		// The route's GET pattern takes HEAD too: the headers, no stream.
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-store")
		return nil
	}
	opts := s.cfg.Stream.withDefaults()
	st := &eventStream{srv: s, filter: f, opts: opts, chunked: r.ProtoAtLeast(1, 1)}
	st.slot = s.streams.take(p.user.ID, opts.PerUser, opts.Max, st.wake)
	if st.slot == nil {
		return hiretext.Errorf(hiretext.EUnavailable, "This server has as many live-update streams open as it allows; the page tries again by itself.")
	}
	from, badCursor := lastEventID(r)
	sub, missed, err := s.cfg.Events.Resume(ctx, f, from)
	resync := badCursor || errors.Is(err, events.ErrMissed)
	if err != nil && !resync {
		s.streams.release(st.slot)
		return err
	}
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		sub.Close()
		s.streams.release(st.slot)
		return fmt.Errorf("server: live updates need an HTTP/1 connection of their own: %w", err)
	}
	// The request's context ends when this handler returns; the stream
	// keeps its values (the request id) for its logs and access checks.
	// Its body (a GET's is empty) is dropped: the body's reader refers to
	// net/http's connection, which would keep its buffers alive.
	st.r = r.WithContext(context.WithoutCancel(ctx))
	st.r.Body, st.r.GetBody = http.NoBody, nil
	st.sub = sub
	st.head = responseHead(w.Header(), st.chunked)
	st.setConn(conn)
	sub.SetWake(st.wake)
	go st.run(missed, resync)
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

// eventStream serves one live-update stream on a connection taken over from
// net/http, from a single goroutine (run) and with no timer or channel of its
// own: the goroutine waits in a read of the connection, which returns when
// the browser goes (EOF) or at the read deadline, set to the next heartbeat
// or the stream's end. Whatever must wake it sooner (updates queued on the
// subscription, or the user's newer stream taking its place) calls wake,
// which moves that deadline to the past. Its write buffer comes from a pool
// and goes back after each write, so an idle stream holds none.
type eventStream struct {
	srv     *Server
	r       *http.Request // for access checks; its context outlives the handler
	filter  hiretext.EventFilter
	opts    StreamOptions
	slot    *streamSlot
	sub     *events.Subscription
	chunked bool   // HTTP/1.1: the body goes in chunks; HTTP/1.0: until the connection closes
	head    []byte // the response's status line and headers, until written
	buf     []byte // what is to be written; nil between writes
	failed  bool   // a write failed: the connection is done
	pending atomic.Bool

	mu   sync.Mutex // guards conn for wake, which may run before setConn
	conn net.Conn
}

// streamBuffers are the streams' write buffers, shared: a stream holds one
// only while it writes.
var streamBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// chunkRoom is the room kept at the start of a buffer for its chunk's size
// line: up to eight hex digits and CRLF.
const chunkRoom = 10

// aLongTimeAgo is a deadline in the past: setting it makes a waiting read
// return at once.
var aLongTimeAgo = time.Unix(1, 0)

func (st *eventStream) setConn(c net.Conn) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.conn = c
}

// wake makes run look at its subscription and slot. It never blocks: the
// broker calls it while fanning an event out to every stream.
func (st *eventStream) wake() {
	st.pending.Store(true)
	st.mu.Lock()
	c := st.conn
	st.mu.Unlock()
	if c != nil {
		_ = c.SetReadDeadline(aLongTimeAgo)
	}
}

// run writes the response head, the client's starting cursor and the
// events it missed, then streams until the stream ends, and closes it.
func (st *eventStream) run(missed []*events.Update, resync bool) {
	defer st.close()
	defer func() {
		if v := recover(); v != nil {
			st.srv.log.Error("panic", "request_id", requestIDFrom(st.r.Context()), "panic", v, "stack", string(debug.Stack()))
		}
	}()
	st.retry(retryNormal)
	st.begin(st.sub.Cursor(), resync)
	changed := false
	for _, u := range missed {
		changed = st.pass(u) || changed
	}
	if changed && !st.sameAccess() {
		st.retry(retrySoon)
		_ = st.flush()
		return
	}
	if st.flush() != nil {
		return
	}
	st.serve()
}

// serve passes the subscription's events to the client until the client
// goes, the subscription is dropped or closed, the stream reaches its age,
// a newer stream of the user takes its slot, or the caller's access changes
// (see sameAccess).
func (st *eventStream) serve() {
	opts := st.opts
	now := time.Now()
	end := now.Add(opts.MaxAge - opts.MaxAge/10 + rand.N(opts.MaxAge/5+1))
	beat := now.Add(opts.Heartbeat)
	var ups []*events.Update
	var discard [16]byte
	for {
		now = time.Now()
		switch {
		case st.slot.evicted.Load():
			st.retry(retryEvicted)
			_ = st.flush()
			return
		case !now.Before(end):
			st.retry(retrySoon)
			_ = st.flush()
			return
		case st.pending.Swap(false):
			var more bool
			if ups, more = st.forward(ups); !more {
				return
			}
			continue
		case !now.Before(beat):
			// Read the broker's position before emptying the queue: every
			// event it covers is then either queued or sent.
			pos := st.sub.Position()
			var more bool
			if ups, more = st.forward(ups); !more {
				return
			}
			st.sub.Advance(pos)
			st.heartbeat(st.sub.Cursor())
			if st.flush() != nil {
				return
			}
			beat = now.Add(opts.Heartbeat)
			continue
		}
		_ = st.conn.SetReadDeadline(earliest(beat, end))
		if st.pending.Load() {
			continue // woken between the checks above and the deadline just set
		}
		// A browser sends nothing on a stream: a read returns when it goes,
		// or at the deadline (or when woken). Anything it does send is
		// ignored.
		if _, err := st.conn.Read(discard[:]); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			return
		}
	}
}

// forward writes the updates queued on the subscription, reporting false
// when the stream is over: its client does not read, its subscription
// ended (a client that fell behind resumes by reconnecting), or an
// access.changed event found the caller's access changed.
func (st *eventStream) forward(ups []*events.Update) ([]*events.Update, bool) {
	ups, open := st.sub.Take(ups)
	changed := false
	for _, u := range ups {
		changed = st.pass(u) || changed
	}
	if st.flush() != nil {
		return ups, false
	}
	if !open {
		if st.sub.Dropped() {
			st.srv.log.Info("live updates: dropped a client that fell behind", "request_id", requestIDFrom(st.r.Context()))
		}
		return ups, false
	}
	if changed && !st.sameAccess() {
		st.retry(retrySoon)
		_ = st.flush()
		return ups, false
	}
	return ups, true
}

// sameAccess checks the caller again, within a bounded time.
func (st *eventStream) sameAccess() bool {
	ctx, cancel := context.WithTimeout(st.r.Context(), 10*time.Second)
	defer cancel()
	return st.srv.sameAccess(st.r.WithContext(ctx), st.filter)
}

// close ends the response (the last chunk, when the client still reads),
// the subscription and the connection, and frees the stream's slot.
func (st *eventStream) close() {
	st.sub.Close()
	st.srv.streams.release(st.slot)
	if st.chunked && !st.failed && st.head == nil {
		_ = st.conn.SetWriteDeadline(time.Now().Add(time.Second))
		_, _ = io.WriteString(st.conn, "0\r\n\r\n")
	}
	_ = st.conn.Close()
	st.release()
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// responseHead is the status line and headers of a stream: the headers set
// so far (the request id, security headers) and the stream's own. The
// connection closes when the stream ends.
func responseHead(h http.Header, chunked bool) []byte {
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // proxies such as nginx must not hold events back
	h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	h.Set("Connection", "close")
	if chunked {
		h.Set("Transfer-Encoding", "chunked")
	}
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 200 OK\r\n")
	_ = h.Write(&b)
	b.WriteString("\r\n")
	return b.Bytes()
}

// grow makes sure the stream has a buffer to append to.
func (st *eventStream) grow() {
	if st.buf != nil {
		return
	}
	st.buf = (*streamBuffers.Get().(*[]byte))[:0]
	if st.chunked {
		st.buf = st.buf[:chunkRoom]
	}
}

// release gives the buffer back to the pool, unless a burst made it large.
func (st *eventStream) release() {
	if st.buf != nil && cap(st.buf) <= 64<<10 {
		b := st.buf[:0]
		streamBuffers.Put(&b)
	}
	st.buf = nil
}

// begin appends the client's starting cursor and, when its missed events
// cannot be replayed, a resync event.
func (st *eventStream) begin(cur events.Cursor, resync bool) {
	st.grow()
	st.buf = append(st.buf, "id: "...)
	st.buf = append(st.buf, cur.String()...)
	if resync {
		st.buf = append(st.buf, "\nevent: resync\ndata: {}"...)
	}
	st.buf = append(st.buf, "\n\n"...)
}

func (st *eventStream) retry(ms int) {
	st.grow()
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
	st.grow()
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
	st.grow()
	st.buf = append(st.buf, ": heartbeat\nid: "...)
	st.buf = append(st.buf, cur.String()...)
	st.buf = append(st.buf, "\n\n"...)
}

// pass appends u unless the client already has it. An access.changed event
// is for the server, not the browser: it is not sent, and pass reports it.
func (st *eventStream) pass(u *events.Update) (accessChanged bool) {
	if !st.sub.Accept(u) {
		return false
	}
	if u.Event.Kind == hiretext.EventAccessChanged {
		return true
	}
	st.event(u.Event, st.sub.Cursor())
	return false
}

// errStreamFailed reports a stream whose connection failed before.
var errStreamFailed = errors.New("server: live-update stream failed")

// flush writes what is buffered (after the response head, the first time),
// giving a client that does not read WriteTimeout before the stream ends,
// and gives the buffer back.
func (st *eventStream) flush() error {
	if st.failed {
		st.release()
		return errStreamFailed
	}
	body := 0
	if st.buf != nil {
		body = len(st.buf)
		if st.chunked {
			body -= chunkRoom
		}
	}
	if body == 0 {
		st.release()
		return nil
	}
	out := st.buf
	if st.chunked {
		// The chunk's size line goes just before its data, in the room
		// kept for it.
		var size [chunkRoom]byte
		line := append(strconv.AppendInt(size[:0], int64(body), 16), '\r', '\n')
		start := chunkRoom - len(line)
		copy(st.buf[start:], line)
		out = append(st.buf[start:], '\r', '\n')
	}
	if st.head != nil {
		out = append(st.head, out...)
		st.head = nil
	}
	_ = st.conn.SetWriteDeadline(time.Now().Add(st.opts.WriteTimeout))
	_, err := st.conn.Write(out)
	st.release()
	if err != nil {
		st.failed = true
	}
	return err
}
