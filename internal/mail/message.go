package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"

	"github.com/hiretext/hiretext"
)

// compose writes e as a MIME message from from: multipart/alternative with
// a plain-text and an HTML part, each quoted-printable. Header values are
// encoded by the standard library (mime.QEncoding, mail.Address), and CR
// and LF are taken out of them first, so no value, however a candidate's
// name was spelled, can end a header and start another.
func compose(from mail.Address, e *hiretext.Email, now time.Time) ([]byte, error) {
	var buf bytes.Buffer
	body := multipart.NewWriter(&buf)
	header := []struct{ name, value string }{
		{"From", oneLine(from.String())},
		{"To", (&mail.Address{Address: oneLine(e.To)}).String()},
		{"Subject", mime.QEncoding.Encode("utf-8", oneLine(e.Subject))},
		{"Date", now.Format(time.RFC1123Z)},
		{"Message-ID", "<" + randomID() + "@" + domainOf(from.Address) + ">"},
		{"MIME-Version", "1.0"},
		{"Content-Type", `multipart/alternative; boundary="` + body.Boundary() + `"`},
		{"Auto-Submitted", "auto-generated"}, // so vacation responders stay quiet
	}
	var head bytes.Buffer
	for _, h := range header {
		fmt.Fprintf(&head, "%s: %s\r\n", h.name, h.value)
	}
	head.WriteString("\r\n")
	for _, part := range []struct{ kind, text string }{{"text/plain", e.Text}, {"text/html", e.HTML}} {
		if part.text == "" {
			continue
		}
		w, err := body.CreatePart(textproto.MIMEHeader{"Content-Type": {part.kind + "; charset=utf-8"},
			"Content-Transfer-Encoding": {"quoted-printable"}})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(w)
		if _, err := qp.Write([]byte(part.text)); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
	}
	if err := body.Close(); err != nil {
		return nil, err
	}
	return append(head.Bytes(), buf.Bytes()...), nil
}

// oneLine replaces line breaks with spaces.
func oneLine(s string) string {
	return strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(s)
}

// domainOf is the domain of an address, for the Message-ID.
func domainOf(addr string) string {
	if i := strings.LastIndex(addr, "@"); i >= 0 {
		return addr[i+1:]
	}
	return "hiretext.invalid"
}

func randomID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}
