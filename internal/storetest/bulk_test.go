package storetest

import (
	"sync"
	"testing"

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
