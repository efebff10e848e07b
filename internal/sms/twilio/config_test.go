package twilio_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext/internal/sms/twilio"
)

const (
	validSID     = "AC0123456789abcdef0123456789ABCDEF"
	validToken   = "ffeeddccbbaa99887766554433221100"
	validService = "MG0123456789abcdef0123456789abcdef"
)

// env returns a getenv over a map.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// validEnv is a complete, valid environment; each call returns a fresh map.
func validEnv() map[string]string {
	return map[string]string{
		"TWILIO_ACCOUNT_SID":           validSID,
		"TWILIO_AUTH_TOKEN":            validToken + "\n", // as mounted from a secret file
		"TWILIO_MESSAGING_SERVICE_SID": validService,
		"TWILIO_API_BASE":              "https://api.example.test",
	}
}

func TestConfigFromEnv(t *testing.T) {
	t.Parallel()
	cfg, err := twilio.ConfigFromEnv(env(validEnv()), publicBase)
	if err != nil {
		t.Fatal(err)
	}
	want := twilio.Config{
		AccountSID:          validSID,
		AuthToken:           validToken,
		MessagingServiceSID: validService,
		APIBase:             "https://api.example.test",
		PublicBaseURL:       publicBase,
	}
	if cfg != want {
		t.Errorf("ConfigFromEnv = %+v, want %+v", cfg, want)
	}
	if _, err := twilio.New(cfg); err != nil {
		t.Errorf("New(ConfigFromEnv()) = %v", err)
	}
}

func TestConfigFromEnvOptionalSettings(t *testing.T) {
	t.Parallel()
	e := validEnv()
	delete(e, "TWILIO_MESSAGING_SERVICE_SID")
	delete(e, "TWILIO_API_BASE")
	cfg, err := twilio.ConfigFromEnv(env(e), publicBase)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MessagingServiceSID != "" || cfg.APIBase != "" {
		t.Errorf("optional settings = %q, %q, want empty", cfg.MessagingServiceSID, cfg.APIBase)
	}
}

func TestConfigFromEnvErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		key, value string // the setting to change; value "" removes it
		publicBase string
		want       string
	}{
		{"sid missing", "TWILIO_ACCOUNT_SID", "", publicBase, "TWILIO_ACCOUNT_SID is missing"},
		{"sid short", "TWILIO_ACCOUNT_SID", "AC0123", publicBase, "TWILIO_ACCOUNT_SID is malformed: want \"AC\" followed by 32 hex digits"},
		{"sid wrong prefix", "TWILIO_ACCOUNT_SID", "MG0123456789abcdef0123456789abcdef", publicBase, "TWILIO_ACCOUNT_SID is malformed"},
		{"sid not hex", "TWILIO_ACCOUNT_SID", "AC0123456789abcdef0123456789abcdeg", publicBase, "TWILIO_ACCOUNT_SID is malformed"},
		{"token missing", "TWILIO_AUTH_TOKEN", "", publicBase, "TWILIO_AUTH_TOKEN is missing"},
		{"token not hex", "TWILIO_AUTH_TOKEN", "secret-secret-secret-secret-1234", publicBase, "TWILIO_AUTH_TOKEN is malformed: want 32 hex digits"},
		{"service malformed", "TWILIO_MESSAGING_SERVICE_SID", "MG12", publicBase, "TWILIO_MESSAGING_SERVICE_SID is malformed: want \"MG\" followed by 32 hex digits"},
		{"api base relative", "TWILIO_API_BASE", "api.twilio.com", publicBase, "TWILIO_API_BASE is malformed: want an absolute http or https URL"},
		{"api base ftp", "TWILIO_API_BASE", "ftp://api.twilio.com", publicBase, "TWILIO_API_BASE is malformed"},
		{"api base with query", "TWILIO_API_BASE", "https://api.twilio.com?x=1", publicBase, "TWILIO_API_BASE is malformed"},
		{"public base missing", "", "", "", "public base URL is missing"},
		{"public base underscore", "", "", "https://my_host.example.com", "public base URL is malformed: underscores"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := validEnv()
			if tt.key != "" {
				e[tt.key] = tt.value
			}
			_, err := twilio.ConfigFromEnv(env(e), tt.publicBase)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "secret-secret") {
				t.Errorf("error %q repeats the auth token", err)
			}
		})
	}
}

func TestConfigFromEnvReportsEveryProblem(t *testing.T) {
	t.Parallel()
	_, err := twilio.ConfigFromEnv(env(nil), "")
	for _, want := range []string{"TWILIO_ACCOUNT_SID is missing", "TWILIO_AUTH_TOKEN is missing", "public base URL is missing"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error = %v, want it to contain %q", err, want)
		}
	}
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	valid := twilio.Config{AccountSID: validSID, AuthToken: validToken, PublicBaseURL: publicBase}
	tests := []struct {
		name string
		edit func(*twilio.Config)
		want string
	}{
		{"sid missing", func(c *twilio.Config) { c.AccountSID = "" }, "AccountSID is missing"},
		{"token malformed", func(c *twilio.Config) { c.AuthToken = "x" }, "AuthToken is malformed"},
		{"service malformed", func(c *twilio.Config) { c.MessagingServiceSID = "MG" }, "MessagingServiceSID is malformed"},
		{"api base malformed", func(c *twilio.Config) { c.APIBase = "/relative" }, "APIBase is malformed"},
		{"public base missing", func(c *twilio.Config) { c.PublicBaseURL = "" }, "PublicBaseURL is missing"},
		{"timeout negative", func(c *twilio.Config) { c.Timeout = -time.Second }, "negative Timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := valid
			tt.edit(&cfg)
			_, err := twilio.New(cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	if _, err := twilio.New(valid); err != nil {
		t.Errorf("New(valid) = %v", err)
	}
}

func TestNameAndSendRate(t *testing.T) {
	t.Parallel()
	p, _ := newFake(t, nil)
	if p.Name() != "twilio" || p.SendRate() != 1 {
		t.Errorf("Name, SendRate = %q, %v; want twilio, 1", p.Name(), p.SendRate())
	}
}
