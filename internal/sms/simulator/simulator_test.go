package simulator_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/sms/simulator"
	"github.com/hiretext/hiretext/internal/sms/simulator/simstate"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

// hiretextSide plays hiretext's webhook endpoints: it verifies each request
// with the provider, as the real handlers must, parses it and records it.
type hiretextSide struct {
	*httptest.Server
	p        *simulator.Provider
	mu       sync.Mutex
	statuses []sms.StatusUpdate
	inbound  []sms.InboundMessage
	rejected int
	failNext atomic.Int32 // answer this many requests with 503
}

func newHiretextSide(t *testing.T) *hiretextSide {
	h := &hiretextSide{}
	h.Server = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.Close)
	return h
}

func (h *hiretextSide) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req := sms.WebhookRequest{Method: r.Method, PublicURL: h.URL + r.URL.Path, Header: r.Header, Body: body}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.failNext.Add(-1) >= 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	if err := h.p.VerifyWebhook(req); err != nil {
		h.rejected++
		w.WriteHeader(http.StatusForbidden)
		return
	}
	switch r.URL.Path {
	case simulator.StatusPath:
		us, err := h.p.ParseStatus(req)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		h.statuses = append(h.statuses, us...)
	case simulator.InboundPath:
		ms, err := h.p.ParseInbound(req)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		h.inbound = append(h.inbound, ms...)
	default:
		w.WriteHeader(http.StatusNotFound)
		return
	}
	ack := h.p.Ack(sms.WebhookStatus)
	w.Header().Set("Content-Type", ack.ContentType)
	w.WriteHeader(ack.Status)
}

// statusesOf returns the statuses reported for a message, in arrival order.
func (h *hiretextSide) statusesOf(id string) []hiretext.MessageStatus {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []hiretext.MessageStatus
	for _, u := range h.statuses {
		if u.ProviderMessageID == id {
			out = append(out, u.Status)
		}
	}
	return out
}

// newProvider returns a simulator on st posting to h, its worker running
// until the test ends.
func newProvider(t *testing.T, st simulator.Store, h *hiretextSide, clock hiretext.Clock) *simulator.Provider {
	t.Helper()
	return newFaultyProvider(t, st, h, clock, simulator.Faults{})
}

// newFaultyProvider is newProvider with faults.
func newFaultyProvider(t *testing.T, st simulator.Store, h *hiretextSide, clock hiretext.Clock, f simulator.Faults) *simulator.Provider {
	t.Helper()
	cfg := simulator.Config{Store: st, Clock: clock, PollInterval: 10 * time.Millisecond, Faults: f}
	if h != nil {
		cfg.BaseURL = h.URL
	}
	p, err := simulator.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if h != nil {
		h.p = p
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { p.Run(ctx); close(done) }()
		t.Cleanup(func() { cancel(); <-done })
	}
	return p
}

// buy provisions a number in areaCode.
func buy(t *testing.T, p *simulator.Provider, areaCode string) string {
	t.Helper()
	offers, err := p.SearchNumbers(t.Context(), sms.NumberQuery{Country: "US", AreaCode: areaCode, Limit: 1})
	if err != nil || len(offers) != 1 {
		t.Fatalf("search %s: %v %v", areaCode, offers, err)
	}
	n, err := p.BuyNumber(t.Context(), offers[0].Phone)
	if err != nil {
		t.Fatal(err)
	}
	return n.Phone
}

func TestSearchNumbersHonoursTheAreaCode(t *testing.T) {
	t.Parallel()
	p := newProvider(t, storetest.NewSQLite(t, storetest.Config{}).Simulator(), nil, nil)
	for _, q := range []sms.NumberQuery{{Country: "US", AreaCode: "312"}, {AreaCode: "212", Limit: 3}, {Country: "CA", AreaCode: "416"}, {Country: "us"}} {
		offers, err := p.SearchNumbers(t.Context(), q)
		want := q.Limit
		if want == 0 {
			want = 5
		}
		if err != nil || len(offers) != want {
			t.Fatalf("%+v: %d offers, %v", q, len(offers), err)
		}
		for _, o := range offers {
			e164, err := phone.Parse(o.Phone, "")
			if err != nil || e164 != o.Phone || (q.AreaCode != "" && phone.AreaCode(o.Phone) != q.AreaCode) {
				t.Errorf("%+v offered %q (%v)", q, o.Phone, err)
			}
		}
		if q.AreaCode == "312" && (offers[0].Locality != "Chicago" || offers[0].Region != "IL") {
			t.Errorf("312 offer %+v: want Chicago, IL", offers[0])
		}
	}
	for _, q := range []sms.NumberQuery{{AreaCode: "12"}, {AreaCode: "123"}, {AreaCode: "31a"}, {Country: "GB"}, {Country: "US", AreaCode: "416"}} {
		if _, err := p.SearchNumbers(t.Context(), q); hiretext.ErrorCode(err) != hiretext.EInvalid {
			t.Errorf("%+v: %v, want invalid", q, err)
		}
	}
}

// TestSearchNeverOffersTheDemoCandidatesLines: of the fictional 555-01XX
// range, the simulator offers only 555-0150 and up; the lines below are the
// demo candidates' phones.
func TestSearchNeverOffersTheDemoCandidatesLines(t *testing.T) {
	t.Parallel()
	p := newProvider(t, storetest.NewSQLite(t, storetest.Config{}).Simulator(), nil, nil)
	fictional := 0
	for range 20 {
		for _, area := range []string{"312", "773"} {
			offers, err := p.SearchNumbers(t.Context(), sms.NumberQuery{Country: "US", AreaCode: area, Limit: 20})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range offers {
				line, ok := strings.CutPrefix(o.Phone, "+1"+area+"55501")
				if !ok {
					continue
				}
				fictional++
				if n, _ := strconv.Atoi(line); 100+n < simulator.FirstOfferedFictionalLine {
					t.Errorf("offered %s, a line kept for the demo candidates", o.Phone)
				}
			}
		}
	}
	if fictional == 0 {
		t.Fatal("no offer in the fictional range: the check proves nothing")
	}
}

func TestBuyAndReleaseNumbers(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	p := newProvider(t, db.Simulator(), nil, nil)
	offers, _ := p.SearchNumbers(t.Context(), sms.NumberQuery{AreaCode: "773", Limit: 1})
	n, err := p.BuyNumber(t.Context(), offers[0].Phone)
	if err != nil || n.Phone != offers[0].Phone || !strings.HasPrefix(n.ProviderID, "PN") {
		t.Fatalf("buy = %+v, %v", n, err)
	}
	for _, bad := range []string{n.Phone, "+15550100", "+18005550199", "not a number"} {
		var se *sms.Error
		if _, err := p.BuyNumber(t.Context(), bad); !errors.As(err, &se) || se.Code != "21422" || se.Class != sms.Permanent {
			t.Errorf("buy %q: %v, want 21422", bad, err)
		}
	}
	// A new provider on the same database (a restart) still knows the number.
	again := newProvider(t, db.Simulator(), nil, nil)
	if _, err := again.BuyNumber(t.Context(), n.Phone); err == nil {
		t.Fatal("the number was forgotten across a restart")
	}
	if err := again.ReleaseNumber(t.Context(), n); err != nil {
		t.Fatal(err)
	}
	if err := again.ReleaseNumber(t.Context(), n); err != nil {
		t.Fatalf("releasing twice: %v", err)
	}
	if _, err := p.BuyNumber(t.Context(), n.Phone); err != nil {
		t.Fatalf("a released number cannot be bought again: %v", err)
	}
}

func TestSendReportsSentThenDeliveredThroughSignedWebhooks(t *testing.T) {
	storetest.Each(t, testSendReportsSentThenDelivered)
}

func testSendReportsSentThenDelivered(t *testing.T, db *store.DB) {
	h := newHiretextSide(t)
	p := newProvider(t, db.Simulator(), h, nil)
	from, to := buy(t, p, "312"), storetest.RandomPhone(t)
	var ids []string
	for _, body := range []string{"Hi Maria, are you free for an interview on Tuesday?", "Bonjour 👋"} {
		res, err := p.Send(t.Context(), sms.OutboundMessage{From: from, To: to, Body: body})
		if err != nil || res.Status != hiretext.StatusQueued || !strings.HasPrefix(res.ProviderMessageID, "SM") || res.Segments != 1 {
			t.Fatalf("send = %+v, %v", res, err)
		}
		ids = append(ids, res.ProviderMessageID)
	}
	for _, id := range ids {
		storetest.Eventually(t, "delivery of "+id, func() bool { return len(h.statusesOf(id)) == 2 })
		if got := h.statusesOf(id); got[0] != hiretext.StatusSent || got[1] != hiretext.StatusDelivered {
			t.Fatalf("statuses of %s = %v, want sent then delivered", id, got)
		}
	}
	inbox, err := p.Handset(t.Context(), to)
	if err != nil || len(inbox) != 2 || inbox[0].Direction != simstate.Received || inbox[0].Counterpart != from || inbox[1].Body != "Bonjour 👋" {
		t.Fatalf("handset of %s = %+v, %v", to, inbox, err)
	}
	if h.rejected != 0 {
		t.Fatalf("%d webhooks failed verification", h.rejected)
	}
}

func TestSendFailsLikeACarrier(t *testing.T) {
	t.Parallel()
	p := newProvider(t, storetest.NewSQLite(t, storetest.Config{}).Simulator(), nil, nil)
	from, to := buy(t, p, "312"), storetest.RandomPhone(t)
	landline, flagged := storetest.RandomPhone(t), storetest.RandomPhone(t)
	if err := p.SetPhoneFlag(t.Context(), landline, simstate.FlagLandline); err != nil {
		t.Fatal(err)
	}
	if err := p.SetPhoneFlag(t.Context(), flagged, simstate.FlagInvalid); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		m     sms.OutboundMessage
		class sms.ErrorClass
		code  string
	}{
		{sms.OutboundMessage{From: to, To: from, Body: "hi"}, sms.Permanent, "21606"},
		{sms.OutboundMessage{From: from, To: "+15550100", Body: "hi"}, sms.InvalidRecipient, "21211"},
		{sms.OutboundMessage{From: from, To: "(312) 555-0123", Body: "hi"}, sms.InvalidRecipient, "21211"},
		{sms.OutboundMessage{From: from, To: flagged, Body: "hi"}, sms.InvalidRecipient, "21211"},
		{sms.OutboundMessage{From: from, To: landline, Body: "hi"}, sms.InvalidRecipient, "30006"},
		{sms.OutboundMessage{From: from, To: to, Body: "  "}, sms.Permanent, "21602"},
	}
	for _, c := range cases {
		var se *sms.Error
		if _, err := p.Send(t.Context(), c.m); !errors.As(err, &se) || se.Class != c.class || se.Code != c.code || se.Message == "" {
			t.Errorf("send %+v: %v, want %s %s", c.m, err, c.class, c.code)
		}
	}
	if inbox, _ := p.Handset(t.Context(), landline); len(inbox) != 0 {
		t.Fatal("a failed send reached the handset")
	}
	if err := p.SetPhoneFlag(t.Context(), landline, simstate.FlagNone); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Send(t.Context(), sms.OutboundMessage{From: from, To: landline, Body: "hi"}); err != nil {
		t.Fatalf("after clearing the flag: %v", err)
	}
	if err := p.SetPhoneFlag(t.Context(), landline, "broken"); hiretext.ErrorCode(err) != hiretext.EInvalid {
		t.Fatalf("unknown flag: %v", err)
	}
}

// TestSendIsNotDeduplicated: like a carrier, the simulator has no
// idempotency key; a send repeated with the same reference is a second
// text, and Lookup finds both, oldest first, and nothing else.
func TestSendIsNotDeduplicated(t *testing.T) {
	t.Parallel()
	p := newProvider(t, storetest.NewSQLite(t, storetest.Config{}).Simulator(), nil, nil)
	from, to := buy(t, p, "312"), storetest.RandomPhone(t)
	start := time.Now()
	m := sms.OutboundMessage{From: from, To: to, Body: "Interview tomorrow at 10?", Reference: "msg-42"}
	var ids []string
	for range 2 {
		res, err := p.Send(t.Context(), m)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.ProviderMessageID)
	}
	if inbox, _ := p.Handset(t.Context(), to); len(inbox) != 2 || ids[0] == ids[1] {
		t.Fatalf("two sends gave ids %v and %d texts on the phone; want two of each", ids, len(inbox))
	}
	found, err := p.Lookup(t.Context(), sms.LookupQuery{From: from, To: to, Body: m.Body, Since: start})
	if err != nil || len(found) != 2 || found[0].ProviderMessageID != ids[0] || found[1].ProviderMessageID != ids[1] ||
		found[0].Status != hiretext.StatusDelivered {
		t.Fatalf("Lookup = %+v, %v; want both texts, delivered, oldest first", found, err)
	}
	for _, q := range []sms.LookupQuery{
		{From: from, To: to, Body: "Another text", Since: start},
		{From: from, To: storetest.RandomPhone(t), Body: m.Body, Since: start},
		{From: from, To: to, Body: m.Body, Since: time.Now().Add(2 * time.Minute)},
	} {
		if found, err := p.Lookup(t.Context(), q); err != nil || len(found) != 0 {
			t.Fatalf("Lookup(%+v) = %+v, %v; want nothing", q, found, err)
		}
	}
}

// firstStrikes is a fault dice that strikes on its first roll only, for
// any rate above 0 and below 0.99.
func firstStrikes() func() float64 {
	var rolls atomic.Int32
	return func() float64 {
		if rolls.Add(1) == 1 {
			return 0
		}
		return 0.99
	}
}

// TestLostAnswerLeavesTheTextOnThePhone: with answers lost, the text still
// reaches the phone, the send fails Uncertain, and Lookup finds it.
func TestLostAnswerLeavesTheTextOnThePhone(t *testing.T) {
	t.Parallel()
	p := newFaultyProvider(t, storetest.NewSQLite(t, storetest.Config{}).Simulator(), nil, nil, simulator.Faults{LoseAnswers: 1})
	from, to := buy(t, p, "312"), storetest.RandomPhone(t)
	start := time.Now()
	_, err := p.Send(t.Context(), sms.OutboundMessage{From: from, To: to, Body: "Hi Ana"})
	var e *sms.Error
	if !errors.As(err, &e) || !e.Uncertain || e.Class != sms.Transient {
		t.Fatalf("Send error = %v, want a Transient, Uncertain error", err)
	}
	inbox, _ := p.Handset(t.Context(), to)
	found, err := p.Lookup(t.Context(), sms.LookupQuery{From: from, To: to, Body: "Hi Ana", Since: start})
	if len(inbox) != 1 || err != nil || len(found) != 1 || found[0].ProviderMessageID != inbox[0].MessageID {
		t.Fatalf("handset %+v, Lookup %+v, %v; want the one text, found", inbox, found, err)
	}
}

// TestHungSendTakesNothing: a hung send answers only when the caller gives
// up, Uncertain, and no text reached the phone, so Lookup finds nothing.
func TestHungSendTakesNothing(t *testing.T) {
	t.Parallel()
	p := newFaultyProvider(t, storetest.NewSQLite(t, storetest.Config{}).Simulator(), nil, nil, simulator.Faults{HangSends: 0.5, Rand: firstStrikes()})
	from, to := buy(t, p, "312"), storetest.RandomPhone(t)
	start := time.Now()
	c, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := p.Send(c, sms.OutboundMessage{From: from, To: to, Body: "Hi"})
	var e *sms.Error
	if !errors.As(err, &e) || !e.Uncertain || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send = %v, want an Uncertain error once the caller gave up", err)
	}
	if found, err := p.Lookup(t.Context(), sms.LookupQuery{From: from, To: to, Body: "Hi", Since: start}); err != nil || len(found) != 0 {
		t.Fatalf("Lookup = %+v, %v; want nothing taken", found, err)
	}
	if _, err := p.Send(t.Context(), sms.OutboundMessage{From: from, To: to, Body: "Hi"}); err != nil {
		t.Fatalf("the next send: %v", err)
	}
}

// TestDroppedWebhooksNeverArrive: a dropped status callback is never
// posted (the next status still is), and a dropped inbound webhook is
// never posted although the text is in the sender's handset.
func TestDroppedWebhooksNeverArrive(t *testing.T) {
	t.Parallel()
	h := newHiretextSide(t)
	st := storetest.NewSQLite(t, storetest.Config{}).Simulator()
	p := newFaultyProvider(t, st, h, nil, simulator.Faults{DropStatus: 0.5, DropInbound: 0.5, Rand: firstStrikes()})
	ours, candidate := buy(t, p, "312"), storetest.RandomPhone(t)
	res, err := p.Send(t.Context(), sms.OutboundMessage{From: ours, To: candidate, Body: "Hi"})
	if err != nil {
		t.Fatal(err)
	}
	storetest.EventuallyNil(t, storetest.Patience, "the delivered report", func() error {
		if got := h.statusesOf(res.ProviderMessageID); len(got) != 1 || got[0] != hiretext.StatusDelivered {
			return fmt.Errorf("statuses %v, want only delivered: sent was dropped", got)
		}
		return nil
	})
	// The worker has rolled once, for the dropped "sent"; the inbound
	// webhooks roll next: the first is dropped, the second arrives.
	p2 := newFaultyProvider(t, st, h, nil, simulator.Faults{DropInbound: 0.5, Rand: firstStrikes()})
	h.p = p2
	lost, err := p2.SimulateInbound(t.Context(), candidate, ours, "Yes")
	if err != nil {
		t.Fatal(err)
	}
	kept, err := p2.SimulateInbound(t.Context(), candidate, ours, "Tuesday works")
	if err != nil {
		t.Fatal(err)
	}
	h.mu.Lock()
	got := h.inbound
	h.mu.Unlock()
	if len(got) != 1 || got[0].ProviderMessageID != kept {
		t.Fatalf("inbound webhooks %+v; want only %s (%s was dropped)", got, kept, lost)
	}
	if sent, _ := p2.Handset(t.Context(), candidate); len(sent) != 3 {
		t.Fatalf("handset holds %d texts, want 3 (one received, two sent)", len(sent))
	}
}

func TestParseFaults(t *testing.T) {
	t.Parallel()
	f, err := simulator.ParseFaults(" lose-answers=0.05, drop-status=0.1,drop-inbound=1,hang-sends=0.01 ")
	if err != nil || f.LoseAnswers != 0.05 || f.DropStatus != 0.1 || f.DropInbound != 1 || f.HangSends != 0.01 {
		t.Fatalf("ParseFaults = %+v, %v", f, err)
	}
	if f, err := simulator.ParseFaults(""); err != nil || f.LoseAnswers+f.DropStatus+f.DropInbound+f.HangSends != 0 {
		t.Fatalf("ParseFaults(\"\") = %+v, %v; want no faults", f, err)
	}
	for _, bad := range []string{"lose-answers", "lose-answers=2", "drop-status=-0.1", "hang=0.5", "drop-inbound=lots"} {
		if _, err := simulator.ParseFaults(bad); err == nil {
			t.Errorf("ParseFaults(%q) accepted", bad)
		}
	}
}

func TestSimulateInboundPostsASignedWebhook(t *testing.T) {
	t.Parallel()
	h := newHiretextSide(t)
	p := newProvider(t, storetest.NewSQLite(t, storetest.Config{}).Simulator(), h, nil)
	ours, candidate := buy(t, p, "312"), storetest.RandomPhone(t)
	id, err := p.SimulateInbound(t.Context(), candidate, ours, "Yes, Tuesday works!")
	if err != nil {
		t.Fatal(err)
	}
	h.mu.Lock()
	got := h.inbound
	h.mu.Unlock()
	if len(got) != 1 || got[0].ProviderMessageID != id || got[0].From != candidate || got[0].To != ours || got[0].Body != "Yes, Tuesday works!" || got[0].Segments != 1 {
		t.Fatalf("inbound = %+v, want it delivered before SimulateInbound returns", got)
	}
	if inbox, _ := p.Handset(t.Context(), candidate); len(inbox) != 1 || inbox[0].Direction != simstate.Sent {
		t.Fatalf("handset = %+v", inbox)
	}
	for _, c := range [][3]string{{"555", ours, "hi"}, {candidate, storetest.RandomPhone(t), "hi"}, {candidate, ours, ""}} {
		if _, err := p.SimulateInbound(t.Context(), c[0], c[1], c[2]); hiretext.ErrorCode(err) != hiretext.EInvalid {
			t.Errorf("SimulateInbound%v: %v, want invalid", c, err)
		}
	}
}

func TestWebhooksAreRetriedUntilAnswered(t *testing.T) {
	t.Parallel()
	clock := storetest.NewClock(time.Now())
	h := newHiretextSide(t)
	h.failNext.Store(2)
	db := storetest.NewSQLite(t, storetest.Config{})
	p := newProvider(t, db.Simulator(), h, clock.Now)
	ours, candidate := buy(t, p, "312"), storetest.RandomPhone(t)
	if _, err := p.SimulateInbound(t.Context(), candidate, ours, "Are you still hiring?"); err != nil {
		t.Fatal(err)
	}
	// Each failure waits out a backoff (1 s, then 2 s); moving the clock on
	// at every look makes the next retry due.
	storetest.Eventually(t, "the retried inbound webhook", func() bool {
		clock.Advance(3 * time.Second)
		h.mu.Lock()
		defer h.mu.Unlock()
		return len(h.inbound) == 1
	})
}

func TestPendingWebhooksSurviveARestart(t *testing.T) {
	storetest.Each(t, testPendingWebhooksSurviveARestart)
}

func testPendingWebhooksSurviveARestart(t *testing.T, db *store.DB) {
	before := newProvider(t, db.Simulator(), nil, nil) // no worker: the process "dies" after sending
	from, to := buy(t, before, "312"), storetest.RandomPhone(t)
	res, err := before.Send(t.Context(), sms.OutboundMessage{From: from, To: to, Body: "Still interested?"})
	if err != nil {
		t.Fatal(err)
	}
	h := newHiretextSide(t)
	newProvider(t, db.Simulator(), h, nil) // the restarted process delivers what was queued
	storetest.Eventually(t, "delivery after restart", func() bool { return len(h.statusesOf(res.ProviderMessageID)) == 2 })
}

func TestVerifyWebhookRejectsForgeries(t *testing.T) {
	t.Parallel()
	clock := storetest.NewClock(time.Now())
	p := newProvider(t, storetest.NewSQLite(t, storetest.Config{}).Simulator(), nil, clock.Now)
	other := newProvider(t, storetest.NewSQLite(t, storetest.Config{}).Simulator(), nil, clock.Now)
	body := []byte(url.Values{"EventType": {"status"}, "MessageID": {"SM1"}, "MessageStatus": {"delivered"},
		"Timestamp": {clock.Now().UTC().Format(time.RFC3339Nano)}}.Encode())
	signed := func(sig string, b []byte) sms.WebhookRequest {
		return sms.WebhookRequest{Method: http.MethodPost, PublicURL: "http://x" + simulator.StatusPath,
			Header: http.Header{simulator.SignatureHeader: {sig}}, Body: b}
	}
	if err := p.VerifyWebhook(signed(p.Sign(body), body)); err != nil {
		t.Fatalf("a good signature: %v", err)
	}
	tampered := []byte(strings.Replace(string(body), "delivered", "failed", 1))
	get := signed(p.Sign(body), body)
	get.Method = http.MethodGet
	for name, w := range map[string]sms.WebhookRequest{
		"tampered body":     signed(p.Sign(body), tampered),
		"another key":       signed(other.Sign(body), body),
		"no header":         signed("", body),
		"garbage header":    signed("zz", body),
		"GET":               get,
		"status as inbound": signed(p.Sign(body), body),
	} {
		if name == "status as inbound" {
			if _, err := p.ParseInbound(w); err == nil {
				t.Errorf("%s: parsed", name)
			}
			continue
		}
		if err := p.VerifyWebhook(w); !errors.Is(err, sms.ErrBadSignature) {
			t.Errorf("%s: %v, want ErrBadSignature", name, err)
		}
	}
	clock.Advance(simulator.Tolerance + time.Second)
	if err := p.VerifyWebhook(signed(p.Sign(body), body)); !errors.Is(err, sms.ErrBadSignature) {
		t.Errorf("a stale webhook: %v, want ErrBadSignature", err)
	}
}

// quietStore counts the webhook claims that found nothing due. An instance
// posts every webhook it claimed before it claims again, so after such a
// claim it has nothing in hand to post.
type quietStore struct {
	simulator.Store
	quiet atomic.Int64
}

func (s *quietStore) ClaimCallbacks(ctx context.Context, now, leaseUntil time.Time, limit int) ([]simstate.Callback, error) {
	cbs, err := s.Store.ClaimCallbacks(ctx, now, leaseUntil, limit)
	if err == nil && len(cbs) == 0 {
		s.quiet.Add(1)
	}
	return cbs, err
}

// TestTwoInstancesDeliverEachWebhookOnce runs two workers on one database
// (two connection pools, as two hiretext instances would).
func TestTwoInstancesDeliverEachWebhookOnce(t *testing.T) {
	for name, url := range map[string]func(testing.TB) string{"sqlite": storetest.SQLiteURL, "postgres": storetest.PostgresURL} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := url(t)
			h := newHiretextSide(t)
			sa, sb := &quietStore{Store: storetest.Open(t, u, storetest.Config{}).Simulator()}, &quietStore{Store: storetest.Open(t, u, storetest.Config{}).Simulator()}
			a, b := newProvider(t, sa, h, nil), newProvider(t, sb, h, nil)
			from := buy(t, a, "312")
			var ids []string
			for i := range 20 {
				p := []*simulator.Provider{a, b}[i%2]
				res, err := p.Send(t.Context(), sms.OutboundMessage{From: from, To: storetest.RandomPhone(t), Body: "Hello"})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, res.ProviderMessageID)
			}
			for _, id := range ids {
				storetest.Eventually(t, "delivery of "+id, func() bool { return len(h.statusesOf(id)) >= 2 })
			}
			// Once each instance has found nothing more to deliver, it has
			// posted all it claimed: a webhook claimed twice has arrived twice.
			quietA, quietB := sa.quiet.Load(), sb.quiet.Load()
			storetest.Eventually(t, "both instances to find nothing more to deliver", func() bool {
				return sa.quiet.Load() > quietA && sb.quiet.Load() > quietB
			})
			for _, id := range ids {
				if got := h.statusesOf(id); len(got) != 2 || got[0] != hiretext.StatusSent || got[1] != hiretext.StatusDelivered {
					t.Fatalf("statuses of %s = %v, want sent then delivered, once each", id, got)
				}
			}
		})
	}
}
