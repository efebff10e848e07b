package hiretext

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// SendPolicy is a company's rule of when its users' texts may go: the
// allowed window per weekday in the candidate's local time, the stricter
// windows of the US states it chose to obey, how long after a candidate's
// own text a reply may go at once, and how many texts a candidate may get
// without answering.
type SendPolicy struct {
	OrgID      OrgID
	QuietHours Week // the allowed window of each weekday; nil closes the day
	// StateWindows are the codes of the states (StatePresets) whose legal
	// window also applies to phones of their area codes.
	StateWindows []string
	// ReplyGraceMinutes lets a reply to a candidate who texted in the last
	// so many minutes go at once, whatever the hour; 0 turns it off.
	ReplyGraceMinutes int
	// AttemptLimit is how many texts users may start to a candidate in any
	// rolling 24 hours without a reply from them; 0 turns it off.
	AttemptLimit int
	// AnswerTextedFirst lets users answer, one to one, a candidate who
	// texted first and has not opted in (Candidate.TextedFirst).
	AnswerTextedFirst bool
	UpdatedAt         time.Time
	UpdatedBy         UserID // 0 while the defaults apply
}

// The defaults of a new company's send policy.
const (
	DefaultReplyGraceMinutes = 30
	DefaultAttemptLimit      = 3
	MaxReplyGraceMinutes     = 24 * 60
	MaxAttemptLimit          = 50
)

// DefaultQuietHours allows texting Monday to Saturday from 9:00 to 20:00,
// candidate time, and not on Sunday.
func DefaultQuietHours() Week {
	w := EveryDay(9*60, 20*60)
	w[time.Sunday] = nil
	return w
}

// DefaultSendPolicy is the policy of a company that has not changed it.
func DefaultSendPolicy(org OrgID) *SendPolicy {
	return &SendPolicy{OrgID: org, QuietHours: DefaultQuietHours(),
		ReplyGraceMinutes: DefaultReplyGraceMinutes, AttemptLimit: DefaultAttemptLimit, AnswerTextedFirst: true}
}

// OpenSendPolicy is DefaultSendPolicy open at every hour of every day: the
// demo company's, so a first try at night still texts at once.
func OpenSendPolicy(org OrgID) *SendPolicy {
	p := DefaultSendPolicy(org)
	p.QuietHours = EveryDay(0, MinutesPerDay)
	return p
}

// StatePreset is the window a US state's law sets for texts a business
// starts, offered as a one-click stricter window.
type StatePreset struct {
	Code, Name string
	Week       Week
	Summary    string // the window in words, for the settings page
}

// StatePresets are the states whose windows the policy can apply, by code.
// Florida, Oklahoma and Maryland allow 8 a.m. to 8 p.m. every day (and three
// attempts a day, which the attempt limit covers); Texas, since September
// 2025, 9 a.m. to 9 p.m. Monday to Saturday and noon to 9 p.m. on Sunday.
var StatePresets = map[string]StatePreset{
	"FL": {Code: "FL", Name: "Florida", Week: EveryDay(8*60, 20*60), Summary: "8:00 AM–8:00 PM every day"},
	"OK": {Code: "OK", Name: "Oklahoma", Week: EveryDay(8*60, 20*60), Summary: "8:00 AM–8:00 PM every day"},
	"MD": {Code: "MD", Name: "Maryland", Week: EveryDay(8*60, 20*60), Summary: "8:00 AM–8:00 PM every day"},
	"TX": {Code: "TX", Name: "Texas", Week: texasWeek(), Summary: "9:00 AM–9:00 PM Monday–Saturday, noon–9:00 PM Sunday"},
}

// StatePresetCodes lists the preset states in the order forms show them.
var StatePresetCodes = []string{"FL", "OK", "MD", "TX"}

func texasWeek() Week {
	w := EveryDay(9*60, 21*60)
	w[time.Sunday] = &Window{Start: 12 * 60, End: 21 * 60}
	return w
}

// Recipient is what the policy needs to know of where a text goes: the
// candidate's time zones (several when the phone's prefix spans several)
// and the US state of the phone's area code ("" when none or unknown).
type Recipient struct {
	Zones []*time.Location
	State string
}

// WeekFor is the window that applies to r: the company's, narrowed by the
// state's when the company applies that state's window.
func (p *SendPolicy) WeekFor(r Recipient) Week {
	if r.State != "" && slices.Contains(p.StateWindows, r.State) {
		return p.QuietHours.Intersect(StatePresets[r.State].Week)
	}
	return p.QuietHours
}

// SendTiming is when a user's text to one candidate goes.
type SendTiming struct {
	At time.Time // when it goes; the instant it was asked for when it may go then
	// Held is true when the text waits: it was scheduled for later, or the
	// quiet hours hold it.
	Held bool
	// Moved is true when the quiet hours moved it from the time asked for.
	Moved bool
}

// Plan decides when a text written at now goes to r: at requested (zero
// for now), or at the first allowed instant after it when the window is
// closed then. A text sent now to a candidate whose own text arrived
// within the reply grace (lastReply; zero for never) goes at once. When the
// zones' windows never overlap it goes when the first zone's window opens.
func (p *SendPolicy) Plan(now, requested, lastReply time.Time, r Recipient) SendTiming {
	at := requested
	if at.IsZero() || at.Before(now) {
		at = now
		if p.ReplyGraceMinutes > 0 && !lastReply.IsZero() && now.Sub(lastReply) <= time.Duration(p.ReplyGraceMinutes)*time.Minute {
			return SendTiming{At: now}
		}
	}
	week := p.WeekFor(r)
	next, ok := week.NextOpen(at, r.Zones)
	if !ok && len(r.Zones) > 0 {
		next, ok = week.NextOpen(at, r.Zones[:1])
	}
	if !ok {
		next = at // no day open at all, which validation refuses
	}
	return SendTiming{At: next, Held: next.After(now), Moved: !next.Equal(at)}
}

// MaxScheduleAhead is how far ahead a text may be scheduled.
const MaxScheduleAhead = 366 * 24 * time.Hour

// ValidateSendAt checks a requested send time against now: at most a minute
// in the past (a clock a little behind the server's) and at most
// MaxScheduleAhead ahead. It reports the field send_at.
func ValidateSendAt(at, now time.Time) error {
	var msg string
	switch {
	case at.Before(now.Add(-time.Minute)):
		msg = "Choose a time in the future."
	case at.After(now.Add(MaxScheduleAhead)):
		msg = "Schedule at most 366 days ahead."
	default:
		return nil
	}
	return FieldError(msg, map[string]string{"send_at": msg})
}

// ResolveZones returns the time zones a candidate is texted by: the one set
// on their profile; else those of their phone's prefix (phoneZones, IANA
// names; unknown names are ignored); else the company's.
func ResolveZones(explicit string, phoneZones []string, company *time.Location) []*time.Location {
	if loc, err := LoadZone(explicit); explicit != "" && err == nil {
		return []*time.Location{loc}
	}
	var out []*time.Location
	for _, name := range phoneZones {
		if loc, err := LoadZone(name); err == nil {
			out = append(out, loc)
		}
	}
	if len(out) == 0 {
		out = []*time.Location{company}
	}
	return out
}

// LoadZone loads an IANA time zone by name, refusing names that are not
// zones people live in ("", "Local", "UTC" is allowed) with a clear error.
func LoadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" || strings.HasPrefix(name, "Etc/Unknown") {
		return nil, Errorf(EInvalid, "Unknown time zone %q: use an IANA name such as America/Denver.", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, Errorf(EInvalid, "Unknown time zone %q: use an IANA name such as America/Denver.", name)
	}
	return loc, nil
}

// Weekdays are the keys of a week in forms and the API, Sunday first as in
// package time.
var Weekdays = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// SendPolicyUpdate is a change to the send policy as a form or the API
// writes it: each weekday's window as two clock times, nil for a closed day.
type SendPolicyUpdate struct {
	QuietHours        map[string]*[2]string
	StateWindows      []string
	ReplyGraceMinutes int
	AttemptLimit      int
	AnswerTextedFirst bool
}

// Policy validates u, reporting every problem at once under fields named
// like the API's ("quiet_hours.mon", "state_windows"), and returns the
// policy it describes.
func (u SendPolicyUpdate) Policy(org OrgID) (*SendPolicy, error) {
	v := Validation{}
	p := &SendPolicy{OrgID: org, ReplyGraceMinutes: u.ReplyGraceMinutes, AttemptLimit: u.AttemptLimit,
		AnswerTextedFirst: u.AnswerTextedFirst}
	p.QuietHours = parseWeek(v, "quiet_hours", u.QuietHours)
	p.StateWindows = validStates(v, u.StateWindows)
	if p.ReplyGraceMinutes < 0 || p.ReplyGraceMinutes > MaxReplyGraceMinutes {
		v.Add("reply_grace_minutes", fmt.Sprintf("Use 0 (off) to %d minutes.", MaxReplyGraceMinutes))
	}
	if p.AttemptLimit < 0 || p.AttemptLimit > MaxAttemptLimit {
		v.Add("attempt_limit", fmt.Sprintf("Use 0 (off) to %d texts.", MaxAttemptLimit))
	}
	return p, v.Err()
}

// parseWeek reads a week as forms and the API write it (each weekday's
// window as two clock times, nil for a closed day), recording problems
// under field and field.day; at least one day must be open.
func parseWeek(v Validation, field string, days map[string]*[2]string) Week {
	var week Week
	before := len(v)
	for day := range days {
		if !slices.Contains(Weekdays[:], day) {
			v.Add(field+"."+day, fmt.Sprintf("Unknown day %q: use mon, tue, wed, thu, fri, sat or sun.", day))
		}
	}
	for d, key := range Weekdays {
		span := days[key]
		if span == nil {
			continue
		}
		w, err := ParseWindow(span[0], span[1])
		if err != nil {
			v.Add(field+"."+key, ErrorMessage(err))
			continue
		}
		week[d] = &w
	}
	if len(v) == before && !week.AnyOpen() {
		v.Add(field, "Open at least one day.")
	}
	return week
}

// validStates returns the known state codes of codes, upper case, in the
// presets' order and without repeats, recording unknown ones.
func validStates(v Validation, codes []string) []string {
	var out []string
	for _, c := range codes {
		if _, ok := StatePresets[strings.ToUpper(c)]; !ok {
			v.Add("state_windows", fmt.Sprintf("Unknown state %q: use %s.", c, strings.Join(StatePresetCodes, ", ")))
		}
	}
	for _, c := range StatePresetCodes {
		if slices.ContainsFunc(codes, func(s string) bool { return strings.EqualFold(s, c) }) {
			out = append(out, c)
		}
	}
	return out
}

// Update is the SendPolicyUpdate that describes p, as forms are filled.
func (p *SendPolicy) Update() SendPolicyUpdate {
	return SendPolicyUpdate{QuietHours: p.QuietHours.Spans(), StateWindows: slices.Clone(p.StateWindows),
		ReplyGraceMinutes: p.ReplyGraceMinutes, AttemptLimit: p.AttemptLimit, AnswerTextedFirst: p.AnswerTextedFirst}
}

// Spans writes w as forms and the API do: each weekday's window as two
// clock times, nil for a closed day.
func (w Week) Spans() map[string]*[2]string {
	out := map[string]*[2]string{}
	for d, key := range Weekdays {
		out[key] = nil
		if win := w[d]; win != nil {
			out[key] = &[2]string{ClockTime(win.Start), ClockTime(win.End)}
		}
	}
	return out
}

// SendPolicyService reads and changes a company's send policy. A policy
// never saved is DefaultSendPolicy.
type SendPolicyService interface {
	SendPolicy(ctx context.Context, org OrgID) (*SendPolicy, error)
	UpdateSendPolicy(ctx context.Context, org OrgID, u SendPolicyUpdate, by UserID) (*SendPolicy, error)
}

// PlannedTime is when a text to one candidate would go, and the time zone
// the candidate's clock is read in (their first, when several).
type PlannedTime struct {
	SendTiming
	Zone *time.Location
	// NextAttempt is set when the attempt limit refuses the text: the first
	// time one may go.
	NextAttempt time.Time
}

// WhenSentence says when a text to name goes, as a composer shows it before
// sending: "" when it goes now; otherwise the minute in the candidate's time,
// and, when the window moved it, their time now:
// "Carlos's local time is 9:47 PM; this will be sent at 9:00 AM tomorrow, Carlos's time."
func WhenSentence(name string, now time.Time, p PlannedTime) string {
	if !p.NextAttempt.IsZero() && p.Zone != nil {
		next := p.NextAttempt.In(p.Zone)
		return name + " already got the most texts the company allows in 24 hours without a reply; the next is allowed at " +
			next.Format("3:04 PM") + " " + dayPhrase(now.In(p.Zone), next) + ", " + name + "'s time."
	}
	if !p.Held || p.Zone == nil {
		return ""
	}
	at := p.At.In(p.Zone)
	when := "this will be sent at " + at.Format("3:04 PM") + " " + dayPhrase(now.In(p.Zone), at) + ", " + name + "'s time."
	if !p.Moved {
		return strings.ToUpper(when[:1]) + when[1:]
	}
	return name + "'s local time is " + now.In(p.Zone).Format("3:04 PM") + "; " + when
}

// dayPhrase names at's day as seen on now's: "today", "tomorrow" or "on Mon, Dec 7".
func dayPhrase(now, at time.Time) string {
	y, m, d := now.Date()
	switch ay, am, ad := at.Date(); {
	case ay == y && am == m && ad == d:
		return "today"
	case time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC).Equal(time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)):
		return "tomorrow"
	}
	return "on " + at.Format("Mon, Jan 2")
}

// ScheduleService lists and cancels the texts that wait for their minute.
type ScheduleService interface {
	// PlanSendTimes says when a text from user to each of ids would go, at
	// sendAt (zero for now), without sending; candidates who would be
	// skipped are left out.
	PlanSendTimes(ctx context.Context, org OrgID, user UserID, ids []CandidateID, sendAt time.Time) (map[CandidateID]PlannedTime, error)
	// ScheduledMessages lists org's waiting texts, soonest first, at most
	// limit: those user sent, or everyone's when user is 0.
	ScheduledMessages(ctx context.Context, org OrgID, user UserID, limit int) ([]*Message, error)
	// CancelScheduled cancels a waiting text for good, by its sender (or by
	// anyone when anyUser, an administrator). Nothing was counted, so
	// nothing is released. A text that has gone is an EConflict; another
	// company's, or another user's without anyUser, ENotFound.
	CancelScheduled(ctx context.Context, org OrgID, id MessageID, by UserID, anyUser bool) (*Message, error)
}

// CandidateZoneService sets the time zone a candidate is texted by.
type CandidateZoneService interface {
	// SetCandidateTimeZone sets c's time zone to an IANA name, or "" to
	// derive it from the texting phone again. An unknown name is a field
	// error on time_zone and changes nothing.
	SetCandidateTimeZone(ctx context.Context, org OrgID, id CandidateID, zone string) (*Candidate, error)
}

// ReasonOptedOutMeanwhile and ReasonMonthlyMaximum are why a held text did
// not go when its minute came.
const (
	ReasonOptedOutMeanwhile = "Not sent: the candidate opted out before it went."
	ReasonMonthlyMaximum    = "Not sent: monthly maximum reached."
	ReasonAttemptLimit      = "Not sent: the candidate already got the most texts the company allows in 24 hours without a reply."
)
