package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"time"

	"github.com/hiretext/hiretext"
)

// Sender sends emails to one SMTP server, one connection per email.
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
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	conn, err := s.dial(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		return err
	}
	// A cancelled context (shutdown) ends the exchange at once.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	return classify(s.exchange(conn, e.To, msg))
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

// exchange speaks SMTP on conn: EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA.
func (s *Sender) exchange(conn net.Conn, to string, msg []byte) error {
	c, err := smtp.NewClient(conn, s.cfg.Host)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		return err
	}
	if s.cfg.Security == StartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return &PermanentError{Err: errors.New("the SMTP server does not offer STARTTLS; use smtps:// or, for a relay on this network, ?tls=none")}
		}
		if err := c.StartTLS(s.tlsConfig()); err != nil {
			return err
		}
	}
	if s.cfg.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, s.cfg.Host)); err != nil {
			return err
		}
	}
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

// classify marks the server's 5xx replies permanent.
func classify(err error) error {
	var reply *textproto.Error
	if errors.As(err, &reply) && reply.Code >= 500 {
		return &PermanentError{Err: fmt.Errorf("the SMTP server refused: %d %s", reply.Code, reply.Msg)}
	}
	return err
}
