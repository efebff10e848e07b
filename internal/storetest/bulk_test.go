package storetest

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// TestSendBulkOncePerForm posts one bulk-send form several times, also at
// once (a double click, a reload, the back button): the candidates are
// texted once, and every post gets the first send's results.
func TestSendBulkOncePerForm(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 100)
		ann, _ := fx.MustCandidate(t, db, "Ann")
		bea, _ := fx.MustCandidate(t, db, "Bea")
		req := hiretext.SendRequest{OrgID: fx.Org.ID, UserID: fx.Recruiter.ID, CandidateIDs: []hiretext.CandidateID{bea.ID, 999999, ann.ID}, Body: "Open house Friday!"}
		ids := make([]hiretext.BulkSendID, 8)
		repeats := make([]bool, 8)
		var wg sync.WaitGroup
		for i := range ids {
			wg.Go(func() {
				var err error
				if ids[i], repeats[i], err = db.SendBulk(ctx, req, "form-key-1"); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		firsts := 0
		for i := range ids {
			if ids[i] != ids[0] {
				t.Fatalf("posts of one form got sends %v", ids)
			}
			if !repeats[i] {
				firsts++
			}
		}
		if firsts != 1 {
			t.Fatalf("%d posts sent, want exactly 1", firsts)
		}
		if got := fx.StatusCounts(t, db, hiretext.KindRecruiter)[hiretext.StatusQueued]; got != 2 {
			t.Fatalf("%d texts queued, want 2 (Ann and Bea once)", got)
		}
		if u := usage(t, db, fx); u.Used != 2 {
			t.Fatalf("allowance used %d, want 2", u.Used)
		}

		b, err := db.BulkSendByID(ctx, fx.Org.ID, fx.Recruiter.ID, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Results) != 3 || b.Results[0].CandidateID != bea.ID || b.Results[0].MessageID == 0 ||
			b.Results[0].Status != hiretext.StatusQueued || b.Results[1].Skipped != hiretext.SkipNotFound || b.Results[2].CandidateID != ann.ID {
			t.Fatalf("results %+v", b.Results)
		}

		// Another form is another send; another user cannot read this one.
		if id, repeated, err := db.SendBulk(ctx, req, "form-key-2"); err != nil || repeated || id == ids[0] {
			t.Fatalf("a second form: %v %v %v", id, repeated, err)
		}
		other := MustCreateUser(t, db, fx.Org.ID, "Otto", hiretext.RoleUser)
		if _, err := db.BulkSendByID(ctx, fx.Org.ID, other.ID, ids[0]); hiretext.ErrorCode(err) != hiretext.ENotFound {
			t.Fatalf("another user's view of the send: %v, want not found", err)
		}
		if _, _, err := db.SendBulk(ctx, req, ""); hiretext.ErrorCode(err) != hiretext.EBadRequest {
			t.Fatalf("no key: %v, want bad request", err)
		}
	})
}

// TestBulkSendOutcomes follows what a send to five achieved: Ann had
// written before it and says nothing after (no reply), Bea replies, Cy
// texts STOP (a reply and an opt-out), Dee's text is delivered and Eve's
// fails; Fay, who opted out before, is skipped and not counted as opting
// out after it. Those to text again are the ones who neither replied nor
// opted out.
func TestBulkSendOutcomes(t *testing.T) {
	eachWithClock(t, time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC), func(t *testing.T, db *store.DB, clock *Clock) {
		fx := MustSetUpTexting(t, db, 100)
		ann, annPhone := fx.MustCandidate(t, db, "Ann")
		bea, beaPhone := fx.MustCandidate(t, db, "Bea")
		cy, cyPhone := fx.MustCandidate(t, db, "Cy")
		dee, _ := fx.MustCandidate(t, db, "Dee")
		eve, _ := fx.MustCandidate(t, db, "Eve")
		fay, fayPhone := fx.MustCandidate(t, db, "Fay")
		fx.Receive(t, db, "SMa0", annPhone, "Any news?")
		fx.Receive(t, db, "SMf0", fayPhone, "STOP")
		clock.Advance(time.Minute)
		req := hiretext.SendRequest{OrgID: fx.Org.ID, UserID: fx.Recruiter.ID, Body: "Open house Friday!",
			CandidateIDs: []hiretext.CandidateID{ann.ID, bea.ID, cy.ID, dee.ID, eve.ID, fay.ID}}
		id, results, repeated, err := db.SendBulkResults(ctx, req, "form-outcomes")
		if err != nil || repeated || len(results) != 6 || !results[0].Queued || results[5].Queued {
			t.Fatalf("send: %v, repeated %v, results %+v", err, repeated, results)
		}
		claimed, err := db.ClaimDeliveries(ctx, fx.Number.ID, 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		for _, dl := range claimed {
			switch dl.CandidateID {
			case eve.ID:
				err = db.FailDelivery(ctx, dl, hiretext.StatusFailed, "30006", "The phone cannot receive texts.", false)
			case dee.ID:
				_, err = db.RecordSentBatch(ctx, []hiretext.SentDelivery{{Delivery: dl, ProviderID: "SMdee", Status: hiretext.StatusDelivered}}, nil)
			default:
				_, err = db.RecordSentBatch(ctx, []hiretext.SentDelivery{{Delivery: dl, ProviderID: "SM" + dl.To, Status: hiretext.StatusSent}}, nil)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		clock.Advance(time.Minute)
		fx.Receive(t, db, "SMb1", beaPhone, "I'll be there")
		fx.Receive(t, db, "SMc1", cyPhone, "STOP")

		b, err := db.BulkSendByID(ctx, fx.Org.ID, fx.Recruiter.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		want := hiretext.BulkOutcomes{Total: 6, Delivered: 1, Failed: 1, Replied: 2, OptedOut: 1}
		if got := b.Outcomes(); got != want {
			t.Fatalf("outcomes %+v, want %+v", got, want)
		}
		replied := map[hiretext.CandidateID]bool{}
		for _, r := range b.Results {
			replied[r.CandidateID] = r.Replied
		}
		if replied[ann.ID] || !replied[bea.ID] || !replied[cy.ID] || replied[fay.ID] {
			t.Fatalf("replied %v: want Bea and Cy only (Ann wrote before the send)", replied)
		}
		if got := b.Unanswered(); !slices.Equal(got, []hiretext.CandidateID{ann.ID, dee.ID, eve.ID}) {
			t.Fatalf("to text again: %v, want Ann, Dee and Eve", got)
		}
	})
}

// TestScheduledBulkSendCountsRepliesFromItsMinute: a bulk send scheduled
// for noon has not reached anyone at 11, so a candidate's text at 11 (an
// answer to something else) is not a reply to it; a text after noon is.
func TestScheduledBulkSendCountsRepliesFromItsMinute(t *testing.T) {
	ct, _ := time.LoadLocation("America/Chicago")
	start := time.Date(2026, 12, 1, 10, 0, 0, 0, ct)
	withClock(t, start, func(t *testing.T, db *store.DB, clock *Clock) {
		fx := MustSetUpTexting(t, db, 100)
		ann := fx.candidateOn(t, db, "Ann", "(312) 555-0140")
		bea := fx.candidateOn(t, db, "Bea", "(312) 555-0141")
		req := hiretext.SendRequest{OrgID: fx.Org.ID, UserID: fx.Recruiter.ID, CandidateIDs: []hiretext.CandidateID{ann.ID, bea.ID},
			Body: "Open house at 1 today!", SendAt: start.Add(2 * time.Hour)}
		id, _, err := db.SendBulk(ctx, req, "noon-key")
		if err != nil {
			t.Fatal(err)
		}
		clock.Set(start.Add(time.Hour))
		fx.Receive(t, db, "SMbefore", "+13125550140", "Got your email, thanks")
		clock.Set(start.Add(2 * time.Hour))
		mustRelease(t, db, 2)
		clock.Set(start.Add(2*time.Hour + 5*time.Minute))
		fx.Receive(t, db, "SMafter", "+13125550141", "See you at 1")
		b, err := db.BulkSendByID(ctx, fx.Org.ID, fx.Recruiter.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		if b.Results[0].Replied || !b.Results[1].Replied {
			t.Fatalf("replied: Ann %v (wrote before the text went), Bea %v (after); want false, true", b.Results[0].Replied, b.Results[1].Replied)
		}
	})
}
