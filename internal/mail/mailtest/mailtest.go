// Package mailtest runs a real SMTP server for tests, in-process, on a
// socket of 127.0.0.1: github.com/emersion/go-smtp, so tests of
// hiretext's email speak the protocol to a maintained server, not to a
// function that pretends.
package mailtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	netmail "net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Server is an SMTP server for tests (go-smtp) on a real socket: EHLO,
// STARTTLS (or TLS from the first byte), AUTH PLAIN (any user, password
// "secret"), MAIL, RCPT, DATA, RSET, NOOP, QUIT. React can make it refuse,
// hang or drop the connection at any step.
type Server struct {
	ln       net.Listener
	tls      *tls.Config
	roots    *x509.CertPool
	Implicit bool // TLS from the first byte (smtps)
	NoTLS    bool // offers no STARTTLS
	// React is asked at each step what to do instead of the usual answer:
	// a reply such as "451 try later", "hang" (answer nothing, until the
	// test ends) or "drop" (close the connection); "" answers as usual. The
	// steps are "mail" and "rcpt" (their commands), "data" (the DATA
	// command: go-smtp has said 354 already, so a reply there is the
	// verdict on the message, unread) and "message" (once the message is
	// in; drop closes the connection halfway through its text).
	React func(step string) string

	mu       sync.Mutex
	received []Message
	authed   []string // the users who authenticated
	closing  chan struct{}
}

// Message is one message the server accepted.
type Message struct {
	From, To string
	Data     string
	TLS      bool
}

// Parts reads the message: its header and, for a multipart message, its
// parts' texts by media type ("text/plain", "text/html"), decoded from
// their transfer encoding, with SMTP's CRLF line ends made LF.
func (m Message) Parts() (netmail.Header, map[string]string, error) {
	msg, err := netmail.ReadMessage(strings.NewReader(m.Data))
	if err != nil {
		return nil, nil, fmt.Errorf("the message does not parse: %w", err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		return nil, nil, fmt.Errorf("content type %q is not multipart (%v)", msg.Header.Get("Content-Type"), err)
	}
	out := map[string]string{}
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := r.NextPart() // decodes quoted-printable
		if err == io.EOF {
			return msg.Header, out, nil
		}
		if err != nil {
			return nil, nil, err
		}
		body, err := io.ReadAll(p)
		if err != nil {
			return nil, nil, err
		}
		kind, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		out[kind] = strings.ReplaceAll(string(body), "\r\n", "\n")
	}
}

// New starts a server on 127.0.0.1 with a certificate of its own, which
// Roots trusts; configure, if not nil, sets it up first. It stops when the
// test ends.
func New(t testing.TB, configure func(*Server)) *Server {
	t.Helper()
	cert, roots := selfSigned(t)
	s := &Server{tls: &tls.Config{Certificates: []tls.Certificate{cert}}, roots: roots, closing: make(chan struct{}),
		React: func(string) string { return "" }}
	if configure != nil {
		configure(s)
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{s: s, conn: c}, nil }))
	srv.Domain = "test.example"
	srv.AllowInsecureAuth = true // ?tls=none to this machine authenticates; the client decides whether to
	srv.ErrorLog = log.New(io.Discard, "", 0)
	var err error
	switch {
	case s.Implicit:
		s.ln, err = tls.Listen("tcp", "127.0.0.1:0", s.tls)
	case s.NoTLS:
		s.ln, err = net.Listen("tcp", "127.0.0.1:0")
	default:
		srv.TLSConfig = s.tls // offers STARTTLS
		s.ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(s.ln) }()
	t.Cleanup(func() {
		close(s.closing)
		// Closing the listener ourselves too: the server's Close closes only
		// the listeners Serve has registered, and a test that ends at once
		// (a skip) may close before Serve began, which then accepted forever.
		_ = s.ln.Close()
		_ = srv.Close()
		<-done
	})
	return s
}

// Port is the port the server listens on, on 127.0.0.1.
func (s *Server) Port() string { _, p, _ := net.SplitHostPort(s.ln.Addr().String()); return p }

// Roots trusts the server's certificate.
func (s *Server) Roots() *x509.CertPool { return s.roots }

// Messages lists the messages accepted so far, one per recipient.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.received...)
}

// Authenticated lists the users who authenticated so far.
func (s *Server) Authenticated() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.authed...)
}

// session is one connection's transaction, for go-smtp.
type session struct {
	s    *Server
	conn *smtp.Conn
	from string
	to   []string
}

var errDropped = errors.New("mailtest: connection dropped")

// react does what React says at step (see act).
func (ss *session) react(step string) error { return ss.act(ss.s.React(step)) }

// act does what a reaction says: nil for the usual answer, an
// *smtp.SMTPError for a reply, and for "hang" or "drop" an error once the
// test ends or the connection is closed.
func (ss *session) act(r string) error {
	switch r {
	case "":
		return nil
	case "hang":
		<-ss.s.closing
		return errDropped
	case "drop":
		_ = ss.conn.Conn().Close()
		return errDropped
	default:
		return reply(r)
	}
}

// reply turns "451 try later" into go-smtp's error for that reply.
func reply(r string) error {
	code, msg, _ := strings.Cut(r, " ")
	n, err := strconv.Atoi(code)
	if err != nil {
		n, msg = 554, r
	}
	return &smtp.SMTPError{Code: n, EnhancedCode: smtp.NoEnhancedCode, Message: msg}
}

// AuthMechanisms offers PLAIN.
func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

// Auth takes any user whose password is "secret".
func (ss *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, password string) error {
		if password != "secret" {
			return smtp.ErrAuthFailed
		}
		ss.s.mu.Lock()
		ss.s.authed = append(ss.s.authed, user)
		ss.s.mu.Unlock()
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if err := ss.react("mail"); err != nil {
		return err
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := ss.react("rcpt"); err != nil {
		return err
	}
	ss.to = append(ss.to, to)
	return nil
}

// Data reads the message and keeps it, one copy per recipient, unless
// React says otherwise.
func (ss *session) Data(r io.Reader) error {
	if err := ss.react("data"); err != nil {
		_, _ = io.Copy(io.Discard, r)
		return err
	}
	react := ss.s.React("message")
	if react == "drop" {
		_, _ = io.ReadFull(r, make([]byte, 64)) // part of the message, then the line goes dead
		_ = ss.conn.Conn().Close()
		return errDropped
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if err := ss.act(react); err != nil {
		return err
	}
	_, secured := ss.conn.TLSConnectionState()
	ss.s.mu.Lock()
	for _, to := range ss.to {
		ss.s.received = append(ss.s.received, Message{From: ss.from, To: to, Data: string(data), TLS: secured})
	}
	ss.s.mu.Unlock()
	return nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }

// selfSigned makes a certificate for 127.0.0.1 and a pool trusting it.
func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test SMTP"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, roots
}
