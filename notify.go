package hiretext

import (
	"context"
	"html"
	"strings"
	"time"
)

// NotifySettings are a user's choices of email notifications.
type NotifySettings struct {
	// AwayReply emails the user when a candidate texts their number while
	// they have no hiretext page open (see AwayDelay).
	AwayReply bool
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

// NotifyService keeps the users' notification choices and who is present.
type NotifyService interface {
	// NotifySettings returns a user's choices.
	NotifySettings(ctx context.Context, org OrgID, user UserID) (NotifySettings, error)
	// SetNotifySettings changes a user's choices.
	SetNotifySettings(ctx context.Context, org OrgID, user UserID, s NotifySettings) error
	// SeeUsers records that users had a hiretext page open at at.
	SeeUsers(ctx context.Context, users []UserID, at time.Time) error
}
