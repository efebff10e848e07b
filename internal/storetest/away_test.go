package storetest

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// awayFixture is a number with Rita (who reads texts) and Theo (jobs only,
// who may not), a candidate Ann, and the store's public URL set.
type awayFixture struct {
	fx       *Texting
	ann      *hiretext.Candidate
	annPhone string
	clock    *Clock
}

func setUpAway(t *testing.T, db *store.DB, clock *Clock) *awayFixture {
	t.Helper()
	u, _ := url.Parse("https://ats.example")
	db.SetPublicURL(u)
	fx := MustSetUpTexting(t, db, 100)
	theo := MustCreateUser(t, db, fx.Org.ID, "Theo Texter", hiretext.RoleUser, hiretext.PermJobs)
	MustAssign(t, db, fx.Org.ID, fx.Number.ID, theo.ID)
	a := &awayFixture{fx: fx, clock: clock}
	a.ann, a.annPhone = fx.MustCandidate(t, db, "Ann")
	return a
}

// due claims what the mail worker would send now.
func (a *awayFixture) due(t *testing.T, db *store.DB) []*hiretext.Email {
	t.Helper()
	got, err := db.ClaimEmails(ctx, 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestAwayReplyEmailsAUserWhoIsAway: Ann's reply emails Rita two minutes
// later, with Ann's name and a link but not the text, once per
// conversation in fifteen minutes; Theo, who may not read texts, gets
// nothing; a STOP emails nobody.
func TestAwayReplyEmailsAUserWhoIsAway(t *testing.T) {
	eachWithClock(t, time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC), func(t *testing.T, db *store.DB, clock *Clock) {
		a := setUpAway(t, db, clock)
		a.fx.Receive(t, db, "SMa1", a.annPhone, "My secret salary question")
		if got := a.due(t, db); len(got) != 0 {
			t.Fatalf("emailed at once: %+v", got)
		}
		clock.Advance(hiretext.AwayDelay)
		got := a.due(t, db)
		if len(got) != 1 {
			t.Fatalf("%d emails after two minutes, want 1 (to Rita)", len(got))
		}
		e := got[0]
		link := "https://ats.example/candidates/" + strconv.FormatInt(int64(a.ann.ID), 10) + "/conversation"
		if e.To != a.fx.Recruiter.Email || e.Subject != "Ann Tester replied on hiretext" || !strings.Contains(e.Text, link) ||
			!strings.Contains(e.HTML, `href="`+link+`"`) || strings.Contains(e.Text+e.HTML, "salary") {
			t.Fatalf("email %+v", e)
		}
		if err := db.EmailSent(ctx, e.ID); err != nil {
			t.Fatal(err)
		}
		clock.Advance(5 * time.Minute)
		a.fx.Receive(t, db, "SMa2", a.annPhone, "Hello?")
		a.fx.Receive(t, db, "SMa3", a.annPhone, "STOP")
		clock.Advance(hiretext.AwayDelay)
		if got := a.due(t, db); len(got) != 0 {
			t.Fatalf("a second email within fifteen minutes: %+v", got)
		}
		admin := MustCreateUser(t, db, a.fx.Org.ID, "Ada Admin", hiretext.RoleAdmin)
		if err := db.EraseCandidate(ctx, a.fx.Org.ID, a.ann.ID, admin.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := db.EmailStatus(ctx, e.ID); hiretext.ErrorCode(err) != hiretext.ENotFound {
			t.Fatalf("the email naming Ann after her erasure: %v, want deleted", err)
		}
	})
}

// TestAwayReplyIsSkippedWhenNotAway: Rita had a page open, or someone
// answered, or she turned the email off: no email.
func TestAwayReplyIsSkippedWhenNotAway(t *testing.T) {
	eachWithClock(t, time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC), func(t *testing.T, db *store.DB, clock *Clock) {
		a := setUpAway(t, db, clock)
		rita := a.fx.Recruiter.ID
		a.fx.Receive(t, db, "SMa1", a.annPhone, "Hi")
		clock.Advance(time.Minute)
		if err := db.SeeUsers(ctx, []hiretext.UserID{rita}, clock.Now()); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
		if got := a.due(t, db); len(got) != 0 {
			t.Fatalf("emailed Rita, who had a page open: %+v", got)
		}

		clock.Advance(hiretext.AwayEmailGap) // away now
		a.fx.Receive(t, db, "SMa2", a.annPhone, "Still there?")
		a.fx.MustSend(t, db, "Yes, sorry!", a.ann.ID)
		clock.Advance(hiretext.AwayDelay)
		if got := a.due(t, db); len(got) != 0 {
			t.Fatalf("emailed about a reply that was answered: %+v", got)
		}

		if err := db.SetNotifySettings(ctx, a.fx.Org.ID, rita, hiretext.NotifySettings{AwayReply: false}); err != nil {
			t.Fatal(err)
		}
		if s, err := db.NotifySettings(ctx, a.fx.Org.ID, rita); err != nil || s.AwayReply {
			t.Fatalf("settings %+v, %v", s, err)
		}
		a.fx.Receive(t, db, "SMa3", a.annPhone, "One more thing")
		clock.Advance(hiretext.AwayDelay)
		if got := a.due(t, db); len(got) != 0 {
			t.Fatalf("emailed Rita, who turned it off: %+v", got)
		}
		other := MustCreateOrg(t, db, "Other")
		if err := db.SetNotifySettings(ctx, other.ID, rita, hiretext.NotifySettings{AwayReply: true}); hiretext.ErrorCode(err) != hiretext.ENotFound {
			t.Fatalf("another company changed Rita's settings: %v", err)
		}
	})
}

// TestAllowanceAlertsAreEmailed: the send that reaches 90% of the number's
// allowance emails the alert, in its transaction, to each user of the
// number who chose it, and to nobody who did not.
func TestAllowanceAlertsAreEmailed(t *testing.T) {
	eachWithClock(t, time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC), func(t *testing.T, db *store.DB, clock *Clock) {
		u, _ := url.Parse("https://ats.example")
		db.SetPublicURL(u)
		fx := MustSetUpTexting(t, db, 10)
		sam := MustCreateUser(t, db, fx.Org.ID, "Sam Second", hiretext.RoleUser, hiretext.PermPool, hiretext.PermProfiles)
		MustAssign(t, db, fx.Org.ID, fx.Number.ID, sam.ID)
		if err := db.SetNotifySettings(ctx, fx.Org.ID, sam.ID, hiretext.NotifySettings{AwayReply: true, Allowance: false}); err != nil {
			t.Fatal(err)
		}
		var ids []hiretext.CandidateID
		for _, c := range fx.MustRecipients(t, db, 9) {
			ids = append(ids, c.ID)
		}
		fx.MustSend(t, db, "Open house Friday!", ids...)
		got, err := db.ClaimEmails(ctx, 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].To != fx.Recruiter.Email || !strings.Contains(got[0].Subject, "90%") ||
			!strings.Contains(got[0].Text, "9 of its 10 texts") || !strings.Contains(got[0].HTML, `href="https://ats.example/"`) {
			t.Fatalf("emails %+v, want the 90%% alert to Rita only", got)
		}
	})
}
