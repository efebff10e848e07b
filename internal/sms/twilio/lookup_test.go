package twilio_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/sms/twilio"
	"github.com/hiretext/hiretext/internal/sms/twilio/twiliotest"
)

// TestLostAnswerIsFoundByLookup: Twilio takes the message and its answer
// is lost (held past the timeout, or replaced by a proxy's 502); the send
// fails Uncertain, and Lookup finds exactly the message Twilio holds.
func TestLostAnswerIsFoundByLookup(t *testing.T) {
	t.Parallel()
	for _, status := range []int{0, http.StatusBadGateway} {
		t.Run(fmt.Sprint("answer ", status), func(t *testing.T) {
			t.Parallel()
			p, fake := newFake(t, func(c *twilio.Config) { c.Timeout = 200 * time.Millisecond })
			fake.LoseAnswersTo(candidate, status)
			m := sms.OutboundMessage{From: ours, To: candidate, Body: "Interview at 10 tomorrow?"}
			start := time.Now()
			_, err := p.Send(context.Background(), m)
			if e := smsError(t, err); e.Class != sms.Transient || !e.Uncertain {
				t.Fatalf("error = %v, want Transient and Uncertain", err)
			}
			found, err := p.Lookup(context.Background(), sms.LookupQuery{From: m.From, To: m.To, Body: m.Body, Since: start})
			if err != nil {
				t.Fatal(err)
			}
			held := fake.Messages()
			if len(held) != 1 || len(found) != 1 || found[0].ProviderMessageID != held[0].SID || found[0].Status != hiretext.StatusQueued {
				t.Fatalf("Lookup = %+v with Twilio holding %+v; want that one message, queued", found, held)
			}
		})
	}
}

// TestLookupMatchesOnlyTheSameText: other bodies, other senders, and
// messages created before the first attempt (less the skew allowance) are
// not the send in doubt; nothing found is the answer "not there".
func TestLookupMatchesOnlyTheSameText(t *testing.T) {
	t.Parallel()
	p, _ := newFake(t, nil)
	send := func(from, body string) {
		if _, err := p.Send(context.Background(), sms.OutboundMessage{From: from, To: candidate, Body: body}); err != nil {
			t.Fatal(err)
		}
	}
	send(ours, "Open house Friday")
	send("+14155550101", "Interview at 10?")
	q := sms.LookupQuery{From: ours, To: candidate, Body: "Interview at 10?", Since: time.Now().Add(-time.Hour)}
	if found, err := p.Lookup(context.Background(), q); err != nil || len(found) != 0 {
		t.Fatalf("Lookup = %+v, %v; want nothing: no such text from our number", found, err)
	}
	q.Body = "Open house Friday"
	q.Since = time.Now().Add(2 * time.Minute) // the attempt in doubt began after this text
	if found, err := p.Lookup(context.Background(), q); err != nil || len(found) != 0 {
		t.Fatalf("Lookup = %+v, %v; want nothing created since the attempt", found, err)
	}
}

// TestLookupReadsEveryPage: the text in doubt is found even when the phone
// has more texts since than one page holds, and identical texts come back
// oldest first.
func TestLookupReadsEveryPage(t *testing.T) {
	t.Parallel()
	p, fake := newFake(t, nil)
	start := time.Now().Add(-time.Second)
	for i := range 120 {
		body := fmt.Sprint("Reminder ", i)
		if i == 0 || i == 119 {
			body = "Your interview is confirmed."
		}
		if _, err := p.Send(context.Background(), sms.OutboundMessage{From: ours, To: candidate, Body: body}); err != nil {
			t.Fatal(err)
		}
	}
	found, err := p.Lookup(context.Background(), sms.LookupQuery{From: ours, To: candidate, Body: "Your interview is confirmed.", Since: start})
	held := fake.Messages()
	if err != nil || len(found) != 2 || found[0].ProviderMessageID != held[0].SID || found[1].ProviderMessageID != held[119].SID {
		t.Fatalf("Lookup = %+v, %v; want the first and the last text, in that order", found, err)
	}
}

// TestLookupThroughMessagingService matches by the service, as Twilio
// picks the sender.
func TestLookupThroughMessagingService(t *testing.T) {
	t.Parallel()
	p, fake := newFake(t, func(c *twilio.Config) { c.MessagingServiceSID = validService })
	fake.LoseAnswersTo(candidate, http.StatusGatewayTimeout)
	start := time.Now()
	_, _ = p.Send(context.Background(), sms.OutboundMessage{From: ours, To: candidate, Body: "Hello"})
	found, err := p.Lookup(context.Background(), sms.LookupQuery{From: ours, To: candidate, Body: "Hello", Since: start})
	if err != nil || len(found) != 1 || found[0].ProviderMessageID != fake.Messages()[0].SID {
		t.Fatalf("Lookup = %+v, %v; want the service's message", found, err)
	}
}

// TestLookupAnswersThatCannotBeReadAreErrors: a list that cannot be read is
// an error, never "not there", which would allow a second send.
func TestLookupAnswersThatCannotBeReadAreErrors(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"html":     `<html>`,
		"bad date": `{"messages":[{"sid":"SM1","to":"+14155550199","from":"+14155550100","body":"Hi","direction":"outbound-api","date_created":"yesterday"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := newStub(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) })
			found, err := p.Lookup(context.Background(), sms.LookupQuery{From: ours, To: candidate, Body: "Hi", Since: time.Now()})
			if e := smsError(t, err); e.Class != sms.Transient || found != nil {
				t.Fatalf("Lookup = %+v, %v; want a Transient error", found, err)
			}
		})
	}
}

// TestLookupFindsFailedMessages reports a failed message with its code and
// class, so the caller records the failure rather than sending again.
func TestLookupFindsFailedMessages(t *testing.T) {
	t.Parallel()
	p := newStub(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Query().Get("To") != candidate || r.URL.Query().Get("From") != ours {
			t.Errorf("list request %s %s", r.Method, r.URL)
		}
		io.WriteString(w, `{"messages":[{"sid":"SM9","to":"+14155550199","from":"+14155550100","body":"Hi",
			"direction":"outbound-api","status":"undelivered","error_code":30006,"error_message":"Landline or unreachable carrier",
			"num_segments":"1","date_created":"`+time.Now().UTC().Format(time.RFC1123Z)+`"}],"next_page_uri":null}`)
	})
	found, err := p.Lookup(context.Background(), sms.LookupQuery{From: ours, To: candidate, Body: "Hi", Since: time.Now()})
	want := sms.FoundMessage{ProviderMessageID: "SM9", Status: hiretext.StatusUndelivered, ErrorCode: "30006",
		ErrorMessage: "Landline or unreachable carrier", Class: sms.InvalidRecipient, Segments: 1}
	if err != nil || len(found) != 1 {
		t.Fatalf("Lookup = %+v, %v", found, err)
	}
	found[0].CreatedAt = time.Time{}
	if found[0] != want {
		t.Fatalf("Lookup = %+v, want %+v", found[0], want)
	}
}

// TestHistoryShowsWhatWebhooksLost: a reply and a status whose webhooks
// were lost are in the number's history, each its own way round; another
// number's texts are not.
func TestHistoryShowsWhatWebhooksLost(t *testing.T) {
	t.Parallel()
	p, fake := newFake(t, nil)
	ours := buyFrom(t, p, fake)
	start := time.Now()
	res, err := p.Send(context.Background(), sms.OutboundMessage{From: ours, To: candidate, Body: "Interview at 10?"})
	if err != nil {
		t.Fatal(err)
	}
	if err := fake.LoseStatus(res.ProviderMessageID, "delivered"); err != nil {
		t.Fatal(err)
	}
	reply, err := fake.LoseInbound(candidate, ours, "Yes, see you then")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Send(context.Background(), sms.OutboundMessage{From: "+14155550123", To: candidate, Body: "Other number"}); err != nil {
		t.Fatal(err)
	}
	hist, err := p.History(context.Background(), sms.HistoryQuery{Number: ours, Since: start})
	if err != nil || len(hist) != 2 {
		t.Fatalf("History = %+v, %v; want the sent text and the reply", hist, err)
	}
	sent, got := hist[0], hist[1]
	if sent.Inbound { // created in the same second: Twilio's dates have no finer order
		sent, got = got, sent
	}
	if sent.Inbound || sent.ProviderMessageID != res.ProviderMessageID || sent.Status != hiretext.StatusDelivered || sent.To != candidate {
		t.Errorf("sent = %+v, want our text, delivered", sent)
	}
	if !got.Inbound || got.ProviderMessageID != reply || got.From != candidate || got.To != ours || got.Body != "Yes, see you then" ||
		got.Status != hiretext.StatusReceived {
		t.Errorf("reply = %+v, want the candidate's text, received", got)
	}
}

// buyFrom buys a number from the fake and returns it.
func buyFrom(t *testing.T, p *twilio.Provider, fake *twiliotest.Server) string {
	t.Helper()
	offers, err := p.SearchNumbers(context.Background(), sms.NumberQuery{Country: "US", Limit: 1})
	if err != nil || len(offers) == 0 {
		t.Fatalf("search: %v, %v", offers, err)
	}
	n, err := p.BuyNumber(context.Background(), offers[0].Phone)
	if err != nil {
		t.Fatal(err)
	}
	return n.Phone
}
