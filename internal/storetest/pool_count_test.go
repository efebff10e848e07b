package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// mustCountPool fails unless the pool's "of N candidates", for the whole
// pool and each SMS status, equals a count of the candidates themselves.
func mustCountPool(t *testing.T, db *store.DB, org hiretext.OrgID, after string) {
	t.Helper()
	read, _ := db.Pools()
	for _, status := range []hiretext.SMSStatus{"", hiretext.SMSOptedIn, hiretext.SMSOptedOut} {
		var want int
		if err := read.QueryRowContext(ctx, db.Rebind(`SELECT COUNT(*) FROM candidates
			WHERE org_id = ? AND last_application_id IS NOT NULL AND (sms_status = ? OR ? = '')`), org, status, status).Scan(&want); err != nil {
			t.Fatal(err)
		}
		page, err := db.SearchCandidates(ctx, org, hiretext.CandidateQuery{Limit: 5, SMSStatus: status})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != want {
			t.Errorf("after %s: the pool (status %q) shows %d candidates, there are %d", after, status, page.Total, want)
		}
	}
}

// TestPoolCountEqualsTheCandidates applies, reapplies, opts in and out,
// erases and applies concurrently, and after each step compares the pool's
// count with the candidates. An import of more candidates than a count
// reads (poolFoldAt) folds its rows of changes before it commits; smaller
// imports leave theirs, and the first count past poolFoldAt folds them into
// one per status; the count stays exact throughout.
func TestPoolCountEqualsTheCandidates(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 100)
		other := MustSetUpTexting(t, db, 100) // counted apart
		jobs := SeedPool(t, db, fx.Org.ID, 620, 2)
		SeedPool(t, db, other.Org.ID, 20, 1)
		read, _ := db.Pools()
		rows := func() int {
			var n int
			if err := read.QueryRowContext(ctx, db.Rebind("SELECT COUNT(*) FROM pool_count_deltas WHERE org_id = ?"), fx.Org.ID).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := rows(); n > 2 {
			t.Errorf("%d rows of changes after importing 620 candidates at once, want them folded into one per status", n)
		}
		mustCountPool(t, db, fx.Org.ID, "an import")
		for batch := range 3 { // 600 candidates in imports of 200, none folding
			apps := make([]hiretext.NewApplication, 200)
			for i := range apps {
				apps[i] = PoolApplicant(1000+200*batch+i, jobs)
			}
			if err := db.ImportApplications(ctx, fx.Org.ID, apps); err != nil {
				t.Fatal(err)
			}
		}
		if n := rows(); n < 600 {
			t.Fatalf("%d rows of changes after importing 600 candidates in three imports of 200", n)
		}
		mustCountPool(t, db, fx.Org.ID, "three smaller imports")
		if n := rows(); n > 2 {
			t.Errorf("%d rows of changes after a count, want them folded into one per status", n)
		}

		again := Applicant(jobs[0].ID, "Ann", "Again")
		MustApply(t, db, fx.Org.ID, again)
		again.JobID = jobs[1].ID
		MustApply(t, db, fx.Org.ID, again) // the same person applies to another job: still one candidate
		declined := Applicant(fx.Job.ID, "Dee", "Declined")
		declined.SMS = hiretext.AnswerNone
		MustApply(t, db, fx.Org.ID, declined)
		mustCountPool(t, db, fx.Org.ID, "applications and a reapplication")

		ann, annPhone := fx.MustCandidate(t, db, "Ann")
		bob, _ := fx.MustCandidate(t, db, "Bob")
		if _, err := db.UpdateCandidate(ctx, fx.Org.ID, bob.ID, hiretext.CandidateUpdate{SMS: &hiretext.SMSChange{Status: hiretext.SMSOptedOut}},
			fx.Recruiter.ID); err != nil {
			t.Fatal(err)
		}
		fx.Receive(t, db, "SMstop", annPhone, "STOP")
		mustCountPool(t, db, fx.Org.ID, "an opt-out and a STOP")

		fx.Receive(t, db, "SMstart", annPhone, "START")
		if err := db.EraseCandidate(ctx, fx.Org.ID, ann.ID, fx.Recruiter.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.EraseCandidate(ctx, fx.Org.ID, bob.ID, fx.Recruiter.ID); err != nil {
			t.Fatal(err)
		}
		mustCountPool(t, db, fx.Org.ID, "erasing an opted-in and an opted-out candidate")

		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() {
				for i := range 5 {
					n := Applicant(jobs[i%2].ID, fmt.Sprintf("W%d", w), fmt.Sprintf("N%d", i))
					if i%2 == 1 {
						n.SMS = hiretext.AnswerUnanswered
					}
					if _, err := db.Apply(ctx, fx.Org.ID, n); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		mustCountPool(t, db, fx.Org.ID, "concurrent applications")
		mustCountPool(t, db, other.Org.ID, "the other company's import")
	})
}
