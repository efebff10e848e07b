// Package simulator is the built-in SMS provider, the default, so hiretext
// works on one machine with no account anywhere. It provisions numbers
// (valid North American numbers, honouring the area code), accepts sends,
// delivers them to simulated handsets, and reports statuses back the way a
// carrier does: signed webhooks POSTed to hiretext's own public URL
// (queued → sent → delivered), retried until answered. Phones flagged
// invalid or landline fail like they would at a carrier. Its state lives in
// the database (see Store), so it survives restarts and several instances
// share it.
package simulator

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/sms"
)

// The paths, under Config.BaseURL, where hiretext receives the simulator's
// webhooks.
const (
	StatusPath  = "/webhooks/simulator/status"
	InboundPath = "/webhooks/simulator/inbound"
)

// SignatureHeader carries the hex HMAC-SHA256 of a webhook's raw body, keyed
// with the database's "simulator" app secret.
const SignatureHeader = "X-Simulator-Signature"

// secretName names the signing key in the store's app secrets.
const secretName = "simulator"

// Config configures a Provider.
type Config struct {
	Store Store
	// BaseURL is hiretext's public URL ("https://ats.example.com"); webhooks
	// go to BaseURL+StatusPath and BaseURL+InboundPath. Run and
	// SimulateInbound need it; provisioning and sending do not.
	BaseURL string
	Client  *http.Client // default: 10-second timeout
	Clock   hiretext.Clock
	Logger  *slog.Logger
	// StepDelay is how long the simulated carrier takes from queued to sent
	// and from sent to delivered; 0 reports at once.
	StepDelay time.Duration
	// PollInterval is how often Run looks for webhooks due again (retries,
	// or queued by another instance); default one second.
	PollInterval time.Duration
	// Faults, when set, make it lose send answers and drop webhooks.
	Faults Faults
}

// Provider is the simulator sms.Provider. It is safe for concurrent use.
type Provider struct {
	cfg  Config
	key  []byte
	wake chan struct{}
}

var _ sms.Provider = (*Provider)(nil)

// New loads the signing key (creating it on first use) and returns a Provider.
func New(ctx context.Context, cfg Config) (*Provider, error) {
	if cfg.Store == nil {
		return nil, fmt.Errorf("simulator: a Store is required")
	}
	key, err := cfg.Store.AppSecret(ctx, secretName)
	if err != nil {
		return nil, fmt.Errorf("simulator: signing key: %w", err)
	}
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.Logger = cfg.Logger.With("provider", "simulator")
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	return &Provider{cfg: cfg, key: key, wake: make(chan struct{}, 1)}, nil
}

// Name returns "simulator".
func (p *Provider) Name() string { return "simulator" }

// SendRate returns 10 messages a second: faster than a real long code, so a
// demo's bulk send finishes quickly, yet visibly paced.
func (p *Provider) SendRate() float64 { return 10 }

// Ack answers a handled webhook with an empty 200.
func (p *Provider) Ack(sms.WebhookKind) sms.Response {
	return sms.Response{Status: http.StatusOK, ContentType: "text/plain; charset=utf-8"}
}

// now returns the clock's time in UTC.
func (p *Provider) now() time.Time { return p.cfg.Clock.Now().UTC() }

// newID returns prefix followed by 32 random hex digits, the shape of a
// Twilio sid.
func newID(prefix string) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// transient wraps a failure of the simulator's own storage.
func transient(err error) error {
	return &sms.Error{Class: sms.Transient, Message: "the simulator could not reach its database", Err: err}
}
