package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// withClock runs fn on both databases, each with its own test clock set
// to start.
func withClock(t *testing.T, start time.Time, fn func(t *testing.T, db *store.DB, clock *Clock)) {
	t.Helper()
	run := func(t *testing.T, open func(testing.TB, Config) *store.DB) {
		clock := NewClock(start)
		fn(t, open(t, Config{Clock: clock.Now}), clock)
	}
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); run(t, NewSQLite) })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); run(t, NewPostgres) })
}

// candidateOn applies as a new opted-in candidate with the given phone
// (written as a person would, "(808) 555-0140").
func (fx *Texting) candidateOn(t *testing.T, db *store.DB, first, phoneNumber string) *hiretext.Candidate {
	t.Helper()
	n := Applicant(fx.Job.ID, first, "Tester")
	n.MainPhone = phoneNumber
	a := MustApply(t, db, fx.Org.ID, n)
	c, err := db.CandidateByID(ctx, fx.Org.ID, a.CandidateID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// defaultWindow gives fx's company a new company's policy: Monday to
// Saturday 9:00–20:00, candidate time.
func (fx *Texting) defaultWindow(t *testing.T, db *store.DB, states ...string) {
	t.Helper()
	u := hiretext.DefaultSendPolicy(fx.Org.ID).Update()
	u.StateWindows = states
	if _, err := db.UpdateSendPolicy(ctx, fx.Org.ID, u, 0); err != nil {
		t.Fatal(err)
	}
}

func (fx *Texting) sendAt(t *testing.T, db *store.DB, at time.Time, ids ...hiretext.CandidateID) []hiretext.SendResult {
	t.Helper()
	res, err := db.SendMessages(ctx, hiretext.SendRequest{OrgID: fx.Org.ID, UserID: fx.Recruiter.ID, CandidateIDs: ids,
		Body: "Can you come in tomorrow?", SendAt: at})
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	return res
}

func mustRelease(t *testing.T, db *store.DB, want int) {
	t.Helper()
	n, err := db.ReleaseDue(ctx, 100)
	if err != nil || n != want {
		t.Fatalf("released %d (%v), want %d", n, err, want)
	}
}

func messageStatus(t *testing.T, db *store.DB, org hiretext.OrgID, id hiretext.MessageID) *hiretext.Message {
	t.Helper()
	m, err := db.MessageByID(ctx, org, id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestHawaiiTextWaitsForNineHawaiiTime(t *testing.T) {
	hst, _ := time.LoadLocation("Pacific/Honolulu")
	// Tuesday 1 December 2026, 7:30 a.m. in Honolulu.
	withClock(t, time.Date(2026, 12, 1, 7, 30, 0, 0, hst), func(t *testing.T, db *store.DB, clock *Clock) {
		fx := MustSetUpTexting(t, db, 10)
		fx.defaultWindow(t, db)
		c := fx.candidateOn(t, db, "Keanu", "(808) 555-0140")
		res := fx.MustSend(t, db, "Good morning!", c.ID)
		nine := time.Date(2026, 12, 1, 9, 0, 0, 0, hst)
		if !res[0].Queued || !res[0].Scheduled || !res[0].Moved || !res[0].SendAt.Equal(nine) {
			t.Fatalf("result %+v, want scheduled for 9:00 HST", res[0])
		}
		m := messageStatus(t, db, fx.Org.ID, res[0].MessageID)
		if m.Status != hiretext.StatusScheduled || m.Hold != hiretext.HoldQuietHours || !m.SendAt.Equal(nine) {
			t.Fatalf("message %s hold %q at %v", m.Status, m.Hold, m.SendAt)
		}
		if u := usage(t, db, fx); u.Used != 0 {
			t.Fatalf("a held text counted %d before it went", u.Used)
		}

		clock.Set(nine.Add(-time.Second))
		mustRelease(t, db, 0)
		if due, _ := db.DueNumbers(ctx, clock.Now()); len(due) != 0 {
			t.Fatalf("due before its minute: %v", due)
		}
		clock.Set(nine)
		mustRelease(t, db, 1)
		claimed, err := db.ClaimDeliveries(ctx, fx.Number.ID, 10, time.Minute)
		if err != nil || len(claimed) != 1 || claimed[0].ID != res[0].MessageID {
			t.Fatalf("claimed %v (%v), want the held text", claimed, err)
		}
		if u := usage(t, db, fx); u.Used != 1 {
			t.Fatalf("used %d after it went, want 1", u.Used)
		}
		mustRelease(t, db, 0) // released once
	})
}

func TestStateWindowsAndTwoZones(t *testing.T) {
	et, _ := time.LoadLocation("America/New_York")
	ct, _ := time.LoadLocation("America/Chicago")
	// Sunday 6 December 2026, 7:15 a.m. in New York.
	withClock(t, time.Date(2026, 12, 6, 7, 15, 0, 0, et), func(t *testing.T, db *store.DB, clock *Clock) {
		fx := MustSetUpTexting(t, db, 10)
		u := hiretext.OpenSendPolicy(fx.Org.ID).Update()
		u.StateWindows = []string{"FL", "TX"}
		if _, err := db.UpdateSendPolicy(ctx, fx.Org.ID, u, 0); err != nil {
			t.Fatal(err)
		}
		florida := fx.candidateOn(t, db, "Flora", "(305) 555-0140")
		texas := fx.candidateOn(t, db, "Tex", "(512) 555-0141")
		illinois := fx.candidateOn(t, db, "Ilya", "(312) 555-0142")
		res := fx.MustSend(t, db, "Hello", florida.ID, texas.ID, illinois.ID)
		want := []time.Time{time.Date(2026, 12, 6, 8, 0, 0, 0, et), time.Date(2026, 12, 6, 12, 0, 0, 0, ct), {}}
		for i, r := range res {
			if r.Scheduled != !want[i].IsZero() || (r.Scheduled && !r.SendAt.Equal(want[i])) {
				t.Errorf("candidate %d: %+v, want at %v", i, r, want[i])
			}
		}
		if u := usage(t, db, fx); u.Used != 1 {
			t.Errorf("used %d: only the text that went at once counts", u.Used)
		}
	})
}

func TestReplyWithinGraceGoesAtNight(t *testing.T) {
	ct, _ := time.LoadLocation("America/Chicago")
	withClock(t, time.Date(2026, 12, 1, 22, 0, 0, 0, ct), func(t *testing.T, db *store.DB, clock *Clock) {
		fx := MustSetUpTexting(t, db, 10)
		fx.defaultWindow(t, db)
		c := fx.candidateOn(t, db, "Nora", "(312) 555-0140")
		quiet := fx.candidateOn(t, db, "Quinn", "(312) 555-0141")
		fx.Receive(t, db, "SMin1", "+13125550140", "Is the job still open?")
		clock.Advance(10 * time.Minute)
		res := fx.MustSend(t, db, "Yes it is", c.ID, quiet.ID)
		if res[0].Scheduled || !res[1].Scheduled {
			t.Fatalf("results %+v: the reply goes at once, the other waits for morning", res)
		}
	})
}

func TestScheduledTextToCandidateWhoOptsOutIsCanceled(t *testing.T) {
	ct, _ := time.LoadLocation("America/Chicago")
	withClock(t, time.Date(2026, 12, 1, 10, 0, 0, 0, ct), func(t *testing.T, db *store.DB, clock *Clock) {
		fx := MustSetUpTexting(t, db, 10)
		c := fx.candidateOn(t, db, "Olive", "(312) 555-0140")
		at := time.Date(2026, 12, 2, 9, 30, 0, 0, ct)
		res := fx.sendAt(t, db, at, c.ID)
		if !res[0].Scheduled || res[0].Moved || !res[0].SendAt.Equal(at) {
			t.Fatalf("result %+v, want scheduled at %v", res[0], at)
		}
		if m := messageStatus(t, db, fx.Org.ID, res[0].MessageID); m.Hold != hiretext.HoldSchedule {
			t.Fatalf("hold %q, want schedule", m.Hold)
		}
		fx.Receive(t, db, "SMstop", "+13125550140", "STOP")
		clock.Set(at)
		mustRelease(t, db, 1)
		m := messageStatus(t, db, fx.Org.ID, res[0].MessageID)
		if m.Status != hiretext.StatusCanceled || m.ErrorMessage != hiretext.ReasonOptedOutMeanwhile {
			t.Fatalf("message %s %q, want canceled because of the opt-out", m.Status, m.ErrorMessage)
		}
		claimed, _ := db.ClaimDeliveries(ctx, fx.Number.ID, 10, time.Minute)
		for _, dl := range claimed {
			if dl.ID == res[0].MessageID {
				t.Fatal("the canceled text was claimed")
			}
		}
	})
}

func TestMonthBoundaryBetweenSchedulingAndSending(t *testing.T) {
	ct, _ := time.LoadLocation("America/Chicago")
	withClock(t, time.Date(2026, 11, 30, 15, 0, 0, 0, ct), func(t *testing.T, db *store.DB, clock *Clock) {
		fx := MustSetUpTexting(t, db, 1)
		a := fx.candidateOn(t, db, "Ada", "(312) 555-0140")
		b := fx.candidateOn(t, db, "Bo", "(312) 555-0141")
		at := time.Date(2026, 12, 1, 10, 0, 0, 0, ct)
		first := fx.sendAt(t, db, at, a.ID)[0]
		second := fx.sendAt(t, db, at.Add(5*time.Minute), b.ID)[0]
		// November's one text is still free: the scheduled ones count in December.
		if res := fx.MustSend(t, db, "Today's text", a.ID); res[0].Scheduled || !res[0].Queued {
			t.Fatalf("sending now in November: %+v", res[0])
		}
		clock.Set(at)
		mustRelease(t, db, 1)
		if m := messageStatus(t, db, fx.Org.ID, first.MessageID); m.Status != hiretext.StatusQueued {
			t.Fatalf("the first scheduled text: %s %q, want queued", m.Status, m.ErrorMessage)
		}
		// The first text reached December's maximum: the recruiter is
		// alerted, and dismisses the alert.
		maxed := decemberMaximum(t, db, fx)
		if maxed == nil || maxed.Read() {
			t.Fatalf("December's maximum: %+v, want an unread alert", maxed)
		}
		if _, err := db.MarkNotificationRead(ctx, fx.Org.ID, fx.Recruiter.ID, maxed.ID); err != nil {
			t.Fatal(err)
		}
		clock.Set(at.Add(5 * time.Minute))
		mustRelease(t, db, 1)
		if m := messageStatus(t, db, fx.Org.ID, second.MessageID); m.Status != hiretext.StatusFailed || m.ErrorMessage != hiretext.ReasonMonthlyMaximum {
			t.Fatalf("the second: %s %q, want failed at the monthly maximum", m.Status, m.ErrorMessage)
		}
		for period, want := range map[string]int{"2026-11": 1, "2026-12": 1} {
			if u, err := db.Usage(ctx, fx.Org.ID, fx.Number.ID, period); err != nil || u.Used != want {
				t.Errorf("%s used %d (%v), want %d", period, u.Used, err, want)
			}
		}
		// The failed text raises the alert again.
		if again := decemberMaximum(t, db, fx); again == nil || again.Read() || !again.CreatedAt.Equal(clock.Now()) {
			t.Fatalf("after the failure: %+v, want the alert unread again, as of now", again)
		}
	})
}

// decemberMaximum is the recruiter's alert of December's maximum, or nil.
func decemberMaximum(t *testing.T, db *store.DB, fx *Texting) *hiretext.Notification {
	t.Helper()
	notes, err := db.ListNotifications(ctx, fx.Org.ID, fx.Recruiter.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range notes {
		if n.Kind == hiretext.AlertAllowanceMax && n.Period == "2026-12" {
			return n
		}
	}
	return nil
}

func TestCancelScheduled(t *testing.T) {
	ct, _ := time.LoadLocation("America/Chicago")
	withClock(t, time.Date(2026, 12, 1, 10, 0, 0, 0, ct), func(t *testing.T, db *store.DB, clock *Clock) {
		fx := MustSetUpTexting(t, db, 10)
		other := MustCreateUser(t, db, fx.Org.ID, "Otto", hiretext.RoleUser, hiretext.PermPool, hiretext.PermProfiles)
		a := fx.candidateOn(t, db, "Ada", "(312) 555-0140")
		b := fx.candidateOn(t, db, "Bo", "(312) 555-0141")
		at := time.Date(2026, 12, 2, 10, 0, 0, 0, ct)
		res := fx.sendAt(t, db, at, a.ID, b.ID)

		list, err := db.ScheduledMessages(ctx, fx.Org.ID, fx.Recruiter.ID, 0)
		if err != nil || len(list) != 2 {
			t.Fatalf("listed %d (%v), want 2", len(list), err)
		}
		if mine, _ := db.ScheduledMessages(ctx, fx.Org.ID, other.ID, 0); len(mine) != 0 {
			t.Fatalf("another user lists %d", len(mine))
		}
		if _, err := db.CancelScheduled(ctx, fx.Org.ID, res[0].MessageID, other.ID, false); hiretext.ErrorCode(err) != hiretext.ENotFound {
			t.Fatalf("another user's cancel: %v, want not found", err)
		}
		elsewhere := MustCreateOrg(t, db, "Globex")
		if _, err := db.CancelScheduled(ctx, elsewhere.ID, res[0].MessageID, fx.Recruiter.ID, true); hiretext.ErrorCode(err) != hiretext.ENotFound {
			t.Fatalf("another company's cancel: %v, want not found", err)
		}
		m, err := db.CancelScheduled(ctx, fx.Org.ID, res[0].MessageID, fx.Recruiter.ID, false)
		if err != nil || m.Status != hiretext.StatusCanceled {
			t.Fatalf("cancel: %v %v", m, err)
		}
		if _, err := db.CancelScheduled(ctx, fx.Org.ID, res[0].MessageID, fx.Recruiter.ID, false); hiretext.ErrorCode(err) != hiretext.EConflict {
			t.Fatalf("second cancel: %v, want conflict", err)
		}
		clock.Set(at)
		mustRelease(t, db, 1)
		if _, err := db.CancelScheduled(ctx, fx.Org.ID, res[1].MessageID, fx.Recruiter.ID, true); hiretext.ErrorCode(err) != hiretext.EConflict {
			t.Fatalf("cancel after it went: %v, want conflict", err)
		}
		if u := usage(t, db, fx); u.Used != 1 {
			t.Fatalf("used %d, want 1: the canceled text never counted", u.Used)
		}
	})
}

func TestSendAtValidation(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 10)
		c, _ := fx.MustCandidate(t, db, "Val")
		now := time.Now()
		for _, at := range []time.Time{now.Add(-time.Hour), now.AddDate(1, 1, 0)} {
			_, err := db.SendMessages(ctx, hiretext.SendRequest{OrgID: fx.Org.ID, UserID: fx.Recruiter.ID,
				CandidateIDs: []hiretext.CandidateID{c.ID}, Body: "Hi", SendAt: at})
			if hiretext.ErrorFields(err)["send_at"] == "" {
				t.Errorf("send_at %v: %v, want a field error", at, err)
			}
		}
		if n := fx.StatusCounts(t, db, hiretext.KindRecruiter); len(n) != 0 {
			t.Errorf("a refused send queued %v", n)
		}
	})
}

func TestSendPolicyStored(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		org := MustCreateOrg(t, db, "Acme")
		p, err := db.SendPolicy(ctx, org.ID)
		if err != nil || p.QuietHours[time.Sunday] == nil || p.AttemptLimit != 0 {
			t.Fatalf("a test company is open every day, without an attempt limit: %+v %v", p, err)
		}
		u := hiretext.DefaultSendPolicy(org.ID).Update()
		u.StateWindows, u.AttemptLimit, u.ReplyGraceMinutes = []string{"TX", "md"}, 0, 5
		if _, err := db.UpdateSendPolicy(ctx, org.ID, u, 0); err != nil {
			t.Fatal(err)
		}
		p, err = db.SendPolicy(ctx, org.ID)
		if err != nil || p.QuietHours[time.Sunday] != nil || p.QuietHours[time.Monday].String() != "09:00–20:00" ||
			len(p.StateWindows) != 2 || p.StateWindows[0] != "MD" || p.AttemptLimit != 0 || p.ReplyGraceMinutes != 5 {
			t.Fatalf("stored %+v (%v)", p, err)
		}
		bad := u
		bad.QuietHours = map[string]*[2]string{"mon": {"20:00", "09:00"}}
		if _, err := db.UpdateSendPolicy(ctx, org.ID, bad, 0); hiretext.ErrorFields(err)["quiet_hours.mon"] == "" {
			t.Fatalf("a backwards window: %v", err)
		}
		if again, _ := db.SendPolicy(ctx, org.ID); again.QuietHours[time.Monday].String() != "09:00–20:00" {
			t.Fatal("a refused update changed the policy")
		}
		other := MustCreateOrg(t, db, "Globex")
		if p, _ := db.SendPolicy(ctx, other.ID); p.ReplyGraceMinutes != hiretext.DefaultReplyGraceMinutes {
			t.Fatal("one company's policy leaked into another's")
		}
	})
}

// limitAttempts gives fx's company the open window with an attempt limit.
func (fx *Texting) limitAttempts(t *testing.T, db *store.DB, limit int) {
	t.Helper()
	u := hiretext.OpenSendPolicy(fx.Org.ID).Update()
	u.AttemptLimit = limit
	if _, err := db.UpdateSendPolicy(ctx, fx.Org.ID, u, 0); err != nil {
		t.Fatal(err)
	}
}

func TestAttemptLimitWithAndWithoutAReply(t *testing.T) {
	ct, _ := time.LoadLocation("America/Chicago")
	start := time.Date(2026, 12, 1, 10, 0, 0, 0, ct)
	withClock(t, start, func(t *testing.T, db *store.DB, clock *Clock) {
		fx := MustSetUpTexting(t, db, 100)
		fx.limitAttempts(t, db, 3)
		a := fx.candidateOn(t, db, "Ada", "(312) 555-0140")
		c := fx.candidateOn(t, db, "Cy", "(312) 555-0141")
		for i := range 3 {
			if res := fx.MustSend(t, db, "Are you there?", a.ID); !res[0].Queued {
				t.Fatalf("text %d: %+v", i+1, res[0])
			}
			clock.Advance(time.Hour)
		}
		res := fx.MustSend(t, db, "Hello?", a.ID, c.ID)
		if res[0].Queued || res[0].Skipped != hiretext.SkipAttemptLimit || !res[0].NextAttemptAt.Equal(start.Add(24*time.Hour)) {
			t.Fatalf("the fourth text without a reply: %+v, want refused until %v", res[0], start.Add(24*time.Hour))
		}
		if !res[1].Queued {
			t.Fatalf("another candidate in the same bulk send: %+v", res[1])
		}
		fx.Receive(t, db, "SMreply", "+13125550140", "Sorry, busy week")
		if res := fx.MustSend(t, db, "No problem!", a.ID); !res[0].Queued {
			t.Fatalf("after a reply: %+v, want queued", res[0])
		}
		clock.Set(start.Add(24*time.Hour + time.Minute))
		if res := fx.MustSend(t, db, "Still interested?", c.ID); !res[0].Queued {
			t.Fatalf("a day later: %+v", res[0])
		}
	})
}

func TestAttemptLimitCheckedAgainWhenAHeldTextGoes(t *testing.T) {
	ct, _ := time.LoadLocation("America/Chicago")
	start := time.Date(2026, 12, 1, 10, 0, 0, 0, ct)
	withClock(t, start, func(t *testing.T, db *store.DB, clock *Clock) {
		fx := MustSetUpTexting(t, db, 100)
		fx.limitAttempts(t, db, 1)
		a := fx.candidateOn(t, db, "Ada", "(312) 555-0140")
		held := fx.sendAt(t, db, start.Add(2*time.Hour), a.ID)[0]
		if !held.Scheduled {
			t.Fatalf("scheduled: %+v", held)
		}
		// The limit counts texts at the minute they go: the one held for
		// noon does not stop a text now, but this one stops it at noon.
		if res := fx.MustSend(t, db, "Quick question", a.ID); !res[0].Queued || res[0].Scheduled {
			t.Fatalf("a text now: %+v", res[0])
		}
		clock.Set(start.Add(2 * time.Hour))
		mustRelease(t, db, 1)
		if m := messageStatus(t, db, fx.Org.ID, held.MessageID); m.Status != hiretext.StatusCanceled || m.ErrorMessage != hiretext.ReasonAttemptLimit {
			t.Fatalf("the held text at its minute: %s %q, want canceled by the attempt limit", m.Status, m.ErrorMessage)
		}
	})
}

func TestZoneSetOnTheProfileDecides(t *testing.T) {
	ct, _ := time.LoadLocation("America/Chicago")
	withClock(t, time.Date(2026, 12, 1, 8, 30, 0, 0, ct), func(t *testing.T, db *store.DB, clock *Clock) {
		fx := MustSetUpTexting(t, db, 10)
		fx.defaultWindow(t, db)
		c := fx.candidateOn(t, db, "Eve", "(312) 555-0140")
		if res := fx.MustSend(t, db, "Morning!", c.ID); !res[0].Scheduled {
			t.Fatalf("8:30 in Chicago: %+v, want held", res[0])
		}
		if _, err := db.SetCandidateTimeZone(ctx, fx.Org.ID, c.ID, "Mars/Olympus"); hiretext.ErrorFields(err)["time_zone"] == "" {
			t.Fatalf("an unknown zone: %v", err)
		}
		if _, err := db.SetCandidateTimeZone(ctx, fx.Org.ID, c.ID, "America/New_York"); err != nil {
			t.Fatal(err)
		}
		if res := fx.MustSend(t, db, "Morning!", c.ID); res[0].Scheduled {
			t.Fatalf("9:30 in New York, the zone set on the profile: %+v, want at once", res[0])
		}
	})
}

func TestPlanSendTimesOfNobody(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 10)
		plans, err := db.PlanSendTimes(ctx, fx.Org.ID, fx.Recruiter.ID, nil, time.Time{})
		if err != nil || len(plans) != 0 {
			t.Fatalf("no candidates: %v %v", plans, err)
		}
	})
}

// TestAttemptLimitHoldsAcrossNumbersAtOnce: two recruiters on two numbers
// text Ada at the same instant, four texts each; the limit of 3 counts the
// company's texts from every number, so exactly 3 go and the other 5 are
// refused with the reason, however the sends interleave.
func TestAttemptLimitHoldsAcrossNumbersAtOnce(t *testing.T) {
	ct, _ := time.LoadLocation("America/Chicago")
	withClock(t, time.Date(2026, 12, 1, 10, 0, 0, 0, ct), func(t *testing.T, db *store.DB, clock *Clock) {
		fx := MustSetUpTexting(t, db, 100)
		fx.limitAttempts(t, db, 3)
		second := MustAddNumber(t, db, fx.Org.ID)
		sam := MustCreateUser(t, db, fx.Org.ID, "Sam Second", hiretext.RoleUser, hiretext.PermPool, hiretext.PermProfiles)
		MustAssign(t, db, fx.Org.ID, second.ID, sam.ID)
		ada := fx.candidateOn(t, db, "Ada", "(312) 555-0140")

		senders := []hiretext.UserID{fx.Recruiter.ID, sam.ID, fx.Recruiter.ID, sam.ID, fx.Recruiter.ID, sam.ID, fx.Recruiter.ID, sam.ID}
		start := make(chan struct{})
		results := make(chan hiretext.SendResult, len(senders))
		errs := make(chan error, len(senders))
		var wg sync.WaitGroup
		for _, user := range senders {
			wg.Go(func() {
				<-start
				res, err := db.SendMessages(ctx, hiretext.SendRequest{OrgID: fx.Org.ID, UserID: user, CandidateIDs: []hiretext.CandidateID{ada.ID}, Body: "Are you there?"})
				if err != nil {
					errs <- err
					return
				}
				results <- res[0]
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		close(results)
		for err := range errs {
			t.Fatalf("send: %v", err)
		}
		queued, refused := 0, 0
		for r := range results {
			switch {
			case r.Queued:
				queued++
			case r.Skipped == hiretext.SkipAttemptLimit:
				refused++
			default:
				t.Fatalf("a send neither queued nor refused by the limit: %+v", r)
			}
		}
		if queued != 3 || refused != 5 {
			t.Fatalf("%d queued and %d refused by the attempt limit, want 3 and 5", queued, refused)
		}
	})
}
