package twilio_test

import (
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/sms/twilio"
)

// The vector of Twilio's SDK tests (token 12345).
const (
	vecToken = "12345"
	vecURL   = "https://mycompany.com/myapp.php?foo=1&bar=2"
	vecBody  = "CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234&From=%2B14158675309&To=%2B18005551212"
	vecSig   = "RSOYDt4T1cUTdK1PDd93/VVr8B8="
)

func TestSign(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		url    string
		params url.Values
		want   string
	}{
		{"published vector", vecURL, mustQuery(t, vecBody), vecSig},
		{"repeated names, values sorted", vecURL, url.Values{
			"Sid": {"CA123"}, "SidAccount": {"AC123"}, "Digits": {"5678", "1234"},
		}, "IK+Dwps556ElfBT0I3Rgjkr1wJU="},
		// Sorting by name puts To before ToCity; sorting the name+value
		// concatenations would put "ToCityNASHUA" first (gieXAu9…).
		{"names sorted before values", "https://example.com/sms", url.Values{
			"To": {"whatsapp:+15005550006"}, "ToCity": {"NASHUA"},
		}, "l1Gp0DZeE1R9I5K+xA3g5NZbA4E="},
		{"no params", "https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620",
			nil, "a9nBmqA0ju/hNViExpshrM61xv4="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := twilio.Sign(vecToken, tt.url, tt.params); got != tt.want {
				t.Errorf("Sign = %s, want %s", got, tt.want)
			}
		})
	}
}

func mustQuery(t *testing.T, s string) url.Values {
	t.Helper()
	v, err := url.ParseQuery(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// signed returns a webhook request.
func signed(method, publicURL, body, sig string) sms.WebhookRequest {
	h := http.Header{}
	if sig != "" {
		h.Set("X-Twilio-Signature", sig)
	}
	return sms.WebhookRequest{Method: method, PublicURL: publicURL, Header: h, Body: []byte(body)}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	const (
		jsonURL  = vecURL + "&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
		jsonBody = `{"property": "value", "boolean": true}`
		jsonSig  = "a9nBmqA0ju/hNViExpshrM61xv4="
		dupBody  = "Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234"
		dupSig   = "IK+Dwps556ElfBT0I3Rgjkr1wJU="
		waBody   = "To=whatsapp%3A%2B15005550006&ToCity=NASHUA"
	)
	emptyHashURL := vecURL + "&bodySHA256="
	tests := []struct {
		name    string
		req     sms.WebhookRequest
		wantErr error // nil: accepted
	}{
		{"published vector", signed("POST", vecURL, vecBody, vecSig), nil},
		{"params in another order", signed("POST", vecURL, "To=%2B18005551212&Digits=1234&CallSid=CA1234567890ABCDE&From=%2B14158675309&Caller=%2B14158675309", vecSig), nil},
		{"space encoded as %20", signed("POST", "https://example.com/sms", "Body=a%20b", twilio.Sign(vecToken, "https://example.com/sms", url.Values{"Body": {"a b"}})), nil},
		{"https, signed with :443", signed("POST", vecURL, vecBody, "kvajT1Ptam85bY51eRf/AJRuM3w="), nil},
		{"http, signed with :80", signed("POST", "http://mycompany.com/myapp.php?foo=1&bar=2", vecBody, "0ZXoZLH/DfblKGATFgpif+LLRf4="), nil},
		{"https :1234, signed without port", signed("POST", "https://mycompany.com:1234/myapp.php?foo=1&bar=2", vecBody, vecSig), nil},
		{"http :1234, signed with it", signed("POST", "http://mycompany.com:1234/myapp.php?foo=1&bar=2", vecBody, "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="), nil},
		{"https :443, signed without port", signed("POST", "https://mycompany.com:443/myapp.php?foo=1&bar=2", vecBody, vecSig), nil},
		{"https :1234, signed with :443", signed("POST", "https://mycompany.com:1234/myapp.php?foo=1&bar=2", vecBody, "kvajT1Ptam85bY51eRf/AJRuM3w="), sms.ErrBadSignature},
		{"http, signed as https", signed("POST", "http://mycompany.com/myapp.php?foo=1&bar=2", vecBody, vecSig), sms.ErrBadSignature},
		{"query reordered", signed("POST", "https://mycompany.com/myapp.php?bar=2&foo=1", vecBody, vecSig), sms.ErrBadSignature},
		{"query dropped", signed("POST", "https://mycompany.com/myapp.php", vecBody, vecSig), sms.ErrBadSignature},
		{"path changed", signed("POST", "https://mycompany.com/other.php?foo=1&bar=2", vecBody, vecSig), sms.ErrBadSignature},
		{"repeated params", signed("POST", vecURL, dupBody, dupSig), nil},
		{"repeated params, one dropped", signed("POST", vecURL, "Sid=CA123&SidAccount=AC123&Digits=5678", dupSig), sms.ErrBadSignature},
		{"To before ToCity", signed("POST", "https://example.com/sms", waBody, "l1Gp0DZeE1R9I5K+xA3g5NZbA4E="), nil},
		{"concatenations sorted (twilio-go)", signed("POST", "https://example.com/sms", waBody, "gieXAu9hQ3TsYHuk9QqlGCZFMzs="), sms.ErrBadSignature},
		{"body changed after signing", signed("POST", vecURL, "CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1235&From=%2B14158675309&To=%2B18005551212", vecSig), sms.ErrBadSignature},
		{"param added", signed("POST", vecURL, vecBody+"&Body=hi", vecSig), sms.ErrBadSignature},
		{"param removed", signed("POST", vecURL, "CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234&From=%2B14158675309", vecSig), sms.ErrBadSignature},
		{"missing header", signed("POST", vecURL, vecBody, ""), sms.ErrBadSignature},
		{"garbage header", signed("POST", vecURL, vecBody, "not a signature"), sms.ErrBadSignature},
		{"signature with a trailing space", signed("POST", vecURL, vecBody, vecSig+" "), sms.ErrBadSignature},
		{"malformed escape", signed("POST", vecURL, "Body=%zz", vecSig), sms.ErrBadSignature},
		{"semicolon separator", signed("POST", vecURL, "a=1;b=2", vecSig), sms.ErrBadSignature},
		{"GET signs the URL alone", signed("GET", vecURL, "", twilio.Sign(vecToken, vecURL, nil)), nil},
		{"GET ignores a body", signed("GET", vecURL, vecBody, vecSig), sms.ErrBadSignature},
		{"JSON body", signed("POST", jsonURL, jsonBody, jsonSig), nil},
		{"JSON body changed", signed("POST", jsonURL, `{"property": "value", "boolean": false}`, jsonSig), sms.ErrBadSignature},
		{"JSON body, empty hash", signed("POST", emptyHashURL, "", twilio.Sign(vecToken, emptyHashURL, nil)), sms.ErrBadSignature},
		{"relative URL", signed("POST", "/myapp.php", vecBody, vecSig), errNotBadSignature},
		{"ftp URL", signed("POST", "ftp://mycompany.com/x", vecBody, vecSig), errNotBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := twilio.Verify(vecToken, tt.req)
			switch {
			case tt.wantErr == nil && err != nil:
				t.Errorf("Verify = %v, want nil", err)
			case tt.wantErr == errNotBadSignature && (err == nil || errors.Is(err, sms.ErrBadSignature)):
				t.Errorf("Verify = %v, want a configuration error", err)
			case tt.wantErr == sms.ErrBadSignature && !errors.Is(err, sms.ErrBadSignature):
				t.Errorf("Verify = %v, want sms.ErrBadSignature", err)
			}
		})
	}
}

// errNotBadSignature marks cases that must fail with some error other than
// sms.ErrBadSignature: the URL is ours, not the caller's, to get wrong.
var errNotBadSignature = errors.New("not ErrBadSignature")

func TestVerifyWrongToken(t *testing.T) {
	t.Parallel()
	if err := twilio.Verify("54321", signed("POST", vecURL, vecBody, vecSig)); !errors.Is(err, sms.ErrBadSignature) {
		t.Errorf("Verify with another token = %v, want sms.ErrBadSignature", err)
	}
}

func TestVerifyWebhookUsesConfiguredToken(t *testing.T) {
	t.Parallel()
	p := mustNew(t, twilio.Config{AccountSID: validSID, AuthToken: validToken, PublicBaseURL: publicBase})
	u := publicBase + twilio.StatusPath
	params := url.Values{"MessageSid": {"SM1"}, "MessageStatus": {"delivered"}}
	if err := p.VerifyWebhook(signed("POST", u, params.Encode(), twilio.Sign(validToken, u, params))); err != nil {
		t.Errorf("VerifyWebhook = %v, want nil", err)
	}
	if err := p.VerifyWebhook(signed("POST", u, params.Encode(), twilio.Sign(vecToken, u, params))); !errors.Is(err, sms.ErrBadSignature) {
		t.Errorf("VerifyWebhook with another token's signature = %v, want sms.ErrBadSignature", err)
	}
}
