package twilio

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hiretext/hiretext/internal/sms"
)

// emptyTwiML answers a webhook with nothing to do: no auto-reply, and the
// "empty TwiML" Twilio asks status callbacks to return.
const emptyTwiML = `<?xml version="1.0" encoding="UTF-8"?><Response/>`

// errJSONWebhook is returned when asked to parse a JSON-body webhook:
// Twilio's messaging webhooks are form-encoded.
var errJSONWebhook = errors.New("twilio: JSON-body webhooks carry no messages")

// VerifyWebhook checks X-Twilio-Signature with the configured auth token;
// see Verify.
func (p *Provider) VerifyWebhook(w sms.WebhookRequest) error {
	return Verify(p.cfg.AuthToken, w)
}

// webhookParams returns a verified webhook's parameters: the form body of a
// POST, the query of a GET.
func webhookParams(w sms.WebhookRequest) (url.Values, error) {
	if _, ok := bodyHash(w.PublicURL); ok {
		return nil, errJSONWebhook
	}
	if w.Method == http.MethodGet {
		u, err := url.Parse(w.PublicURL)
		if err != nil {
			return nil, fmt.Errorf("twilio: webhook URL: %w", err)
		}
		return url.ParseQuery(u.RawQuery)
	}
	return url.ParseQuery(string(w.Body))
}

// requireParams fails naming every listed parameter that is missing or empty.
func requireParams(kind string, params url.Values, names ...string) error {
	var missing []string
	for _, n := range names {
		if params.Get(n) == "" {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("twilio: %s webhook lacks %s", kind, strings.Join(missing, ", "))
	}
	return nil
}

// ParseInbound reads an inbound-message webhook: MessageSid, From and To are
// required; NumSegments defaults to 1. ReceivedAt is the time of parsing, as
// Twilio sends no timestamp.
func (p *Provider) ParseInbound(w sms.WebhookRequest) ([]sms.InboundMessage, error) {
	params, err := webhookParams(w)
	if err != nil {
		return nil, err
	}
	if err := requireParams("inbound", params, "MessageSid", "From", "To"); err != nil {
		return nil, err
	}
	return []sms.InboundMessage{{
		ProviderMessageID: params.Get("MessageSid"),
		From:              params.Get("From"),
		To:                params.Get("To"),
		Body:              params.Get("Body"),
		Segments:          segments(params.Get("NumSegments")),
		ReceivedAt:        time.Now(),
		Media:             sms.ParseMediaParams(params, "NumMedia", "MediaUrl", "MediaContentType"),
	}}, nil
}

// segments reads NumSegments; Twilio reassembles long texts, so a message
// is at least one segment.
func segments(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// ParseStatus reads a status callback. MessageSid is required. A status we
// do not know leaves Status "" (ProviderStatus keeps Twilio's word) so the
// caller can log it and still acknowledge. ErrorCode, when present, is
// classified with Classify. At is the time of parsing.
func (p *Provider) ParseStatus(w sms.WebhookRequest) ([]sms.StatusUpdate, error) {
	params, err := webhookParams(w)
	if err != nil {
		return nil, err
	}
	if err := requireParams("status", params, "MessageSid"); err != nil {
		return nil, err
	}
	u := sms.StatusUpdate{
		ProviderMessageID: params.Get("MessageSid"),
		ProviderStatus:    params.Get("MessageStatus"),
		Status:            normalizeStatus(params.Get("MessageStatus")),
		ErrorCode:         params.Get("ErrorCode"),
		ErrorMessage:      params.Get("ErrorMessage"),
		At:                time.Now(),
	}
	if u.ErrorCode != "" {
		u.Class = Classify(u.ErrorCode, 0)
	}
	return []sms.StatusUpdate{u}, nil
}

// Ack returns 200 with empty TwiML for both kinds of webhook.
func (p *Provider) Ack(sms.WebhookKind) sms.Response {
	return sms.Response{Status: http.StatusOK, ContentType: "text/xml", Body: []byte(emptyTwiML)}
}
