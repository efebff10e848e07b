package twilio_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/sms/twilio"
	"github.com/hiretext/hiretext/internal/sms/twilio/twiliotest"
)

const (
	ours      = "+14155550100"
	candidate = "+14155550199"
)

func TestSend(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		body     string
		segments int
	}{
		{"one segment", "Hi Ana, are you free for a call tomorrow at 10?", 1},
		{"long GSM text", strings.Repeat("x", 161), 2},
		{"unicode", "Café ☕ " + strings.Repeat("é", 70), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, fake := newFake(t, nil)
			res, err := p.Send(context.Background(), sms.OutboundMessage{From: ours, To: candidate, Body: tt.body, Reference: "msg-1"})
			if err != nil {
				t.Fatal(err)
			}
			sent := fake.Messages()
			if len(sent) != 1 {
				t.Fatalf("fake got %d messages, want 1", len(sent))
			}
			want := sms.SendResult{ProviderMessageID: sent[0].SID, Status: hiretext.StatusQueued, Segments: tt.segments}
			if res != want || !strings.HasPrefix(res.ProviderMessageID, "SM") {
				t.Errorf("Send = %+v, want %+v", res, want)
			}
			got := sent[0]
			if got.From != ours || got.To != candidate || got.Body != tt.body || got.MessagingServiceSID != "" {
				t.Errorf("fake recorded %+v", got)
			}
			if got.StatusCallback != publicBase+"/webhooks/twilio/status" {
				t.Errorf("StatusCallback = %q", got.StatusCallback)
			}
		})
	}
}

func TestSendThroughMessagingService(t *testing.T) {
	t.Parallel()
	p, fake := newFake(t, func(c *twilio.Config) { c.MessagingServiceSID = validService })
	res, err := p.Send(context.Background(), sms.OutboundMessage{From: ours, To: candidate, Body: "Hello"})
	if err != nil {
		t.Fatal(err)
	}
	// Twilio answers "accepted" with num_segments "0" until it picks a sender.
	if res.Status != hiretext.StatusQueued || res.Segments != 0 {
		t.Errorf("Send = %+v, want queued with 0 segments", res)
	}
	got := fake.Messages()[0]
	if got.MessagingServiceSID != validService || got.From != "" {
		t.Errorf("fake recorded service %q, from %q; want the service and no From", got.MessagingServiceSID, got.From)
	}
}

func TestSendErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code       int
		httpStatus int
		class      sms.ErrorClass
		message    string
	}{
		{21211, 400, sms.InvalidRecipient, "Invalid 'To' Phone Number"},
		{21614, 400, sms.InvalidRecipient, "'To' number is not a valid mobile number"},
		{21610, 400, sms.OptedOut, "Attempt to send to unsubscribed recipient"},
		{20429, 429, sms.Transient, "Too Many Requests"},
		{20500, 500, sms.Transient, "Internal Server Error"},
		{21612, 400, sms.Permanent, "Error 21612"},
		{30007, 400, sms.Permanent, "Error 30007"},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.httpStatus)+" "+tt.message, func(t *testing.T) {
			t.Parallel()
			p, fake := newFake(t, nil)
			fake.FailSendsTo(candidate, tt.code)
			_, err := p.Send(context.Background(), sms.OutboundMessage{From: ours, To: candidate, Body: "Hi"})
			e := smsError(t, err)
			code := strconv.Itoa(tt.code)
			if e.Class != tt.class || e.Code != code || e.Message != tt.message {
				t.Errorf("error = {%v %q %q}, want {%v %q %q}", e.Class, e.Code, e.Message, tt.class, code, tt.message)
			}
			var ae *twilio.APIError
			if !errors.As(err, &ae) || ae.HTTPStatus != tt.httpStatus || !strings.HasSuffix(ae.MoreInfo, "/"+code) {
				t.Errorf("APIError = %+v, want HTTP %d and a link for %s", ae, tt.httpStatus, code)
			}
			if len(fake.Messages()) != 0 {
				t.Error("a failed send was recorded as sent")
			}
		})
	}
}

func TestSendHangIsTransientWithinTimeout(t *testing.T) {
	t.Parallel()
	const timeout = 100 * time.Millisecond
	p, fake := newFake(t, func(c *twilio.Config) { c.Timeout = timeout })
	fake.HangSendsTo(candidate)
	start := time.Now()
	_, err := p.Send(context.Background(), sms.OutboundMessage{From: ours, To: candidate, Body: "Hi"})
	elapsed := time.Since(start)
	if e := smsError(t, err); e.Class != sms.Transient || !e.Uncertain || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error = %v, want Transient and Uncertain wrapping context.DeadlineExceeded", err)
	}
	if elapsed < timeout || elapsed > timeout+2*time.Second {
		t.Errorf("Send gave up after %v, want about %v", elapsed, timeout)
	}
}

func TestSendWrongCredentialsIsPermanent(t *testing.T) {
	t.Parallel()
	p, _ := newFake(t, func(c *twilio.Config) { c.AuthToken = validToken })
	_, err := p.Send(context.Background(), sms.OutboundMessage{From: ours, To: candidate, Body: "Hi"})
	e := smsError(t, err)
	if e.Class != sms.Permanent || e.Code != "20003" {
		t.Errorf("error = %v, want Permanent 20003", err)
	}
}

func TestSendUnreachableIsTransient(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close() // nothing listens there now
	p := mustNew(t, twilio.Config{AccountSID: validSID, AuthToken: validToken, APIBase: srv.URL, PublicBaseURL: publicBase})
	_, err := p.Send(context.Background(), sms.OutboundMessage{From: ours, To: candidate, Body: "Hi"})
	// Refused before a byte was written: certain, so a retry may send.
	if e := smsError(t, err); e.Class != sms.Transient || e.Code != "" || e.Uncertain {
		t.Errorf("error = %v, want Transient without a code, and certain", err)
	}
}

func TestSendRequest(t *testing.T) {
	t.Parallel()
	var got *http.Request
	var form string
	p := newStub(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got, form = r, string(body)
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"sid":"SM1","status":"queued","num_segments":"1","error_code":null}`)
	})
	if _, err := p.Send(context.Background(), sms.OutboundMessage{From: ours, To: candidate, Body: "Hi & bye"}); err != nil {
		t.Fatal(err)
	}
	user, pass, _ := got.BasicAuth()
	checks := map[string][2]string{
		"method":       {got.Method, "POST"},
		"path":         {got.URL.Path, "/2010-04-01/Accounts/" + twiliotest.AccountSID + "/Messages.json"},
		"content type": {got.Header.Get("Content-Type"), "application/x-www-form-urlencoded"},
		"user":         {user, twiliotest.AccountSID},
		"password":     {pass, twiliotest.AuthToken},
		"form":         {form, "Body=Hi+%26+bye&From=%2B14155550100&StatusCallback=https%3A%2F%2Fats.example.com%2Fwebhooks%2Ftwilio%2Fstatus&To=%2B14155550199"},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %q, want %q", name, c[0], c[1])
		}
	}
}

// twilioDocMessage is a Create Message answer as Twilio documents it
// (Messaging Service, so accepted and no segments yet).
const twilioDocMessage = `{"account_sid":"ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX","api_version":"2010-04-01",
"body":"Hello","date_created":"Tue, 26 Jul 2016 12:50:07 +0000","date_sent":null,
"date_updated":"Tue, 26 Jul 2016 12:50:07 +0000","direction":"outbound-api","error_code":null,
"error_message":null,"from":null,"messaging_service_sid":"MGXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
"num_media":"0","num_segments":"0","price":null,"price_unit":null,"sid":"SMd71cd6c1dd5d4a3f9fd1a3e6b3a1c2f0",
"status":"accepted","subresource_uris":{"media":"/2010-04-01/Accounts/ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/Messages/SMd71cd6c1dd5d4a3f9fd1a3e6b3a1c2f0/Media.json"},
"to":"+14155550199","uri":"/2010-04-01/Accounts/ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/Messages/SMd71cd6c1dd5d4a3f9fd1a3e6b3a1c2f0.json"}`

func TestSendAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		status    int
		body      string
		want      sms.SendResult
		class     sms.ErrorClass // 0: success expected
		uncertain bool           // Twilio may have taken the message
		code      string
		contains  string
	}{
		{name: "documented answer", status: 201, body: twilioDocMessage,
			want: sms.SendResult{ProviderMessageID: "SMd71cd6c1dd5d4a3f9fd1a3e6b3a1c2f0", Status: hiretext.StatusQueued}},
		{name: "sent with segments", status: 201, body: `{"sid":"SM2","status":"sent","num_segments":"3","error_code":null}`,
			want: sms.SendResult{ProviderMessageID: "SM2", Status: hiretext.StatusSent, Segments: 3}},
		{name: "unknown status is queued", status: 201, body: `{"sid":"SM3","status":"partially_delivered","num_segments":"1"}`,
			want: sms.SendResult{ProviderMessageID: "SM3", Status: hiretext.StatusQueued, Segments: 1}},
		{name: "created already failed", status: 201, class: sms.InvalidRecipient, code: "30006", contains: "Landline",
			body: `{"sid":"SM4","status":"failed","num_segments":"1","error_code":30006,"error_message":"Landline or unreachable carrier"}`},
		{name: "created failed without code", status: 201, class: sms.Permanent, contains: "SM5 as undelivered",
			body: `{"sid":"SM5","status":"undelivered","num_segments":"1","error_code":null}`},
		{name: "2xx unreadable is uncertain", status: 201, body: `<html>`, class: sms.Transient, uncertain: true, contains: "could not be read"},
		{name: "2xx without sid is uncertain", status: 200, body: `{}`, class: sms.Transient, uncertain: true, contains: "could not be read"},
		{name: "proxy page on 502", status: 502, body: `<html>Bad Gateway</html>`, class: sms.Transient, uncertain: true, contains: "502 Bad Gateway"},
		{name: "503 with Twilio body", status: 503, body: `{"code":20503,"message":"Service Unavailable","status":503}`, class: sms.Transient, uncertain: true, code: "20503"},
		{name: "429 is certain", status: 429, body: `{"code":20429,"message":"Too Many Requests","status":429}`, class: sms.Transient, code: "20429", contains: "Too Many"},
		{name: "unknown 4xx code", status: 400, body: `{"code":21408,"message":"Permission to send an SMS has not been enabled for the region","status":400}`,
			class: sms.Permanent, code: "21408", contains: "Permission to send"},
		{name: "404 without body", status: 404, class: sms.Permanent, contains: "404 Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newStub(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			})
			res, err := p.Send(context.Background(), sms.OutboundMessage{From: ours, To: candidate, Body: "Hello"})
			if tt.class == 0 {
				if err != nil || res != tt.want {
					t.Fatalf("Send = %+v, %v; want %+v", res, err, tt.want)
				}
				return
			}
			e := smsError(t, err)
			if e.Class != tt.class || e.Code != tt.code || !strings.Contains(e.Message, tt.contains) || e.Uncertain != tt.uncertain {
				t.Errorf("error = {%v %q %q uncertain %v}, want {%v %q …%q… uncertain %v}", e.Class, e.Code, e.Message, e.Uncertain,
					tt.class, tt.code, tt.contains, tt.uncertain)
			}
		})
	}
}
