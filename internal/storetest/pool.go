package storetest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// Name lists for generated pools: common US first and last names (a few with
// accents and apostrophes, which search folds), so prefixes are as common as
// in a real pool.
var (
	poolFirstNames = strings.Fields(`James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William
		Barbara Richard Susan Joseph Jessica Thomas Sarah Christopher Karen Charles Lisa Daniel Nancy Matthew Betty
		Anthony Sandra Mark Margaret Donald Ashley Steven Kimberly Andrew Emily Paul Donna Joshua Michelle Kenneth
		Carol Kevin Amanda Brian Melissa George Deborah Timothy Stephanie Ronald Rebecca Jason Sharon Edward Laura
		Jeffrey Cynthia Ryan Dorothy Jacob Amy Gary Kathleen Nicholas Angela Eric Shirley Jonathan Emma Stephen
		Brenda Larry Pamela Justin Nicole Scott Anna Brandon Samantha Benjamin Katherine Samuel Christine Gregory
		Debra Alexander Rachel Patrick Carolyn Frank Janet Raymond Maria José Zoë Renée Ann Annie Sofía Chloé`)
	poolLastNames = strings.Fields(`Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez
		Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris
		Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green
		Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz
		Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey
		Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz
		Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster O'Brien Núñez Smithers`)
	poolDomains  = []string{"gmail.example", "yahoo.example", "outlook.example", "icloud.example", "aol.example", "proton.example"}
	poolAreas    = []int{312, 773, 872, 630, 847, 708, 415, 646, 212, 617, 206, 512, 303, 404, 305, 213}
	poolAnswers  = []hiretext.SMSAnswer{hiretext.AnswerMain, hiretext.AnswerMain, hiretext.AnswerMain, hiretext.AnswerMain, hiretext.AnswerMain, hiretext.AnswerMain, hiretext.AnswerMain, hiretext.AnswerAlternate, hiretext.AnswerNone, hiretext.AnswerUnanswered}
	poolJobNames = []string{"Forklift Operator", "Registered Nurse", "Warehouse Associate", "Customer Service Representative", "Welder"}
)

// PoolApplicant returns the i-th generated applicant (i from 0) to one of
// jobs. It is deterministic, so a benchmark can search for a known person:
// every email and phone is distinct for i below 100,000 (phones are
// well-formed US numbers, never texted); 70% opt in on the main phone, 10% on
// an alternate, 10% decline and 10% are imports that never answered, in
// every job alike.
func PoolApplicant(i int, jobs []*hiretext.Job) hiretext.NewApplication {
	first := poolFirstNames[i%len(poolFirstNames)]
	last := poolLastNames[(i/len(poolFirstNames)+i)%len(poolLastNames)]
	n := hiretext.NewApplication{JobID: jobs[(i/len(poolAnswers))%len(jobs)].ID, FirstName: first, LastName: last,
		Email:     fmt.Sprintf("%s.%s.%d@%s", first, strings.ReplaceAll(last, "'", ""), i, poolDomains[i%len(poolDomains)]),
		MainPhone: poolPhone(i, 0), SMS: poolAnswers[i%len(poolAnswers)], Channel: hiretext.ChannelImport,
		Disclosure: hiretext.DefaultConsentDisclosure}
	if n.SMS == hiretext.AnswerAlternate {
		n.AlternatePhone = poolPhone(i, 1)
	}
	return n
}

// poolPhone returns a distinct number for each (i, which) with i < 100,000:
// the area code by i (main and alternate phones use different ones), and
// exchange and line from a bijection of i onto 0…7,999,999, so the last
// digits are spread like real numbers'.
func poolPhone(i, which int) string {
	v := (i*7_654_321 + 1_234_567) % 8_000_000
	area := poolAreas[(i%8)+8*which]
	return fmt.Sprintf("+1%d%03d%04d", area, 200+v/10_000, v%10_000)
}

// SeedPool creates jobs job postings and n candidates in org, each applying
// once through ImportApplications in batches, and returns the jobs. It is
// the data generator of the pool benchmarks.
func SeedPool(tb testing.TB, db *store.DB, org hiretext.OrgID, n, jobs int) []*hiretext.Job {
	tb.Helper()
	ctx := context.Background()
	js := make([]*hiretext.Job, jobs)
	for i := range js {
		js[i] = MustCreateJob(tb, db, org, fmt.Sprintf("%s %d", poolJobNames[i%len(poolJobNames)], i+1))
	}
	const batch = 2000
	for start := 0; start < n; start += batch {
		apps := make([]hiretext.NewApplication, 0, batch)
		for i := start; i < min(start+batch, n); i++ {
			apps = append(apps, PoolApplicant(i, js))
		}
		if err := db.ImportApplications(ctx, org, apps); err != nil {
			tb.Fatalf("seed pool: %v", err)
		}
	}
	return js
}

// BenchPoolDBEnv names a SQLite file that keeps the generated benchmark pool
// between runs (and between the store and server benchmarks); without it
// the pool is generated in a temp dir each run.
const BenchPoolDBEnv = "HIRETEXT_BENCH_POOL_DB"

// benchPoolSlug names the benchmark pool's organization.
const benchPoolSlug = "bench-pool"

// OpenBenchPool opens the benchmark pool, n candidates and jobs jobs in
// organization "bench-pool" on SQLite, generating it when the file named by
// HIRETEXT_BENCH_POOL_DB does not hold it yet. Jobs come oldest first, as
// SeedPool created them.
func OpenBenchPool(b *testing.B, n, jobs int) (*store.DB, hiretext.OrgID, []*hiretext.Job) {
	b.Helper()
	path := os.Getenv(BenchPoolDBEnv)
	if path == "" {
		path = filepath.Join(b.TempDir(), "pool.db")
	}
	return OpenBenchPoolAt(b, path, n, jobs)
}

// OpenBenchPoolAt is OpenBenchPool with the SQLite file named by path.
func OpenBenchPoolAt(b *testing.B, path string, n, jobs int) (*store.DB, hiretext.OrgID, []*hiretext.Job) {
	b.Helper()
	ctx := context.Background()
	db := Open(b, "sqlite:"+path, Config{})
	if org, err := db.OrgBySlug(ctx, benchPoolSlug); err == nil {
		js, err := db.ListJobs(ctx, org.ID)
		if err != nil || len(js) != jobs {
			b.Fatalf("%s holds %d jobs (%v); delete it to regenerate", path, len(js), err)
		}
		slices.Reverse(js)
		return db, org.ID, js
	}
	b.Logf("generating %d candidates in %s", n, path)
	org, err := db.CreateOrg(ctx, hiretext.NewOrganization{Name: "Bench Pool", Slug: benchPoolSlug, Timezone: "America/Chicago"})
	if err != nil {
		b.Fatal(err)
	}
	return db, org.ID, SeedPool(b, db, org.ID, n, jobs)
}
