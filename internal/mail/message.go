package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/hiretext/hiretext"
)

// compose writes e as a MIME message from from with go-mail:
// multipart/alternative with a plain-text and an HTML part, each
// quoted-printable, header values encoded by go-mail. CR and LF are taken
// out of the values first as well, so no value, however a candidate's name
// was spelled, can end a header and start another.
func compose(from mail.Address, e *hiretext.Email, now time.Time) ([]byte, error) {
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	m.FromMailAddress(&mail.Address{Name: oneLine(from.Name), Address: oneLine(from.Address)})
	m.ToMailAddress(&mail.Address{Address: oneLine(e.To)})
	m.Subject(oneLine(e.Subject))
	m.SetDateWithValue(now)
	m.SetMessageIDWithValue(randomID() + "@" + domainOf(from.Address))
	m.SetGenHeader("Auto-Submitted", "auto-generated") // so vacation responders stay quiet
	m.SetBodyString(gomail.TypeTextPlain, e.Text)
	if e.HTML != "" {
		m.AddAlternativeString(gomail.TypeTextHTML, e.HTML)
	}
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
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
