package twilio

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/sms"
)

// messageResource is the part of Twilio's Message resource we read. Twilio
// sends num_segments as a string ("1") and error_code as an int or null;
// json.Number takes both spellings of a number, and "" for null. The dates
// (RFC 2822, e.g. "Tue, 26 Jul 2016 12:50:07 +0000") are not read: nothing
// in sms.SendResult holds them.
type messageResource struct {
	SID          string      `json:"sid"`
	Status       string      `json:"status"`
	NumSegments  json.Number `json:"num_segments"`
	ErrorCode    json.Number `json:"error_code"`
	ErrorMessage string      `json:"error_message"`
}

// Send creates a Message. With a MessagingServiceSID configured, that is sent
// instead of m.From. Twilio's Messages API has no idempotency key, so
// m.Reference is not sent; a send whose answer is lost fails Uncertain, and
// the caller finds it with Lookup instead of sending it again.
func (p *Provider) Send(ctx context.Context, m sms.OutboundMessage) (sms.SendResult, error) {
	body, err := p.call(ctx, http.MethodPost, p.accountURL("Messages.json"), p.sendForm(m))
	if err != nil {
		return sms.SendResult{}, err
	}
	return decodeSendResult(body)
}

// sendForm is the Create Message request.
func (p *Provider) sendForm(m sms.OutboundMessage) url.Values {
	form := url.Values{
		"To":             {m.To},
		"Body":           {m.Body},
		"StatusCallback": {p.publicURL(StatusPath)},
	}
	if p.cfg.MessagingServiceSID != "" {
		form.Set("MessagingServiceSid", p.cfg.MessagingServiceSID)
	} else {
		form.Set("From", m.From)
	}
	return form
}

// decodeSendResult reads a 2xx Create Message answer. A message Twilio
// created already failed comes back as a classified error.
func decodeSendResult(body []byte) (sms.SendResult, error) {
	var msg messageResource
	if err := json.Unmarshal(body, &msg); err != nil || msg.SID == "" {
		// Twilio took the message; Lookup will find out which it is.
		e := garbledSuccess("message", err)
		e.Class, e.Uncertain = sms.Transient, true
		return sms.SendResult{}, e
	}
	status := normalizeStatus(msg.Status)
	if status == hiretext.StatusFailed || status == hiretext.StatusUndelivered {
		return sms.SendResult{}, msg.failure()
	}
	if status == "" {
		status = hiretext.StatusQueued // accepted; callbacks will tell the rest
	}
	segments, _ := strconv.Atoi(msg.NumSegments.String()) // "0" or absent: not known yet
	return sms.SendResult{ProviderMessageID: msg.SID, Status: status, Segments: segments}, nil
}

// failure is the classified error of a message Twilio reports as failed.
func (msg messageResource) failure() *sms.Error {
	text := msg.ErrorMessage
	if text == "" {
		text = "Twilio reported message " + msg.SID + " as " + msg.Status
	}
	code := msg.ErrorCode.String()
	return &sms.Error{Class: Classify(code, 0), Code: code, Message: text}
}
