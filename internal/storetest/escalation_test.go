package storetest

import (
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// chicago is the test companies' time zone (MustCreateOrg).
var chicago, _ = time.LoadLocation("America/Chicago")

// escalationFixture is a number with Rita (who texts the candidates) and
// Sam, both reading its texts, an administrator Ada on no number, and a
// policy of 9-to-5 weekdays, N and M business hours.
type escalationFixture struct {
	fx       *Texting
	sam, ada *hiretext.User
}

func setUpEscalation(t *testing.T, db *store.DB, n, m int) *escalationFixture {
	t.Helper()
	u, _ := url.Parse("https://ats.example")
	db.SetPublicURL(u)
	fx := MustSetUpTexting(t, db, 1000)
	e := &escalationFixture{fx: fx,
		sam: MustCreateUser(t, db, fx.Org.ID, "Sam Second", hiretext.RoleUser, hiretext.PermPool, hiretext.PermProfiles),
		ada: MustCreateUser(t, db, fx.Org.ID, "Ada Admin", hiretext.RoleAdmin)}
	MustAssign(t, db, fx.Org.ID, fx.Number.ID, e.sam.ID)
	if n > 0 {
		e.setPolicy(t, db, n, m)
	}
	return e
}

func (e *escalationFixture) setPolicy(t *testing.T, db *store.DB, n, m int) {
	t.Helper()
	p := hiretext.DefaultEscalationPolicy(e.fx.Org.ID)
	p.Enabled, p.TeamAfterHours, p.AdminsAfterHours = true, n, m
	if _, err := db.UpdateEscalationPolicy(ctx, e.fx.Org.ID, p.Update(), e.ada.ID); err != nil {
		t.Fatal(err)
	}
}

// escalate runs the job once and checks how many steps it took.
func escalate(t *testing.T, db *store.DB, want int, when string) {
	t.Helper()
	got, err := db.Escalate(ctx)
	if err != nil || got != want {
		t.Fatalf("%s: escalated %d steps (%v), want %d", when, got, err, want)
	}
}

// escalationNotices lists u's escalation notifications.
func escalationNotices(t *testing.T, db *store.DB, org hiretext.OrgID, u hiretext.UserID) []*hiretext.Notification {
	t.Helper()
	all, err := db.ListNotifications(ctx, org, u)
	if err != nil {
		t.Fatal(err)
	}
	var out []*hiretext.Notification
	for _, n := range all {
		if n.Escalated() {
			out = append(out, n)
		}
	}
	return out
}

// TestEscalationCountsBusinessHoursOverANightAndAWeekend: Ann answers
// Rita's text at 3 p.m. on a Friday; with 4 then 3 business hours of 9-to-5
// weekdays, Sam (not Rita, whom Ann answered) is told at 11 a.m. on Monday,
// by bell and email, and Ada the administrator at 2 p.m.; each once, and
// the conversation shows whom and when.
func TestEscalationCountsBusinessHoursOverANightAndAWeekend(t *testing.T) {
	friday := time.Date(2026, 12, 4, 15, 0, 0, 0, chicago)
	eachWithClock(t, friday.Add(-time.Hour), func(t *testing.T, db *store.DB, clock *Clock) {
		e := setUpEscalation(t, db, 4, 3)
		ann, annPhone := e.fx.MustCandidate(t, db, "Ann")
		e.fx.MustSend(t, db, "Can you start Monday?", ann.ID)
		clock.Set(friday)
		conv := e.fx.Receive(t, db, "SMe1", annPhone, "Which site?").Message.ConversationID

		clock.Set(time.Date(2026, 12, 4, 16, 59, 0, 0, chicago))
		escalate(t, db, 0, "Friday 4:59 PM")
		clock.Set(time.Date(2026, 12, 7, 10, 59, 0, 0, chicago))
		escalate(t, db, 0, "Monday 10:59 AM (two business hours Friday, one and 59 minutes Monday)")
		clock.Set(time.Date(2026, 12, 7, 11, 0, 0, 0, chicago))
		escalate(t, db, 1, "Monday 11:00 AM")
		escalate(t, db, 0, "Monday 11:00 AM again")

		if got := escalationNotices(t, db, e.fx.Org.ID, e.fx.Recruiter.ID); len(got) != 0 {
			t.Fatalf("Rita, whom Ann answered, was told: %+v", got)
		}
		sam := escalationNotices(t, db, e.fx.Org.ID, e.sam.ID)
		if len(sam) != 1 || sam[0].Kind != hiretext.AlertEscalationTeam || sam[0].ConversationID != conv ||
			sam[0].Who != "Ann Tester" || sam[0].CandidateID != ann.ID {
			t.Fatalf("Sam's notifications %+v", sam)
		}
		claimed, err := db.ClaimEmails(ctx, 10, time.Minute)
		var emails []*hiretext.Email // the away-reply emails of Friday aside
		for _, m := range claimed {
			if !strings.HasSuffix(m.Subject, "replied on hiretext") {
				emails = append(emails, m)
			}
		}
		if err != nil || len(emails) != 1 || emails[0].To != e.sam.Email ||
			emails[0].Subject != "Ann Tester is waiting for an answer on hiretext" ||
			!strings.Contains(emails[0].Text, "has waited 4 business hours") || strings.Contains(emails[0].Text, "Which site") {
			t.Fatalf("emails %+v, %v: want one to Sam, without the text", emails, err)
		}
		if got := escalationNotices(t, db, e.fx.Org.ID, e.ada.ID); len(got) != 0 {
			t.Fatalf("Ada told before her time: %+v", got)
		}

		clock.Set(time.Date(2026, 12, 7, 13, 59, 0, 0, chicago))
		escalate(t, db, 0, "Monday 1:59 PM")
		clock.Set(time.Date(2026, 12, 7, 14, 0, 0, 0, chicago))
		escalate(t, db, 1, "Monday 2:00 PM")
		if ada := escalationNotices(t, db, e.fx.Org.ID, e.ada.ID); len(ada) != 1 || ada[0].Kind != hiretext.AlertEscalationAdmins {
			t.Fatalf("Ada's notifications %+v", ada)
		}
		clock.Advance(30 * 24 * time.Hour)
		escalate(t, db, 0, "a month later")

		steps, err := db.ConversationEscalations(ctx, e.fx.Org.ID, conv)
		if err != nil || len(steps) != 2 {
			t.Fatalf("escalations %+v, %v", steps, err)
		}
		if s := steps[0]; s.Step != hiretext.EscalateTeam || !s.At.Equal(time.Date(2026, 12, 7, 11, 0, 0, 0, chicago)) ||
			strings.Join(s.Told, ",") != "Sam Second" {
			t.Fatalf("first step %+v", s)
		}
		if s := steps[1]; s.Step != hiretext.EscalateAdmins || !s.At.Equal(time.Date(2026, 12, 7, 14, 0, 0, 0, chicago)) ||
			strings.Join(s.Told, ",") != "Ada Admin" {
			t.Fatalf("second step %+v", s)
		}
	})
}

// TestEscalationStopsWhenAnsweredOrDone: with the policy off nothing
// happens; turning it on escalates a reply already waiting; an answer
// stops the clock and a new reply starts a new one; Done stops it too.
func TestEscalationStopsWhenAnsweredOrDone(t *testing.T) {
	monday := time.Date(2026, 12, 7, 9, 0, 0, 0, chicago)
	eachWithClock(t, monday, func(t *testing.T, db *store.DB, clock *Clock) {
		e := setUpEscalation(t, db, 0, 0) // off, the default
		ann, annPhone := e.fx.MustCandidate(t, db, "Ann")
		conv := e.fx.Receive(t, db, "SMe1", annPhone, "Hello?").Message.ConversationID
		clock.Set(monday.Add(3 * time.Hour))
		escalate(t, db, 0, "policy off")

		e.setPolicy(t, db, 1, 1)
		escalate(t, db, 1, "policy turned on, the reply waiting 3 hours") // the team
		escalate(t, db, 1, "the job again: the administrators' step is due too")

		e.fx.MustSend(t, db, "Sorry, here now", ann.ID) // answered
		clock.Advance(time.Hour)
		e.fx.Receive(t, db, "SMe2", annPhone, "Great, which site?") // a new clock, 1 PM
		steps, err := db.ConversationEscalations(ctx, e.fx.Org.ID, conv)
		if err != nil || len(steps) != 0 {
			t.Fatalf("the new wait shows the old one's escalations: %+v, %v", steps, err)
		}
		clock.Advance(59 * time.Minute)
		escalate(t, db, 0, "59 minutes into the new wait")
		e.fx.MustSend(t, db, "Downtown", ann.ID)
		clock.Advance(3 * time.Hour)
		escalate(t, db, 0, "answered")

		e.fx.Receive(t, db, "SMe3", annPhone, "Thanks!") // 4:59 PM: due at 9:59 AM Tuesday
		if err := db.MarkConversationDone(ctx, e.fx.Org.ID, e.fx.Number.ID, conv); err != nil {
			t.Fatal(err)
		}
		clock.Advance(48 * time.Hour)
		escalate(t, db, 0, "marked Done")
		if got := escalationNotices(t, db, e.fx.Org.ID, e.sam.ID); len(got) != 1 {
			t.Fatalf("Sam was told %d times, want once (the first wait)", len(got))
		}
	})
}

// TestEscalationByTwoInstancesTellsOnce: two instances run the job at the
// same moment over the same due conversations; each step happens once.
func TestEscalationByTwoInstancesTellsOnce(t *testing.T) {
	monday := time.Date(2026, 12, 7, 9, 0, 0, 0, chicago)
	for name, url := range map[string]func(testing.TB) string{"sqlite": SQLiteURL, "postgres": PostgresURL} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := url(t)
			clock := NewClock(monday)
			first := Open(t, u, Config{Clock: clock.Now})
			e := setUpEscalation(t, first, 1, 1)
			const candidates = 12
			for i := range candidates {
				_, phone := e.fx.MustCandidate(t, first, "Ann")
				e.fx.Receive(t, first, "SMt"+string(rune('a'+i)), phone, "Hello?")
			}
			clock.Advance(time.Hour)
			dbs := []*store.DB{first, Open(t, u, Config{Clock: clock.Now})}
			fired := make([]int, len(dbs))
			var wg sync.WaitGroup
			for i, db := range dbs {
				wg.Go(func() {
					n, err := db.Escalate(ctx)
					if err != nil {
						t.Error(err)
					}
					fired[i] = n
				})
			}
			wg.Wait()
			if fired[0]+fired[1] != candidates {
				t.Fatalf("the instances took %d and %d steps, want %d in all", fired[0], fired[1], candidates)
			}
			if got := escalationNotices(t, first, e.fx.Org.ID, e.sam.ID); len(got) != candidates {
				t.Fatalf("Sam has %d notifications, want %d", len(got), candidates)
			}
		})
	}
}

// TestEscalationPolicyRefusesBadInput: windows that end before they
// start, and N or M negative or absurd, are refused with every problem
// named, and the saved policy stays as it was.
func TestEscalationPolicyRefusesBadInput(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		org := MustCreateOrg(t, db, "Acme")
		bad := hiretext.DefaultEscalationPolicy(org.ID).Update()
		bad.Enabled = true
		bad.BusinessHours["mon"] = &[2]string{"17:00", "09:00"}
		bad.TeamAfterHours, bad.AdminsAfterHours = -1, 100000
		_, err := db.UpdateEscalationPolicy(ctx, org.ID, bad, 0)
		fields := hiretext.ErrorFields(err)
		if hiretext.ErrorCode(err) != hiretext.EInvalid || fields["business_hours.mon"] == "" ||
			fields["team_after_hours"] == "" || fields["admins_after_hours"] == "" {
			t.Fatalf("error %v, fields %v", err, fields)
		}
		p, err := db.EscalationPolicy(ctx, org.ID)
		if err != nil || p.Enabled || !p.UpdatedAt.IsZero() {
			t.Fatalf("policy after a refused change %+v, %v", p, err)
		}
	})
}
