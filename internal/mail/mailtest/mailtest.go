// Package mailtest runs a small SMTP server for tests, on a real socket,
// so tests of hiretext's email speak the protocol to a real peer.
package mailtest

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a small SMTP server for tests, speaking the protocol on a
// real socket: EHLO, STARTTLS (or TLS from the start), AUTH PLAIN (any
// user, password "secret"), MAIL, RCPT, DATA, RSET, NOOP, QUIT. React can
// make it refuse, hang or drop the connection at any step.
type Server struct {
	ln       net.Listener
	tls      *tls.Config
	roots    *x509.CertPool
	Implicit bool // TLS from the first byte (smtps)
	NoTLS    bool // offers no STARTTLS
	// React is asked at each step ("mail", "rcpt", "data", "message") what
	// to do instead of the usual answer: a reply such as "451 try later",
	// "hang" (answer nothing, ever) or "drop" (close the connection); ""
	// answers as usual. For "message", drop closes halfway through the text.
	React func(step string) string

	mu       sync.Mutex
	received []Message
	authed   []string // the users who authenticated
	sessions int
	wg       sync.WaitGroup
	closing  chan struct{}
}

// Message is one message the server accepted.
type Message struct {
	From, To string
	Data     string
	TLS      bool
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
	var err error
	if s.Implicit {
		s.ln, err = tls.Listen("tcp", "127.0.0.1:0", s.tls)
	} else {
		s.ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	s.wg.Go(s.accept)
	t.Cleanup(func() { close(s.closing); s.ln.Close(); s.wg.Wait() })
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

func (s *Server) accept() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.sessions++
		s.mu.Unlock()
		s.wg.Go(func() { s.serve(c) })
	}
}

// session is one connection's state.
type session struct {
	c       net.Conn
	r       *bufio.Reader
	from    string
	to      []string
	secured bool
}

func (s *Server) serve(c net.Conn) {
	defer c.Close()
	ss := &session{c: c, r: bufio.NewReader(c), secured: s.Implicit}
	go func() { <-s.closing; c.Close() }() // a hanging step ends with the test
	s.reply(ss, "220 test.example ESMTP")
	for {
		line, err := ss.r.ReadString('\n')
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
		if !s.step(ss, strings.ToUpper(verb), arg) {
			return
		}
	}
}

// step answers one command; false ends the session.
func (s *Server) step(ss *session, verb, arg string) bool {
	switch verb {
	case "EHLO", "HELO":
		ext := "250-test.example\r\n250-AUTH PLAIN\r\n"
		if !s.NoTLS && !ss.secured {
			ext += "250-STARTTLS\r\n"
		}
		return s.reply(ss, ext+"250 8BITMIME")
	case "STARTTLS":
		s.reply(ss, "220 go ahead")
		tc := tls.Server(ss.c, s.tls)
		if tc.Handshake() != nil {
			return false
		}
		ss.c, ss.r, ss.secured = tc, bufio.NewReader(tc), true
		return true
	case "AUTH":
		raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(arg, "PLAIN "))
		parts := strings.Split(string(raw), "\x00")
		if len(parts) != 3 || parts[2] != "secret" {
			return s.reply(ss, "535 authentication failed")
		}
		s.mu.Lock()
		s.authed = append(s.authed, parts[1])
		s.mu.Unlock()
		return s.reply(ss, "235 ok")
	case "MAIL":
		addr, _, _ := strings.Cut(strings.TrimPrefix(arg, "FROM:"), " ") // BODY=8BITMIME and the like
		ss.from = strings.Trim(addr, "<>")
		return s.answer(ss, "mail", "250 ok")
	case "RCPT":
		ss.to = append(ss.to, strings.Trim(strings.TrimPrefix(arg, "TO:"), "<>"))
		return s.answer(ss, "rcpt", "250 ok")
	case "DATA":
		if !s.answer(ss, "data", "354 go ahead") {
			return false
		}
		return s.readMessage(ss)
	case "RSET", "NOOP":
		return s.reply(ss, "250 ok")
	case "QUIT":
		s.reply(ss, "221 bye")
		return false
	}
	return s.reply(ss, "502 unknown command")
}

// answer replies to a step as react says, or with def.
func (s *Server) answer(ss *session, step, def string) bool {
	switch r := s.React(step); r {
	case "":
		return s.reply(ss, def)
	case "hang":
		_, _ = ss.r.ReadString(0) // until the client gives up
		return false
	case "drop":
		return false
	default:
		return s.reply(ss, r) && !strings.HasPrefix(def, "354")
	}
}

// readMessage reads DATA up to the lone dot and keeps the message, or does
// what react says for "message".
func (s *Server) readMessage(ss *session) bool {
	react := s.React("message")
	var data strings.Builder
	for n := 0; ; n++ {
		line, err := ss.r.ReadString('\n')
		if err != nil {
			return false
		}
		if react == "drop" && n == 3 {
			return false
		}
		if line == ".\r\n" {
			break
		}
		data.WriteString(strings.TrimPrefix(line, "."))
	}
	if react == "hang" {
		_, _ = ss.r.ReadString(0)
		return false
	}
	if react != "" {
		return s.reply(ss, react)
	}
	s.mu.Lock()
	for _, to := range ss.to {
		s.received = append(s.received, Message{From: ss.from, To: to, Data: data.String(), TLS: ss.secured})
	}
	s.mu.Unlock()
	ss.to = nil
	return s.reply(ss, "250 queued")
}

func (s *Server) reply(ss *session, text string) bool {
	_, err := ss.c.Write([]byte(text + "\r\n"))
	return err == nil
}

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
