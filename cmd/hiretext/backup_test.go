package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/demo"
	"github.com/hiretext/hiretext/internal/sms/simulator"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

// serving is `hiretext serve` run in-process by a test.
type serving struct {
	base   string
	cancel context.CancelFunc
	done   chan error
}

// serveInProcess runs serve with args on a random port until stop (or the
// test's end).
func serveInProcess(t *testing.T, vars map[string]string, args ...string) *serving {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &serving{cancel: cancel, done: make(chan error, 1)}
	pr, pw := io.Pipe()
	logs := &syncBuffer{}
	go func() {
		s.done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), func(k string) string { return vars[k] },
			strings.NewReader(""), pw, logs)
		pw.Close()
	}()
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
		if t.Failed() {
			t.Logf("serve's log:\n%s", logs.String())
		}
	})
	sc := bufio.NewScanner(pr)
	if !sc.Scan() {
		cancel()
		t.Fatalf("serve printed nothing: %v\n%s", <-s.done, logs.String())
	}
	go io.Copy(io.Discard, pr) //nolint:errcheck // keep the pipe drained
	s.base = strings.TrimPrefix(sc.Text(), "hiretext is running at ")
	return s
}

// stop ends serve and returns what it returned; later calls return nil.
func (s *serving) stop() error {
	if s.done == nil {
		return nil
	}
	s.cancel()
	defer func() { s.done = nil }()
	select {
	case err := <-s.done:
		return err
	case <-time.After(30 * time.Second):
		return fmt.Errorf("serve did not stop within 30s")
	}
}

// trafficRecord is what the test saw answered, and whether that was before
// the backup began.
type trafficRecord struct {
	mu     sync.Mutex
	before []string // texts answered 2xx before the backup began
	after  int      // answered after it began
}

func (r *trafficRecord) add(body string, backupBegan *atomic.Bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if backupBegan.Load() {
		r.after++
		return
	}
	r.before = append(r.before, body)
}

func (r *trafficRecord) counts() (int, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.before), r.after
}

// TestBackupDuringTrafficRestoresEveryAnsweredText backs up a running demo
// while inbound webhooks and sends keep arriving, restores the copy to a
// new file, starts serve on it, and finds in its SMS Activity report every
// text that was answered before the backup began.
func TestBackupDuringTrafficRestoresEveryAnsweredText(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	live := "sqlite:" + filepath.Join(dir, "live", "hiretext.db")
	first := serveInProcess(t, nil, "--database", live, "--demo")
	fx := newTrafficFixture(t, live, first.base)

	var backupBegan atomic.Bool
	rec := &trafficRecord{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { fx.streamInbound(t, stop, rec, &backupBegan) })
	wg.Go(func() { fx.streamSends(t, stop, rec, &backupBegan) })
	storetest.Eventually(t, "30 texts answered before the backup", func() bool { n, _ := rec.counts(); return n >= 30 })

	backup := filepath.Join(dir, "backups", "hiretext-backup.db")
	if err := os.Mkdir(filepath.Dir(backup), 0o700); err != nil {
		t.Fatal(err)
	}
	backupBegan.Store(true)
	out, _, err := runCmd(t, "", nil, "backup", "--database", live, "--to", backup)
	if err != nil || !strings.Contains(out, "integrity ok") || !strings.Contains(out, "schema version") {
		t.Fatalf("backup: %q %v", out, err)
	}
	// The traffic went on while the copy was taken and after.
	storetest.Eventually(t, "10 texts answered after the backup began", func() bool { _, n := rec.counts(); return n >= 10 })
	close(stop)
	wg.Wait()
	if err := first.stop(); err != nil {
		t.Fatal(err)
	}

	restored := "sqlite:" + filepath.Join(dir, "restored", "hiretext.db")
	out, _, err = runCmd(t, "", nil, "restore", "--from", backup, "--database", restored)
	if err != nil || !strings.Contains(out, "Restored "+backup) {
		t.Fatalf("restore: %q %v", out, err)
	}
	second := serveInProcess(t, nil, "--database", restored)
	found := fx.reportedBodies(t, second.base)
	before, after := rec.counts()
	missing := 0
	for _, body := range rec.before {
		if !found[body] {
			missing++
			t.Errorf("%q was answered before the backup began but is not in the restored database", body)
		}
	}
	t.Logf("%d texts answered before the backup began, %d after; %d of them missing after the restore", before, after, missing)
}

// trafficFixture is what the stream needs from the demo company.
type trafficFixture struct {
	base       string
	sim        *simulator.Provider // signs webhooks with the installation's key
	marcus     string              // Marcus's API token
	admin      string              // Dana's API token, which the restored copy keeps
	number     string              // Marcus's texting number
	candidates []string            // ids Marcus may text
}

func newTrafficFixture(t *testing.T, dbURL, base string) *trafficFixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dbURL, store.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	fx := &trafficFixture{base: base}
	if fx.sim, err = simulator.New(ctx, simulator.Config{Store: db.Simulator(), BaseURL: base}); err != nil {
		t.Fatal(err)
	}
	org, err := db.OrgBySlug(ctx, demo.Slug)
	if err != nil {
		t.Fatal(err)
	}
	// The traffic texts each candidate many times a second: the demo's
	// attempt limit would skip all but the first three texts of each.
	policy := hiretext.OpenSendPolicy(org.ID)
	policy.AttemptLimit = 0
	if _, err := db.UpdateSendPolicy(ctx, org.ID, policy.Update(), 0); err != nil {
		t.Fatal(err)
	}
	marcus, _ := db.UserByEmail(ctx, org.ID, "marcus.reyes@acme-staffing.example")
	dana, _ := db.UserByEmail(ctx, org.ID, "dana.whitfield@acme-staffing.example")
	for who, tok := range map[*hiretext.User]*string{marcus: &fx.marcus, dana: &fx.admin} {
		if _, *tok, err = db.CreateToken(ctx, org.ID, who.ID, "traffic test"); err != nil {
			t.Fatal(err)
		}
	}
	n, err := db.NumberForUser(ctx, org.ID, marcus.ID)
	if err != nil {
		t.Fatal(err)
	}
	fx.number = n.Phone
	page, err := db.SearchCandidates(ctx, org.ID, hiretext.CandidateQuery{Limit: 50, SMSStatus: hiretext.SMSOptedIn})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range page.Entries {
		fx.candidates = append(fx.candidates, fmt.Sprint(int64(e.Candidate.ID)))
	}
	if len(fx.candidates) < 3 {
		t.Fatalf("the demo has %d candidates opted in", len(fx.candidates))
	}
	return fx
}

// streamInbound posts signed inbound webhooks from a phone nobody in the
// company has, one after another, until stop.
func (fx *trafficFixture) streamInbound(t *testing.T, stop <-chan struct{}, rec *trafficRecord, backupBegan *atomic.Bool) {
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		text := fmt.Sprintf("inbound #%d", i)
		body := url.Values{"EventType": {"inbound"}, "MessageID": {fmt.Sprintf("SMbackup%d", i)}, "From": {"+13125550199"},
			"To": {fx.number}, "Body": {text}, "Segments": {"1"}, "Timestamp": {time.Now().UTC().Format(time.RFC3339Nano)}}.Encode()
		req, _ := http.NewRequest(http.MethodPost, fx.base+simulator.InboundPath, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(simulator.SignatureHeader, fx.sim.Sign([]byte(body)))
		if st := do(t, req); st != http.StatusOK {
			t.Errorf("inbound webhook %d: %d", i, st)
			return
		}
		rec.add(text, backupBegan)
	}
}

// streamSends has Marcus text the demo's candidates through the API, one
// text at a time, until stop.
func (fx *trafficFixture) streamSends(t *testing.T, stop <-chan struct{}, rec *trafficRecord, backupBegan *atomic.Bool) {
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		text := fmt.Sprintf("outbound #%d", i)
		body := fmt.Sprintf(`{"candidate_ids":[%q],"body":%q}`, fx.candidates[i%len(fx.candidates)], text)
		req, _ := http.NewRequest(http.MethodPost, fx.base+"/api/v1/messages", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+fx.marcus)
		req.Header.Set("Content-Type", "application/json")
		if st := do(t, req); st != http.StatusAccepted {
			t.Errorf("send %d: %d", i, st)
			return
		}
		rec.add(text, backupBegan)
	}
}

// do sends req and returns the status, reading the body to the end.
func do(t *testing.T, req *http.Request) int {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", req.Method, req.URL.Path, err)
		return 0
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// reportedBodies reads every text of the SMS Activity report around today,
// as the administrator, from the server at base.
func (fx *trafficFixture) reportedBodies(t *testing.T, base string) map[string]bool {
	t.Helper()
	now := time.Now().UTC()
	q := url.Values{"format": {"csv"}, "from": {now.AddDate(0, 0, -2).Format("2006-01-02")}, "to": {now.AddDate(0, 0, 2).Format("2006-01-02")}}
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/reports/sms-activity?"+q.Encode(), nil)
	req.Header.Set("Authorization", "Bearer "+fx.admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(mustRead(t, resp.Body), "\ufeff"))).ReadAll()
	if err != nil || resp.StatusCode != http.StatusOK || len(rows) < 2 {
		t.Fatalf("report: %d, %d rows, %v", resp.StatusCode, len(rows), err)
	}
	col := -1
	for i, h := range rows[0] {
		if h == "Message text" {
			col = i
		}
	}
	found := map[string]bool{}
	for _, row := range rows[1:] {
		found[row[col]] = true
	}
	return found
}

func mustRead(t *testing.T, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestBackupAndRestoreRefuseBadInput: every refusal names what is wrong and
// changes nothing.
func TestBackupAndRestoreRefuseBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	vars := map[string]string{"HIRETEXT_DATABASE": "sqlite:" + live}
	if _, _, err := runCmd(t, "", vars, "admin", "org", "create", "--name", "Acme", "--slug", "acme"); err != nil {
		t.Fatal(err)
	}
	existing := filepath.Join(dir, "existing.db")
	notes := filepath.Join(dir, "notes.txt")
	for path, content := range map[string]string{existing: "keep me", notes: "not a database, just words\n"} {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	newer := filepath.Join(dir, "newer.db")
	if _, _, err := runCmd(t, "", vars, "backup", "--to", newer); err != nil {
		t.Fatal(err)
	}
	db := storetest.Open(t, "sqlite:"+newer, storetest.Config{})
	_, write := db.Pools()
	if _, err := write.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, '0099_future.sql', '')"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	inUse := filepath.Join(dir, "in-use.db")
	open := storetest.Open(t, "sqlite:"+inUse, storetest.Config{})

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"backup", "--to", existing}, "exists: add --force to replace it"},
		{[]string{"backup", "--to", filepath.Join(dir, "missing", "b.db")}, "the directory " + filepath.Join(dir, "missing") + " does not exist"},
		{[]string{"backup", "--to", dir}, "is a directory"},
		{[]string{"backup", "--to", live}, "exists"},
		{[]string{"backup", "--to", live, "--force"}, "is the database itself"},
		{[]string{"backup", "--to", filepath.Join(dir, "b.db"), "--database", "sqlite:" + filepath.Join(dir, "typo.db")}, "no database at"},
		{[]string{"backup", "--to", filepath.Join(dir, "b.db"), "--database", "postgres://db.example/hiretext"}, "use pg_dump"},
		{[]string{"restore", "--from", notes}, "not a hiretext database: it is not a SQLite database file; nothing was changed"},
		{[]string{"restore", "--from", existing}, "not a hiretext database"},
		{[]string{"restore", "--from", filepath.Join(dir, "nothing.db")}, "no backup at"},
		{[]string{"restore", "--from", dir}, "is not a file"},
		{[]string{"restore", "--from", newer}, "has schema version 99, newer than this hiretext's"},
		{[]string{"restore", "--from", newer, "--database", "postgres://db.example/hiretext"}, "use pg_restore"},
	} {
		_, _, err := runCmd(t, "", vars, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want it to say %q", c.args, err, c.want)
		}
	}
	for _, args := range [][]string{{"backup"}, {"restore"}} {
		if _, stderr, err := runCmd(t, "", vars, args...); !errors.Is(err, errUsage) || !strings.Contains(stderr, "is required") {
			t.Errorf("%v without its file: %v %q", args, err, stderr)
		}
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep me" {
		t.Errorf("a refused backup changed %s: %q", existing, b)
	}

	// A database in use is not replaced; once closed, it is, and kept aside.
	good := filepath.Join(dir, "good.db")
	if _, _, err := runCmd(t, "", vars, "backup", "--to", good); err != nil {
		t.Fatal(err)
	}
	_, _, err := runCmd(t, "", nil, "restore", "--from", good, "--database", "sqlite:"+inUse)
	if err == nil || !strings.Contains(err.Error(), "is in use: stop hiretext serve") {
		t.Fatalf("restore over a database in use: %v", err)
	}
	if orgs, _ := open.ListOrgs(context.Background()); len(orgs) != 0 {
		t.Fatalf("the database in use changed: %d companies", len(orgs))
	}
	open.Close()
	out, _, err := runCmd(t, "", nil, "restore", "--from", good, "--database", "sqlite:"+inUse)
	if err != nil || !strings.Contains(out, "The database it replaced is kept at "+inUse+".replaced-") {
		t.Fatalf("restore over a closed database: %q %v", out, err)
	}
	if out, _, err := runCmd(t, "", nil, "admin", "org", "list", "--database", "sqlite:"+inUse); err != nil || !strings.Contains(out, "acme") {
		t.Fatalf("the restored database: %q %v", out, err)
	}
	if entries, _ := filepath.Glob(filepath.Join(dir, "*.partial-*")); len(entries) != 0 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
}
