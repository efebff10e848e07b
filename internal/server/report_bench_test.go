package server_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

// BenchReportEnv turns on the SMS Activity export benchmark: 1,000,000
// generated texts on each database. See docs/benchmarks.md.
const BenchReportEnv = "HIRETEXT_BENCH_REPORT"

// BenchReportPagesEnv, set beside BenchReportEnv, times only the report's
// pages (summary, chart, later pages) on the large company, without the
// exports and their second company: minutes less per run.
const BenchReportPagesEnv = "HIRETEXT_BENCH_REPORT_PAGES"

// benchFrom is when generated histories start; they span a year, so one
// report period of 366 days covers them.
var benchFrom = time.Date(2025, 3, 1, 6, 0, 0, 0, time.UTC)

// exportRun is one measured export.
type exportRun struct {
	rows     int
	bytes    int64
	elapsed  time.Duration
	peakHeap uint64 // the highest heap in use during the export (garbage included), above the heap before it
	liveHeap uint64 // the highest live heap a GC found during the export, above the live heap before it
	file     string // where an XLSX export was saved
	sheetXML uint64 // the XLSX's worksheets, uncompressed
}

// measureExport downloads the report of seed's company (the generated year)
// through the API as format and measures it. The test's own process is the
// server, so the heap is the server's (plus a client that discards the body).
func measureExport(t *testing.T, ts *testServer, tok, format string) exportRun {
	t.Helper()
	url := ts.URL + "/api/v1/reports/sms-activity?from=2025-03-01&to=2026-03-01&format=" + format
	var run exportRun
	run.peakHeap, run.liveHeap = heapPeaks(func() {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			body, _ := io.ReadAll(resp.Body)
			t.Fatalf("export %s: %d %s", format, resp.StatusCode, body)
		}
		lines := &lineCounter{}
		var out io.Writer = lines
		if format == "xlsx" {
			f, err := os.Create(filepath.Join(t.TempDir(), "export.xlsx"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			out, run.file = f, f.Name()
		}
		run.bytes, err = io.Copy(out, resp.Body)
		if err != nil {
			t.Fatalf("export %s: %v", format, err)
		}
		run.elapsed, run.rows = time.Since(start), lines.n-1 // less the header
	})
	if run.file != "" {
		run.sheetXML = sheetXMLSize(t, run.file)
	}
	return run
}

// sheetXMLSize returns the uncompressed size of an XLSX's worksheets: what
// the export spooled to its temporary file.
func sheetXMLSize(t *testing.T, path string) uint64 {
	t.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("XLSX: %v", err)
	}
	defer z.Close()
	var n uint64
	for _, f := range z.File {
		if strings.HasPrefix(f.Name, "xl/worksheets/") {
			n += f.UncompressedSize64
		}
	}
	return n
}

// lineCounter counts the lines of a CSV (records have no embedded newlines
// in generated data) while discarding them.
type lineCounter struct{ n int }

func (c *lineCounter) Write(p []byte) (int, error) {
	c.n += bytes.Count(p, []byte("\n"))
	return len(p), nil
}

// heapPeaks runs fn and returns, above their values after a GC before it,
// the highest HeapAlloc seen while it ran and the highest live heap a GC
// found (both sampled every 2 ms). The GC runs more often meanwhile
// (GOGC=20), so both follow the memory fn holds; the live heap ignores
// garbage, so it does not depend on when collections happen.
func heapPeaks(fn func()) (alloc, live uint64) {
	defer debug.SetGCPercent(debug.SetGCPercent(20))
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	baseLive := liveHeap()
	stop, peaks := make(chan struct{}), make(chan [2]uint64)
	go func() {
		var m runtime.MemStats
		var high [2]uint64
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			high[0], high[1] = max(high[0], m.HeapAlloc), max(high[1], liveHeap())
			select {
			case <-stop:
				peaks <- high
				return
			case <-tick.C:
			}
		}
	}()
	fn()
	close(stop)
	high := <-peaks
	return above(high[0], base.HeapAlloc), above(high[1], baseLive)
}

// liveHeap is the heap the last GC found live.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func above(v, base uint64) uint64 {
	if v > base {
		return v - base
	}
	return 0
}

// benchCompany is a generated company and its administrator.
type benchCompany struct {
	seed  *storetest.ActivitySeed
	admin *hiretext.User
	token string
}

// seedReport generates n texts with candidates candidates (0: the
// generator's 200) over benchFrom's year in a new company with an
// administrator.
func seedReport(t *testing.T, db *store.DB, n, candidates int) benchCompany {
	t.Helper()
	seed := storetest.SeedActivity(t, db, storetest.ActivityOptions{Messages: n, From: benchFrom, To: benchFrom.AddDate(1, 0, 0),
		Candidates: candidates})
	admin := storetest.MustCreateUser(t, db, seed.Org.ID, "Dana Admin", hiretext.RoleAdmin)
	return benchCompany{seed: seed, admin: admin, token: token(t, db, admin)}
}

// TestReportExportMemoryIsFlat exports 2,500 and then 20,000 texts as CSV:
// the live heap must not grow with the rows (an export that kept its rows
// would grow it by about 12 MiB; the allowance of 3 MiB is for the other
// tests' leftover goroutines, which add up to about 1 MiB when the whole
// package runs). Each export runs twice and the smaller figure counts,
// since those goroutines can only add. Not parallel: it
// measures the process. The benchmark below shows the same for a million
// texts, and for XLSX.
func TestReportExportMemoryIsFlat(t *testing.T) {
	db := storetest.NewSQLite(t, storetest.Config{})
	small, large := seedReport(t, db, 2_500, 20), seedReport(t, db, 20_000, 20)
	ts := newTestServer(t, db)
	measureExport(t, ts, small.token, "csv") // warm up: pools, caches
	best := func(tok string, rows int) exportRun {
		a, b := measureExport(t, ts, tok, "csv"), measureExport(t, ts, tok, "csv")
		if a.rows != rows || b.rows != rows {
			t.Fatalf("exported %d and %d rows, want %d", a.rows, b.rows, rows)
		}
		if b.liveHeap < a.liveHeap {
			return b
		}
		return a
	}
	s, l := best(small.token, 2_500), best(large.token, 20_000)
	t.Logf("CSV: %d rows: live %s (heap %s); %d rows: live %s (heap %s)", s.rows, mib(s.liveHeap), mib(s.peakHeap),
		l.rows, mib(l.liveHeap), mib(l.peakHeap))
	if l.liveHeap > s.liveHeap+3<<20 {
		t.Errorf("the live heap grew from %s to %s with 8x the rows", mib(s.liveHeap), mib(l.liveHeap))
	}
}

// TestReportExportBenchmark measures CSV and XLSX exports of 1,000,000 texts
// on SQLite and PostgreSQL (and 250,000 beside them, to show the memory does
// not follow the rows). It runs with HIRETEXT_BENCH_REPORT=1; see
// docs/benchmarks.md.
func TestReportExportBenchmark(t *testing.T) {
	if os.Getenv(BenchReportEnv) == "" {
		t.Skipf("set %s=1 to run the export benchmark (1,000,000 texts per database; minutes)", BenchReportEnv)
	}
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv(BenchReportEnv)); err == nil && v > 1 {
		n = v
	}
	for _, c := range []struct {
		name string
		open func(testing.TB, storetest.Config) *store.DB
	}{{"sqlite", storetest.NewSQLite}, {"postgres", storetest.NewPostgres}} {
		t.Run(c.name, func(t *testing.T) {
			db := c.open(t, storetest.Config{})
			start := time.Now()
			large := seedReport(t, db, n, 0)
			t.Logf("generated %d texts in %s", n, time.Since(start).Round(time.Second))
			ts := newTestServer(t, db)
			if os.Getenv(BenchReportPagesEnv) != "" {
				benchPages(t, ts, c.name, large)
				return
			}
			quarter := seedReport(t, db, n/4, 0)
			measureExport(t, ts, quarter.token, "csv")
			fmt.Printf("%s | format | texts | time | texts/s | bytes | peak heap | XLSX sheet XML\n", c.name)
			for _, format := range []string{"csv", "xlsx"} {
				for _, co := range []benchCompany{quarter, large} {
					r := measureExport(t, ts, co.token, format)
					rows := co.seed.Messages
					fmt.Printf("%s | %s | %d | %s | %.0f | %s | %s | %s\n", c.name, format, rows, r.elapsed.Round(10*time.Millisecond),
						float64(rows)/r.elapsed.Seconds(), mib(uint64(r.bytes)), mib(r.peakHeap), mib(r.sheetXML))
				}
			}
			benchPages(t, ts, c.name, large)
		})
	}
}

// benchPages times the report's pages on the large company: the page with
// its summary for a month and for the year, and later pages of filters.
func benchPages(t *testing.T, ts *testServer, name string, co benchCompany) {
	t.Helper()
	b := ts.browser(t)
	b.login(co.admin.Email, storetest.TestPassword)
	timed := func(what, path string, api bool) {
		best := time.Duration(1 << 62)
		for range 3 {
			start := time.Now()
			if api {
				if st, body := ts.api(t, co.token, "GET", path, ""); st != http.StatusOK {
					t.Fatalf("%s: %d %v", path, st, body)
				}
			} else {
				b.get(path, http.StatusOK)
			}
			best = min(best, time.Since(start))
		}
		fmt.Printf("%s | %s | %s\n", name, what, best.Round(100*time.Microsecond))
	}
	year, month := "from=2025-03-01&to=2026-03-01", "from=2026-01-01&to=2026-01-31"
	timed("page with summary and chart, a month", "/reports/sms-activity?"+month, false)
	timed("page with summary and chart, the year", "/reports/sms-activity?"+year, false)
	_, first := ts.api(t, co.token, "GET", "/api/v1/reports/sms-activity?"+year, "")
	for _, c := range []struct{ what, query string }{
		{"next page, no filter", ""},
		{"next page, one user", "&user_id=" + idString(co.seed.Users[3].ID)},
		{"next page, one number", "&number_id=" + idString(co.seed.Numbers[1].ID)},
		{"next page, failed", "&status=failed"},
	} {
		_, p := ts.api(t, co.token, "GET", "/api/v1/reports/sms-activity?"+year+c.query, "")
		next, _ := p["next_cursor"].(string)
		if c.query == "" {
			next = first["next_cursor"].(string)
		}
		timed("API "+c.what, "/api/v1/reports/sms-activity?"+year+c.query+"&cursor="+url.QueryEscape(next), true)
	}
	timed("API first page of one candidate, with summary", "/api/v1/reports/sms-activity?"+year+"&candidate_id="+idString(co.seed.Candidates[7]), true)
}

func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
