package hiretext_test

import (
	"testing"
	"time"
	_ "time/tzdata" // the zones below on machines without zoneinfo

	"github.com/hiretext/hiretext"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// at is a wall-clock time in loc.
func at(loc *time.Location, y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, loc)
}

func TestPlanHoldsUntilTheCandidatesWindowOpens(t *testing.T) {
	honolulu, newYork, chicago, denver := zone(t, "Pacific/Honolulu"), zone(t, "America/New_York"), zone(t, "America/Chicago"), zone(t, "America/Denver")
	losAngeles := zone(t, "America/Los_Angeles")
	def := hiretext.DefaultSendPolicy(1)
	open := &hiretext.SendPolicy{QuietHours: hiretext.EveryDay(0, hiretext.MinutesPerDay)}
	withStates := &hiretext.SendPolicy{QuietHours: hiretext.EveryDay(0, hiretext.MinutesPerDay), StateWindows: []string{"FL", "TX"}}
	gap := &hiretext.SendPolicy{QuietHours: hiretext.EveryDay(2*60+30, 20*60)}
	tests := []struct {
		name   string
		policy *hiretext.SendPolicy
		now    time.Time
		to     hiretext.Recipient
		want   time.Time
	}{
		// Tuesday 1 December 2026.
		{"Hawaii phone at 7:30 a.m. HST waits for 9:00 HST", def, at(honolulu, 2026, 12, 1, 7, 30),
			hiretext.Recipient{Zones: []*time.Location{honolulu}}, at(honolulu, 2026, 12, 1, 9, 0)},
		{"inside the window it goes at once", def, at(honolulu, 2026, 12, 1, 9, 0),
			hiretext.Recipient{Zones: []*time.Location{honolulu}}, at(honolulu, 2026, 12, 1, 9, 0)},
		{"at 8 p.m. the window has closed until tomorrow", def, at(newYork, 2026, 12, 1, 20, 0),
			hiretext.Recipient{Zones: []*time.Location{newYork}}, at(newYork, 2026, 12, 2, 9, 0)},
		{"Florida phone under the Florida preset waits for 8:00 ET", withStates, at(newYork, 2026, 12, 1, 7, 15),
			hiretext.Recipient{Zones: []*time.Location{newYork}, State: "FL"}, at(newYork, 2026, 12, 1, 8, 0)},
		{"a state the company did not choose keeps the company window", withStates, at(newYork, 2026, 12, 1, 7, 15),
			hiretext.Recipient{Zones: []*time.Location{newYork}, State: "MD"}, at(newYork, 2026, 12, 1, 7, 15)},
		// Sunday 6 December 2026.
		{"Texas phone on a Sunday morning waits for noon", withStates, at(chicago, 2026, 12, 6, 9, 30),
			hiretext.Recipient{Zones: []*time.Location{chicago}, State: "TX"}, at(chicago, 2026, 12, 6, 12, 0)},
		{"the default window is closed all Sunday", def, at(chicago, 2026, 12, 6, 9, 30),
			hiretext.Recipient{Zones: []*time.Location{chicago}, State: "TX"}, at(chicago, 2026, 12, 7, 9, 0)},
		{"a prefix spanning two zones waits until both are open", def, at(chicago, 2026, 12, 1, 9, 30),
			hiretext.Recipient{Zones: []*time.Location{chicago, denver}}, at(denver, 2026, 12, 1, 9, 0)},
		{"two zones at the end of the day close with the earlier", def, at(chicago, 2026, 12, 1, 19, 45),
			hiretext.Recipient{Zones: []*time.Location{denver, chicago}}, at(chicago, 2026, 12, 1, 19, 45)},
		{"two zones: after the eastern one closes, the next morning in the western", def, at(chicago, 2026, 12, 1, 20, 5),
			hiretext.Recipient{Zones: []*time.Location{chicago, denver}}, at(denver, 2026, 12, 2, 9, 0)},
		// Clocks go forward on Sunday 8 March 2026 and back on Sunday 1 November 2026.
		{"the March change: 9:00 PDT is 16:00 UTC", open, at(losAngeles, 2026, 3, 8, 0, 30),
			hiretext.Recipient{Zones: []*time.Location{losAngeles}}, at(losAngeles, 2026, 3, 8, 0, 30)},
		{"the March change: held overnight into daylight time", &hiretext.SendPolicy{QuietHours: hiretext.EveryDay(9*60, 20*60)},
			at(losAngeles, 2026, 3, 7, 22, 0), hiretext.Recipient{Zones: []*time.Location{losAngeles}},
			time.Date(2026, 3, 8, 16, 0, 0, 0, time.UTC)},
		{"the November change: held overnight into standard time", &hiretext.SendPolicy{QuietHours: hiretext.EveryDay(9*60, 20*60)},
			at(losAngeles, 2026, 10, 31, 22, 0), hiretext.Recipient{Zones: []*time.Location{losAngeles}},
			time.Date(2026, 11, 1, 17, 0, 0, 0, time.UTC)},
		{"a window opening at 2:30 on the March change opens at the jump to 3:00", gap, at(newYork, 2026, 3, 8, 1, 0),
			hiretext.Recipient{Zones: []*time.Location{newYork}}, time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC)},
		{"seconds before the window count as before it", def, at(newYork, 2026, 12, 1, 8, 59).Add(30 * time.Second),
			hiretext.Recipient{Zones: []*time.Location{newYork}}, at(newYork, 2026, 12, 1, 9, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.policy.Plan(tt.now, time.Time{}, time.Time{}, tt.to)
			if !got.At.Equal(tt.want) {
				t.Fatalf("goes at %v, want %v", got.At.UTC(), tt.want.UTC())
			}
			if got.Held != tt.want.After(tt.now) || got.Moved != got.Held {
				t.Errorf("held %v moved %v for a text written at %v going at %v", got.Held, got.Moved, tt.now, got.At)
			}
		})
	}
}

func TestPlanScheduledAndReplies(t *testing.T) {
	denver := zone(t, "America/Denver")
	to := hiretext.Recipient{Zones: []*time.Location{denver}}
	p := hiretext.DefaultSendPolicy(1)
	now := at(denver, 2026, 12, 1, 21, 47) // Tuesday evening

	got := p.Plan(now, time.Time{}, now.Add(-10*time.Minute), to)
	if !got.At.Equal(now) || got.Held {
		t.Errorf("a reply within the grace: %+v, want at once", got)
	}
	got = p.Plan(now, time.Time{}, now.Add(-31*time.Minute), to)
	if want := at(denver, 2026, 12, 2, 9, 0); !got.At.Equal(want) || !got.Held {
		t.Errorf("a reply after the grace: %+v, want held until %v", got, want)
	}
	p.ReplyGraceMinutes = 0
	if got := p.Plan(now, time.Time{}, now.Add(-time.Minute), to); !got.Held {
		t.Errorf("grace 0 is off, yet %+v", got)
	}

	asked := at(denver, 2026, 12, 2, 10, 15)
	got = p.Plan(now, asked, time.Time{}, to)
	if !got.At.Equal(asked) || !got.Held || got.Moved {
		t.Errorf("scheduled inside the window: %+v, want held to %v, not moved", got, asked)
	}
	asked = at(denver, 2026, 12, 6, 10, 0) // Sunday
	got = p.Plan(now, asked, now, to)
	if want := at(denver, 2026, 12, 7, 9, 0); !got.At.Equal(want) || !got.Moved {
		t.Errorf("scheduled on a closed Sunday: %+v, want moved to %v (the grace never applies to a scheduled time)", got, want)
	}
}

func TestPlanZonesThatNeverOverlapUseTheFirst(t *testing.T) {
	p := &hiretext.SendPolicy{QuietHours: hiretext.EveryDay(9*60, 10*60)}
	tokyo, newYork := zone(t, "Asia/Tokyo"), zone(t, "America/New_York")
	now := at(newYork, 2026, 12, 1, 12, 0)
	got := p.Plan(now, time.Time{}, time.Time{}, hiretext.Recipient{Zones: []*time.Location{newYork, tokyo}})
	if want := at(newYork, 2026, 12, 2, 9, 0); !got.At.Equal(want) {
		t.Errorf("goes at %v, want %v", got.At, want)
	}
}

func TestSendPolicyUpdateValidation(t *testing.T) {
	span := func(a, b string) *[2]string { return &[2]string{a, b} }
	tests := []struct {
		name  string
		u     hiretext.SendPolicyUpdate
		field string // "" for valid
	}{
		{"the default", hiretext.DefaultSendPolicy(1).Update(), ""},
		{"24:00 ends a day", hiretext.SendPolicyUpdate{QuietHours: map[string]*[2]string{"mon": span("00:00", "24:00")}}, ""},
		{"ends before it starts", hiretext.SendPolicyUpdate{QuietHours: map[string]*[2]string{"mon": span("20:00", "09:00")}}, "quiet_hours.mon"},
		{"empty window", hiretext.SendPolicyUpdate{QuietHours: map[string]*[2]string{"tue": span("09:00", "09:00")}}, "quiet_hours.tue"},
		{"24:00 cannot start a day", hiretext.SendPolicyUpdate{QuietHours: map[string]*[2]string{"wed": span("24:00", "24:00")}}, "quiet_hours.wed"},
		{"not a clock time", hiretext.SendPolicyUpdate{QuietHours: map[string]*[2]string{"thu": span("9am", "17:00")}}, "quiet_hours.thu"},
		{"25 o'clock", hiretext.SendPolicyUpdate{QuietHours: map[string]*[2]string{"fri": span("09:00", "25:00")}}, "quiet_hours.fri"},
		{"unknown day", hiretext.SendPolicyUpdate{QuietHours: map[string]*[2]string{"mon": span("09:00", "17:00"), "funday": span("09:00", "17:00")}}, "quiet_hours.funday"},
		{"every day closed", hiretext.SendPolicyUpdate{QuietHours: map[string]*[2]string{"mon": nil}}, "quiet_hours"},
		{"unknown state", hiretext.SendPolicyUpdate{QuietHours: map[string]*[2]string{"mon": span("09:00", "17:00")}, StateWindows: []string{"FL", "ZZ"}}, "state_windows"},
		{"negative grace", hiretext.SendPolicyUpdate{QuietHours: map[string]*[2]string{"mon": span("09:00", "17:00")}, ReplyGraceMinutes: -1}, "reply_grace_minutes"},
		{"huge attempt limit", hiretext.SendPolicyUpdate{QuietHours: map[string]*[2]string{"mon": span("09:00", "17:00")}, AttemptLimit: 1000}, "attempt_limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.u.Policy(1)
			fields := hiretext.ErrorFields(err)
			if tt.field == "" && err != nil {
				t.Fatalf("refused: %v %v", err, fields)
			}
			if tt.field != "" && fields[tt.field] == "" {
				t.Fatalf("want an error on %s, got %v", tt.field, fields)
			}
		})
	}
}

func TestSendPolicyUpdateRoundTrips(t *testing.T) {
	u := hiretext.SendPolicyUpdate{QuietHours: map[string]*[2]string{"sat": {"10:00", "24:00"}},
		StateWindows: []string{"tx", "FL", "TX"}, ReplyGraceMinutes: 15, AttemptLimit: 0}
	p, err := u.Policy(7)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.QuietHours[time.Saturday]; got == nil || *got != (hiretext.Window{Start: 600, End: 1440}) {
		t.Errorf("saturday = %v", got)
	}
	if p.QuietHours[time.Monday] != nil {
		t.Error("a day left out is closed")
	}
	if len(p.StateWindows) != 2 || p.StateWindows[0] != "FL" || p.StateWindows[1] != "TX" {
		t.Errorf("states = %v, want [FL TX]", p.StateWindows)
	}
	back := p.Update()
	if got := back.QuietHours["sat"]; got == nil || *got != [2]string{"10:00", "24:00"} || back.QuietHours["mon"] != nil {
		t.Errorf("Update() = %v", back.QuietHours)
	}
}

func TestValidateSendAt(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		at time.Time
		ok bool
	}{
		{now.Add(-30 * time.Second), true},
		{now.Add(-2 * time.Minute), false},
		{now.Add(366 * 24 * time.Hour), true},
		{now.Add(367 * 24 * time.Hour), false},
	} {
		err := hiretext.ValidateSendAt(tt.at, now)
		if (err == nil) != tt.ok || (err != nil && hiretext.ErrorFields(err)["send_at"] == "") {
			t.Errorf("ValidateSendAt(%v) = %v, want ok=%v", tt.at, err, tt.ok)
		}
	}
}

func TestResolveZones(t *testing.T) {
	company := zone(t, "America/Chicago")
	names := func(ls []*time.Location) []string {
		var out []string
		for _, l := range ls {
			out = append(out, l.String())
		}
		return out
	}
	for _, tt := range []struct {
		explicit string
		phone    []string
		want     []string
	}{
		{"America/Denver", []string{"America/New_York"}, []string{"America/Denver"}},
		{"", []string{"America/New_York", "America/Chicago"}, []string{"America/New_York", "America/Chicago"}},
		{"", []string{"Etc/Unknown"}, []string{"America/Chicago"}},
		{"Nowhere/Land", nil, []string{"America/Chicago"}},
	} {
		got := names(hiretext.ResolveZones(tt.explicit, tt.phone, company))
		if len(got) != len(tt.want) || got[0] != tt.want[0] {
			t.Errorf("ResolveZones(%q, %v) = %v, want %v", tt.explicit, tt.phone, got, tt.want)
		}
	}
	if _, err := hiretext.LoadZone("Mars/Olympus"); hiretext.ErrorCode(err) != hiretext.EInvalid {
		t.Errorf("LoadZone of an unknown name: %v", err)
	}
}

func TestNextAttempt(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	ago := func(h int) time.Time { return now.Add(-time.Duration(h) * time.Hour) }
	three := []time.Time{ago(20), ago(5), ago(1)}
	tests := []struct {
		name      string
		limit     int
		sent      []time.Time
		lastReply time.Time
		ok        bool
		next      time.Time
	}{
		{"two texts leave room for a third", 3, three[1:], time.Time{}, true, now},
		{"three texts without a reply: the next when the oldest is 24 hours old", 3, three, time.Time{}, false, ago(20).Add(24 * time.Hour)},
		{"a reply starts the count afresh", 3, three, ago(2), true, now},
		{"a reply before the texts does not", 3, three, ago(21), false, ago(20).Add(24 * time.Hour)},
		{"texts older than 24 hours do not count", 3, []time.Time{ago(30), ago(25), ago(1)}, time.Time{}, true, now},
		{"limit 0 is off", 0, three, time.Time{}, true, now},
		{"limit 1", 1, three, time.Time{}, false, ago(1).Add(24 * time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, next := hiretext.NextAttempt(tt.limit, tt.sent, tt.lastReply, now)
			if ok != tt.ok || !next.Equal(tt.next) {
				t.Errorf("NextAttempt = %v, %v; want %v, %v", ok, next, tt.ok, tt.next)
			}
		})
	}
}

func TestWhenSentence(t *testing.T) {
	denver := zone(t, "America/Denver")
	now := at(denver, 2026, 12, 1, 21, 47)
	moved := hiretext.PlannedTime{SendTiming: hiretext.SendTiming{At: at(denver, 2026, 12, 2, 9, 0), Held: true, Moved: true}, Zone: denver}
	if got, want := hiretext.WhenSentence("Carlos", now, moved), "Carlos's local time is 9:47 PM; this will be sent at 9:00 AM tomorrow, Carlos's time."; got != want {
		t.Errorf("moved: %q, want %q", got, want)
	}
	chosen := hiretext.PlannedTime{SendTiming: hiretext.SendTiming{At: at(denver, 2026, 12, 7, 10, 30), Held: true}, Zone: denver}
	if got, want := hiretext.WhenSentence("Carlos", now, chosen), "This will be sent at 10:30 AM on Mon, Dec 7, Carlos's time."; got != want {
		t.Errorf("chosen: %q, want %q", got, want)
	}
	if got := hiretext.WhenSentence("Carlos", now, hiretext.PlannedTime{SendTiming: hiretext.SendTiming{At: now}, Zone: denver}); got != "" {
		t.Errorf("at once: %q", got)
	}
}
