package store

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/hiretext/hiretext"
)

// TestSearchPlansAgree checks that both plans of a pool search, starting
// from a selective word or walking the pool in order, return the same pages.
func TestSearchPlansAgree(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := migratedSQLite(t)
	org, _ := db.CreateOrg(ctx, hiretext.NewOrganization{Name: "Acme", Slug: "acme"})
	job, _ := db.CreateJob(ctx, org.ID, hiretext.NewJob{Title: "Welder"})
	var apps []hiretext.NewApplication
	for i, name := range []string{"Ann Lee", "Anna Smith", "Annie Smithers", "Bo Smith", "Ann Smith", "Zoë Annan"} {
		var first, last string
		fmt.Sscan(name, &first, &last)
		apps = append(apps, hiretext.NewApplication{JobID: job.ID, FirstName: first, LastName: last,
			Email: fmt.Sprintf("p%d@example.com", i), MainPhone: fmt.Sprintf("(312) 555-01%02d", i),
			SMS: hiretext.AnswerNone, Channel: hiretext.ChannelImport})
	}
	if err := db.ImportApplications(ctx, org.ID, apps); err != nil {
		t.Fatal(err)
	}
	for _, q := range []hiretext.CandidateQuery{{Text: "ann"}, {Text: "smith ann"}, {Text: "an", JobID: job.ID},
		{Text: "0103"}, {Text: "ann", Limit: 2}, {Text: "ann", Limit: 2, Cursor: "5"}, {Text: "ann", Limit: 1, Before: "5"},
		{Text: "an", Limit: 1, Before: "2", JobID: job.ID}, {Text: "nobody"}} {
		driven, err1 := db.searchCandidates(ctx, org.ID, q, driveLimit)
		walked, err2 := db.searchCandidates(ctx, org.ID, q, 0)
		if err1 != nil || err2 != nil {
			t.Fatalf("query %+v: %v, %v", q, err1, err2)
		}
		if a, b := pageIDs(driven), pageIDs(walked); !slices.Equal(a, b) || driven.NextCursor != walked.NextCursor || driven.PrevCursor != walked.PrevCursor {
			t.Errorf("query %+v: driven %v (next %q, prev %q), walked %v (next %q, prev %q)", q,
				a, driven.NextCursor, driven.PrevCursor, b, walked.NextCursor, walked.PrevCursor)
		}
	}
}

func pageIDs(p *hiretext.CandidatePage) []hiretext.CandidateID {
	var ids []hiretext.CandidateID
	for _, e := range p.Entries {
		ids = append(ids, e.Candidate.ID)
	}
	return ids
}
