package server

import (
	"io"
	"net/http"
	"strings"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/sms"
)

// maxWebhookBody caps a provider's webhook body; real ones are a few KiB.
const maxWebhookBody = 64 << 10

// handleWebhook serves a provider's inbound-message or status-callback
// webhook. It verifies the signature over the raw body and the public URL
// before anything else, then stores what the provider said and answers what
// the provider expects. A storage failure answers 500 so a provider that
// retries will retry; nothing a candidate sends is dropped silently.
func (s *Server) handleWebhook(kind sms.WebhookKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		req, err := s.verifiedWebhook(r)
		if err != nil {
			return err
		}
		if kind == sms.WebhookInbound {
			err = s.receiveInbound(r, req)
		} else {
			err = s.receiveStatus(r, req)
		}
		if err != nil {
			return err
		}
		ack := s.provider.Ack(kind)
		w.Header().Set("Content-Type", ack.ContentType)
		w.WriteHeader(ack.Status)
		_, err = w.Write(ack.Body)
		return err
	}
}

// verifiedWebhook reads a webhook addressed to the configured provider and
// verifies its signature over the raw body and the public URL, before
// anything else is done with it.
func (s *Server) verifiedWebhook(r *http.Request) (sms.WebhookRequest, error) {
	if s.provider == nil || r.PathValue("provider") != s.provider.Name() {
		return sms.WebhookRequest{}, hiretext.Errorf(hiretext.ENotFound, "No such webhook.")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxWebhookBody+1))
	if err != nil || len(body) > maxWebhookBody {
		return sms.WebhookRequest{}, hiretext.Errorf(hiretext.EPayloadTooLarge, "The webhook body is too large.")
	}
	req := sms.WebhookRequest{Method: r.Method, PublicURL: s.publicURL(r.URL.RequestURI()), Header: r.Header, Body: body}
	if err := s.provider.VerifyWebhook(req); err != nil {
		// The URL checked and the reason tell an operator whether the base
		// URL is wrong (every webhook refused) or a request was forged.
		s.log.Warn("webhook signature rejected", "provider", s.provider.Name(), "public_url", req.PublicURL, "err", err,
			"request_id", requestIDFrom(r.Context()))
		return sms.WebhookRequest{}, hiretext.Errorf(hiretext.EForbidden, "The webhook signature is not valid.")
	}
	return req, nil
}

// handleWebhookCheck is POST /webhooks/{provider}/check, what hiretext
// doctor posts to prove that a webhook signed the way the provider signs
// reaches this server through the base URL (and any proxy) intact and is
// accepted: the same reading and signature check as the real webhooks, then
// 200 naming the provider and the base URL the server checks signatures
// against, with nothing parsed or stored. A provider never calls it.
func (s *Server) handleWebhookCheck(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.verifiedWebhook(r); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "accepted", "provider": s.provider.Name(), "version": s.cfg.Version,
		"base_url": strings.TrimSuffix(s.cfg.BaseURL.String(), "/")})
	return nil
}

// receiveInbound stores every message of an inbound webhook.
func (s *Server) receiveInbound(r *http.Request, req sms.WebhookRequest) error {
	msgs, err := s.provider.ParseInbound(req)
	if err != nil {
		return hiretext.Errorf(hiretext.EBadRequest, "The webhook could not be read: %v", err)
	}
	for _, m := range msgs {
		m = sanitizeInbound(m)
		res, err := s.store.ReceiveText(r.Context(), hiretext.IncomingText{Provider: s.provider.Name(),
			ProviderMessageID: m.ProviderMessageID, From: m.From, To: m.To, Body: m.Body, ReceivedAt: m.ReceivedAt,
			Media: sms.IncomingMedia(m.Media)})
		if err != nil {
			return err
		}
		s.logInbound(r, m, res)
	}
	return nil
}

func (s *Server) logInbound(r *http.Request, m sms.InboundMessage, res *hiretext.InboundResult) {
	switch {
	case res.Duplicate:
		s.log.Info("duplicate inbound ignored", "provider_message_id", m.ProviderMessageID)
	case res.Unrouted:
		s.log.Warn("inbound to a number no company owns; kept as unrouted", "to", m.To, "provider_message_id", m.ProviderMessageID)
	default:
		s.log.Info("inbound stored", "org_id", int64(res.Message.OrgID), "message_id", int64(res.Message.ID),
			"keyword", string(res.Message.Keyword), "request_id", requestIDFrom(r.Context()))
	}
}

// receiveStatus applies every status update of a status callback. Unknown
// statuses are logged and acknowledged.
func (s *Server) receiveStatus(r *http.Request, req sms.WebhookRequest) error {
	updates, err := s.provider.ParseStatus(req)
	if err != nil {
		return hiretext.Errorf(hiretext.EBadRequest, "The webhook could not be read: %v", err)
	}
	for _, u := range updates {
		u = sanitizeStatus(u)
		if !u.Status.Valid() {
			s.log.Warn("unknown message status acknowledged", "provider_status", u.ProviderStatus, "provider_message_id", u.ProviderMessageID)
			continue
		}
		res, err := s.store.ApplyDeliveryReport(r.Context(), hiretext.DeliveryReport{Provider: s.provider.Name(),
			ProviderMessageID: u.ProviderMessageID, Status: u.Status, ErrorCode: u.ErrorCode, ErrorMessage: u.ErrorMessage,
			InvalidRecipient: u.Class == sms.InvalidRecipient, OptedOut: u.Class == sms.OptedOut})
		if err != nil {
			return err
		}
		if res.Changed || res.Pending {
			s.cfg.Metrics.CountCarrierError(u.ErrorCode) // once per message: a repeated callback changes nothing
		}
	}
	return nil
}

// A provider's strings are stored however they came: a text a candidate
// sent is never refused, so bytes that are not UTF-8 and control
// characters are replaced (hiretext.SanitizeText) rather than answered with
// an error the provider would retry for ever.

func sanitizeInbound(m sms.InboundMessage) sms.InboundMessage {
	m.ProviderMessageID = hiretext.SanitizeText(m.ProviderMessageID, hiretext.SingleLine)
	m.From = hiretext.SanitizeText(m.From, hiretext.SingleLine)
	m.To = hiretext.SanitizeText(m.To, hiretext.SingleLine)
	m.Body = hiretext.SanitizeText(m.Body, hiretext.MultiLine)
	return m
}

func sanitizeStatus(u sms.StatusUpdate) sms.StatusUpdate {
	u.ProviderMessageID = hiretext.SanitizeText(u.ProviderMessageID, hiretext.SingleLine)
	u.ProviderStatus = hiretext.SanitizeText(u.ProviderStatus, hiretext.SingleLine)
	u.ErrorCode = hiretext.SanitizeText(u.ErrorCode, hiretext.SingleLine)
	u.ErrorMessage = hiretext.SanitizeText(u.ErrorMessage, hiretext.MultiLine)
	return u
}

// publicURL returns the absolute public URL of a request URI, built from the
// configured base URL: behind a proxy the request's own host and scheme are
// not what the provider signed.
func (s *Server) publicURL(requestURI string) string {
	return strings.TrimSuffix(s.cfg.BaseURL.String(), "/") + requestURI
}
