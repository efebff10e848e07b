package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hiretext/hiretext/internal/storetest"
)

// TestTwoProcessesShareLiveUpdates runs two hiretext server processes on one
// PostgreSQL database: a reply received through instance A's webhook reaches
// a browser stream connected to instance B (LISTEN/NOTIFY between them).
func TestTwoProcessesShareLiveUpdates(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and starts two processes; run without -short")
	}
	t.Parallel()
	dbURL := storetest.PostgresURL(t)
	bin := filepath.Join(t.TempDir(), "hiretext")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	a := startProcess(t, bin, dbURL, "--demo")
	b := startProcess(t, bin, dbURL)

	marcusB := login(t, b, "marcus.reyes@acme-staffing.example")
	stream, err := marcusB.Get(b + "/events")
	if err != nil || stream.StatusCode != http.StatusOK {
		t.Fatalf("GET /events on B: %v %v", stream, err)
	}
	defer stream.Body.Close()
	lines := make(chan string, 100)
	go func() {
		defer close(lines)
		for sc := bufio.NewScanner(stream.Body); sc.Scan(); {
			lines <- sc.Text()
		}
	}()

	marcusA := login(t, a, "marcus.reyes@acme-staffing.example")
	number, phone := marcusNumberAndCandidate(t, marcusA, a)
	body := fmt.Sprintf(`{"from":%q,"to":%q,"body":"Hello from instance A"}`, phone, number)
	resp, err := http.Post(a+"/simulator/api/inbound", "application/json", strings.NewReader(body))
	if err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("simulated reply on A: %v %v", resp, err)
	}
	resp.Body.Close()
	waitLine(t, lines, "event: message.inbound", 15*time.Second)
}

// startProcess runs the binary's serve on a random port and returns its URL;
// the process gets SIGTERM when the test ends.
func startProcess(t *testing.T, bin, dbURL string, extra ...string) string {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, extra...)...)
	cmd.Env = append(os.Environ(), "HIRETEXT_DATABASE="+dbURL)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("a server process did not stop on SIGTERM")
		}
	})
	first, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("server output: %v", err)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	return strings.TrimSpace(strings.TrimPrefix(first, "hiretext is running at "))
}

// login signs in a demo user and returns a client holding the session.
func login(t *testing.T, base, email string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Post(base+"/login", "application/x-www-form-urlencoded",
		strings.NewReader("email="+strings.ReplaceAll(email, "@", "%40")+"&password=hiretext-demo"))
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: %v %v", email, resp, err)
	}
	resp.Body.Close()
	return c
}

// marcusNumberAndCandidate returns Marcus's number and the texting phone of
// an opted-in candidate, through the API.
func marcusNumberAndCandidate(t *testing.T, c *http.Client, base string) (number, phone string) {
	t.Helper()
	var nums struct {
		Numbers []struct {
			Phone string `json:"phone_number"`
		} `json:"numbers"`
	}
	getJSON(t, c, base+"/api/v1/numbers", &nums)
	var list struct {
		Candidates []struct {
			ID string `json:"id"`
		} `json:"candidates"`
	}
	getJSON(t, c, base+"/api/v1/candidates?sms_status=opted_in&limit=1", &list)
	if len(nums.Numbers) != 1 || len(list.Candidates) != 1 {
		t.Fatalf("numbers %+v, candidates %+v", nums, list)
	}
	var cand struct {
		MainPhone      string `json:"main_phone"`
		AlternatePhone string `json:"alternate_phone"`
		SMS            struct {
			Phone string `json:"phone"`
		} `json:"sms"`
	}
	getJSON(t, c, base+"/api/v1/candidates/"+list.Candidates[0].ID, &cand)
	phone = cand.MainPhone
	if cand.SMS.Phone == "alternate" {
		phone = cand.AlternatePhone
	}
	return nums.Numbers[0].Phone, phone
}

func getJSON(t *testing.T, c *http.Client, url string, v any) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}
