package server_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/events"
	"github.com/hiretext/hiretext/internal/server"
	"github.com/hiretext/hiretext/internal/sms/simulator"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

// Environment of the texting benchmark.
const (
	textingBenchEnv      = "HIRETEXT_BENCH_TEXTING"          // set to run it
	textingBenchMessages = "HIRETEXT_BENCH_TEXTING_MESSAGES" // webhooks per run, default 3000
	textingBenchClients  = "HIRETEXT_BENCH_TEXTING_CLIENTS"  // comma-separated client counts, default 1,16,64
)

// TestInboundWebhookBenchmark measures the inbound path end to end: signed
// simulator webhooks POSTed over real TCP by N concurrent clients to an
// in-process server (with its live-update broker, logging JSON as in
// production), each storing one text from one of 1,000 candidates to one
// company number. Beside it, the raw rate of single-row durable INSERT
// transactions into a scratch table through the same connection pool, the
// ceiling of any write path on that database; then the same texts stored
// without HTTP (runStore), and on PostgreSQL the texts' rows written with
// none of the rules, one statement per table (runCeiling).
//
//	HIRETEXT_BENCH_TEXTING=1 go test ./internal/server/ -run TestInboundWebhookBenchmark -v -timeout 30m
func TestInboundWebhookBenchmark(t *testing.T) {
	if testing.Short() || os.Getenv(textingBenchEnv) == "" {
		t.Skipf("benchmark: set %s=1 to run it", textingBenchEnv)
	}
	n := 3000
	if v, err := strconv.Atoi(os.Getenv(textingBenchMessages)); err == nil && v > 0 {
		n = v
	}
	clients := textingClients(t)
	for name, dbURL := range map[string]func(testing.TB) string{"sqlite": storetest.SQLiteURL, "postgres": storetest.PostgresURL} {
		t.Run(name, func(t *testing.T) {
			u := dbURL(t)
			db := openProduction(t, u)
			for _, v := range rawInserts(db.Dialect()) {
				for _, c := range clients {
					rate, busy := rawInsertRate(t, db, v, c, n)
					t.Logf("raw %s transactions, %2d writers: %6.0f/s; machine CPU %.2f ms a transaction (%.0f%% busy)",
						v.name, c, rate, busy.perOp(n), busy.percent())
				}
			}
			bench := newWebhookBench(t, db, u)
			bench.run(t, 16, 200, "warm-up") // connections, caches, the month's counter row
			for _, c := range clients {
				bench.run(t, c, n, "")
			}
			for _, c := range clients {
				bench.runStore(t, c, n)
			}
			if db.Dialect() == "postgres" {
				for _, g := range []struct{ writers, size int }{{16, 1}, {4, 4}, {2, 8}} {
					bench.runCeiling(t, g.writers, g.size, n)
				}
			}
		})
	}
}

// textingClients returns the numbers of concurrent clients to measure with:
// those the environment names (to profile one), or 1, 16 and 64.
func textingClients(t *testing.T) []int {
	v := os.Getenv(textingBenchClients)
	if v == "" {
		return []int{1, 16, 64}
	}
	var out []int
	for f := range strings.SplitSeq(v, ",") {
		c, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || c < 1 {
			t.Fatalf("%s=%q: want comma-separated client counts, such as 1,16,64", textingBenchClients, v)
		}
		out = append(out, c)
	}
	return out
}

// openProduction opens and migrates the database at u with the pool sizes
// `hiretext serve` uses.
func openProduction(t *testing.T, u string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), u, store.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// rawInsert is a variant of the raw insert: the INSERT alone, or with one
// more statement in the same transaction.
type rawInsert struct {
	name  string
	extra string // a second statement, or ""
}

// rawInserts are the variants measured: the INSERT alone is the database's
// ceiling; adding the update of one shared counter row (like the number's
// allowance counter every inbound text increments) or, on PostgreSQL, a
// pg_notify (like every event's) shows what each costs under concurrency.
func rawInserts(dialect string) []rawInsert {
	out := []rawInsert{{"INSERT", ""}, {"INSERT + shared counter UPDATE", "UPDATE bench_counter SET n = n + 1 WHERE id = 1"}}
	if dialect == "postgres" {
		out = append(out, rawInsert{"INSERT + pg_notify", "SELECT pg_notify('hiretext_bench', 'x')"})
	}
	return out
}

// rawInsertRate commits n single-row INSERT transactions (with v's extra
// statement) into a scratch table from writers goroutines and returns the
// rate and the machine's CPU meanwhile.
func rawInsertRate(t *testing.T, db *store.DB, v rawInsert, writers, n int) (float64, machineBusy) {
	t.Helper()
	_, w := db.Pools()
	ctx := context.Background()
	ddl := []string{"CREATE TABLE IF NOT EXISTS bench_inserts (id INTEGER PRIMARY KEY, body TEXT NOT NULL, created_at TIMESTAMP NOT NULL)",
		"CREATE TABLE IF NOT EXISTS bench_counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)",
		"INSERT INTO bench_counter (id, n) VALUES (1, 0) ON CONFLICT (id) DO NOTHING"}
	insert := "INSERT INTO bench_inserts (body, created_at) VALUES (?, ?)"
	if db.Dialect() == "postgres" {
		ddl[0] = "CREATE TABLE IF NOT EXISTS bench_inserts (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL)"
		insert = "INSERT INTO bench_inserts (body, created_at) VALUES ($1, $2)"
	}
	for _, q := range ddl {
		if _, err := w.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	return concurrently(t, writers, n, 1, func(int) error { return rawTx(ctx, w, insert, v.extra) })
}

// concurrently runs op for items 0 to n-1, size at a time (op gets the
// first), from workers goroutines, and returns the items' rate and the
// machine's CPU meanwhile. An error fails the test and stops its worker.
func concurrently(t *testing.T, workers, n, size int, op func(first int) error) (float64, machineBusy) {
	t.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	busy := startMachineBusy()
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for first := next.Add(int64(size)) - int64(size); first < int64(n); first = next.Add(int64(size)) - int64(size) {
				if err := op(int(first)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return float64(n) / time.Since(start).Seconds(), busy.stop()
}

// rawTx commits one transaction of the raw insert benchmark.
func rawTx(ctx context.Context, w *sql.DB, insert, extra string) error {
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, insert, "Yes, Monday at 10 works for me. Thanks!", time.Now().UTC()); err != nil {
		return err
	}
	if extra != "" {
		if _, err := tx.ExecContext(ctx, extra); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// webhookBench is a server receiving simulator webhooks for one number.
type webhookBench struct {
	db     *store.DB
	url    string
	sim    *simulator.Provider
	number string
	phones []string // the candidates'
	// The company and number, for the ceiling's rows (texting_ceiling_bench_test.go).
	org      hiretext.OrgID
	numberID hiretext.NumberID
	client   *http.Client
	seq      atomic.Int64
}

func newWebhookBench(t *testing.T, db *store.DB, dbURL string) *webhookBench {
	t.Helper()
	ctx := context.Background()
	hs := httptest.NewUnstartedServer(nil)
	base, _ := url.Parse("http://" + hs.Listener.Addr().String())
	sim, err := simulator.New(ctx, simulator.Config{Store: db.Simulator(), BaseURL: base.String()})
	if err != nil {
		t.Fatal(err)
	}
	opts := events.Config{}
	if db.Dialect() == "postgres" {
		opts.PostgresURL = dbURL
	}
	broker, _ := startBroker(t, db, opts)
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	srv, err := server.New(ctx, server.Config{BaseURL: base, Clock: hiretext.SystemClock, Logger: logger, Provider: sim, Events: broker}, db)
	if err != nil {
		t.Fatal(err)
	}
	hs.Config.Handler = srv
	hs.Start()
	t.Cleanup(hs.Close)
	fx := storetest.MustSetUpTexting(t, db, hiretext.MaxMonthlyAllowance)
	b := &webhookBench{db: db, org: fx.Org.ID, numberID: fx.Number.ID, url: hs.URL + simulator.InboundPath, sim: sim, number: fx.Number.Phone,
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128}}}
	for _, c := range fx.MustRecipients(t, db, 1000) {
		b.phones = append(b.phones, c.MainPhone)
	}
	return b
}

// run posts n inbound webhooks from clients concurrent clients and logs the
// rate and latency percentiles.
func (b *webhookBench) run(t *testing.T, clients, n int, label string) {
	t.Helper()
	latencies := make([]time.Duration, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	groups, members := b.db.WebhookGroups()
	cpu := cpuSeconds()
	busy := startMachineBusy()
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(n); i = next.Add(1) - 1 {
				d, err := b.post(int(i))
				if err != nil {
					t.Error(err)
					return
				}
				latencies[i] = d
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu = cpuSeconds() - cpu
	machine := busy.stop()
	if t.Failed() || label != "" {
		return
	}
	g, m := b.db.WebhookGroups()
	t.Logf("webhooks, %2d clients: %6.0f/s; latency p50 %v p95 %v p99 %v max %v; this process's CPU %.2f ms a webhook (%.0f%% of %d cores); machine CPU %.2f ms a webhook (%.0f%% busy); %.1f webhooks a transaction",
		clients, float64(n)/elapsed.Seconds(),
		percentile(latencies, 50).Round(10*time.Microsecond), percentile(latencies, 95).Round(10*time.Microsecond),
		percentile(latencies, 99).Round(10*time.Microsecond), slices.Max(latencies).Round(10*time.Microsecond),
		cpu*1000/float64(n), 100*cpu/elapsed.Seconds()/float64(runtime.GOMAXPROCS(0)), runtime.GOMAXPROCS(0),
		machine.perOp(n), machine.percent(),
		float64(m-members)/float64(max(g-groups, 1)))
}

// runStore stores n inbound texts from clients concurrent goroutines by
// calling the store directly, as the webhook handler does after checking
// the signature and parsing the form: the storage part of a webhook's cost,
// without HTTP, beside run's whole.
func (b *webhookBench) runStore(t *testing.T, clients, n int) {
	t.Helper()
	rate, machine := concurrently(t, clients, n, 1, func(i int) error {
		in := hiretext.IncomingText{Provider: b.sim.Name(), ProviderMessageID: fmt.Sprintf("SMstore%d", b.seq.Add(1)),
			From: b.phones[i%len(b.phones)], To: b.number, Body: "Yes, Monday at 10 works for me. Thanks!"}
		_, err := b.db.ReceiveText(context.Background(), in)
		return err
	})
	t.Logf("texts stored without HTTP, %2d goroutines: %6.0f/s; machine CPU %.2f ms a text (%.0f%% busy)",
		clients, rate, machine.perOp(n), machine.percent())
}

// cpuSeconds returns the CPU time (user and system) this process has used
// so far, from Linux's /proc/self/stat, or 0 elsewhere: clients, server and
// database driver, not PostgreSQL's own processes.
func cpuSeconds() float64 {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / 100 // clock ticks: USER_HZ is 100 on Linux
}

// machineBusy is the CPU time the whole machine spent (every process:
// PostgreSQL's too) over a stretch of wall time, from Linux's /proc/stat;
// zero elsewhere.
type machineBusy struct {
	busy, total float64 // seconds of CPU busy, and of CPU in all
	start       [2]float64
}

// startMachineBusy starts measuring.
func startMachineBusy() machineBusy {
	b, t := machineCPU()
	return machineBusy{start: [2]float64{b, t}}
}

// stop ends the measure.
func (m machineBusy) stop() machineBusy {
	b, t := machineCPU()
	m.busy, m.total = b-m.start[0], t-m.start[1]
	return m
}

// perOp is the machine's busy CPU in milliseconds per each of n operations.
func (m machineBusy) perOp(n int) float64 { return m.busy * 1000 / float64(n) }

// percent is how busy the machine's CPUs were, in percent.
func (m machineBusy) percent() float64 { return 100 * m.busy / max(m.total, 1e-9) }

// machineCPU returns the seconds the machine's CPUs were busy and in all
// since boot: /proc/stat's first line, idle and iowait being the idle time.
func machineCPU() (busy, total float64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	for i, v := range f[1:] {
		x, _ := strconv.ParseFloat(v, 64)
		if i >= 8 { // guest time is counted in user already
			break
		}
		total += x
		if i != 3 && i != 4 { // idle, iowait
			busy += x
		}
	}
	return busy / 100, total / 100 // clock ticks: USER_HZ is 100 on Linux
}

// post sends the i-th inbound text, signed, and waits for the answer.
func (b *webhookBench) post(i int) (time.Duration, error) {
	form := url.Values{"EventType": {"inbound"}, "MessageID": {fmt.Sprintf("SMbench%d", b.seq.Add(1))},
		"From": {b.phones[i%len(b.phones)]}, "To": {b.number}, "Body": {"Yes, Monday at 10 works for me. Thanks!"},
		"Segments": {"1"}, "Timestamp": {time.Now().UTC().Format(time.RFC3339Nano)}}
	body := form.Encode()
	req, err := http.NewRequest(http.MethodPost, b.url, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(simulator.SignatureHeader, b.sim.Sign([]byte(body)))
	start := time.Now()
	resp, err := b.client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("webhook answered %d", resp.StatusCode)
	}
	return time.Since(start), nil
}
