package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"

	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/sms/twilio"
)

// readTwilioConfig reads and checks the TWILIO_* settings, so a missing or
// malformed one stops serve before anything starts. The public base URL is
// checked as configured, or as its default http://ADDR; startTwilio replaces
// it with the URL actually bound.
func readTwilioConfig(getenv func(string) string, baseURL, addr string) (twilio.Config, error) {
	if baseURL == "" {
		baseURL = "http://" + addr
	}
	cfg, err := twilio.ConfigFromEnv(getenv, baseURL)
	if err != nil {
		// errors.Join puts one problem a line; keep the message on one line.
		return twilio.Config{}, fmt.Errorf("--sms-provider twilio: %s", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	return cfg, nil
}

// startTwilio builds the Twilio provider with webhooks under base. Twilio has
// no background work, so the stop function does nothing.
func startTwilio(cfg twilio.Config, base *url.URL, log *slog.Logger) (sms.Provider, func(), error) {
	cfg.PublicBaseURL = base.String()
	p, err := twilio.New(cfg)
	if err != nil {
		return nil, nil, err
	}
	if reason := notPublic(base); reason != "" {
		log.Warn("Twilio sends webhooks to the base URL and signs them over it; set --base-url to hiretext's public https URL",
			"provider", p.Name(), "base_url", base.String(), "reason", reason)
	}
	log.Info("sms provider ready", "provider", p.Name(), "account_sid", cfg.AccountSID,
		"messaging_service_sid", cfg.MessagingServiceSID, "inbound_webhook", cfg.PublicBaseURL+twilio.InboundPath)
	return p, func() {}, nil
}

// notPublic says why Twilio could not call base as configured, or "" when
// it looks like a public https URL.
func notPublic(base *url.URL) string {
	host := strings.ToLower(base.Hostname())
	ip := net.ParseIP(host)
	switch {
	case host == "localhost" || strings.HasSuffix(host, ".localhost"):
		return "localhost is not reachable from Twilio"
	case ip != nil && (ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() || ip.IsLinkLocalUnicast()):
		return "a loopback or private address is not reachable from Twilio"
	case base.Scheme != "https":
		return "not https: webhooks would travel unencrypted"
	}
	return ""
}
