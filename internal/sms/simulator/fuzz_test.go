package simulator_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/sms/simulator"
	"github.com/hiretext/hiretext/internal/storetest"
)

// fuzzNow is the fuzzing provider's clock; seeds are stamped with it.
var fuzzNow = time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)

func fuzzProvider(f *testing.F) *simulator.Provider {
	f.Helper()
	p, err := simulator.New(context.Background(), simulator.Config{Store: storetest.NewSQLite(f, storetest.Config{}).Simulator(),
		Clock: func() time.Time { return fuzzNow }})
	if err != nil {
		f.Fatal(err)
	}
	return p
}

func addWebhookSeeds(f *testing.F, sig func([]byte) string) {
	stamp := url.QueryEscape(fuzzNow.Format(time.RFC3339Nano))
	for _, body := range []string{
		"EventType=inbound&MessageID=SM1&From=%2B13125550123&To=%2B13125550142&Body=STOP&Segments=1&Timestamp=" + stamp,
		"EventType=status&MessageID=SM1&From=%2B13125550142&To=%2B13125550123&MessageStatus=delivered&Timestamp=" + stamp,
		"EventType=status&MessageID=SM1&MessageStatus=failed&ErrorCode=30003&ErrorMessage=Unreachable&Timestamp=" + stamp,
		"EventType=inbound&MessageID=SM1&From=a&To=b&Segments=-7&Timestamp=2026-03-02T15:09:06Z",
		"EventType=inbound&MessageID=&From=&To=&Timestamp=" + stamp,
		"EventType=status&EventType=inbound&MessageID=SM1&MessageStatus=sent&Timestamp=" + stamp,
		"Body=%zz&Timestamp=" + stamp, "a=1;b=2", "", "\xff=\x00",
	} {
		f.Add([]byte(body), sig([]byte(body)))
		f.Add([]byte(body), "zz")
	}
}

// FuzzVerifyWebhook feeds arbitrary bodies and signature headers. Nothing
// panics; only the provider's own signature over the exact body verifies,
// and then only for a form whose timestamp is within the tolerance; any
// byte appended afterwards breaks it; and a GET never verifies.
func FuzzVerifyWebhook(f *testing.F) {
	p := fuzzProvider(f)
	addWebhookSeeds(f, p.Sign)
	f.Fuzz(func(t *testing.T, body []byte, sig string) {
		req := webhookRequest(http.MethodPost, sig, body)
		err := p.VerifyWebhook(req)
		if err != nil && !errors.Is(err, sms.ErrBadSignature) {
			t.Fatalf("VerifyWebhook error %v does not wrap sms.ErrBadSignature", err)
		}
		if got, _ := hex.DecodeString(sig); err == nil && !bytes.Equal(got, mustHex(t, p.Sign(body))) {
			t.Fatalf("signature %q verified for %q, but the provider signs it %s", sig, body, p.Sign(body))
		}
		good := p.VerifyWebhook(webhookRequest(http.MethodPost, p.Sign(body), body))
		if wantOK := fresh(body); (good == nil) != wantOK {
			t.Fatalf("own signature over %q: %v; fresh form: %v", body, good, wantOK)
		}
		longer := append(bytes.Clone(body), '&')
		if p.VerifyWebhook(webhookRequest(http.MethodPost, p.Sign(body), longer)) == nil {
			t.Fatalf("a body with a byte appended verified: %q", longer)
		}
		if p.VerifyWebhook(webhookRequest(http.MethodGet, p.Sign(body), body)) == nil {
			t.Fatalf("a GET verified: %q", body)
		}
	})
}

// fresh reports whether body is a form with a Timestamp within the
// tolerance of fuzzNow.
func fresh(body []byte) bool {
	params, err := url.ParseQuery(string(body))
	if err != nil {
		return false
	}
	at, err := time.Parse(time.RFC3339Nano, params.Get("Timestamp"))
	d := fuzzNow.Sub(at)
	return err == nil && d <= simulator.Tolerance && d >= -simulator.Tolerance
}

// FuzzParseWebhook feeds arbitrary bodies to ParseInbound and ParseStatus.
// They never panic; they accept only forms of their own EventType with the
// required fields and a timestamp, and return what url.ParseQuery reads.
func FuzzParseWebhook(f *testing.F) {
	p := fuzzProvider(f)
	addWebhookSeeds(f, p.Sign)
	f.Fuzz(func(t *testing.T, body []byte, sig string) {
		req := webhookRequest(http.MethodPost, sig, body)
		params, parseErr := url.ParseQuery(string(body))
		_, stampErr := time.Parse(time.RFC3339Nano, params.Get("Timestamp"))
		readable := parseErr == nil && stampErr == nil
		if msgs, err := p.ParseInbound(req); err == nil {
			m := msgs[0]
			if !readable || len(msgs) != 1 || params.Get("EventType") != "inbound" || m.ProviderMessageID == "" ||
				m.From == "" || m.To == "" || m.Segments < 1 || m.ProviderMessageID != params.Get("MessageID") ||
				m.From != params.Get("From") || m.To != params.Get("To") || m.Body != params.Get("Body") {
				t.Fatalf("ParseInbound(%q) = %+v", body, msgs)
			}
		}
		if us, err := p.ParseStatus(req); err == nil {
			u := us[0]
			if !readable || len(us) != 1 || params.Get("EventType") != "status" || u.ProviderMessageID == "" ||
				u.ProviderStatus == "" || u.ProviderMessageID != params.Get("MessageID") ||
				(u.Status != "" && !u.Status.Valid()) || (u.ErrorCode != "") != (u.Class == sms.Permanent) {
				t.Fatalf("ParseStatus(%q) = %+v", body, us)
			}
			if u.Status == hiretext.StatusReceived {
				t.Fatalf("ParseStatus(%q): a status callback cannot report a received text", body)
			}
		}
	})
}

func webhookRequest(method, sig string, body []byte) sms.WebhookRequest {
	return sms.WebhookRequest{Method: method, PublicURL: "https://ats.example.com" + simulator.InboundPath,
		Header: http.Header{simulator.SignatureHeader: {sig}}, Body: body}
}

func mustHex(t *testing.T, s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
