package twilio

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults applied by New to a zero Config field.
const (
	// DefaultAPIBase is Twilio's REST API origin.
	DefaultAPIBase = "https://api.twilio.com"
	// DefaultTimeout bounds each REST request, connection and body included.
	DefaultTimeout = 10 * time.Second
)

// The environment variables ConfigFromEnv reads.
const (
	envAccountSID          = "TWILIO_ACCOUNT_SID"
	envAuthToken           = "TWILIO_AUTH_TOKEN"
	envMessagingServiceSID = "TWILIO_MESSAGING_SERVICE_SID"
	envAPIBase             = "TWILIO_API_BASE"
)

// Config configures a Provider.
type Config struct {
	// AccountSID is the Twilio account: "AC" followed by 32 hex digits.
	AccountSID string
	// AuthToken is the account's auth token (32 hex digits). It authenticates
	// REST calls and is the key of every webhook signature.
	AuthToken string
	// MessagingServiceSID ("MG" + 32 hex digits), when set, is sent instead of
	// From, so Twilio picks the sender from the service's pool.
	MessagingServiceSID string
	// APIBase is the REST API origin; DefaultAPIBase when empty. Tests point
	// it at a fake.
	APIBase string
	// PublicBaseURL is hiretext's public origin, e.g. https://ats.example.com;
	// webhook URLs given to Twilio are built from it.
	PublicBaseURL string
	// HTTPClient makes the REST calls; a fresh client when nil.
	HTTPClient *http.Client
	// Timeout bounds each REST request; DefaultTimeout when zero.
	Timeout time.Duration
}

// ConfigFromEnv builds a Config from TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN,
// the optional TWILIO_MESSAGING_SERVICE_SID and TWILIO_API_BASE, and
// publicBaseURL. Every setting is checked; the error names each bad one and
// never repeats a secret.
func ConfigFromEnv(getenv func(string) string, publicBaseURL string) (Config, error) {
	cfg := Config{
		AccountSID:          strings.TrimSpace(getenv(envAccountSID)),
		AuthToken:           strings.TrimSpace(getenv(envAuthToken)),
		MessagingServiceSID: strings.TrimSpace(getenv(envMessagingServiceSID)),
		APIBase:             strings.TrimSpace(getenv(envAPIBase)),
		PublicBaseURL:       publicBaseURL,
	}
	names := cfg.settings(envAccountSID, envAuthToken, envMessagingServiceSID, envAPIBase, "public base URL")
	if err := checkSettings(names); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// validate checks cfg, naming fields as they are named in Go.
func (cfg Config) validate() error {
	err := checkSettings(cfg.settings("AccountSID", "AuthToken", "MessagingServiceSID", "APIBase", "PublicBaseURL"))
	if cfg.Timeout < 0 {
		err = errors.Join(err, errors.New("negative Timeout"))
	}
	return err
}

// withDefaults fills the zero fields New defaults and trims trailing slashes
// so URLs can be built by concatenation.
func (cfg Config) withDefaults() Config {
	if cfg.APIBase == "" {
		cfg.APIBase = DefaultAPIBase
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	cfg.APIBase = strings.TrimRight(cfg.APIBase, "/")
	cfg.PublicBaseURL = strings.TrimRight(cfg.PublicBaseURL, "/")
	return cfg
}

// setting is one value to check, under the name the operator knows it by.
type setting struct {
	name     string
	value    string
	required bool
	check    func(string) error
}

// settings lists cfg's string settings under the given names, in field order.
func (cfg Config) settings(accountSID, authToken, serviceSID, apiBase, publicBase string) []setting {
	return []setting{
		{accountSID, cfg.AccountSID, true, checkSID("AC")},
		{authToken, cfg.AuthToken, true, checkHex32},
		{serviceSID, cfg.MessagingServiceSID, false, checkSID("MG")},
		{apiBase, cfg.APIBase, false, checkAPIBase},
		{publicBase, cfg.PublicBaseURL, true, checkPublicBaseURL},
	}
}

// checkSettings returns every problem found, joined, or nil.
func checkSettings(settings []setting) error {
	var errs []error
	for _, s := range settings {
		switch {
		case s.value == "" && s.required:
			errs = append(errs, fmt.Errorf("%s is missing", s.name))
		case s.value == "":
		default:
			if err := s.check(s.value); err != nil {
				errs = append(errs, fmt.Errorf("%s is malformed: %w", s.name, err))
			}
		}
	}
	return errors.Join(errs...)
}

// checkSID returns a check for a Twilio SID: a two-letter prefix and 32 hex digits.
func checkSID(prefix string) func(string) error {
	return func(s string) error {
		rest, ok := strings.CutPrefix(s, prefix)
		if !ok || checkHex32(rest) != nil {
			return fmt.Errorf("want %q followed by 32 hex digits", prefix)
		}
		return nil
	}
}

// checkHex32 accepts exactly 32 hex digits. The value is not echoed: it may
// be a secret.
func checkHex32(s string) error {
	if len(s) != 32 || strings.Trim(s, "0123456789abcdefABCDEF") != "" {
		return errors.New("want 32 hex digits")
	}
	return nil
}

// checkAPIBase accepts an absolute http(s) URL without query or fragment.
func checkAPIBase(s string) error {
	_, err := parseBaseURL(s)
	return err
}

// checkPublicBaseURL is checkAPIBase plus Twilio's rule that a callback
// host may not contain underscores.
func checkPublicBaseURL(s string) error {
	u, err := parseBaseURL(s)
	if err == nil && strings.Contains(u.Host, "_") {
		err = errors.New("underscores in the host are rejected by Twilio")
	}
	return err
}

// parseBaseURL parses an origin, optionally with a path prefix.
func parseBaseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return nil, errors.New("not a URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, errors.New("want an absolute http or https URL")
	case u.Host == "":
		return nil, errors.New("no host")
	case u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return nil, errors.New("want no credentials, query or fragment")
	}
	return u, nil
}
