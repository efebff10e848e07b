package hiretext_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
)

// TestDigestDay: a digest is due from 8 a.m. local time until noon, on the
// local day, whatever the day's offset from UTC.
func TestDigestDay(t *testing.T) {
	t.Parallel()
	chicago, _ := time.LoadLocation("America/Chicago")
	kolkata, _ := time.LoadLocation("Asia/Kolkata")
	for _, c := range []struct {
		at   time.Time
		loc  *time.Location
		want string
	}{
		{time.Date(2026, 3, 7, 13, 59, 0, 0, time.UTC), chicago, ""}, // 7:59 CST
		{time.Date(2026, 3, 7, 14, 0, 0, 0, time.UTC), chicago, "2026-03-07"},
		{time.Date(2026, 3, 7, 17, 59, 0, 0, time.UTC), chicago, "2026-03-07"}, // 11:59
		{time.Date(2026, 3, 7, 18, 0, 0, 0, time.UTC), chicago, ""},            // noon: too late for a morning digest
		{time.Date(2026, 3, 8, 13, 0, 0, 0, time.UTC), chicago, "2026-03-08"},  // 8:00 CDT, the first day of DST
		{time.Date(2026, 11, 1, 13, 59, 0, 0, time.UTC), chicago, ""},          // 7:59 CST, the last day of DST
		{time.Date(2026, 3, 7, 2, 30, 0, 0, time.UTC), kolkata, "2026-03-07"},  // 8:00 IST, half an hour off the hour in UTC
		{time.Date(2026, 3, 6, 18, 0, 0, 0, time.UTC), time.FixedZone("UTC+14", 14*3600), "2026-03-07"},
	} {
		if got := hiretext.DigestDay(c.at, c.loc); got != c.want {
			t.Errorf("DigestDay(%s in %s) = %q, want %q", c.at.Format(time.RFC3339), c.loc, got, c.want)
		}
	}
}

// TestDigestEmail lists each conversation with who, since when in the
// user's zone and a link; names with line breaks stay on one line, HTML is
// escaped, and a list cut short says how many more wait.
func TestDigestEmail(t *testing.T) {
	t.Parallel()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	now := time.Date(2026, 3, 9, 7, 0, 0, 0, time.UTC)
	items := []hiretext.DigestItem{
		{Who: "Ann\r\nBcc: x@evil.example <b>", WaitingSince: now.Add(-50 * time.Hour), Link: "https://ats.example/candidates/7/conversation"},
		{Who: "(312) 555-0199", WaitingSince: now.Add(-30 * time.Minute), Link: "https://ats.example/conversations/9"},
	}
	subject, text, html := hiretext.DigestEmail(items, 60, "https://ats.example/inbox?filter=needs_reply", berlin, now)
	if subject != "60 candidates are waiting for a reply on hiretext" ||
		!strings.Contains(text, "- Ann Bcc: x@evil.example <b>, waiting since Sat Mar 7, 6:00 AM (2 days): https://ats.example/candidates/7/conversation\n") ||
		!strings.Contains(text, "(312) 555-0199, waiting since Mon Mar 9, 7:30 AM (under an hour)") || !strings.Contains(text, "and 58 more") ||
		!strings.Contains(html, "Ann Bcc: x@evil.example &lt;b&gt;</a>") || strings.Contains(html, "<b>") {
		t.Fatalf("%s\n%s\n%s", subject, text, html)
	}
	if subject, _, _ := hiretext.DigestEmail(items[:1], 1, "https://ats.example/inbox", berlin, now); subject != "1 candidate is waiting for a reply on hiretext" {
		t.Fatalf("one: %q", subject)
	}
}
