package storetest

import (
	"slices"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// poolFixture is a small pool with names, emails and phones that exercise
// folding and phone forms.
type poolFixture struct {
	org            *hiretext.Organization
	welder, driver *hiretext.Job
	ids            map[string]hiretext.CandidateID // by first name
}

func newPoolFixture(t *testing.T, db *store.DB) *poolFixture {
	t.Helper()
	f := &poolFixture{org: MustCreateOrg(t, db, "Acme"), ids: map[string]hiretext.CandidateID{}}
	f.welder = MustCreateJob(t, db, f.org.ID, "Welder")
	f.driver = MustCreateJob(t, db, f.org.ID, "Driver")
	for _, p := range []struct {
		first, last, email, main, alt string
		sms                           hiretext.SMSAnswer
		job                           *hiretext.Job
	}{
		{"José", "Álvarez", "jose.alvarez@example.com", "(312) 555-0123", "", hiretext.AnswerMain, f.welder},
		{"Mary-Jane", "O'Brien", "mj@obrien.example", "(773) 555-0144", "+44 7911 123456", hiretext.AnswerAlternate, f.welder},
		{"Ann", "Smith", "ann.smith@example.com", "(872) 555-0101", "", hiretext.AnswerMain, f.driver},
		{"Annabel", "Smithers", "annabel@corp.example", "(630) 555-0102", "", hiretext.AnswerNone, f.driver},
		{"Bob", "Jones", "bob@jones.example", "(847) 555-0103", "", hiretext.AnswerMain, f.welder},
	} {
		n := Applicant(p.job.ID, p.first, p.last)
		n.Email, n.MainPhone, n.AlternatePhone, n.SMS = p.email, p.main, p.alt, p.sms
		f.ids[p.first] = MustApply(t, db, f.org.ID, n).CandidateID
	}
	// Bob applies again, to the driver job: he moves to the top of the pool.
	n := Applicant(f.driver.ID, "Bob", "Jones")
	n.Email, n.MainPhone = "bob@jones.example", "(847) 555-0103"
	MustApply(t, db, f.org.ID, n)
	return f
}

func (f *poolFixture) names(page *hiretext.CandidatePage) []string {
	var out []string
	for _, e := range page.Entries {
		out = append(out, e.Candidate.FirstName)
	}
	return out
}

func TestSearchCandidates(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		f := newPoolFixture(t, db)
		cases := []struct {
			q    string
			want []string
		}{
			{"", []string{"Bob", "Annabel", "Ann", "Mary-Jane", "José"}},
			{"jose", []string{"José"}},
			{"ÁLV", []string{"José"}},
			{"o'brien", []string{"Mary-Jane"}},
			{"obri", []string{"Mary-Jane"}},
			{"jane", []string{"Mary-Jane"}},
			{"ann", []string{"Annabel", "Ann"}},
			{"ann smith", []string{"Annabel", "Ann"}},
			{"Smithe ann", []string{"Annabel"}},
			{"ann.smith@ex", []string{"Ann"}},
			{"example.com", []string{"Ann", "José"}},
			{"(312) 555-0123", []string{"José"}},
			{"+1 312 555 0123", []string{"José"}},
			{"3125550123", []string{"José"}},
			{"0123", []string{"José"}},
			{"555-0144", []string{"Mary-Jane"}},
			{"07911 123456", []string{"Mary-Jane"}},
			{"+44 7911 123456", []string{"Mary-Jane"}},
			{"zzz", nil},
			{"ann zzz", nil},
		}
		for _, c := range cases {
			page, err := db.SearchCandidates(ctx, f.org.ID, hiretext.CandidateQuery{Text: c.q})
			if err != nil {
				t.Fatalf("search %q: %v", c.q, err)
			}
			if got := f.names(page); !slices.Equal(got, c.want) {
				t.Errorf("search %q = %v, want %v", c.q, got, c.want)
			}
		}
	})
}

func TestSearchCandidatesFilters(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		f := newPoolFixture(t, db)
		cases := []struct {
			name string
			q    hiretext.CandidateQuery
			want []string
		}{
			{"welder job", hiretext.CandidateQuery{JobID: f.welder.ID}, []string{"Bob", "Mary-Jane", "José"}},
			{"driver job", hiretext.CandidateQuery{JobID: f.driver.ID}, []string{"Bob", "Annabel", "Ann"}},
			{"opted out", hiretext.CandidateQuery{SMSStatus: hiretext.SMSOptedOut}, []string{"Annabel"}},
			{"opted in, driver", hiretext.CandidateQuery{SMSStatus: hiretext.SMSOptedIn, JobID: f.driver.ID}, []string{"Bob", "Ann"}},
			{"text and job", hiretext.CandidateQuery{Text: "ann", JobID: f.driver.ID, SMSStatus: hiretext.SMSOptedIn}, []string{"Ann"}},
		}
		for _, c := range cases {
			page, err := db.SearchCandidates(ctx, f.org.ID, c.q)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if got := f.names(page); !slices.Equal(got, c.want) {
				t.Errorf("%s = %v, want %v", c.name, got, c.want)
			}
		}
		// The job filter shows each candidate's application to that job.
		page, _ := db.SearchCandidates(ctx, f.org.ID, hiretext.CandidateQuery{JobID: f.welder.ID})
		if app := page.Entries[0].Application; app.JobID != f.welder.ID || app.JobTitle != "Welder" {
			t.Errorf("welder filter shows application %+v", app)
		}
	})
}

func TestSearchCandidatesKeysetPagination(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		f := newPoolFixture(t, db)
		for _, q := range []hiretext.CandidateQuery{{}, {JobID: f.welder.ID}, {Text: "example"}} {
			all, _ := db.SearchCandidates(ctx, f.org.ID, q)
			var paged []string
			q.Limit = 2
			for pages := 0; ; pages++ {
				page, err := db.SearchCandidates(ctx, f.org.ID, q)
				if err != nil || pages > 10 {
					t.Fatalf("page %d: %v", pages, err)
				}
				paged = append(paged, f.names(page)...)
				if page.NextCursor == "" {
					break
				}
				q.Cursor = page.NextCursor
			}
			if want := f.names(all); !slices.Equal(paged, want) {
				t.Errorf("query %+v: pages = %v, want %v", q, paged, want)
			}
		}
		for _, bad := range []hiretext.CandidateQuery{{Cursor: "abc"}, {Cursor: "-5"}, {Limit: 500}, {SMSStatus: "maybe"}} {
			if _, err := db.SearchCandidates(ctx, f.org.ID, bad); hiretext.ErrorCode(err) != hiretext.EInvalid {
				t.Errorf("query %+v: err = %v, want invalid", bad, err)
			}
		}
	})
}

// TestSearchCandidatesPagesBack walks each query forward two rows at a time,
// then back from the last page with PrevCursor: the same pages in reverse,
// and the first page says nothing comes before it.
func TestSearchCandidatesPagesBack(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		f := newPoolFixture(t, db)
		for _, q := range []hiretext.CandidateQuery{{}, {JobID: f.welder.ID}, {Text: "example"}, {SMSStatus: hiretext.SMSOptedIn}} {
			q.Limit = 2
			var forward [][]string
			var last *hiretext.CandidatePage
			for fq := q; ; {
				page, err := db.SearchCandidates(ctx, f.org.ID, fq)
				if err != nil || len(forward) > 10 {
					t.Fatalf("query %+v: %v", fq, err)
				}
				if (fq.Cursor == "") != (page.PrevCursor == "") {
					t.Errorf("query %+v: prev cursor %q on a page after %q", fq, page.PrevCursor, fq.Cursor)
				}
				forward, last = append(forward, f.names(page)), page
				if page.NextCursor == "" {
					break
				}
				fq.Cursor = page.NextCursor
			}
			for i, page := len(forward)-1, last; page.PrevCursor != ""; {
				bq := q
				bq.Before = page.PrevCursor
				var err error
				if page, err = db.SearchCandidates(ctx, f.org.ID, bq); err != nil {
					t.Fatalf("query %+v: %v", bq, err)
				}
				if i--; i < 0 || !slices.Equal(f.names(page), forward[i]) || page.NextCursor == "" {
					t.Fatalf("query %+v: page %d back = %v (next %q), forward it was %v", bq, i, f.names(page), page.NextCursor, forward[max(i, 0)])
				}
				if (i == 0) != (page.PrevCursor == "") {
					t.Errorf("query %+v: page %d back has prev cursor %q", bq, i, page.PrevCursor)
				}
			}
		}
		if _, err := db.SearchCandidates(ctx, f.org.ID, hiretext.CandidateQuery{Cursor: "5", Before: "9"}); hiretext.ErrorCode(err) != hiretext.EInvalid {
			t.Errorf("cursor and before together: err = %v, want invalid", err)
		}
	})
}

// TestSearchCandidatesTotal: the total is counted where it is cheap (the
// pool, a status, a job, one word: "ann" is a first name and an email word
// of Ann but one candidate) and on a first page that holds every match;
// elsewhere it is unknown rather than costly.
func TestSearchCandidatesTotal(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		f := newPoolFixture(t, db)
		other := MustCreateOrg(t, db, "Other")
		MustApply(t, db, other.ID, Applicant(MustCreateJob(t, db, other.ID, "Cook").ID, "Ann", "Other"))
		page, _ := db.SearchCandidates(ctx, f.org.ID, hiretext.CandidateQuery{Limit: 2})
		cases := []struct {
			name string
			q    hiretext.CandidateQuery
			want int
		}{
			{"pool", hiretext.CandidateQuery{Limit: 2}, 5},
			{"pool, second page", hiretext.CandidateQuery{Limit: 2, Cursor: page.NextCursor}, 5},
			{"opted in", hiretext.CandidateQuery{Limit: 1, SMSStatus: hiretext.SMSOptedIn}, 4},
			{"welder job", hiretext.CandidateQuery{Limit: 1, JobID: f.welder.ID}, 3},
			{"another company's job", hiretext.CandidateQuery{Limit: 1, JobID: 999_999}, 0},
			{"one word", hiretext.CandidateQuery{Limit: 1, Text: "ann"}, 2},
			{"two words", hiretext.CandidateQuery{Limit: 1, Text: "ann smith"}, hiretext.TotalUnknown},
			{"job and status", hiretext.CandidateQuery{Limit: 1, JobID: f.driver.ID, SMSStatus: hiretext.SMSOptedIn}, hiretext.TotalUnknown},
			{"two words on one page", hiretext.CandidateQuery{Text: "ann smith"}, 2},
			{"job and status on one page", hiretext.CandidateQuery{JobID: f.driver.ID, SMSStatus: hiretext.SMSOptedIn}, 2},
			{"no match", hiretext.CandidateQuery{Text: "zzz"}, 0},
		}
		for _, c := range cases {
			page, err := db.SearchCandidates(ctx, f.org.ID, c.q)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if page.Total != c.want {
				t.Errorf("%s: total = %d, want %d", c.name, page.Total, c.want)
			}
		}
	})
}

func TestCandidatesByIDs(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		f := newPoolFixture(t, db)
		ids := []hiretext.CandidateID{f.ids["José"], f.ids["Ann"], f.ids["Bob"]}
		all, err := db.CandidatesByIDs(ctx, f.org.ID, ids, 0)
		if err != nil || len(all) != 3 || all[0].FirstName != "Bob" {
			t.Fatalf("CandidatesByIDs = %v, %v; want 3, newest application first", all, err)
		}
		welders, _ := db.CandidatesByIDs(ctx, f.org.ID, ids, f.welder.ID)
		if len(welders) != 2 {
			t.Fatalf("with the welder job: %d candidates, want José and Bob", len(welders))
		}
	})
}
