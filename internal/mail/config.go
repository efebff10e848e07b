// Package mail sends hiretext's notification emails over SMTP with
// github.com/wneessen/go-mail and runs the worker that drains the email
// outbox.
package mail

import (
	"crypto/x509"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"time"
)

// Security is how the connection to the SMTP server is protected.
type Security int

// The ways to reach an SMTP server.
const (
	// StartTLS connects in the clear and upgrades with STARTTLS, which the
	// server must offer: credentials and texts never cross a network
	// unencrypted (smtp://, port 587 by default).
	StartTLS Security = iota
	// ImplicitTLS speaks TLS from the first byte (smtps://, port 465).
	ImplicitTLS
	// NoTLS speaks plain SMTP (smtp://…?tls=none), only for a relay on the
	// same machine or network, such as a local MTA.
	NoTLS
)

// Config is how to reach the SMTP server and whom emails come from.
type Config struct {
	Host     string // the server's name, also checked against its certificate
	Port     string
	Security Security
	Username string // "" for no authentication
	Password string
	From     mail.Address
	// Timeout bounds one email's whole exchange with the server: a server
	// that hangs delays that email, which is tried again later.
	Timeout time.Duration
	// RootCAs verifies the server's certificate; nil for the system's.
	RootCAs *x509.CertPool
}

// DefaultTimeout is Config.Timeout when none is set.
const DefaultTimeout = 30 * time.Second

// ParseConfig reads --smtp-url and --mail-from. The URL is
// smtp://[user:pass@]host[:port] (STARTTLS required, port 587),
// smtps://[user:pass@]host[:port] (implicit TLS, port 465), or
// smtp://host[:port]?tls=none for a relay on the same machine or network
// (port 25). The sender is an address, with or without a display name.
// Errors name the setting at fault and never repeat a password.
func ParseConfig(rawURL, from string) (Config, error) {
	var c Config
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || u.Opaque != "" || (u.Path != "" && u.Path != "/") || u.Fragment != "" {
		return c, fmt.Errorf("--smtp-url (HIRETEXT_SMTP_URL): want smtp://user:pass@host:587, smtps://user:pass@host:465 or smtp://host:25?tls=none")
	}
	port := map[string]string{"smtp": "587", "smtps": "465"}[u.Scheme]
	if port == "" {
		return c, fmt.Errorf("--smtp-url (HIRETEXT_SMTP_URL): scheme %q: want smtp (STARTTLS) or smtps (implicit TLS)", u.Scheme)
	}
	if c.Security, port, err = security(u, port); err != nil {
		return c, err
	}
	c.Host, c.Port = u.Hostname(), u.Port()
	if c.Port == "" {
		c.Port = port
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	c.Timeout = DefaultTimeout
	addr, err := mail.ParseAddress(from)
	if err != nil || strings.ContainsAny(from, "\r\n") {
		return c, fmt.Errorf("--mail-from (HIRETEXT_MAIL_FROM) %q: want an address such as \"hiretext <hiretext@example.com>\"", from)
	}
	c.From = *addr
	return c, nil
}

// security reads the URL's tls option: none is only for smtp://.
func security(u *url.URL, port string) (Security, string, error) {
	q := u.Query()
	for k := range q {
		if k != "tls" {
			return 0, "", fmt.Errorf("--smtp-url (HIRETEXT_SMTP_URL): unknown option %q; the only one is tls=none", k)
		}
	}
	switch tls := q.Get("tls"); {
	case tls == "" && u.Scheme == "smtps":
		return ImplicitTLS, port, nil
	case tls == "":
		return StartTLS, port, nil
	case tls == "none" && u.Scheme == "smtp":
		return NoTLS, "25", nil
	}
	return 0, "", fmt.Errorf("--smtp-url (HIRETEXT_SMTP_URL): tls=%s: the only option is tls=none, with smtp://", q.Get("tls"))
}

// Addr is the server's host:port.
func (c Config) Addr() string { return net.JoinHostPort(c.Host, c.Port) }
