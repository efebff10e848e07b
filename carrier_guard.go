package hiretext

import (
	"context"
	"fmt"
	"html"
	"time"
)

// The carrier filtering guard. A number whose texts carriers filter as
// unwanted (30007) or refuse for its registration (30032, 30034) again and
// again is damaging its standing with every carrier, and a bulk send or a
// morning of scheduled texts would carry on failing, and deepen the damage,
// before anyone notices. When more errors than the company allows arrive
// within its window, the guard pauses the number's bulk and scheduled texts
// (one-to-one texts keep going: a recruiter answering a candidate sees each
// failure at once) and alerts its users and the administrators; an
// administrator resumes them.

// The defaults and bounds of the guard's settings.
const (
	DefaultCarrierErrorLimit    = 3
	DefaultCarrierWindowMinutes = 10
	MaxCarrierErrorLimit        = 1000
	MaxCarrierWindowMinutes     = 24 * 60
)

// CarrierGuard is a company's setting of the guard: more than ErrorLimit
// filtering or registration errors on one number within WindowMinutes
// pause its bulk and scheduled texts. ErrorLimit 0 turns the guard off.
type CarrierGuard struct {
	OrgID         OrgID
	ErrorLimit    int
	WindowMinutes int
	UpdatedAt     time.Time
	UpdatedBy     UserID // 0 while the defaults apply
}

// DefaultCarrierGuard is the setting of a company that has not changed it.
func DefaultCarrierGuard(org OrgID) *CarrierGuard {
	return &CarrierGuard{OrgID: org, ErrorLimit: DefaultCarrierErrorLimit, WindowMinutes: DefaultCarrierWindowMinutes}
}

// Window is the span the guard counts errors over.
func (g *CarrierGuard) Window() time.Duration { return time.Duration(g.WindowMinutes) * time.Minute }

// CarrierGuardUpdate is a change to the guard as a form or the API writes it.
type CarrierGuardUpdate struct {
	ErrorLimit    int
	WindowMinutes int
}

// Validate reports every problem of u at once, under the API's field names.
func (u CarrierGuardUpdate) Validate() error {
	v := Validation{}
	if u.ErrorLimit < 0 || u.ErrorLimit > MaxCarrierErrorLimit {
		v.Add("error_limit", fmt.Sprintf("Use 0 (off) to %d errors.", MaxCarrierErrorLimit))
	}
	if u.WindowMinutes < 1 || u.WindowMinutes > MaxCarrierWindowMinutes {
		v.Add("window_minutes", fmt.Sprintf("Use 1 to %d minutes.", MaxCarrierWindowMinutes))
	}
	return v.Err()
}

// GuardedProblem reports whether a carrier error of code counts toward the
// guard: filtering and registration errors say the number (or what it
// sends) is in trouble with carriers, not that one phone is.
func GuardedProblem(code string) (CarrierProblem, bool) {
	p, ok := CarrierProblemOf(code)
	return p, ok && (p == CarrierFiltered || p == CarrierRegistration)
}

// CarrierPause is a number whose bulk and scheduled texts the guard paused.
type CarrierPause struct {
	OrgID    OrgID
	NumberID NumberID
	Phone    string // the number's, E.164
	Problem  CarrierProblem
	Code     string // the error that tripped the guard
	Errors   int    // the errors the window held when it tripped
	Since    time.Time
}

// Reason is why the guard paused, in a few words: "carrier filtering".
func (p *CarrierPause) Reason() string {
	if p.Problem == CarrierRegistration {
		return "number registration"
	}
	return "carrier filtering"
}

// Label is the pause as shown beside each paused text: "Paused: carrier
// filtering".
func (p *CarrierPause) Label() string { return "Paused: " + p.Reason() }

// Explanation says why the texts paused and what to check, in plain words.
func (p *CarrierPause) Explanation() string {
	if p.Problem == CarrierRegistration {
		return fmt.Sprintf("Carriers refused %d texts from this number because it is not registered for business texting "+
			"(error %s: US A2P 10DLC campaign or toll-free verification). Bulk and scheduled texts are paused; one-to-one texts still go. "+
			"An administrator should check the number's registration in the Twilio console, then resume.", p.Errors, p.Code)
	}
	return fmt.Sprintf("Carriers filtered %d texts from this number as unwanted (error %s). Bulk and scheduled texts are paused; "+
		"one-to-one texts still go. Check what was sent: no link shorteners, no capitals or repeated punctuation, say who you are; "+
		"and check the number's registration (A2P 10DLC). Then an administrator can resume.", p.Errors, p.Code)
}

// PausedByGuard reports whether m is a text the guard holds while its
// number is paused: one of a bulk send, or scheduled by a user.
func (m *Message) PausedByGuard() bool {
	return m.Direction == Outbound && (m.Bulk || m.Hold == HoldSchedule)
}

// Notification kinds of the guard: it paused a number's bulk and
// scheduled texts for filtering, or for registration.
const (
	AlertCarrierFiltered     AlertKind = "carrier_filtered"
	AlertCarrierRegistration AlertKind = "carrier_registration"
)

// PauseAlertKind is the notification kind of a pause for problem.
func PauseAlertKind(problem CarrierProblem) AlertKind {
	if problem == CarrierRegistration {
		return AlertCarrierRegistration
	}
	return AlertCarrierFiltered
}

// EmailKindCarrierPause marks the email of a pause in the outbox.
const EmailKindCarrierPause = "carrier_pause"

// CarrierPauseEmail writes the email telling a user that the guard paused
// number (formatted for reading): why, what to check, and a link to
// hiretext (for an administrator, to Text Message Numbers, where they resume).
func CarrierPauseEmail(p *CarrierPause, number, link string) (subject, text, htmlBody string) {
	subject = "Texting number " + number + ": bulk and scheduled texts paused (" + p.Reason() + ")"
	why := "Texting number " + number + ": " + p.Explanation()
	text = why + "\n\nOpen hiretext: " + link + "\n\nYou get this email because number alerts are on under My settings in hiretext."
	htmlBody = "<p>" + html.EscapeString(why) + "</p>\n" + `<p><a href="` + html.EscapeString(link) + `">Open hiretext</a></p>` + "\n" +
		"<p>You get this email because number alerts are on under My settings in hiretext.</p>"
	return subject, text, htmlBody
}

// CarrierGuardService keeps the guard's setting and the numbers it paused.
type CarrierGuardService interface {
	// CarrierGuard returns org's setting: the default until changed.
	CarrierGuard(ctx context.Context, org OrgID) (*CarrierGuard, error)
	// UpdateCarrierGuard validates u and replaces org's setting; by is the
	// administrator saving it.
	UpdateCarrierGuard(ctx context.Context, org OrgID, u CarrierGuardUpdate, by UserID) (*CarrierGuard, error)
	// CarrierPauses lists org's paused numbers.
	CarrierPauses(ctx context.Context, org OrgID) (map[NumberID]*CarrierPause, error)
	// ResumeNumber ends the pause of org's number: its bulk and scheduled
	// texts go again, and its errors so far are not counted again. A number
	// not paused is a conflict; another company's is not found.
	ResumeNumber(ctx context.Context, org OrgID, number NumberID, by UserID) error
}
