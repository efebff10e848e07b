package server_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/events"
	"github.com/hiretext/hiretext/internal/server"
	"github.com/hiretext/hiretext/internal/sms/simulator"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

// Environment of the live-update benchmark and of its client fleet.
const (
	benchEnv     = "HIRETEXT_BENCH_SSE"         // set to run the benchmark
	benchClients = "HIRETEXT_BENCH_SSE_CLIENTS" // default 1000
	// benchHeapProfile names a file for the server's heap profile with every
	// client connected (go tool pprof -sample_index=inuse_space): what the
	// streams hold.
	benchHeapProfile = "HIRETEXT_BENCH_SSE_HEAP_PROFILE"
	fleetURLEnv      = "HIRETEXT_SSE_FLEET_URL"
	fleetCookie      = "HIRETEXT_SSE_FLEET_COOKIE"
	fleetSizeEnv     = "HIRETEXT_SSE_FLEET_SIZE"
	benchRounds      = 100
	fleetDeadline    = 2 * time.Minute
)

// TestLiveUpdateBenchmark connects many SSE clients to one in-process server
// over real TCP and measures, per inbound text, the time from the provider's
// webhook POST (verified, stored, committed, woken) to the event's arrival at
// each client, and the server's memory per connection. The clients run in a
// child process so that the memory figures are the server's alone. With
// PostgreSQL it repeats with two instances: webhooks to instance A, clients
// connected to instance B, which learns of the texts through LISTEN/NOTIFY.
//
//	HIRETEXT_BENCH_SSE=1 go test -run TestLiveUpdateBenchmark -v -timeout 10m ./internal/server/
func TestLiveUpdateBenchmark(t *testing.T) {
	if testing.Short() || os.Getenv(benchEnv) == "" {
		t.Skipf("benchmark: set %s=1 to run it", benchEnv)
	}
	n := 1000
	if v, err := strconv.Atoi(os.Getenv(benchClients)); err == nil && v > 0 {
		n = v
	}
	// Every client is the same user's (the one assigned to the number), so
	// the per-user cap, which guards against one token taking every stream,
	// is lifted to n.
	streams := server.StreamOptions{PerUser: n, Max: n}
	t.Run("sqlite-one-instance", func(t *testing.T) {
		db := storetest.NewSQLite(t, storetest.Config{})
		b, _ := startBroker(t, db, events.Config{})
		ts, sim := newWebhookServer(t, db, b, streams)
		runLiveBenchmark(t, n, db, ts, sim, ts, b)
	})
	t.Run("postgres-one-instance", func(t *testing.T) {
		u := storetest.PostgresURL(t)
		db := storetest.Open(t, u, storetest.Config{})
		b, _ := startBroker(t, db, events.Config{PostgresURL: u})
		ts, sim := newWebhookServer(t, db, b, streams)
		runLiveBenchmark(t, n, db, ts, sim, ts, b)
	})
	t.Run("postgres-two-instances", func(t *testing.T) {
		u := storetest.PostgresURL(t)
		dbA, dbB := storetest.Open(t, u, storetest.Config{}), storetest.Open(t, u, storetest.Config{})
		bA, _ := startBroker(t, dbA, events.Config{PostgresURL: u})
		bB, _ := startBroker(t, dbB, events.Config{PostgresURL: u})
		tsA, sim := newWebhookServer(t, dbA, bA, streams)
		runLiveBenchmark(t, n, dbA, tsA, sim, newEventServer(t, dbB, bB, streams), bB)
	})
}

// newWebhookServer is a server with live updates and the simulator provider,
// whose signed inbound webhooks the benchmark posts.
func newWebhookServer(t *testing.T, db *store.DB, b *events.Broker, streams server.StreamOptions) (*testServer, *simulator.Provider) {
	t.Helper()
	hs := httptest.NewUnstartedServer(nil)
	base, _ := url.Parse("http://" + hs.Listener.Addr().String())
	sim, err := simulator.New(context.Background(), simulator.Config{Store: db.Simulator(), BaseURL: base.String()})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(context.Background(), server.Config{BaseURL: base, Clock: hiretext.SystemClock, Logger: testLogger(t),
		Events: b, Provider: sim, Stream: streams}, db)
	if err != nil {
		t.Fatal(err)
	}
	hs.Config.Handler = srv
	hs.Start()
	t.Cleanup(hs.Close)
	return &testServer{Server: hs, db: db, srv: srv}, sim
}

// runLiveBenchmark posts inbound webhooks to hook (on writer's database)
// and measures their arrival at n clients of reader, whose broker is b.
func runLiveBenchmark(t *testing.T, n int, writer *store.DB, hook *testServer, sim *simulator.Provider, reader *testServer, b *events.Broker) {
	org := storetest.MustCreateOrg(t, writer, "Acme")
	ann := storetest.MustCreateUser(t, writer, org.ID, "Ann", hiretext.RoleUser, hiretext.PermPool, hiretext.PermProfiles)
	num := storetest.MustAddNumber(t, writer, org.ID)
	storetest.MustAssign(t, writer, org.ID, num.ID, ann.ID)
	if _, err := writer.SetAllowance(context.Background(), num.Phone, hiretext.MaxMonthlyAllowance); err != nil {
		t.Fatal(err)
	}
	br := reader.browser(t)
	br.login(ann.Email, storetest.TestPassword)
	base, _ := url.Parse(reader.URL)
	cookies := br.client.Jar.Cookies(base)
	if len(cookies) == 0 {
		t.Fatal("login set no cookie")
	}

	before := serverMemory()
	fleet := startFleet(t, reader.URL+"/events", cookies[0].String(), n)
	storetest.EventuallyNil(t, fleetDeadline, "every client to subscribe", func() error {
		if got := b.Subscribers(); got < n {
			return fmt.Errorf("%d of %d clients subscribed", got, n)
		}
		return nil
	})
	after := serverMemory()
	if path := os.Getenv(benchHeapProfile); path != "" {
		writeHeapProfile(t, path)
	}

	var perClient, perRound []time.Duration
	for round := range benchRounds + 1 {
		start := time.Now()
		postInbound(t, hook, sim, num.Phone, round)
		id, err := writer.LatestEventID(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		arrivals := fleet.arrivals(t, id, n)
		// A pause between rounds, as real texts come apart: it shapes the
		// load measured, and waits for nothing (arrivals already did).
		time.Sleep(50 * time.Millisecond)
		if round == 0 {
			continue // warming up
		}
		var last time.Duration
		for _, at := range arrivals {
			perClient = append(perClient, at.Sub(start))
			last = max(last, at.Sub(start))
		}
		perRound = append(perRound, last)
	}
	heap := float64(after.heap-before.heap) / float64(n) / 1024
	stack := float64(after.stack-before.stack) / float64(n) / 1024
	t.Logf("%d clients, %d inbound webhooks: to each client p50 %v p99 %v max %v; to every client p50 %v p99 %v",
		n, benchRounds, percentile(perClient, 50), percentile(perClient, 99), slices.Max(perClient),
		percentile(perRound, 50), percentile(perRound, 99))
	t.Logf("server memory per open stream: %.1f KiB (%.1f KiB heap + %.1f KiB goroutine stacks); %.1f goroutines",
		heap+stack, heap, stack, float64(after.goroutines-before.goroutines)/float64(n))
}

// postInbound posts one signed simulator inbound webhook to ts: a text from
// an unknown sender to number; it returns once the webhook answered 200.
func postInbound(t *testing.T, ts *testServer, sim *simulator.Provider, number string, round int) {
	t.Helper()
	form := url.Values{"EventType": {"inbound"}, "MessageID": {"SMbench" + strconv.Itoa(round)}, "From": {"+13125550187"},
		"To": {number}, "Body": {"Is the job still open?"}, "Segments": {"1"}, "Timestamp": {time.Now().UTC().Format(time.RFC3339Nano)}}
	body := form.Encode()
	req, _ := http.NewRequest("POST", ts.URL+simulator.InboundPath, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(simulator.SignatureHeader, sim.Sign([]byte(body)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("inbound webhook: %d", resp.StatusCode)
	}
}

// writeHeapProfile writes the heap profile to path.
func writeHeapProfile(t *testing.T, path string) {
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		t.Fatal(err)
	}
}

type memory struct {
	heap, stack uint64
	goroutines  int
}

func serverMemory() memory {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return memory{heap: m.HeapInuse, stack: m.StackInuse, goroutines: runtime.NumGoroutine()}
}

func percentile(ds []time.Duration, p int) time.Duration {
	s := slices.Sorted(slices.Values(ds))
	return s[min(len(s)-1, len(s)*p/100)]
}

// fleet is the child process holding the clients.
type fleet struct {
	mu      sync.Mutex
	arrived map[string][]time.Time // cursor → arrival times
	changed chan struct{}
}

// startFleet runs n clients of rawURL in a child process, returning once all
// of them are connected.
func startFleet(t *testing.T, rawURL, cookie string, n int) *fleet {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSSEClientFleet$")
	cmd.Env = append(os.Environ(), fleetURLEnv+"="+rawURL, fleetCookie+"="+cookie, fleetSizeEnv+"="+strconv.Itoa(n))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	f := &fleet{arrived: map[string][]time.Time{}, changed: make(chan struct{}, 1)}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			switch {
			case len(fields) == 1 && fields[0] == "READY":
				close(ready)
			case len(fields) == 3 && fields[0] == "EV":
				ns, _ := strconv.ParseInt(fields[2], 10, 64)
				f.mu.Lock()
				f.arrived[fields[1]] = append(f.arrived[fields[1]], time.Unix(0, ns))
				f.mu.Unlock()
				select {
				case f.changed <- struct{}{}:
				default:
				}
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(fleetDeadline):
		t.Fatal("the client fleet did not connect")
	}
	return f
}

// arrivals waits until n clients have event id and returns when each got it.
func (f *fleet) arrivals(t *testing.T, id int64, n int) []time.Time {
	t.Helper()
	key := strconv.FormatInt(id, 10)
	timeout := time.After(30 * time.Second)
	for {
		f.mu.Lock()
		got := f.arrived[key]
		f.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-f.changed:
		case <-timeout:
			t.Fatalf("event %d reached %d of %d clients", id, len(got), n)
		}
	}
}

// TestSSEClientFleet is the benchmark's child process: it holds the clients
// and prints "EV <id> <unix nanoseconds>" for every event each receives.
func TestSSEClientFleet(t *testing.T) {
	rawURL := os.Getenv(fleetURLEnv)
	if rawURL == "" {
		t.Skip("the benchmark's client fleet; started by TestLiveUpdateBenchmark")
	}
	n, _ := strconv.Atoi(os.Getenv(fleetSizeEnv))
	lines := make(chan string, 100_000)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: -1, DisableCompression: true}}
	var connected sync.WaitGroup
	sem := make(chan struct{}, 64) // connect at most 64 at a time
	for range n {
		connected.Add(1)
		sem <- struct{}{}
		go fleetClient(client, rawURL, os.Getenv(fleetCookie), lines, func() { <-sem; connected.Done() })
	}
	connected.Wait()
	w := bufio.NewWriter(os.Stdout)
	fmt.Fprintln(w, "READY")
	w.Flush()
	for line := range lines {
		w.WriteString(line)
		for len(lines) > 0 {
			w.WriteString(<-lines)
		}
		w.Flush()
	}
}

// fleetClient reads one stream, calling connected after its first block.
func fleetClient(client *http.Client, rawURL, cookie string, lines chan<- string, connected func()) {
	req, _ := http.NewRequestWithContext(context.Background(), "GET", rawURL, nil)
	req.Header.Set("Cookie", cookie)
	resp, err := client.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		fmt.Fprintln(os.Stderr, "fleet client:", err, resp)
		os.Exit(1)
	}
	r := bufio.NewReader(resp.Body)
	first, id := true, ""
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		switch {
		case line == "\n" && first:
			first = false
			connected()
		case strings.HasPrefix(line, "id: "):
			id, _, _ = strings.Cut(strings.TrimSpace(line[4:]), ":") // the event id, also while ids are awaited
		case strings.HasPrefix(line, "data: "):
			lines <- "EV " + id + " " + strconv.FormatInt(time.Now().UnixNano(), 10) + "\n"
		}
	}
}
