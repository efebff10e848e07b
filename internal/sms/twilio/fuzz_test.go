package twilio_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/sms/twilio"
)

// refSign is the test's own signer, written from Twilio's description
// independently of twilio.Sign: URL, then for each name in bytewise order
// each of its values in bytewise order, name and value with no delimiter;
// HMAC-SHA1; standard base64.
func refSign(token, publicURL string, params url.Values) string {
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString(publicURL)
	for _, name := range names {
		values := append([]string(nil), params[name]...)
		sort.Strings(values)
		for _, v := range values {
			b.WriteString(name + v)
		}
	}
	mac := hmac.New(sha1.New, []byte(token))
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// fuzzBase is the webhook URL the fuzzed query is appended to.
const fuzzBase = "https://ats.example.com:8443/webhooks/twilio/inbound"

// FuzzVerifyWebhook feeds arbitrary queries, bodies and signatures. It
// never panics; a signature from refSign over the parsed body always
// verifies; the same request with one more parameter never does; and a body
// that does not parse as a form never verifies.
func FuzzVerifyWebhook(f *testing.F) {
	f.Add("foo=1&bar=2", []byte(vecBody), vecSig)
	f.Add("", []byte("To=whatsapp%3A%2B15005550006&ToCity=NASHUA"), "l1Gp0DZeE1R9I5K+xA3g5NZbA4E=")
	f.Add("a=1", []byte("Digits=5678&Digits=1234&Sid=CA123&SidAccount=AC123"), "")
	f.Add("bodySHA256=0a1f", []byte(`{"property": "value"}`), "a9nBmqA0ju/hNViExpshrM61xv4=")
	f.Add("x=%zz#frag", []byte("Body=%zz"), "AAAA")
	f.Add("", []byte("a=1;b=2&=&&k"), "=")
	f.Add("q=%E2%9C%93", []byte("Body=caf%C3%A9+%F0%9F%91%8D&Body=&Body=a+b"), "x")
	p := mustNew(f, twilio.Config{AccountSID: validSID, AuthToken: validToken, PublicBaseURL: publicBase})
	f.Fuzz(func(t *testing.T, rawQuery string, body []byte, sig string) {
		publicURL := fuzzBase
		if rawQuery != "" {
			publicURL += "?" + rawQuery
		}
		req := sms.WebhookRequest{Method: http.MethodPost, PublicURL: publicURL, Header: http.Header{}, Body: body}
		req.Header.Set(twilio.SignatureHeader, sig)
		_ = p.VerifyWebhook(req) // must not panic

		params, parseErr := url.ParseQuery(string(body))
		_, urlErr := url.Parse(publicURL)
		if urlErr != nil || strings.Contains(rawQuery, "bodySHA256") {
			return // our URL would be at fault, or it is the JSON variant
		}
		req.Header.Set(twilio.SignatureHeader, refSign(validToken, publicURL, params))
		err := p.VerifyWebhook(req)
		if parseErr != nil {
			if !errors.Is(err, sms.ErrBadSignature) {
				t.Fatalf("malformed body %q (%v) verified: %v", body, parseErr, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("refSign's signature rejected: %v (url %q, body %q)", err, publicURL, body)
		}
		if got := twilio.Sign(validToken, publicURL, params); got != req.Header.Get(twilio.SignatureHeader) {
			t.Fatalf("Sign = %s, refSign = %s", got, req.Header.Get(twilio.SignatureHeader))
		}
		req.Body = append(append([]byte(nil), body...), "&hiretextFuzz=1"...)
		if err := p.VerifyWebhook(req); !errors.Is(err, sms.ErrBadSignature) {
			t.Fatalf("body with an added parameter: %v, want sms.ErrBadSignature", err)
		}
	})
}

// FuzzParseForm feeds arbitrary bodies to the webhook parsers. They never
// panic, and what they return is what url.ParseQuery reads.
func FuzzParseForm(f *testing.F) {
	f.Add([]byte(inboundBody))
	f.Add([]byte("MessageSid=SM1&MessageStatus=undelivered&ErrorCode=30003&ErrorMessage=Unreachable"))
	f.Add([]byte("MessageSid=SM1&From=%2B1&To=%2B2&NumSegments=99999999999999999999"))
	f.Add([]byte("MessageSid=&From=&To="))
	f.Add([]byte("MessageSid=SM1&MessageSid=SM2&From=a&To=b&Body=%zz"))
	f.Add([]byte("a=1;b=2"))
	f.Add([]byte{0xff, '=', 0x00})
	p := mustNew(f, twilio.Config{AccountSID: validSID, AuthToken: validToken, PublicBaseURL: publicBase})
	f.Fuzz(func(t *testing.T, body []byte) {
		want, parseErr := url.ParseQuery(string(body))
		msgs, err := p.ParseInbound(post(string(body)))
		if parseErr != nil && err == nil {
			t.Fatalf("ParseInbound accepted malformed %q", body)
		}
		if err == nil {
			m := msgs[0]
			if len(msgs) != 1 || m.ProviderMessageID != want.Get("MessageSid") || m.From != want.Get("From") ||
				m.To != want.Get("To") || m.Body != want.Get("Body") || m.Segments < 1 || m.ProviderMessageID == "" {
				t.Fatalf("ParseInbound(%q) = %+v", body, msgs)
			}
		}
		updates, err := p.ParseStatus(post(string(body)))
		if parseErr != nil && err == nil {
			t.Fatalf("ParseStatus accepted malformed %q", body)
		}
		if err == nil {
			u := updates[0]
			if u.ProviderMessageID != want.Get("MessageSid") || (u.Status != "" && !u.Status.Valid()) ||
				(u.ErrorCode != "") != (u.Class != 0) {
				t.Fatalf("ParseStatus(%q) = %+v", body, updates)
			}
		}
	})
}
