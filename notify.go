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

// NotifyService keeps the users' notification choices and who is present.
type NotifyService interface {
	// NotifySettings returns a user's choices.
	NotifySettings(ctx context.Context, org OrgID, user UserID) (NotifySettings, error)
	// SetNotifySettings changes a user's choices.
	SetNotifySettings(ctx context.Context, org OrgID, user UserID, s NotifySettings) error
	// SeeUsers records that users had a hiretext page open at at.
	SeeUsers(ctx context.Context, users []UserID, at time.Time) error
}
