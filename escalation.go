package hiretext

import (
	"context"
	"fmt"
	"html"
	"strings"
	"time"
)

// EscalationPolicy is a company's rule for candidates left waiting: a
// candidate's reply that no user answered for TeamAfterHours business
// hours is told to the number's other users, and after AdminsAfterHours
// more to the company's administrators. Business hours are read in the
// company's time zone. It is off until an administrator turns it on.
type EscalationPolicy struct {
	OrgID            OrgID
	Enabled          bool
	BusinessHours    Week // the open window of each weekday; nil closes the day
	TeamAfterHours   int  // N: business hours a reply waits before the number's other users are told
	AdminsAfterHours int  // M: business hours more before the administrators are told
	UpdatedAt        time.Time
	UpdatedBy        UserID // 0 while the defaults apply
}

// The defaults and limits of an escalation policy, in business hours.
const (
	DefaultTeamAfterHours   = 4
	DefaultAdminsAfterHours = 4
	// MaxEscalationHours is a month of 8-hour days: a wait longer than that
	// before anyone is told is no escalation.
	MaxEscalationHours = 160
)

// DefaultBusinessHours are Monday to Friday, 9:00 AM to 5:00 PM.
func DefaultBusinessHours() Week {
	var w Week
	for d := time.Monday; d <= time.Friday; d++ {
		w[d] = &Window{Start: 9 * 60, End: 17 * 60}
	}
	return w
}

// DefaultEscalationPolicy is the policy of a company that has not set one:
// off.
func DefaultEscalationPolicy(org OrgID) *EscalationPolicy {
	return &EscalationPolicy{OrgID: org, BusinessHours: DefaultBusinessHours(),
		TeamAfterHours: DefaultTeamAfterHours, AdminsAfterHours: DefaultAdminsAfterHours}
}

// EscalationStep is who an escalation tells.
type EscalationStep int

// The steps of an escalation, in order.
const (
	EscalateTeam   EscalationStep = 1 // the number's other users
	EscalateAdmins EscalationStep = 2 // the company's administrators
)

// Due is when step is due for a reply waiting since waitingSince, the
// company's time zone being loc; false when no business day is open.
func (p *EscalationPolicy) Due(waitingSince time.Time, step EscalationStep, loc *time.Location) (time.Time, bool) {
	hours := p.TeamAfterHours
	if step == EscalateAdmins {
		hours += p.AdminsAfterHours
	}
	return p.BusinessHours.AddOpen(waitingSince, time.Duration(hours)*time.Hour, loc)
}

// EscalationPolicyUpdate is a change to the escalation policy as a form or
// the API writes it: each weekday's business hours as two clock times, nil
// for a closed day.
type EscalationPolicyUpdate struct {
	Enabled          bool
	BusinessHours    map[string]*[2]string
	TeamAfterHours   int
	AdminsAfterHours int
}

// Policy validates u, reporting every problem at once under fields named
// like the API's ("business_hours.mon", "team_after_hours"), and returns
// the policy it describes.
func (u EscalationPolicyUpdate) Policy(org OrgID) (*EscalationPolicy, error) {
	v := Validation{}
	p := &EscalationPolicy{OrgID: org, Enabled: u.Enabled, TeamAfterHours: u.TeamAfterHours, AdminsAfterHours: u.AdminsAfterHours}
	p.BusinessHours = parseWeek(v, "business_hours", u.BusinessHours)
	for field, n := range map[string]int{"team_after_hours": u.TeamAfterHours, "admins_after_hours": u.AdminsAfterHours} {
		if n < 1 || n > MaxEscalationHours {
			v.Add(field, fmt.Sprintf("Use 1 to %d business hours.", MaxEscalationHours))
		}
	}
	return p, v.Err()
}

// Update is the EscalationPolicyUpdate that describes p, as forms are
// filled.
func (p *EscalationPolicy) Update() EscalationPolicyUpdate {
	return EscalationPolicyUpdate{Enabled: p.Enabled, BusinessHours: p.BusinessHours.Spans(),
		TeamAfterHours: p.TeamAfterHours, AdminsAfterHours: p.AdminsAfterHours}
}

// Escalation is one step of an escalation of a conversation: whom it told
// and when. Told is empty when nobody else could be told (the number has
// no other user).
type Escalation struct {
	ConversationID ConversationID
	Step           EscalationStep
	At             time.Time
	Told           []string // the users' names, in alphabetical order
}

// AlertKinds of the escalation notifications in the bell and the API.
const (
	AlertEscalationTeam   AlertKind = "escalation_team"   // a reply to the user's number waits
	AlertEscalationAdmins AlertKind = "escalation_admins" // a reply waits still, told to an administrator
)

// EmailKindEscalation marks an escalation's email in the outbox.
const EmailKindEscalation = "escalation"

// EscalationEmail writes the email telling a user that who (a candidate's
// name, or a phone) has waited for an answer for hours business hours,
// with a link to the conversation. Like the away-reply email, it never
// holds the text itself.
func EscalationEmail(who string, hours int, link string) (subject, text, htmlBody string) {
	who = strings.Join(strings.Fields(who), " ") // no line break can reach a header
	if len(who) > 100 {
		who = strings.ToValidUTF8(who[:100], "")
	}
	what := fmt.Sprintf("%s has waited %d business hours for an answer to their text.", who, hours)
	subject = who + " is waiting for an answer on hiretext"
	text = what + "\n\nOpen the conversation: " + link + "\n\n" +
		"Your company escalates unanswered replies; you get this email because email notifications are on under My settings in hiretext."
	htmlBody = "<p>" + html.EscapeString(what) + "</p>\n" +
		`<p><a href="` + html.EscapeString(link) + `">Open the conversation</a></p>` + "\n" +
		"<p>Your company escalates unanswered replies; you get this email because email notifications are on under My settings in hiretext.</p>"
	return subject, text, htmlBody
}

// EscalationService keeps the escalation policy and runs it.
type EscalationService interface {
	EscalationPolicy(ctx context.Context, org OrgID) (*EscalationPolicy, error)
	// UpdateEscalationPolicy replaces the policy; by is the administrator.
	// A change re-times the conversations that wait now.
	UpdateEscalationPolicy(ctx context.Context, org OrgID, u EscalationPolicyUpdate, by UserID) (*EscalationPolicy, error)
	// Escalate runs the steps due now, each once however many instances
	// run it, and returns how many it ran.
	Escalate(ctx context.Context) (int, error)
	// ConversationEscalations lists the steps of the conversation's current
	// wait, oldest first (none when it does not wait).
	ConversationEscalations(ctx context.Context, org OrgID, id ConversationID) ([]*Escalation, error)
}
