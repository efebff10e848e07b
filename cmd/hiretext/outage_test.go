package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	osexec "os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/sms/simulator"
	"github.com/hiretext/hiretext/internal/storetest"
)

// TestLostWebhooksAreReconciled builds the binary and serves a fresh
// database (SQLite file and PostgreSQL schema) with a simulator that drops
// 10% of status callbacks; 2,000 candidates are texted through the API and
// each replies through a simulated carrier that drops 10% of inbound
// webhooks. With reconciliation every second, every text ends delivered,
// every reply is stored exactly once, and every phone holds one copy.
//
//	HIRETEXT_TEST_POSTGRES_URL=… go test ./cmd/hiretext/ -run TestLostWebhooksAreReconciled -v
func TestLostWebhooksAreReconciled(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and sends 4,000 texts: not in -short")
	}
	bin := filepath.Join(t.TempDir(), "hiretext")
	if out, err := osexec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); lostWebhooks(t, bin, storetest.SQLiteURL(t)) })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); lostWebhooks(t, bin, storetest.PostgresURL(t)) })
}

// lostWebhooks is TestLostWebhooksAreReconciled on the database at dbURL.
func lostWebhooks(t *testing.T, bin, dbURL string) {
	const texts = 2000
	db := storetest.Open(t, dbURL, storetest.Config{})
	k := newKillFixture(t, db, texts)
	s := startServe(t, bin, dbURL, "--simulator-faults", "drop-status=0.1", "--reconcile-interval", "1s")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var dropped atomic.Int64 // the replies whose webhooks the carrier dropped
	dice := func() float64 {
		r := rand.Float64()
		if r < 0.1 {
			dropped.Add(1)
		}
		return r
	}
	carrier, err := simulator.New(ctx, simulator.Config{Store: db.Simulator(), BaseURL: s.base, Clock: hiretext.SystemClock,
		Faults: simulator.Faults{DropInbound: 0.1, Rand: dice}})
	if err != nil {
		t.Fatal(err)
	}
	go carrier.Run(ctx) // retries a webhook the server did not answer
	start := time.Now()
	for ids := range slices.Chunk(k.ids, 1000) { // the most one send may name
		body := `{"candidate_ids":[` + strings.Join(ids, ",") + `],"body":"Open house on Friday at 10am!"}`
		if st := s.post(t, "/api/v1/messages", k.token, body); st != http.StatusAccepted {
			t.Fatalf("bulk send: %d", st)
		}
	}
	for _, p := range k.phones {
		if _, err := carrier.SimulateInbound(ctx, p, k.tx.Number.Phone, "Sounds good, see you Friday"); err != nil {
			t.Fatal(err)
		}
	}
	sent := time.Since(start)
	storetest.EventuallyNil(t, 5*time.Minute, "every status and reply reconciled", func() error {
		counts := k.tx.StatusCounts(t, db, hiretext.KindRecruiter)
		if in := k.inbound(t); counts[hiretext.StatusDelivered] != texts || in != texts {
			return fmt.Errorf("statuses %v, %d replies stored", counts, in)
		}
		return nil
	})
	reconciled := time.Since(start) - sent
	missing, twice := k.handsets(t)
	if missing > 0 || twice > 0 {
		t.Fatalf("%d phones without the text, %d with it more than once", missing, twice)
	}
	if dropped.Load() == 0 {
		t.Fatal("the carrier dropped no reply: nothing was left to reconcile")
	}
	t.Logf("%s: %d texts each way, 10%% of status and %d of %d inbound webhooks dropped: 0 lost, 0 duplicates on phones, "+
		"0 replies stored twice; sending took %v, all reconciled %v after the last reply", t.Name(),
		texts, dropped.Load(), texts, sent.Round(time.Second), reconciled.Round(100*time.Millisecond))
}

// inbound counts the replies the company stored.
func (k *killFixture) inbound(t *testing.T) int {
	read, _ := k.db.Pools()
	var n int
	// Literal values: the query runs on either database, whose placeholders differ.
	if err := read.QueryRowContext(context.Background(), fmt.Sprintf(
		"SELECT COUNT(*) FROM messages WHERE org_id = %d AND direction = 'inbound'", k.tx.Org.ID)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
