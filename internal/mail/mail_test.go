package mail_test

import (
	"context"
	"errors"
	"mime"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/mail"
	"github.com/hiretext/hiretext/internal/mail/mailtest"
)

// config reaches s as user "hiretext" (password "secret").
func config(t *testing.T, s *mailtest.Server, scheme string) mail.Config {
	t.Helper()
	cfg, err := mail.ParseConfig(scheme+"://hiretext:secret@127.0.0.1:"+s.Port(), "hiretext <notify@acme.example>")
	if err != nil {
		t.Fatal(err)
	}
	cfg.RootCAs, cfg.Timeout = s.Roots(), 2*time.Second
	return cfg
}

func testEmail() *hiretext.Email {
	return &hiretext.Email{ID: 1, OrgID: 1, To: "rita@acme.example", Subject: "Ann Tester replied — José’s question",
		Text: "Ann Tester replied.\nOpen: https://ats.example/conversations/7", HTML: `<p>Ann Tester replied. <a href="https://ats.example/conversations/7">Open</a></p>`}
}

// parts reads a received message: its header and its parts by type. It
// must be multipart/alternative.
func parts(t *testing.T, data string) (netmail.Header, map[string]string) {
	t.Helper()
	h, out, err := mailtest.Message{Data: data}.Parts()
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if mt, _, _ := mime.ParseMediaType(h.Get("Content-Type")); mt != "multipart/alternative" {
		t.Fatalf("content type %q", h.Get("Content-Type"))
	}
	return h, out
}

// TestSendOverSTARTTLSWithBothParts: the email reaches the server after
// STARTTLS and AUTH, with its subject, a plain-text and an HTML part.
func TestSendOverSTARTTLSWithBothParts(t *testing.T) {
	t.Parallel()
	s := mailtest.New(t, nil)
	e := testEmail()
	if err := mail.NewSender(config(t, s, "smtp"), hiretext.SystemClock).Send(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	got := s.Messages()
	if len(got) != 1 || !got[0].TLS || got[0].To != e.To || got[0].From != "notify@acme.example" || s.Authenticated()[0] != "hiretext" {
		t.Fatalf("received %+v, authenticated %v", got, s.Authenticated())
	}
	h, p := parts(t, got[0].Data)
	subject, _ := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if subject != e.Subject || p["text/plain"] != e.Text || p["text/html"] != e.HTML || h.Get("To") != "<rita@acme.example>" {
		t.Fatalf("subject %q, parts %q", subject, p)
	}
}

// TestSendOverImplicitTLS speaks TLS from the first byte with smtps://.
func TestSendOverImplicitTLS(t *testing.T) {
	t.Parallel()
	s := mailtest.New(t, func(s *mailtest.Server) { s.Implicit = true })
	if err := mail.NewSender(config(t, s, "smtps"), hiretext.SystemClock).Send(context.Background(), testEmail()); err != nil {
		t.Fatal(err)
	}
	if got := s.Messages(); len(got) != 1 || !got[0].TLS {
		t.Fatalf("received %+v", got)
	}
}

// TestSendNeedsSTARTTLS: a server that does not offer STARTTLS gets
// neither the password nor the email, and the error says what to do.
func TestSendNeedsSTARTTLS(t *testing.T) {
	t.Parallel()
	s := mailtest.New(t, func(s *mailtest.Server) { s.NoTLS = true })
	err := mail.NewSender(config(t, s, "smtp"), hiretext.SystemClock).Send(context.Background(), testEmail())
	var permanent *mail.PermanentError
	if !errors.As(err, &permanent) || !strings.Contains(err.Error(), "STARTTLS") || len(s.Authenticated()) != 0 || len(s.Messages()) != 0 {
		t.Fatalf("err %v, authenticated %v, received %d", err, s.Authenticated(), len(s.Messages()))
	}
}

// TestHeaderInjectionAddsNoHeader: line breaks in the subject (a
// candidate's name, say) and the address never start a header.
func TestHeaderInjectionAddsNoHeader(t *testing.T) {
	t.Parallel()
	s := mailtest.New(t, nil)
	e := testEmail()
	e.Subject = "Ann\r\nBcc: victim@evil.example\r\nX-Injected: yes"
	if err := mail.NewSender(config(t, s, "smtp"), hiretext.SystemClock).Send(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	got := s.Messages()
	h, _ := parts(t, got[0].Data)
	if len(got) != 1 || h.Get("Bcc") != "" || h.Get("X-Injected") != "" || got[0].To != e.To {
		t.Fatalf("headers %v, received %+v", h, got)
	}
	if err := (&hiretext.Email{To: e.To, Subject: e.Subject, Text: "x"}).Validate(); hiretext.ErrorCode(err) != hiretext.EInvalid {
		t.Fatalf("queueing a subject with line breaks: %v, want invalid", err)
	}
}

// TestParseConfig accepts the three forms and names the setting at fault,
// never the password.
func TestParseConfig(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]mail.Config{
		"smtp://u:p@mail.example":              {Host: "mail.example", Port: "587", Security: mail.StartTLS, Username: "u", Password: "p"},
		"smtps://u:p@mail.example":             {Host: "mail.example", Port: "465", Security: mail.ImplicitTLS, Username: "u", Password: "p"},
		"smtp://127.0.0.1?tls=none":            {Host: "127.0.0.1", Port: "25", Security: mail.NoTLS},
		"smtp://u:p%40x@mail.example:2525":     {Host: "mail.example", Port: "2525", Security: mail.StartTLS, Username: "u", Password: "p@x"},
		"smtp://relay.internal:2525/?tls=none": {Host: "relay.internal", Port: "2525", Security: mail.NoTLS},
	} {
		got, err := mail.ParseConfig(raw, "hiretext@acme.example")
		if err != nil || got.Host != want.Host || got.Port != want.Port || got.Security != want.Security ||
			got.Username != want.Username || got.Password != want.Password || got.From.Address != "hiretext@acme.example" {
			t.Errorf("%s: %+v, %v", raw, got, err)
		}
	}
	for _, bad := range []struct{ url, from, setting string }{
		{"http://u:hunter2@mail.example", "a@b.example", "--smtp-url"},
		{"mail.example:587", "a@b.example", "--smtp-url"},
		{"smtps://u:hunter2@mail.example?tls=none", "a@b.example", "--smtp-url"},
		{"smtp://u:hunter2@mail.example?tls=maybe", "a@b.example", "--smtp-url"},
		{"smtp://u:hunter2@mail.example", "not an address", "--mail-from"},
		{"smtp://u:hunter2@mail.example", "a@b.example\r\nBcc: x@y.example", "--mail-from"},
	} {
		_, err := mail.ParseConfig(bad.url, bad.from)
		if err == nil || !strings.Contains(err.Error(), bad.setting) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("ParseConfig(%q, %q) = %v, want an error naming %s without the password", bad.url, bad.from, err, bad.setting)
		}
	}
}

// TestCheckAuthenticatesAndSendsNothing: Check goes through TLS (STARTTLS
// or from the first byte) and AUTH, then quits without a message; a wrong
// password fails at AUTH, without the password in the error.
func TestCheckAuthenticatesAndSendsNothing(t *testing.T) {
	t.Parallel()
	for _, scheme := range []string{"smtp", "smtps"} {
		s := mailtest.New(t, func(s *mailtest.Server) { s.Implicit = scheme == "smtps" })
		cfg := config(t, s, scheme)
		if err := mail.NewSender(cfg, hiretext.SystemClock).Check(context.Background()); err != nil {
			t.Fatalf("%s: %v", scheme, err)
		}
		if len(s.Messages()) != 0 || len(s.Authenticated()) != 1 || s.Authenticated()[0] != "hiretext" {
			t.Fatalf("%s: received %v, authenticated %v", scheme, s.Messages(), s.Authenticated())
		}
		cfg.Password = "wrong-pw"
		err := mail.NewSender(cfg, hiretext.SystemClock).Check(context.Background())
		var step *mail.StepError
		if !errors.As(err, &step) || step.Step != "AUTH" || strings.Contains(err.Error(), "wrong-pw") {
			t.Fatalf("%s, wrong password: %v", scheme, err)
		}
	}
}
