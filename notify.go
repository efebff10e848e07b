package hiretext

import (
	"context"
	"fmt"
	"html"
	"strings"
	"time"
)

// NotifySettings are a user's choices of email notifications.
type NotifySettings struct {
	// AwayReply emails the user when a candidate texts their number while
	// they have no hiretext page open (see AwayDelay).
	AwayReply bool
	// Allowance emails the user's number's allowance alerts (90%, maximum)
	// as well as showing them in the bell.
	Allowance bool
	// Digest emails the user, at DigestHour in their time zone, the
	// conversations that need a reply which they can see (none when nothing
	// does).
	Digest bool
	// TimeZone is the user's IANA time zone, "" for the company's: the
	// digest comes at DigestHour there.
	TimeZone string
}

// Validate checks the time zone: "" (the company's) or one LoadZone knows.
func (s NotifySettings) Validate() error {
	if s.TimeZone == "" {
		return nil
	}
	if _, err := LoadZone(s.TimeZone); err != nil {
		return FieldError(ErrorMessage(err), map[string]string{"time_zone": ErrorMessage(err)})
	}
	return nil
}

// Location is the zone the user's digest keeps: theirs, else company's.
func (s NotifySettings) Location(company *time.Location) *time.Location {
	if loc, err := LoadZone(s.TimeZone); s.TimeZone != "" && err == nil {
		return loc
	}
	return company
}

// The away rule: a user with no open hiretext page for AwayDelay is away,
// and a candidate's text to their number then emails them, at most once
// per conversation in AwayEmailGap. PresenceInterval is how often each
// instance records who has a page open, well within AwayDelay.
const (
	AwayDelay        = 2 * time.Minute
	AwayEmailGap     = 15 * time.Minute
	PresenceInterval = time.Minute
)

// EmailKindAwayReply marks an away-reply email in the outbox: it is sent
// only if, when due, its user is still away and the candidate still waits.
const EmailKindAwayReply = "away_reply"

// AwayReplyEmail writes the email telling a user that who (a candidate's
// name, or a phone) texted, with a link to the conversation. The text
// itself is never in it: texts may be sensitive, and email travels
// further than hiretext.
func AwayReplyEmail(who, link string) (subject, text, htmlBody string) {
	who = strings.Join(strings.Fields(who), " ") // no line break can reach a header
	if len(who) > 100 {
		who = strings.ToValidUTF8(who[:100], "") // drops a character cut in two
	}
	subject = who + " replied on hiretext"
	text = who + " texted your number while you were away.\n\nOpen the conversation: " + link + "\n\n" +
		"You get this email because it is on under My settings in hiretext."
	htmlBody = "<p>" + html.EscapeString(who) + " texted your number while you were away.</p>\n" +
		`<p><a href="` + html.EscapeString(link) + `">Open the conversation</a></p>` + "\n" +
		"<p>You get this email because it is on under My settings in hiretext.</p>"
	return subject, text, htmlBody
}

// EmailKindAllowance marks an allowance alert's email in the outbox.
const EmailKindAllowance = "allowance"

// AllowanceEmail writes the email of an allowance alert: which number
// (formatted for reading), how much of its allowance is used, when it
// resets, and a link to hiretext.
func AllowanceEmail(a AllowanceAlert, number, link string, loc *time.Location) (subject, text, htmlBody string) {
	what := fmt.Sprintf("has used %d of its %d texts this month (%d%%)", a.Used, a.Allowance, 100*a.Used/max(a.Allowance, 1))
	subject = "Texting number " + number + " is at 90% of its monthly allowance"
	if a.Kind == AlertAllowanceMax {
		subject = "Texting number " + number + " has used its monthly allowance: sending is paused"
		what = fmt.Sprintf("has used all %d texts of its monthly allowance: no text can be sent from it until the allowance resets or your administrator raises it", a.Allowance)
	}
	resets := a.ResetsAt.In(loc).Format("January 2, 2006")
	text = "Your texting number " + number + " " + what + ". The allowance resets on " + resets + ".\n\n" +
		"Open hiretext: " + link + "\n\nYou get this email because it is on under My settings in hiretext."
	htmlBody = "<p>Your texting number " + html.EscapeString(number) + " " + html.EscapeString(what) + ". The allowance resets on " +
		html.EscapeString(resets) + ".</p>\n" + `<p><a href="` + html.EscapeString(link) + `">Open hiretext</a></p>` + "\n" +
		"<p>You get this email because it is on under My settings in hiretext.</p>"
	return subject, text, htmlBody
}

// The daily digest: at DigestHour in each user's time zone, or up to
// DigestLate after it if no instance was running then (a "morning" list
// later in the day would be noise, and turning the digest on in the
// afternoon should not send one at once). Instances look for due digests
// every DigestInterval.
const (
	DigestHour     = 8
	DigestLate     = 4 * time.Hour
	DigestInterval = time.Minute
	// MaxDigestItems bounds the conversations a digest lists; it says how
	// many more there are.
	MaxDigestItems = 50
)

// EmailKindDigest marks a daily digest in the outbox.
const EmailKindDigest = "digest"

// DigestDay returns the local day (YYYY-MM-DD) whose digest is due at now
// in loc, or "" when none is: before DigestHour, or DigestLate past it.
func DigestDay(now time.Time, loc *time.Location) string {
	local := now.In(loc)
	y, m, d := local.Date()
	at := time.Date(y, m, d, DigestHour, 0, 0, 0, loc)
	if local.Before(at) || !local.Before(at.Add(DigestLate)) {
		return ""
	}
	return local.Format(time.DateOnly)
}

// DigestItem is one conversation a digest lists.
type DigestItem struct {
	Who          string // the candidate's name, or the phone of an unknown sender
	WaitingSince time.Time
	Link         string
}

// DigestEmail writes the daily digest: each conversation that needs a
// reply with who wrote, since when (in loc, and how long before now) and a
// link; total counts them all when items is cut short. As with the
// away-reply email, no text is quoted.
func DigestEmail(items []DigestItem, total int, inbox string, loc *time.Location, now time.Time) (subject, text, htmlBody string) {
	subject = "1 candidate is waiting for a reply on hiretext"
	if total != 1 {
		subject = fmt.Sprintf("%d candidates are waiting for a reply on hiretext", total)
	}
	var t, h strings.Builder
	t.WriteString("Good morning. These conversations need a reply:\n\n")
	h.WriteString("<p>Good morning. These conversations need a reply:</p>\n<ul>\n")
	for _, it := range items {
		who := strings.Join(strings.Fields(it.Who), " ")
		since := "waiting since " + it.WaitingSince.In(loc).Format("Mon Jan 2, 3:04 PM") + " (" + waitedFor(now.Sub(it.WaitingSince)) + ")"
		fmt.Fprintf(&t, "- %s, %s: %s\n", who, since, it.Link)
		fmt.Fprintf(&h, "<li><a href=\"%s\">%s</a>, %s</li>\n", html.EscapeString(it.Link), html.EscapeString(who), html.EscapeString(since))
	}
	h.WriteString("</ul>\n")
	if more := total - len(items); more > 0 {
		fmt.Fprintf(&t, "\nand %d more: %s\n", more, inbox)
		fmt.Fprintf(&h, "<p>and %d more in <a href=\"%s\">the inbox</a>.</p>\n", more, html.EscapeString(inbox))
	}
	t.WriteString("\nOpen the inbox: " + inbox + "\n\nYou get this email because the daily digest is on under My settings in hiretext.")
	h.WriteString(`<p><a href="` + html.EscapeString(inbox) + `">Open the inbox</a></p>` + "\n" +
		"<p>You get this email because the daily digest is on under My settings in hiretext.</p>")
	return subject, t.String(), h.String()
}

// waitedFor says how long a candidate has waited, in hours or days.
func waitedFor(d time.Duration) string {
	switch h := int(d.Hours()); {
	case h < 1:
		return "under an hour"
	case h == 1:
		return "1 hour"
	case h < 48:
		return fmt.Sprintf("%d hours", h)
	default:
		return fmt.Sprintf("%d days", h/24)
	}
}

// DigestQueuer queues the daily digests that are due.
type DigestQueuer interface {
	// QueueDigests queues, once per user and local day across instances,
	// the digests due now; it returns how many it queued.
	QueueDigests(ctx context.Context) (int, error)
}

// NotifyService keeps the users' notification choices and who is present.
type NotifyService interface {
	// NotifySettings returns a user's choices.
	NotifySettings(ctx context.Context, org OrgID, user UserID) (NotifySettings, error)
	// SetNotifySettings changes a user's choices.
	SetNotifySettings(ctx context.Context, org OrgID, user UserID, s NotifySettings) error
	// SeeUsers records that users had a hiretext page open at at.
	SeeUsers(ctx context.Context, users []UserID, at time.Time) error
}
