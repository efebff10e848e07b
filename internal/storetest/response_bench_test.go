package storetest

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// BenchResponseEnv runs TestResponseReportBenchmark with that many texts.
const BenchResponseEnv = "HIRETEXT_BENCH_RESPONSE"

// TestResponseReportBenchmark times the SMS Activity report's response
// figures alone (best of three) for a year of generated texts, for the
// year, a month and one user, on both databases, in clock hours and then
// in business hours. It is a benchmark, not a timed test: it prints and
// asserts nothing about the figures' speed.
func TestResponseReportBenchmark(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv(BenchResponseEnv))
	if n <= 0 {
		t.Skipf("set %s=N to time the response figures over N texts", BenchResponseEnv)
	}
	from := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	for name, open := range map[string]func(testing.TB, Config) *store.DB{"sqlite": NewSQLite, "postgres": NewPostgres} {
		t.Run(name, func(t *testing.T) {
			db := open(t, Config{})
			start := time.Now()
			seed := SeedActivity(t, db, ActivityOptions{Messages: n, From: from, To: from.AddDate(1, 0, 0)})
			t.Logf("generated %d texts (and their response facts) in %s", n, time.Since(start).Round(time.Second))
			timeResponseReports(t, db, seed, from, "")
			// The same in business hours (the default 9-to-5 weekdays), which
			// measure each answer instead of subtracting two instants.
			u := hiretext.DefaultEscalationPolicy(seed.Org.ID).Update()
			if _, err := db.UpdateEscalationPolicy(ctx, seed.Org.ID, u, seed.Users[0].ID); err != nil {
				t.Fatal(err)
			}
			timeResponseReports(t, db, seed, from, ", business hours")
		})
	}
}

// timeResponseReports times the response figures of the year, a month and
// one user's year of seed, generated from from, and prints them.
func timeResponseReports(t *testing.T, db *store.DB, seed *ActivitySeed, from time.Time, label string) {
	t.Helper()
	loc := seed.Org.Location()
	for _, c := range []struct {
		what     string
		from, to string
		user     hiretext.UserID
	}{{"the year", "2025-03-01", "2026-02-28", 0}, {"a month", "2026-01-01", "2026-01-31", 0},
		{"the year, one user", "2025-03-01", "2026-02-28", seed.Users[3].ID}} {
		p, err := hiretext.NewReportPeriod(c.from, c.to, loc, from.AddDate(1, 1, 0))
		if err != nil {
			t.Fatal(err)
		}
		best := time.Duration(1 << 62)
		for range 3 {
			start := time.Now()
			if _, err := db.ResponseReport(ctx, seed.Org.ID, hiretext.ActivityFilter{Period: p, UserID: c.user}); err != nil {
				t.Fatal(err)
			}
			best = min(best, time.Since(start))
		}
		fmt.Printf("%s | %d texts | response figures, %s%s | %s\n", db.Dialect(), seed.Messages, c.what, label, best.Round(100*time.Microsecond))
	}
}
