package twiliotest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hiretext/hiretext/internal/sms/twilio"
)

// DeliverInbound sends the inbound-message webhook for a text from a
// candidate to a number bought from the fake, signed as Twilio signs it,
// and returns the new MessageSid. It fails unless the webhook answers 2xx.
func (s *Server) DeliverInbound(ctx context.Context, from, to, body string) (string, error) {
	n, sid, ok := s.inboundTarget(from, to, body)
	if !ok {
		return "", fmt.Errorf("twiliotest: %s was not bought from the fake", to)
	}
	params := url.Values{
		"MessageSid": {sid}, "SmsSid": {sid}, "SmsMessageSid": {sid},
		"AccountSid": {AccountSID}, "ApiVersion": {"2010-04-01"}, "SmsStatus": {"received"},
		"From": {from}, "To": {to}, "Body": {body},
		"NumMedia": {"0"}, "NumSegments": {strconv.Itoa(segmentCount(body))},
		"FromCountry": {"US"}, "ToCountry": {"US"},
	}
	return sid, s.deliver(ctx, n.SmsURL, params)
}

// LoseInbound records a text from a phone to a number bought from the
// fake, as Twilio would, but its webhook is lost on the way: only the
// Message list shows it. It returns the MessageSid.
func (s *Server) LoseInbound(from, to, body string) (string, error) {
	_, sid, ok := s.inboundTarget(from, to, body)
	if !ok {
		return "", fmt.Errorf("twiliotest: %s was not bought from the fake", to)
	}
	return sid, nil
}

// inboundTarget finds an owned number, allocates a MessageSid and records
// the inbound text under it.
func (s *Server) inboundTarget(from, to, body string) (Number, string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.owned, func(n Number) bool { return n.Phone == to })
	if i < 0 {
		return Number{}, "", false
	}
	sid := s.nextSID("SM")
	s.messages = append(s.messages, Message{SID: sid, From: from, To: to, Body: body, Status: "received",
		Segments: segmentCount(body), Created: time.Now().UTC(), Inbound: true})
	return s.owned[i], sid, true
}

// LoseStatus records a new Twilio status for an accepted message whose
// callback is lost on the way: only the Message list shows it.
func (s *Server) LoseStatus(messageSID, status string) error {
	if _, ok := s.setStatus(messageSID, status); !ok {
		return fmt.Errorf("twiliotest: no message %s", messageSID)
	}
	return nil
}

// DeliverStatus records a new Twilio status ("sent", "delivered",
// "undelivered", …) for an accepted message and sends its signed status
// callback, with ErrorCode when errorCode is not "". It fails unless the
// webhook answers 2xx.
func (s *Server) DeliverStatus(ctx context.Context, messageSID, status, errorCode string) error {
	m, ok := s.setStatus(messageSID, status)
	if !ok {
		return fmt.Errorf("twiliotest: no message %s", messageSID)
	}
	if m.StatusCallback == "" {
		return fmt.Errorf("twiliotest: message %s has no StatusCallback", messageSID)
	}
	params := url.Values{
		"MessageSid": {m.SID}, "SmsSid": {m.SID}, "AccountSid": {AccountSID}, "ApiVersion": {"2010-04-01"},
		"MessageStatus": {status}, "SmsStatus": {status}, "From": {m.From}, "To": {m.To},
	}
	if m.MessagingServiceSID != "" {
		params.Set("MessagingServiceSid", m.MessagingServiceSID)
	}
	if errorCode != "" {
		params.Set("ErrorCode", errorCode)
	}
	return s.deliver(ctx, m.StatusCallback, params)
}

// setStatus updates a recorded message's status.
func (s *Server) setStatus(sid, status string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.messages, func(m Message) bool { return m.SID == sid })
	if i < 0 {
		return Message{}, false
	}
	s.messages[i].Status = status
	return s.messages[i], true
}

// deliver POSTs a form webhook signed with X-Twilio-Signature.
func (s *Server) deliver(ctx context.Context, target string, params url.Values) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(params.Encode()))
	if err != nil {
		return fmt.Errorf("twiliotest: webhook URL: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set(twilio.SignatureHeader, twilio.Sign(AuthToken, target, params))
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("twiliotest: webhook: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return errors.New("twiliotest: webhook answered " + resp.Status + ": " + string(body))
	}
	return nil
}
