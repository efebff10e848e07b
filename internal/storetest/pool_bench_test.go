package storetest

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
)

// BenchmarkPool100k measures the candidate pool on SQLite with 100,000
// candidates applying to 20 jobs: pages, filters and searches, next to a
// primary-key lookup on the same database as the floor. Generating the pool
// takes about two minutes; see docs/benchmarks.md.
func BenchmarkPool100k(b *testing.B) {
	db, org, jobs := OpenBenchPool(b, 100_000, 20)
	first, err := db.SearchCandidates(ctx, org, hiretext.CandidateQuery{Limit: 1})
	if err != nil {
		b.Fatal(err)
	}
	newest := first.Entries[0]
	target := PoolApplicant(54_321, jobs)
	digits := phone.Digits(target.MainPhone)
	b.Run("baseline/candidate-by-id", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.CandidateByID(ctx, org, newest.Candidate.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, c := range []struct {
		name string
		q    hiretext.CandidateQuery
	}{
		{"list/first-page", hiretext.CandidateQuery{}},
		{"list/middle-page", hiretext.CandidateQuery{Cursor: strconv.FormatInt(int64(newest.Application.ID)/2, 10)}},
		{"list/middle-page-previous", hiretext.CandidateQuery{Before: strconv.FormatInt(int64(newest.Application.ID)/2, 10)}},
		{"filter/job", hiretext.CandidateQuery{JobID: jobs[3].ID}},
		{"filter/opted-out", hiretext.CandidateQuery{SMSStatus: hiretext.SMSOptedOut}},
		{"filter/job+opted-in", hiretext.CandidateQuery{JobID: jobs[3].ID, SMSStatus: hiretext.SMSOptedIn}},
		{"search/last-name", hiretext.CandidateQuery{Text: "smith"}},
		{"search/name-prefix", hiretext.CandidateQuery{Text: "jen"}},
		{"search/full-name", hiretext.CandidateQuery{Text: "jennifer smith"}},
		{"search/one-letter", hiretext.CandidateQuery{Text: "a"}},
		{"search/two-common-prefixes", hiretext.CandidateQuery{Text: "ma ro"}},
		{"search/email", hiretext.CandidateQuery{Text: target.Email}},
		{"search/phone-formatted", hiretext.CandidateQuery{Text: phone.Format(target.MainPhone)}},
		{"search/phone-last-4", hiretext.CandidateQuery{Text: digits[len(digits)-4:]}},
		{"search/no-match", hiretext.CandidateQuery{Text: "zzyzx"}},
		{"search/name+job+opted-in", hiretext.CandidateQuery{Text: "smith", JobID: jobs[3].ID, SMSStatus: hiretext.SMSOptedIn}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := db.SearchCandidates(ctx, org, c.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// poolSizesDirEnv names a directory keeping BenchmarkPoolSizes's pools
// between runs; without it they are generated in a temp dir each run.
const poolSizesDirEnv = "HIRETEXT_BENCH_POOL_SIZES_DIR"

// BenchmarkPoolSizes measures the pool pages that say how many candidates
// match ("Showing 1–50 of N") at 10,000 and at 1,000,000 candidates, to show
// the count does not grow with the pool. Generating the million takes about
// twenty minutes; set HIRETEXT_BENCH_POOL_SIZES_DIR to keep the files.
func BenchmarkPoolSizes(b *testing.B) {
	dir := os.Getenv(poolSizesDirEnv)
	if dir == "" {
		dir = b.TempDir()
	}
	for _, n := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprintf("candidates=%d", n), func(b *testing.B) {
			db, org, _ := OpenBenchPoolAt(b, filepath.Join(dir, fmt.Sprintf("pool%d.db", n)), n, 20)
			for _, c := range []struct {
				name string
				q    hiretext.CandidateQuery
			}{
				{"first-page-with-total", hiretext.CandidateQuery{}},
				{"opted-out-with-total", hiretext.CandidateQuery{SMSStatus: hiretext.SMSOptedOut}},
			} {
				b.Run(c.name, func(b *testing.B) {
					for b.Loop() {
						page, err := db.SearchCandidates(ctx, org, c.q)
						if err != nil {
							b.Fatal(err)
						}
						if page.Total == hiretext.TotalUnknown {
							b.Fatal("the page has no total")
						}
					}
				})
			}
		})
	}
}
