package simulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/sms/simulator/simstate"
)

// The simulator's webhooks are form-encoded POSTs. Every one carries
// EventType ("status" or "inbound"), MessageID, From, To and Timestamp
// (RFC 3339, UTC); status callbacks add MessageStatus (and ErrorCode,
// ErrorMessage when failed), inbound ones Body and Segments, and, with
// files attached, NumMedia, MediaUrlN and MediaContentTypeN as Twilio's
// do (see media.go). The raw body is
// signed, so the timestamp cannot be altered and a stale request is refused.

// Tolerance is how far a webhook's timestamp may be from the clock.
const Tolerance = 5 * time.Minute

// Sign returns the signature of a webhook body, for the SignatureHeader:
// hex HMAC-SHA256 keyed with the simulator's key. It is exported so tests
// of the receiving endpoints can send well-signed requests.
func (p *Provider) Sign(body []byte) string { return hex.EncodeToString(p.mac(body)) }

func (p *Provider) mac(body []byte) []byte {
	m := hmac.New(sha256.New, p.key)
	m.Write(body)
	return m.Sum(nil)
}

// VerifyWebhook checks the signature of the raw body (in constant time) and
// that its timestamp is within Tolerance. Failures wrap sms.ErrBadSignature.
func (p *Provider) VerifyWebhook(w sms.WebhookRequest) error {
	if w.Method != http.MethodPost {
		return badSignature("not a POST")
	}
	sig, err := hex.DecodeString(w.Header.Get(SignatureHeader))
	if err != nil || len(sig) == 0 {
		return badSignature("no valid " + SignatureHeader + " header")
	}
	if !hmac.Equal(sig, p.mac(w.Body)) {
		return badSignature("signature does not match")
	}
	params, err := url.ParseQuery(string(w.Body))
	if err != nil {
		return badSignature("malformed body")
	}
	at, err := time.Parse(time.RFC3339Nano, params.Get("Timestamp"))
	if err != nil {
		return badSignature("no valid Timestamp")
	}
	if d := p.now().Sub(at); d > Tolerance || d < -Tolerance {
		return badSignature("stale Timestamp " + params.Get("Timestamp"))
	}
	return nil
}

func badSignature(reason string) error {
	return fmt.Errorf("%w: %s", sms.ErrBadSignature, reason)
}

// statuses maps the simulator's status words to hiretext's.
var statuses = map[string]hiretext.MessageStatus{
	"queued":      hiretext.StatusQueued,
	"sent":        hiretext.StatusSent,
	"delivered":   hiretext.StatusDelivered,
	"undelivered": hiretext.StatusUndelivered,
	"failed":      hiretext.StatusFailed,
}

// ParseStatus reads a verified status callback.
func (p *Provider) ParseStatus(w sms.WebhookRequest) ([]sms.StatusUpdate, error) {
	params, at, err := webhookParams(w, simstate.KindStatus, "MessageID", "MessageStatus")
	if err != nil {
		return nil, err
	}
	u := sms.StatusUpdate{
		ProviderMessageID: params.Get("MessageID"),
		ProviderStatus:    params.Get("MessageStatus"),
		Status:            statuses[params.Get("MessageStatus")],
		ErrorCode:         params.Get("ErrorCode"),
		ErrorMessage:      params.Get("ErrorMessage"),
		At:                at,
	}
	if u.ErrorCode != "" {
		u.Class = sms.Permanent
	}
	return []sms.StatusUpdate{u}, nil
}

// ParseInbound reads a verified inbound-message webhook.
func (p *Provider) ParseInbound(w sms.WebhookRequest) ([]sms.InboundMessage, error) {
	params, at, err := webhookParams(w, simstate.KindInbound, "MessageID", "From", "To")
	if err != nil {
		return nil, err
	}
	segments, err := strconv.Atoi(params.Get("Segments"))
	if err != nil || segments < 1 {
		segments = 1
	}
	return []sms.InboundMessage{{
		ProviderMessageID: params.Get("MessageID"),
		From:              params.Get("From"),
		To:                params.Get("To"),
		Body:              params.Get("Body"),
		Segments:          segments,
		ReceivedAt:        at,
		Media:             sms.ParseMediaParams(params, "NumMedia", "MediaUrl", "MediaContentType"),
	}}, nil
}

// webhookParams parses a webhook of kind, requiring the named parameters.
func webhookParams(w sms.WebhookRequest, kind simstate.CallbackKind, required ...string) (url.Values, time.Time, error) {
	params, err := url.ParseQuery(string(w.Body))
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("simulator: malformed webhook body: %w", err)
	}
	if got := params.Get("EventType"); got != string(kind) {
		return nil, time.Time{}, fmt.Errorf("simulator: %q webhook sent to the %s endpoint", got, kind)
	}
	for _, name := range required {
		if params.Get(name) == "" {
			return nil, time.Time{}, fmt.Errorf("simulator: %s webhook lacks %s", kind, name)
		}
	}
	at, err := time.Parse(time.RFC3339Nano, params.Get("Timestamp"))
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("simulator: webhook timestamp: %w", err)
	}
	return params, at, nil
}

// webhookBody is the form a callback is POSTed with, stamped at.
func webhookBody(cb simstate.Callback, at time.Time) (path string, form url.Values) {
	form = url.Values{
		"EventType": {string(cb.Kind)},
		"MessageID": {cb.MessageID},
		"From":      {cb.From},
		"To":        {cb.To},
		"Timestamp": {at.UTC().Format(time.RFC3339Nano)},
	}
	if cb.Kind == simstate.KindInbound {
		form.Set("Body", cb.Body)
		form.Set("Segments", strconv.Itoa(max(hiretext.CountSegments(cb.Body).Segments, 1)))
		return InboundPath, form
	}
	form.Set("MessageStatus", cb.Status)
	return StatusPath, form
}
