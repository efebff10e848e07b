package storetest

import (
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// responseWorld is a December of texts at Acme (times in Chicago): Rita
// and Priya text from the first number, Sam from the second.
//
//	Mon  7 10:00 Rita → Ann     10:05 Rita → Bob     10:10 Priya → Cat
//	Mon  7 11:00 Ann replies    11:30 Rita answers (30 min)
//	Mon  7 12:00 Sam → Dan      12:30 Dan: STOP (a keyword: no reply)
//	Mon  7 16:00 Cat replies    Tue 8 10:00 Rita answers (2 business hours, 18 clock hours)
//	Fri 11 16:00 Ann writes     Mon 14 10:00 Priya answers (2 business hours, 66 clock hours)
//	Tue 15 10:06 Bob replies, 8 days after Rita's text: too late, and never answered
type responseWorld struct {
	fx          *Texting
	second      *hiretext.Number
	priya, sam  *hiretext.User
	period      hiretext.ReportPeriod
	policyAdmin *hiretext.User
}

func newResponseWorld(t *testing.T, db *store.DB, clock *Clock) *responseWorld {
	t.Helper()
	w := &responseWorld{fx: MustSetUpTexting(t, db, 1000)}
	org := w.fx.Org.ID
	w.priya = MustCreateUser(t, db, org, "Priya Shah", hiretext.RoleUser, hiretext.PermPool, hiretext.PermProfiles)
	w.sam = MustCreateUser(t, db, org, "Sam Second", hiretext.RoleUser, hiretext.PermPool, hiretext.PermProfiles)
	w.policyAdmin = MustCreateUser(t, db, org, "Ada Admin", hiretext.RoleAdmin)
	MustAssign(t, db, org, w.fx.Number.ID, w.priya.ID)
	w.second = MustAddNumber(t, db, org)
	MustAssign(t, db, org, w.second.ID, w.sam.ID)
	ann, annPhone := w.fx.MustCandidate(t, db, "Ann")
	bob, bobPhone := w.fx.MustCandidate(t, db, "Bob")
	cat, catPhone := w.fx.MustCandidate(t, db, "Cat")
	dan, danPhone := w.fx.MustCandidate(t, db, "Dan")
	at := func(day, hour, minute int) { clock.Set(time.Date(2026, 12, day, hour, minute, 0, 0, chicago)) }
	send := func(u *hiretext.User, c *hiretext.Candidate) {
		t.Helper()
		if _, err := db.SendMessages(ctx, hiretext.SendRequest{OrgID: org, UserID: u.ID, CandidateIDs: []hiretext.CandidateID{c.ID},
			Body: "Hello " + c.FirstName}); err != nil {
			t.Fatal(err)
		}
	}
	receive := func(n *hiretext.Number, id, phone, body string) {
		t.Helper()
		if _, err := db.ReceiveText(ctx, hiretext.IncomingText{Provider: n.Provider, ProviderMessageID: id, From: phone,
			To: n.Phone, Body: body}); err != nil {
			t.Fatal(err)
		}
	}
	at(7, 10, 0)
	send(w.fx.Recruiter, ann)
	at(7, 10, 5)
	send(w.fx.Recruiter, bob)
	at(7, 10, 10)
	send(w.priya, cat)
	at(7, 11, 0)
	receive(w.fx.Number, "SMr1", annPhone, "Yes, Monday works")
	at(7, 11, 30)
	send(w.fx.Recruiter, ann)
	at(7, 12, 0)
	send(w.sam, dan)
	at(7, 12, 30)
	receive(w.second, "SMr2", danPhone, "STOP")
	at(7, 16, 0)
	receive(w.fx.Number, "SMr3", catPhone, "Hi, which shift?")
	at(8, 10, 0)
	send(w.fx.Recruiter, cat)
	at(11, 16, 0)
	receive(w.fx.Number, "SMr4", annPhone, "One more question")
	at(14, 10, 0)
	send(w.priya, ann)
	at(15, 10, 6)
	receive(w.fx.Number, "SMr5", bobPhone, "Sorry, only saw this now")
	at(31, 12, 0)
	var err error
	if w.period, err = hiretext.NewReportPeriod("2026-12-01", "2026-12-31", w.fx.Org.Location(), clock.Now()); err != nil {
		t.Fatal(err)
	}
	return w
}

// figure is what a test expects of one row.
type figure struct {
	name                      string
	texted, replied, answered int
	rate                      int // percent, -1 for none
	median                    time.Duration
}

func checkFigures(t *testing.T, what string, got []*hiretext.ResponseFigures, want []figure) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d", what, len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		rate, ok := g.RatePercent()
		if !ok {
			rate = -1
		}
		if g.Name != w.name || g.Texted != w.texted || g.Replied != w.replied || g.Answered != w.answered || rate != w.rate || g.MedianAnswer != w.median {
			t.Errorf("%s row %d: %s texted %d, replied %d (%d%%), answered %d, median %v; want %+v",
				what, i, g.Name, g.Texted, g.Replied, rate, g.Answered, g.MedianAnswer, w)
		}
	}
}

// TestResponseFiguresPerUserAndNumber: exact response rates and median
// answer times, in clock hours while the company set no business hours,
// then in business hours (9-to-5 weekdays), and for one user.
func TestResponseFiguresPerUserAndNumber(t *testing.T) {
	eachWithClock(t, time.Date(2026, 12, 7, 9, 0, 0, 0, chicago), func(t *testing.T, db *store.DB, clock *Clock) {
		w := newResponseWorld(t, db, clock)
		first, second := w.fx.Number.Phone, w.second.Phone
		h := time.Hour
		r, err := db.ResponseReport(ctx, w.fx.Org.ID, hiretext.ActivityFilter{Period: w.period})
		if err != nil {
			t.Fatal(err)
		}
		if r.BusinessHours {
			t.Fatal("business hours without a policy")
		}
		checkFigures(t, "clock hours, by user", r.ByUser, []figure{
			{"Priya Shah", 2, 1, 1, 50, 66 * h},
			{"Rita Recruiter", 3, 1, 2, 33, (30*time.Minute + 18*h) / 2},
			{"Sam Second", 1, 0, 0, 0, 0},
		})
		numbers := []figure{{first, 3, 2, 3, 67, 18 * h}, {second, 1, 0, 0, 0, 0}}
		if first > second {
			numbers[0], numbers[1] = numbers[1], numbers[0]
		}
		checkFigures(t, "clock hours, by number", r.ByNumber, numbers)

		p := hiretext.DefaultEscalationPolicy(w.fx.Org.ID) // 9-to-5 weekdays, left off
		if _, err := db.UpdateEscalationPolicy(ctx, w.fx.Org.ID, p.Update(), w.policyAdmin.ID); err != nil {
			t.Fatal(err)
		}
		if r, err = db.ResponseReport(ctx, w.fx.Org.ID, hiretext.ActivityFilter{Period: w.period}); err != nil || !r.BusinessHours {
			t.Fatalf("%+v, %v: want business hours", r, err)
		}
		checkFigures(t, "business hours, by user", r.ByUser, []figure{
			{"Priya Shah", 2, 1, 1, 50, 2 * h},
			{"Rita Recruiter", 3, 1, 2, 33, (30*time.Minute + 2*h) / 2},
			{"Sam Second", 1, 0, 0, 0, 0},
		})
		numbers[0].median, numbers[1].median = 0, 0
		for i := range numbers {
			if numbers[i].name == first {
				numbers[i].median = 2 * h
			}
		}
		checkFigures(t, "business hours, by number", r.ByNumber, numbers)

		r, err = db.ResponseReport(ctx, w.fx.Org.ID, hiretext.ActivityFilter{Period: w.period, UserID: w.priya.ID})
		if err != nil {
			t.Fatal(err)
		}
		checkFigures(t, "Priya only, by user", r.ByUser, []figure{{"Priya Shah", 2, 1, 1, 50, 2 * h}})
		checkFigures(t, "Priya only, by number", r.ByNumber, []figure{{first, 2, 1, 1, 50, 2 * h}})

		november, _ := hiretext.NewReportPeriod("2026-11-01", "2026-11-30", w.fx.Org.Location(), clock.Now())
		if r, err = db.ResponseReport(ctx, w.fx.Org.ID, hiretext.ActivityFilter{Period: november}); err != nil ||
			len(r.ByUser)+len(r.ByNumber) != 0 {
			t.Fatalf("November: %+v, %v", r, err)
		}
	})
}
