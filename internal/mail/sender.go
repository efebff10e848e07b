package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"time"

	"github.com/wneessen/go-mail/smtp"

	"github.com/hiretext/hiretext"
)

// Sender sends emails to one SMTP server, one connection per email, with
// go-mail: its Msg writes the MIME message (message.go) and its SMTP
// client speaks the protocol. Sender drives that client one step at a time
// rather than through go-mail's Client.DialAndSend, so that a failure
// names its step (StepError, which doctor turns into advice) and the
// STARTTLS requirement and the timeout are hiretext's own.
type Sender struct {
	cfg   Config
	clock hiretext.Clock
}

// NewSender returns a sender for cfg.
func NewSender(cfg Config, clock hiretext.Clock) *Sender {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	return &Sender{cfg: cfg, clock: clock}
}

// PermanentError is a refusal the server means for good (a 5xx reply,
// such as an unknown mailbox): sending the email again would not help.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Send delivers e to the server: connect (TLS as configured, STARTTLS
// required unless tls=none), authenticate, and hand the message over,
// all within the configured timeout. A 5xx reply is a *PermanentError;
// anything else (a refusal to try later, a hang, a dropped connection)
// is worth trying again.
func (s *Sender) Send(ctx context.Context, e *hiretext.Email) error {
	msg, err := compose(s.cfg.From, e, s.clock.Now())
	if err != nil {
		return err
	}
	return s.session(ctx, func(conn net.Conn) error { return classify(s.exchange(conn, e.To, msg)) })
}

// Check goes as far with the server as Send goes before the message:
// connect (TLS as configured), EHLO, STARTTLS unless tls=none, AUTH when
// there are credentials, then QUIT. It sends nothing. A failure is a
// *StepError naming the step, so the caller can say which setting to
// check; it never holds the password.
func (s *Sender) Check(ctx context.Context) error {
	return s.session(ctx, func(conn net.Conn) error {
		c, err := s.greet(conn)
		if err != nil {
			return err
		}
		defer c.Close()
		if err := c.Quit(); err != nil {
			return &StepError{Step: "QUIT", Err: err}
		}
		return nil
	})
}

// StepError is a failure at one step of the exchange with the server:
// "connect" (TCP, and TLS for smtps://), "greeting", "EHLO", "STARTTLS",
// "AUTH" or "QUIT".
type StepError struct {
	Step string
	Err  error
}

func (e *StepError) Error() string { return e.Step + ": " + e.Err.Error() }
func (e *StepError) Unwrap() error { return e.Err }

// session connects to the server and runs speak on the connection, all
// within the configured timeout; a cancelled ctx (shutdown) ends the
// exchange at once.
func (s *Sender) session(ctx context.Context, speak func(net.Conn) error) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	conn, err := s.dial(ctx)
	if err != nil {
		return &StepError{Step: "connect", Err: err}
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	return speak(conn)
}

// dial connects to the server, in TLS from the start for smtps://.
func (s *Sender) dial(ctx context.Context) (net.Conn, error) {
	if s.cfg.Security == ImplicitTLS {
		d := &tls.Dialer{Config: s.tlsConfig()}
		return d.DialContext(ctx, "tcp", s.cfg.Addr())
	}
	var d net.Dialer
	return d.DialContext(ctx, "tcp", s.cfg.Addr())
}

func (s *Sender) tlsConfig() *tls.Config {
	return &tls.Config{ServerName: s.cfg.Host, RootCAs: s.cfg.RootCAs, MinVersion: tls.VersionTLS12}
}

// exchange speaks SMTP on conn: greet, then MAIL, RCPT, DATA.
func (s *Sender) exchange(conn net.Conn, to string, msg []byte) error {
	c, err := s.greet(conn)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Mail(s.cfg.From.Address); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil { // the server's verdict on the message
		return err
	}
	// The server has the message: a QUIT that fails must not send it twice.
	_ = c.Quit()
	return nil
}

// greet opens the SMTP session on conn: the server's greeting, EHLO,
// STARTTLS (required unless tls=none, and before AUTH, so a server that
// does not offer it never sees the password) and AUTH.
func (s *Sender) greet(conn net.Conn) (*smtp.Client, error) {
	c, err := smtp.NewClient(conn, s.cfg.Host)
	if err != nil {
		return nil, &StepError{Step: "greeting", Err: err}
	}
	if err := s.secure(c); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// secure says EHLO, upgrades with STARTTLS and authenticates.
func (s *Sender) secure(c *smtp.Client) error {
	if err := c.Hello("localhost"); err != nil {
		return &StepError{Step: "EHLO", Err: err}
	}
	if s.cfg.Security == StartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return &StepError{Step: "STARTTLS", Err: &PermanentError{Err: errors.New("the SMTP server does not offer STARTTLS; use smtps:// or, for a relay on this network, ?tls=none")}}
		}
		if err := c.StartTLS(s.tlsConfig()); err != nil {
			return &StepError{Step: "STARTTLS", Err: err}
		}
	}
	if s.cfg.Username != "" {
		// false: the password never crosses a connection in the clear,
		// except to this machine (localhost, 127.0.0.1, ::1).
		if err := c.Auth(smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, s.cfg.Host, false)); err != nil {
			return &StepError{Step: "AUTH", Err: err}
		}
	}
	return nil
}

// classify marks the server's 5xx replies permanent.
func classify(err error) error {
	var reply *textproto.Error
	if errors.As(err, &reply) && reply.Code >= 500 {
		return &PermanentError{Err: fmt.Errorf("the SMTP server refused: %d %s", reply.Code, reply.Msg)}
	}
	return err
}
