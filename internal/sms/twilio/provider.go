package twilio

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/hiretext/hiretext/internal/sms"
)

// The paths, under Config.PublicBaseURL, where hiretext receives Twilio's
// webhooks. The server mounts its handlers here.
const (
	InboundPath = "/webhooks/twilio/inbound"
	StatusPath  = "/webhooks/twilio/status"
)

// apiVersion prefixes every REST path.
const apiVersion = "2010-04-01"

// Provider is the Twilio sms.Provider. It is safe for concurrent use.
type Provider struct {
	cfg Config
}

var _ sms.Provider = (*Provider)(nil)

// New checks cfg, fills its defaults and returns a Provider.
func New(cfg Config) (*Provider, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("twilio: %w", err)
	}
	return &Provider{cfg: cfg.withDefaults()}, nil
}

// Name returns "twilio".
func (p *Provider) Name() string { return "twilio" }

// SendRate returns 1: a Twilio long code sends one segment per second.
func (p *Provider) SendRate() float64 { return 1 }

// accountURL is the REST URL of a resource under our account; each part is
// one path segment.
func (p *Provider) accountURL(parts ...string) string {
	var b strings.Builder
	b.WriteString(p.cfg.APIBase + "/" + apiVersion + "/Accounts/" + url.PathEscape(p.cfg.AccountSID))
	for _, part := range parts {
		b.WriteString("/" + url.PathEscape(part))
	}
	return b.String()
}

// publicURL is the URL Twilio calls for the webhook at path.
func (p *Provider) publicURL(path string) string {
	return p.cfg.PublicBaseURL + path
}
