package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/sms/simulator"
	"github.com/hiretext/hiretext/internal/sms/simulator/simstate"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

// TestKillMidBulkSendLosesNothing builds the binary, serves a fresh
// database (SQLite file and PostgreSQL schema) with the simulator told to
// lose the answer of 5% of sends, queues a bulk send to 1,000 candidates
// through the API, kills the process with SIGKILL once some of the texts
// are on their phones, and starts it again. Every candidate's phone holds
// exactly one copy: the texts whose answers were lost, and those in flight
// at the kill, are looked up at the simulator and adopted, not sent again.
// The texts in flight at the kill wait for their lease; the servers run
// with a 5-second lease (2 minutes by default) so the test takes seconds.
//
//	HIRETEXT_TEST_POSTGRES_URL=… go test ./cmd/hiretext/ -run TestKillMidBulkSendLosesNothing -v
func TestKillMidBulkSendLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it: not in -short")
	}
	bin := filepath.Join(t.TempDir(), "hiretext")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); killMidBulkSend(t, bin, storetest.SQLiteURL(t)) })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); killMidBulkSend(t, bin, storetest.PostgresURL(t)) })
}

// killMidBulkSend is TestKillMidBulkSendLosesNothing on the database at dbURL.
func killMidBulkSend(t *testing.T, bin, dbURL string) {
	db := storetest.Open(t, dbURL, storetest.Config{})
	k := newKillFixture(t, db, 1000)

	first := startServe(t, bin, dbURL, "--simulator-faults", "lose-answers=0.05")
	body := `{"candidate_ids":[` + strings.Join(k.ids, ",") + `],"body":"Open house on Friday at 10am!"}`
	if st := first.post(t, "/api/v1/messages", k.token, body); st != http.StatusAccepted {
		t.Fatalf("bulk send: %d", st)
	}
	storetest.EventuallyNil(t, 5*time.Minute, "300 texts recorded before the kill", func() error {
		if n := k.recorded(t); n < 300 {
			return fmt.Errorf("%d recorded", n)
		}
		return nil
	})
	if err := first.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = first.cmd.Wait()
	before := k.recorded(t)

	restarted := time.Now()
	startServe(t, bin, dbURL, "--simulator-faults", "lose-answers=0.05")
	storetest.EventuallyNil(t, 5*time.Minute, "every text sent after the restart", func() error {
		if counts := k.tx.StatusCounts(t, db, hiretext.KindRecruiter); counts[hiretext.StatusQueued] > 0 {
			return fmt.Errorf("statuses %v", counts)
		}
		return nil
	})
	recovered := time.Since(restarted)
	missing, twice := k.handsets(t)
	if missing > 0 || twice > 0 {
		t.Fatalf("%d of 1000 phones never got the text and %d got it more than once; want every phone exactly one copy", missing, twice)
	}
	t.Logf("%s: killed with %d of 1000 recorded; %d texts claimed more than once (lost answers and the kill's), "+
		"every phone has exactly one copy %v after the restart", t.Name(), before, k.claimedAgain(t), recovered.Round(time.Second))
}

// claimedAgain counts the texts the dispatcher claimed more than once.
func (k *killFixture) claimedAgain(t *testing.T) int {
	read, _ := k.db.Pools()
	var n int
	// Literal values: the query runs on either database, whose placeholders differ.
	err := read.QueryRowContext(context.Background(), fmt.Sprintf(
		"SELECT COUNT(*) FROM messages WHERE org_id = %d AND kind = '%s' AND attempts > 1", k.tx.Org.ID, hiretext.KindRecruiter)).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// killFixture is a company with a simulator number and candidates.
type killFixture struct {
	db     *store.DB
	tx     *storetest.Texting
	sim    *simulator.Provider
	token  string
	ids    []string // JSON strings of the candidates' ids
	phones []string
}

func newKillFixture(t *testing.T, db *store.DB, candidates int) *killFixture {
	t.Helper()
	ctx := context.Background()
	sim, err := simulator.New(ctx, simulator.Config{Store: db.Simulator()})
	if err != nil {
		t.Fatal(err)
	}
	org := storetest.MustCreateOrg(t, db, "Acme")
	storetest.MustGrantNumbers(t, db, org.ID, 1, 5000)
	offers, err := sim.SearchNumbers(ctx, sms.NumberQuery{Country: "US", AreaCode: "312", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	pn, err := sim.BuyNumber(ctx, offers[0].Phone)
	if err != nil {
		t.Fatal(err)
	}
	num, err := db.AddNumber(ctx, org.ID, hiretext.NewNumber{Phone: pn.Phone, Provider: "simulator", ProviderID: pn.ProviderID})
	if err != nil {
		t.Fatal(err)
	}
	rec := storetest.MustCreateUser(t, db, org.ID, "Rita Recruiter", hiretext.RoleUser, hiretext.PermJobs, hiretext.PermPool, hiretext.PermProfiles)
	storetest.MustAssign(t, db, org.ID, num.ID, rec.ID)
	_, token, err := db.CreateToken(ctx, org.ID, rec.ID, "kill test")
	if err != nil {
		t.Fatal(err)
	}
	k := &killFixture{db: db, tx: &storetest.Texting{Org: org, Number: num, Recruiter: rec}, sim: sim, token: token}
	for _, c := range k.tx.MustRecipients(t, db, candidates) {
		k.ids = append(k.ids, fmt.Sprintf("%q", fmt.Sprint(int64(c.ID))))
		k.phones = append(k.phones, c.MainPhone)
	}
	return k
}

// recorded counts the texts the dispatcher recorded as handed over.
func (k *killFixture) recorded(t *testing.T) int {
	n := 0
	for st, c := range k.tx.StatusCounts(t, k.db, hiretext.KindRecruiter) {
		if st != hiretext.StatusQueued {
			n += c
		}
	}
	return n
}

// handsets counts the phones that received no text and those that
// received more than one.
func (k *killFixture) handsets(t *testing.T) (missing, twice int) {
	for _, p := range k.phones {
		msgs, err := k.sim.Handset(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for _, m := range msgs {
			if m.Direction == simstate.Received {
				got++
			}
		}
		switch {
		case got == 0:
			missing++
		case got > 1:
			twice++
		}
	}
	return missing, twice
}

// served is a running `hiretext serve` process.
type served struct {
	cmd  *exec.Cmd
	base string
}

// startServe runs the binary on dbURL, sending as fast as it may, with
// the extra flags, and waits until it answers; the test's end kills it.
func startServe(t *testing.T, bin, dbURL string, extra ...string) *served {
	t.Helper()
	args := append([]string{"serve", "--database", dbURL, "--addr", "127.0.0.1:0", "--send-rate", "1000",
		"--send-timeout", "2s", "--send-lease", "5s"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logs, err := os.CreateTemp(t.TempDir(), "serve-*.log")
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(logs.Name())
			t.Logf("serve's log:\n%s", b)
		}
	})
	sc := bufio.NewScanner(out)
	if !sc.Scan() {
		t.Fatalf("serve printed nothing: %v", sc.Err())
	}
	base, ok := strings.CutPrefix(sc.Text(), "hiretext is running at ")
	if !ok {
		t.Fatalf("serve printed %q", sc.Text())
	}
	go func() {
		for sc.Scan() {
		}
	}()
	return &served{cmd: cmd, base: strings.TrimSpace(base)}
}

// post sends a JSON API request and returns the status.
func (s *served) post(t *testing.T, path, token, body string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
