package demo

import (
	"context"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/storetest"
)

func TestSeedATS(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.NewSQLite(t, storetest.Config{})
	if created, err := Seed(ctx, db); err != nil || !created {
		t.Fatalf("Seed = %v, %v", created, err)
	}
	org, _ := db.OrgBySlug(ctx, Slug)
	jobs, _ := db.ListJobs(ctx, org.ID)
	page, err := db.SearchCandidates(ctx, org.ID, hiretext.CandidateQuery{Limit: hiretext.MaxPageSize})
	if err != nil || len(jobs) != 3 || len(page.Entries) < 40 {
		t.Fatalf("%d jobs, %d candidates (%v); want 3 and at least 40", len(jobs), len(page.Entries), err)
	}
	counts := map[string]int{}
	for _, e := range page.Entries {
		c := e.Candidate
		counts[c.SMSLabel()]++
		apps, _ := db.CandidateApplications(ctx, org.ID, c.ID)
		if len(apps) > 1 {
			counts["returning"]++
		}
		if apps[len(apps)-1].SMSAnswer == hiretext.AnswerUnanswered && !c.OptedIn() {
			counts["never answered"]++
		}
	}
	if counts["Opted in (main)"] < 20 || counts["Opted in (alternate)"] < 5 || counts["SMS: Opted Out"] < 5 ||
		counts["never answered"] < 3 || counts["returning"] != 1 {
		t.Fatalf("demo consent mix = %v", counts)
	}
}
