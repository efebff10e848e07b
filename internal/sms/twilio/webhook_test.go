package twilio_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/sms/twilio"
)

// inboundBody is an inbound-message webhook as Twilio posts it, with
// parameters we do not read.
const inboundBody = "ToCountry=US&ToState=CA&SmsMessageSid=SM0123456789abcdef0123456789abcdef&NumMedia=0" +
	"&ToCity=SAN+FRANCISCO&FromZip=94105&SmsSid=SM0123456789abcdef0123456789abcdef&FromState=CA" +
	"&SmsStatus=received&FromCity=SAN+FRANCISCO&Body=Yes%2C+Tuesday+works+%F0%9F%91%8D&FromCountry=US" +
	"&To=%2B14155550100&ToZip=94105&NumSegments=2&MessageSid=SM0123456789abcdef0123456789abcdef" +
	"&AccountSid=AC0123456789abcdef0123456789abcdef&From=%2B14155550199&ApiVersion=2010-04-01"

func post(body string) sms.WebhookRequest {
	return sms.WebhookRequest{Method: "POST", PublicURL: publicBase + twilio.InboundPath, Body: []byte(body)}
}

func TestParseInbound(t *testing.T) {
	t.Parallel()
	p, _ := newFake(t, nil)
	before := time.Now()
	got, err := p.ParseInbound(post(inboundBody))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("ParseInbound returned %d messages, want 1", len(got))
	}
	m := got[0]
	want := sms.InboundMessage{
		ProviderMessageID: "SM0123456789abcdef0123456789abcdef",
		From:              candidate,
		To:                ours,
		Body:              "Yes, Tuesday works 👍",
		Segments:          2,
		ReceivedAt:        m.ReceivedAt,
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("ParseInbound = %+v, want %+v", m, want)
	}
	if m.ReceivedAt.Before(before) || m.ReceivedAt.After(time.Now()) {
		t.Errorf("ReceivedAt = %v, want the time of parsing", m.ReceivedAt)
	}
}

func TestParseInboundSegments(t *testing.T) {
	t.Parallel()
	p, _ := newFake(t, nil)
	for numSegments, want := range map[string]int{"": 1, "1": 1, "3": 3, "0": 1, "x": 1, "-2": 1} {
		body := "MessageSid=SM1&From=%2B1&To=%2B2"
		if numSegments != "" {
			body += "&NumSegments=" + numSegments
		}
		got, err := p.ParseInbound(post(body))
		if err != nil || got[0].Segments != want {
			t.Errorf("NumSegments %q: got %+v, %v; want %d segments", numSegments, got, err, want)
		}
	}
}

func TestParseInboundEmptyBodyIsAMessage(t *testing.T) {
	t.Parallel()
	p, _ := newFake(t, nil)
	got, err := p.ParseInbound(post("MessageSid=SM1&From=%2B1&To=%2B2&Body="))
	if err != nil || got[0].Body != "" {
		t.Errorf("ParseInbound = %+v, %v; want one message with an empty body", got, err)
	}
}

func TestParseInboundRejects(t *testing.T) {
	t.Parallel()
	p, _ := newFake(t, nil)
	tests := map[string]struct {
		req  sms.WebhookRequest
		want string
	}{
		"missing all":       {post("Body=hi"), "lacks MessageSid, From, To"},
		"missing To":        {post("MessageSid=SM1&From=%2B1"), "lacks To"},
		"empty MessageSid":  {post("MessageSid=&From=%2B1&To=%2B2"), "lacks MessageSid"},
		"malformed body":    {post("MessageSid=SM1&From=%zz"), "invalid URL escape"},
		"JSON-body webhook": {sms.WebhookRequest{Method: "POST", PublicURL: publicBase + "/x?bodySHA256=00", Body: []byte(`{}`)}, "JSON"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if _, err := p.ParseInbound(tt.req); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestParseInboundGET(t *testing.T) {
	t.Parallel()
	p, _ := newFake(t, nil)
	req := sms.WebhookRequest{Method: "GET", PublicURL: publicBase + twilio.InboundPath + "?MessageSid=SM9&From=%2B14155550199&To=%2B14155550100&Body=hi"}
	got, err := p.ParseInbound(req)
	if err != nil || got[0].ProviderMessageID != "SM9" || got[0].Body != "hi" {
		t.Errorf("ParseInbound(GET) = %+v, %v", got, err)
	}
}

func TestParseStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		twilio string
		want   hiretext.MessageStatus
	}{
		{"accepted", hiretext.StatusQueued},
		{"scheduled", hiretext.StatusQueued},
		{"queued", hiretext.StatusQueued},
		{"sending", hiretext.StatusSending},
		{"sent", hiretext.StatusSent},
		{"delivered", hiretext.StatusDelivered},
		{"read", hiretext.StatusDelivered},
		{"undelivered", hiretext.StatusUndelivered},
		{"failed", hiretext.StatusFailed},
		{"canceled", hiretext.StatusCanceled},
		{"partially_delivered", ""},
		{"received", ""},
		{"Delivered", ""},
		{"", ""},
	}
	p, _ := newFake(t, nil)
	for _, tt := range tests {
		t.Run(tt.twilio, func(t *testing.T) {
			t.Parallel()
			body := url.Values{"MessageSid": {"SM1"}, "SmsSid": {"SM1"}, "MessageStatus": {tt.twilio}, "SmsStatus": {tt.twilio}}.Encode()
			got, err := p.ParseStatus(post(body))
			if err != nil {
				t.Fatal(err)
			}
			u := got[0]
			if u.ProviderMessageID != "SM1" || u.Status != tt.want || u.ProviderStatus != tt.twilio || u.ErrorCode != "" || u.Class != 0 || u.At.IsZero() {
				t.Errorf("ParseStatus = %+v, want status %q", u, tt.want)
			}
		})
	}
}

func TestParseStatusErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code, message string
		class         sms.ErrorClass
	}{
		{"30003", "Unreachable destination handset", sms.Transient},
		{"30006", "", sms.InvalidRecipient},
		{"21610", "", sms.OptedOut},
		{"30007", "Message filtered", sms.Permanent},
	}
	p, _ := newFake(t, nil)
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			t.Parallel()
			v := url.Values{"MessageSid": {"SM1"}, "MessageStatus": {"undelivered"}, "ErrorCode": {tt.code}}
			if tt.message != "" {
				v.Set("ErrorMessage", tt.message)
			}
			got, err := p.ParseStatus(post(v.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			u := got[0]
			if u.Status != hiretext.StatusUndelivered || u.ErrorCode != tt.code || u.ErrorMessage != tt.message || u.Class != tt.class {
				t.Errorf("ParseStatus = %+v, want code %s, class %v", u, tt.code, tt.class)
			}
		})
	}
}

func TestParseStatusRequiresMessageSid(t *testing.T) {
	t.Parallel()
	p, _ := newFake(t, nil)
	if _, err := p.ParseStatus(post("MessageStatus=delivered")); err == nil || !strings.Contains(err.Error(), "lacks MessageSid") {
		t.Errorf("error = %v, want one naming MessageSid", err)
	}
}

func TestAck(t *testing.T) {
	t.Parallel()
	p, _ := newFake(t, nil)
	for _, kind := range []sms.WebhookKind{sms.WebhookInbound, sms.WebhookStatus} {
		got := p.Ack(kind)
		if got.Status != 200 || got.ContentType != "text/xml" || string(got.Body) != `<?xml version="1.0" encoding="UTF-8"?><Response/>` {
			t.Errorf("Ack(%d) = %d %q %q", kind, got.Status, got.ContentType, got.Body)
		}
		got.Body[0] = 'X' // a caller scribbling on one answer must not change the next
	}
	if p.Ack(sms.WebhookInbound).Body[0] != '<' {
		t.Error("Ack shares its body between calls")
	}
}

// app is a minimal hiretext webhook endpoint: verify, parse, record, ack.
type app struct {
	p       *twilio.Provider
	base    string
	mu      sync.Mutex
	inbound []sms.InboundMessage
	status  []sms.StatusUpdate
}

func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req := sms.WebhookRequest{Method: r.Method, PublicURL: a.base + r.URL.RequestURI(), Header: r.Header, Body: body}
	if err := a.p.VerifyWebhook(req); err != nil {
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	kind, err := a.record(r.URL.Path, req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ack := a.p.Ack(kind)
	w.Header().Set("Content-Type", ack.ContentType)
	w.WriteHeader(ack.Status)
	w.Write(ack.Body)
}

func (a *app) record(path string, req sms.WebhookRequest) (sms.WebhookKind, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if path == twilio.InboundPath {
		msgs, err := a.p.ParseInbound(req)
		a.inbound = append(a.inbound, msgs...)
		return sms.WebhookInbound, err
	}
	updates, err := a.p.ParseStatus(req)
	a.status = append(a.status, updates...)
	return sms.WebhookStatus, err
}

// TestWebhooksFromFake proves the fake's webhooks, signed as Twilio signs
// them, pass VerifyWebhook behind a real HTTP server and parse back to what
// was sent.
func TestWebhooksFromFake(t *testing.T) {
	t.Parallel()
	a := &app{}
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	a.base = srv.URL
	// The trailing slash must not double up in the webhook URLs Twilio signs.
	p, fake := newFake(t, func(c *twilio.Config) { c.PublicBaseURL = srv.URL + "/" })
	a.p = p
	ctx := context.Background()

	n, err := p.BuyNumber(ctx, "+14155550101")
	if err != nil {
		t.Fatal(err)
	}
	sid, err := fake.DeliverInbound(ctx, candidate, n.Phone, "Is the role remote? ¿Sí?")
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Send(ctx, sms.OutboundMessage{From: n.Phone, To: candidate, Body: "Yes, fully remote."})
	if err != nil {
		t.Fatal(err)
	}
	if err := fake.DeliverStatus(ctx, res.ProviderMessageID, "undelivered", "30003"); err != nil {
		t.Fatal(err)
	}

	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.inbound) != 1 || a.inbound[0].ProviderMessageID != sid || a.inbound[0].From != candidate ||
		a.inbound[0].To != n.Phone || a.inbound[0].Body != "Is the role remote? ¿Sí?" {
		t.Errorf("inbound = %+v", a.inbound)
	}
	if len(a.status) != 1 || a.status[0].ProviderMessageID != res.ProviderMessageID ||
		a.status[0].Status != hiretext.StatusUndelivered || a.status[0].Class != sms.Transient {
		t.Errorf("status = %+v", a.status)
	}
}

func TestForgedWebhookIsRejected(t *testing.T) {
	t.Parallel()
	a := &app{}
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	a.base = srv.URL
	a.p, _ = newFake(t, func(c *twilio.Config) { c.PublicBaseURL = srv.URL })
	body := "MessageSid=SM1&From=%2B14155550199&To=%2B14155550100&Body=STOP"
	req, _ := http.NewRequest("POST", srv.URL+twilio.InboundPath, strings.NewReader(body))
	req.Header.Set("X-Twilio-Signature", twilio.Sign("00000000000000000000000000000000", srv.URL+twilio.InboundPath, mustQuery(t, body)))
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	a.mu.Lock()
	defer a.mu.Unlock()
	if resp.StatusCode != http.StatusForbidden || len(a.inbound) != 0 {
		t.Errorf("forged webhook answered %d and recorded %d messages; want 403 and none", resp.StatusCode, len(a.inbound))
	}
	if !errors.Is(a.p.VerifyWebhook(post(body)), sms.ErrBadSignature) {
		t.Error("unsigned webhook verified")
	}
}
