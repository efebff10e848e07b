package server_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/events"
	"github.com/hiretext/hiretext/internal/server"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

// startBroker runs a broker on db until the test ends (or stop is called),
// woken by db's commits.
func startBroker(t testing.TB, db *store.DB, opts events.Config) (b *events.Broker, stop func()) {
	t.Helper()
	b, err := events.New(context.Background(), db, opts)
	if err != nil {
		t.Fatal(err)
	}
	db.SetBroker(b)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { b.Run(ctx); close(done) }()
	stop = func() { cancel(); <-done }
	t.Cleanup(stop)
	return b, stop
}

// newEventServer is a test server with live updates and the production
// server's timeouts shortened, so a stream that outlives them proves they do
// not cut it.
func newEventServer(t *testing.T, db *store.DB, b *events.Broker, stream server.StreamOptions) *testServer {
	t.Helper()
	hs := httptest.NewUnstartedServer(nil)
	base, _ := url.Parse("http://" + hs.Listener.Addr().String())
	srv, err := server.New(context.Background(), server.Config{BaseURL: base, Clock: hiretext.SystemClock, Logger: testLogger(t),
		Events: b, Stream: stream}, db)
	if err != nil {
		t.Fatal(err)
	}
	hs.Config.Handler = srv
	hs.Config.ReadTimeout = 300 * time.Millisecond
	hs.Config.WriteTimeout = 300 * time.Millisecond
	hs.Start()
	t.Cleanup(hs.Close)
	return &testServer{Server: hs, db: db, srv: srv}
}

// sessionBrowser is a browser holding a session of u made in the database.
// Logging in through the server would hash a password, which on a loaded
// machine can outlast the 300 ms timeouts these servers keep to prove that
// streams are not cut by them.
func (ts *testServer) sessionBrowser(t *testing.T, u *hiretext.User) *browser {
	t.Helper()
	secret, err := ts.db.CreateSession(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	b := ts.browser(t)
	site, _ := url.Parse(ts.URL)
	b.client.Jar.SetCookies(site, []*http.Cookie{{Name: "hiretext_session", Value: secret, Path: "/"}})
	return b
}

// sseMessage is one server-sent event block.
type sseMessage struct {
	ID, Event, Data string
	Comment         string
	Retry           string
}

// sseStream reads a server-sent event stream in the background.
type sseStream struct {
	resp     *http.Response
	cancel   context.CancelFunc
	messages chan sseMessage
	lastID   string
}

// openStream GETs path with the given headers and returns the live stream.
func openStream(t testing.TB, client *http.Client, rawURL string, header http.Header) *sseStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", rawURL, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := client.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		body, _ := io.ReadAll(resp.Body)
		cancel()
		t.Fatalf("GET %s: %d %s: %s", rawURL, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	s := &sseStream{resp: resp, cancel: cancel, messages: make(chan sseMessage, 4096)}
	go s.read()
	t.Cleanup(s.close)
	return s
}

func (s *sseStream) read() {
	defer close(s.messages)
	r := bufio.NewReader(s.resp.Body)
	var m sseMessage
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			s.messages <- m
			m = sseMessage{}
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "":
			m.Comment = value
		case "id":
			m.ID = value
		case "event":
			m.Event = value
		case "data":
			m.Data = value
		case "retry":
			m.Retry = value
		}
	}
}

func (s *sseStream) close() { s.cancel(); s.resp.Body.Close() }

// next returns the next block that is an event (it has data), remembering
// every id it passes as a browser does.
func (s *sseStream) next(t testing.TB, within time.Duration) sseMessage {
	t.Helper()
	timeout := time.After(within)
	for {
		select {
		case m, ok := <-s.messages:
			if !ok {
				t.Fatal("the stream ended")
			}
			if m.ID != "" {
				s.lastID = m.ID
			}
			if m.Data != "" {
				return m
			}
		case <-timeout:
			t.Fatalf("no event within %v", within)
		}
	}
}

// nextBlock returns the next block of any kind.
func (s *sseStream) nextBlock(t testing.TB, within time.Duration) sseMessage {
	t.Helper()
	select {
	case m, ok := <-s.messages:
		if !ok {
			t.Fatal("the stream ended")
		}
		if m.ID != "" {
			s.lastID = m.ID
		}
		return m
	case <-time.After(within):
		t.Fatalf("nothing within %v", within)
	}
	return sseMessage{}
}

// waitEnd waits for the server to end the stream.
func (s *sseStream) waitEnd(t testing.TB, within time.Duration) {
	t.Helper()
	timeout := time.After(within)
	for {
		select {
		case _, ok := <-s.messages:
			if !ok {
				return
			}
		case <-timeout:
			t.Fatalf("the stream did not end within %v", within)
		}
	}
}

func record(t testing.TB, db *store.DB, e hiretext.Event) hiretext.Event {
	t.Helper()
	if err := db.RecordEvent(context.Background(), &e); err != nil {
		t.Fatal(err)
	}
	return e
}

func wantEvent(t *testing.T, got sseMessage, e hiretext.Event) {
	t.Helper()
	if got.Event != string(e.Kind) || got.Data != string(e.Data) || got.ID != strconv.FormatInt(e.ID, 10) {
		t.Fatalf("got id %q event %q data %s; want id %d event %s data %s", got.ID, got.Event, got.Data, e.ID, e.Kind, e.Data)
	}
}

func TestEventStreamDeliversResumesAndSurvivesTimeouts(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	b, _ := startBroker(t, db, events.Config{PollInterval: time.Hour})
	ts := newEventServer(t, db, b, server.StreamOptions{Heartbeat: 100 * time.Millisecond})
	org := storetest.MustCreateOrg(t, db, "Acme")
	other := storetest.MustCreateOrg(t, db, "Other")
	ann := storetest.MustCreateUser(t, db, org.ID, "Ann Recruiter", hiretext.RoleUser, hiretext.PermPool, hiretext.PermProfiles)
	bob := storetest.MustCreateUser(t, db, org.ID, "Bob Recruiter", hiretext.RoleUser, hiretext.PermPool, hiretext.PermProfiles)
	hank := storetest.MustCreateUser(t, db, org.ID, "Hank Manager", hiretext.RoleUser)
	number := storetest.MustAddNumber(t, db, org.ID)
	storetest.MustAssign(t, db, org.ID, number.ID, ann.ID)
	storetest.MustAssign(t, db, org.ID, number.ID, bob.ID)
	br := ts.sessionBrowser(t, ann)

	s := openStream(t, br.client, ts.URL+"/events", nil)
	first := s.nextBlock(t, 2*time.Second)
	if first.Retry == "" {
		t.Fatalf("first block %+v, want the reconnection delay", first)
	}
	inbound := record(t, db, hiretext.Event{OrgID: org.ID, NumberID: number.ID, Kind: hiretext.EventMessageInbound,
		Data: []byte(`{"conversation_id":"7","message_id":"42"}`)})
	wantEvent(t, s.next(t, 10*time.Second), inbound)

	// Not Ann's: another user's, and another company's (whatever its ids).
	record(t, db, hiretext.Event{OrgID: org.ID, UserID: hank.ID, Kind: hiretext.EventMessageStatus})
	record(t, db, hiretext.Event{OrgID: other.ID, NumberID: number.ID, UserID: ann.ID, Kind: hiretext.EventMessageStatus})
	read := record(t, db, hiretext.Event{OrgID: org.ID, NumberID: number.ID, Kind: hiretext.EventConversationRead,
		Data: []byte(`{"conversation_id":"7"}`)})
	wantEvent(t, s.next(t, 10*time.Second), read)

	// Heartbeats keep coming well past the server's read and write timeouts
	// (300 ms): a second on, the stream still sends them. However slow the
	// machine, this fails only if the stream ends or falls silent.
	for since := time.Now(); time.Since(since) < time.Second; {
		if m := s.nextBlock(t, 10*time.Second); m.Comment != "heartbeat" {
			t.Fatalf("got %+v on an idle stream, want heartbeats", m)
		}
	}
	personal := record(t, db, hiretext.Event{OrgID: org.ID, UserID: ann.ID, Kind: hiretext.EventMessageStatus})
	wantEvent(t, s.next(t, 10*time.Second), personal)

	// Ann's browser loses the connection; two events happen meanwhile.
	s.close()
	lastID := s.lastID
	missed1 := record(t, db, hiretext.Event{OrgID: org.ID, NumberID: number.ID, Kind: hiretext.EventMessageInbound})
	missed2 := record(t, db, hiretext.Event{OrgID: org.ID, NumberID: number.ID, Kind: hiretext.EventAllowanceAlert,
		Data: []byte(`{"number_id":"1","level":"90"}`)})
	again := openStream(t, br.client, ts.URL+"/events", http.Header{"Last-Event-Id": {lastID}})
	wantEvent(t, again.next(t, 10*time.Second), missed1)
	wantEvent(t, again.next(t, 10*time.Second), missed2)
	live := record(t, db, hiretext.Event{OrgID: org.ID, NumberID: number.ID, Kind: hiretext.EventMessageInbound})
	wantEvent(t, again.next(t, 10*time.Second), live) // nothing repeated before it

	// Bob, on the same number, resumes from the query parameter a page gives.
	bobs := ts.sessionBrowser(t, bob)
	fromPage := openStream(t, bobs.client, ts.URL+"/events?lastEventId="+strconv.FormatInt(missed2.ID, 10), nil)
	wantEvent(t, fromPage.next(t, 10*time.Second), live)
}

func TestEventStreamAsksForResyncWhenItCannotReplay(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	b, _ := startBroker(t, db, events.Config{PollInterval: time.Hour})
	ts := newEventServer(t, db, b, server.StreamOptions{})
	org := storetest.MustCreateOrg(t, db, "Acme")
	ann := storetest.MustCreateUser(t, db, org.ID, "Ann", hiretext.RoleUser)
	br := ts.sessionBrowser(t, ann)
	e := record(t, db, hiretext.Event{OrgID: org.ID, UserID: ann.ID, Kind: hiretext.EventMessageStatus})
	// The broker reads the event after the commit wakes it: the resync
	// starts from where it is, so wait until it has the event.
	storetest.Eventually(t, "the broker reads the event", func() bool { return b.Position().Covers(e.ID) })
	for _, cursor := range []string{"not-a-cursor", strconv.FormatInt(e.ID+1000, 10)} {
		s := openStream(t, br.client, ts.URL+"/events", http.Header{"Last-Event-Id": {cursor}})
		if m := s.next(t, 10*time.Second); m.Event != "resync" || m.ID != strconv.FormatInt(e.ID, 10) {
			t.Fatalf("Last-Event-ID %q: first event %+v, want resync from id %d", cursor, m, e.ID)
		}
	}
}

func TestAPIEventStreamTakesABearerToken(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	b, stop := startBroker(t, db, events.Config{PollInterval: time.Hour})
	ts := newEventServer(t, db, b, server.StreamOptions{})
	org := storetest.MustCreateOrg(t, db, "Acme")
	ann := storetest.MustCreateUser(t, db, org.ID, "Ann", hiretext.RoleUser)
	if st, body := ts.api(t, "", "GET", "/api/v1/events", ""); st != http.StatusUnauthorized || errorCode(body) != hiretext.EUnauthorized {
		t.Fatalf("without a token: %d %v", st, body)
	}
	s := openStream(t, http.DefaultClient, ts.URL+"/api/v1/events", http.Header{"Authorization": {"Bearer " + token(t, db, ann)}})
	e := record(t, db, hiretext.Event{OrgID: org.ID, UserID: ann.ID, Kind: hiretext.EventMessageStatus})
	wantEvent(t, s.next(t, 10*time.Second), e)

	// When the instance shuts down its broker, streams end and clients reconnect elsewhere.
	stop()
	s.waitEnd(t, 2*time.Second)
}

func TestEventRoutesWithoutABrokerAnswerNotFound(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db)
	org := storetest.MustCreateOrg(t, db, "Acme")
	ann := storetest.MustCreateUser(t, db, org.ID, "Ann", hiretext.RoleUser)
	if st, body := ts.api(t, token(t, db, ann), "GET", "/api/v1/events", ""); st != http.StatusNotFound {
		t.Fatalf("GET /api/v1/events without live updates: %d %v", st, body)
	}
}

func TestEventStreamEndsAtMaxAgeAskingForASoonReconnect(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	b, _ := startBroker(t, db, events.Config{PollInterval: time.Hour})
	ts := newEventServer(t, db, b, server.StreamOptions{MaxAge: 300 * time.Millisecond})
	org := storetest.MustCreateOrg(t, db, "Acme")
	ann := storetest.MustCreateUser(t, db, org.ID, "Ann", hiretext.RoleUser)
	s := openStream(t, http.DefaultClient, ts.URL+"/api/v1/events", http.Header{"Authorization": {"Bearer " + token(t, db, ann)}})
	if m := s.nextBlock(t, time.Second); m.Retry != "3000" {
		t.Fatalf("first block %+v, want retry: 3000", m)
	}
	s.nextBlock(t, time.Second) // the starting cursor
	if m := s.nextBlock(t, time.Second); m.Retry != "1000" {
		t.Fatalf("block at the stream's end %+v, want retry: 1000", m)
	}
	s.waitEnd(t, time.Second)
	if b.Subscribers() != 0 {
		t.Fatalf("%d subscriptions left open", b.Subscribers())
	}
}

// TestEventStreamEndsWhenAccessChanges opens a recruiter's stream and then
// takes away what it serves: the account, the number, the permissions that
// make the number's events theirs, or the session (a new password from
// another browser). Each time the open stream ends at once, where before it
// went on for minutes; its reconnection meets the new rules.
func TestEventStreamEndsWhenAccessChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b, _ := startBroker(t, db, events.Config{PollInterval: time.Hour}) // woken by the commits
		ts := newEventServer(t, db, b, server.StreamOptions{})
		org := storetest.MustCreateOrg(t, db, "Acme")
		number := storetest.MustAddNumber(t, db, org.ID)
		ctx := context.Background()
		recruiter := func() *hiretext.User {
			u := storetest.MustCreateUser(t, db, org.ID, "Rita", hiretext.RoleUser, hiretext.PermJobs, hiretext.PermPool, hiretext.PermProfiles)
			storetest.MustAssign(t, db, org.ID, number.ID, u.ID)
			return u
		}
		open := func(u *hiretext.User) *sseStream {
			s := openStream(t, http.DefaultClient, ts.URL+"/api/v1/events", http.Header{"Authorization": {"Bearer " + token(t, db, u)}})
			e := record(t, db, hiretext.Event{OrgID: org.ID, NumberID: number.ID, Kind: hiretext.EventMessageStatus})
			wantEvent(t, s.next(t, 10*time.Second), e) // the stream follows the number
			return s
		}
		inactive, reportOnly := false, []hiretext.Permission{hiretext.PermSMSReport}
		for _, c := range []struct {
			what   string
			change func(u *hiretext.User) error
		}{
			{"deactivated", func(u *hiretext.User) error {
				_, err := db.UpdateUser(ctx, org.ID, u.ID, hiretext.UserUpdate{Active: &inactive})
				return err
			}},
			{"taken off the number", func(u *hiretext.User) error { return db.UnassignUser(ctx, org.ID, number.ID, u.ID) }},
			{"left with the report only", func(u *hiretext.User) error {
				_, err := db.UpdateUser(ctx, org.ID, u.ID, hiretext.UserUpdate{Permissions: &reportOnly})
				return err
			}},
		} {
			u := recruiter()
			s := open(u)
			if err := c.change(u); err != nil {
				t.Fatal(err)
			}
			s.waitEnd(t, 10*time.Second)
			if c.what == "left with the report only" {
				// Reconnected, the stream carries only the user's own events.
				s = openStream(t, http.DefaultClient, ts.URL+"/api/v1/events", http.Header{"Authorization": {"Bearer " + token(t, db, u)}})
				record(t, db, hiretext.Event{OrgID: org.ID, NumberID: number.ID, Kind: hiretext.EventMessageStatus})
				mine := record(t, db, hiretext.Event{OrgID: org.ID, UserID: u.ID, Kind: hiretext.EventAllowanceAlert})
				wantEvent(t, s.next(t, 10*time.Second), mine)
				s.close()
			}
			db.UnassignUser(ctx, org.ID, number.ID, u.ID) //nolint:errcheck // free the seat; gone already for some
		}

		// A new password set in one browser ends the other browser's stream.
		u := recruiter()
		other := ts.sessionBrowser(t, u)
		s := openStream(t, other.client, ts.URL+"/events", nil)
		s.nextBlock(t, 10*time.Second)
		if err := db.SetPassword(ctx, org.ID, u.ID, "a-new-password-1", hiretext.KeepAccess{}); err != nil {
			t.Fatal(err)
		}
		s.waitEnd(t, 10*time.Second)
	})
}

// TestEventStreamsAreBounded opens more streams than allowed: a user's
// newest closes their oldest (which is asked to come back in a minute), and
// beyond the instance's limit a new stream is refused with 503 and
// Retry-After, whoever asks.
func TestEventStreamsAreBounded(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	b, _ := startBroker(t, db, events.Config{PollInterval: time.Hour})
	ts := newEventServer(t, db, b, server.StreamOptions{PerUser: 2, Max: 3})
	org := storetest.MustCreateOrg(t, db, "Acme")
	ann := storetest.MustCreateUser(t, db, org.ID, "Ann", hiretext.RoleUser)
	bob := storetest.MustCreateUser(t, db, org.ID, "Bob", hiretext.RoleUser)
	annTok, bobTok := token(t, db, ann), token(t, db, bob)
	open := func(tok string) *sseStream {
		s := openStream(t, http.DefaultClient, ts.URL+"/api/v1/events", http.Header{"Authorization": {"Bearer " + tok}})
		s.nextBlock(t, 10*time.Second) // the reconnection delay
		s.nextBlock(t, 10*time.Second) // the starting cursor: the stream is open
		return s
	}
	first, second := open(annTok), open(annTok)
	third := open(annTok) // Ann's third: her first closes
	if m := first.nextBlock(t, 10*time.Second); m.Retry != "60000" {
		t.Fatalf("Ann's oldest stream got %+v, want retry: 60000 as it closes", m)
	}
	first.waitEnd(t, 10*time.Second)
	open(bobTok) // the third open stream: the instance's limit
	if st, body := ts.api(t, bobTok, "GET", "/api/v1/events", ""); st != http.StatusServiceUnavailable || errorCode(body) != hiretext.EUnavailable {
		t.Fatalf("a fourth stream on the instance: %d %v, want 503", st, body)
	}
	req, _ := http.NewRequest("GET", ts.URL+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+bobTok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Retry-After") == "" {
		t.Fatal("the refused stream has no Retry-After")
	}
	second.close()
	third.close()
}

// TestEventStreamEndsWhenTheClientGoes closes a client's connection on a
// stream that would send nothing for an hour: the server notices at once
// (its stream waits in a read of the connection, which ends), closes the
// subscription and frees the slot for the next stream.
func TestEventStreamEndsWhenTheClientGoes(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	b, _ := startBroker(t, db, events.Config{PollInterval: time.Hour})
	ts := newEventServer(t, db, b, server.StreamOptions{Heartbeat: time.Hour, MaxAge: time.Hour, Max: 1})
	org := storetest.MustCreateOrg(t, db, "Acme")
	ann := storetest.MustCreateUser(t, db, org.ID, "Ann", hiretext.RoleUser)
	bob := storetest.MustCreateUser(t, db, org.ID, "Bob", hiretext.RoleUser)
	s := openStream(t, http.DefaultClient, ts.URL+"/api/v1/events", http.Header{"Authorization": {"Bearer " + token(t, db, ann)}})
	s.nextBlock(t, 10*time.Second) // the reconnection delay
	s.nextBlock(t, 10*time.Second) // the starting cursor: the stream is open
	if n := b.Subscribers(); n != 1 {
		t.Fatalf("%d subscriptions with one stream open", n)
	}
	s.close()
	storetest.EventuallyNil(t, 10*time.Second, "the server to end the stream its client left", func() error {
		if n := b.Subscribers(); n != 0 {
			return fmt.Errorf("%d subscriptions open", n)
		}
		return nil
	})
	// The instance's one slot is free again.
	next := openStream(t, http.DefaultClient, ts.URL+"/api/v1/events", http.Header{"Authorization": {"Bearer " + token(t, db, bob)}})
	e := record(t, db, hiretext.Event{OrgID: org.ID, UserID: bob.ID, Kind: hiretext.EventMessageStatus})
	wantEvent(t, next.next(t, 10*time.Second), e)
}

// TestEventStreamSpeaksHTTP10 reads a stream as an HTTP/1.0 client (after
// a HEAD request, which gets no stream): the
// response, written by the stream itself once it has the connection, keeps
// the headers every response gets (the request id, the security headers)
// and, without chunked encoding, runs until the connection closes.
func TestEventStreamSpeaksHTTP10(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	b, stop := startBroker(t, db, events.Config{PollInterval: time.Hour})
	ts := newEventServer(t, db, b, server.StreamOptions{})
	org := storetest.MustCreateOrg(t, db, "Acme")
	ann := storetest.MustCreateUser(t, db, org.ID, "Ann", hiretext.RoleUser)
	// A HEAD request gets the headers and no stream.
	head, _ := http.NewRequest("HEAD", ts.URL+"/api/v1/events", nil)
	head.Header.Set("Authorization", "Bearer "+token(t, db, ann))
	headResp, err := http.DefaultClient.Do(head)
	if err != nil {
		t.Fatal(err)
	}
	headResp.Body.Close()
	if headResp.StatusCode != http.StatusOK || headResp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("HEAD: %d %v", headResp.StatusCode, headResp.Header)
	}
	if n := b.Subscribers(); n != 0 {
		t.Fatalf("a HEAD request left %d subscriptions", n)
	}
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /api/v1/events HTTP/1.0\r\nAuthorization: Bearer %s\r\n\r\n", token(t, db, ann))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" || len(resp.TransferEncoding) != 0 ||
		resp.Header.Get("X-Request-Id") == "" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("response %d, headers %v, transfer encoding %v", resp.StatusCode, resp.Header, resp.TransferEncoding)
	}
	s := &sseStream{resp: resp, cancel: func() {}, messages: make(chan sseMessage, 16)}
	go s.read()
	e := record(t, db, hiretext.Event{OrgID: org.ID, UserID: ann.ID, Kind: hiretext.EventMessageStatus})
	wantEvent(t, s.next(t, 10*time.Second), e)
	stop()
	s.waitEnd(t, 10*time.Second) // the connection closes: the end of the body
}
