package twilio_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/sms/twilio"
	"github.com/hiretext/hiretext/internal/sms/twilio/twiliotest"
)

// publicBase is the public origin webhooks are configured under in tests.
const publicBase = "https://ats.example.com"

// newFake returns a provider wired to a fresh fake Twilio; edit, if not
// nil, adjusts the config first.
func newFake(t *testing.T, edit func(*twilio.Config)) (*twilio.Provider, *twiliotest.Server) {
	t.Helper()
	fake := twiliotest.NewServer(t)
	cfg := fake.Config(publicBase)
	if edit != nil {
		edit(&cfg)
	}
	return mustNew(t, cfg), fake
}

// newStub returns a provider whose API is the handler, for answers the fake
// does not give and for checking requests byte by byte.
func newStub(t *testing.T, h http.HandlerFunc) *twilio.Provider {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return mustNew(t, twilio.Config{
		AccountSID:    twiliotest.AccountSID,
		AuthToken:     twiliotest.AuthToken,
		APIBase:       srv.URL,
		PublicBaseURL: publicBase,
	})
}

// mustNew is twilio.New that fails the test on error.
func mustNew(t testing.TB, cfg twilio.Config) *twilio.Provider {
	t.Helper()
	p, err := twilio.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

// smsError returns err as an *sms.Error, failing the test if it is not one.
func smsError(t *testing.T, err error) *sms.Error {
	t.Helper()
	var e *sms.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *sms.Error", err, err)
	}
	return e
}
