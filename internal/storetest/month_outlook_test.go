package storetest

import (
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// A number at its maximum in December cannot send now but can schedule
// into January, and January's outlook counts the texts scheduled into it:
// not canceled ones, not February's, not once they have gone (then they
// are used).
func TestMonthOutlookAtTheMaximum(t *testing.T) {
	ct, _ := time.LoadLocation("America/Chicago")
	withClock(t, time.Date(2026, 12, 20, 15, 0, 0, 0, ct), func(t *testing.T, db *store.DB, clock *Clock) {
		fx := MustSetUpTexting(t, db, 2)
		a := fx.candidateOn(t, db, "Ada", "(312) 555-0140")
		b := fx.candidateOn(t, db, "Bo", "(312) 555-0141")
		fx.MustSend(t, db, "Today's text", a.ID, b.ID)
		_, err := db.SendMessages(ctx, hiretext.SendRequest{OrgID: fx.Org.ID, UserID: fx.Recruiter.ID, CandidateIDs: []hiretext.CandidateID{a.ID}, Body: "One more"})
		if hiretext.ErrorCode(err) != hiretext.EAllowanceExceeded {
			t.Fatalf("sending now at the maximum: %v, want allowance_exceeded", err)
		}

		jan5 := time.Date(2027, 1, 5, 10, 0, 0, 0, ct)
		res := fx.sendAt(t, db, jan5, a.ID, b.ID)
		if !res[0].Scheduled || !res[1].Scheduled {
			t.Fatalf("scheduling into January at December's maximum: %+v", res)
		}
		canceled := fx.sendAt(t, db, jan5.Add(24*time.Hour), a.ID)[0]
		fx.sendAt(t, db, time.Date(2027, 2, 2, 10, 0, 0, 0, ct), b.ID)
		if _, err := db.CancelScheduled(ctx, fx.Org.ID, canceled.MessageID, fx.Recruiter.ID, false); err != nil {
			t.Fatal(err)
		}
		// Another company's texts scheduled into January are not this number's.
		other := MustSetUpTexting(t, db, 5)
		c := other.candidateOn(t, db, "Cy", "(312) 555-0142")
		other.sendAt(t, db, jan5, c.ID)

		jan := mustOutlook(t, db, fx, "2027-01")
		if jan.Used != 0 || jan.Allowance != 2 || jan.Scheduled != 2 || jan.Sentence(ct) != "January 2027: 0 of 2 used, 2 already scheduled." {
			t.Fatalf("January: %+v %q", jan, jan.Sentence(ct))
		}
		if dec := mustOutlook(t, db, fx, "2026-12"); dec.Used != 2 || dec.Scheduled != 0 {
			t.Fatalf("December: %+v", dec)
		}
		if _, err := db.MonthOutlook(ctx, fx.Org.ID, fx.Number.ID, "2026-11"); hiretext.ErrorCode(err) != hiretext.EInvalid {
			t.Fatalf("a month that is over: %v", err)
		}

		// January comes: both go and count (and the other company's), nothing is left scheduled.
		clock.Set(jan5)
		mustRelease(t, db, 3)
		if jan = mustOutlook(t, db, fx, "2027-01"); jan.Used != 2 || jan.Scheduled != 0 {
			t.Fatalf("January after the release: %+v", jan)
		}
		if feb := mustOutlook(t, db, fx, "2027-02"); feb.Scheduled != 1 || feb.Sentence(ct) != "February 2027: 0 of 2 used, 1 already scheduled." {
			t.Fatalf("February: %+v", feb)
		}
	})
}

func mustOutlook(t *testing.T, db *store.DB, fx *Texting, period string) hiretext.MonthOutlook {
	t.Helper()
	o, err := db.MonthOutlook(ctx, fx.Org.ID, fx.Number.ID, period)
	if err != nil {
		t.Fatalf("outlook %s: %v", period, err)
	}
	return o
}
