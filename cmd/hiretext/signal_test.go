package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSIGTERMStopsWithinShutdownTimeout builds the binary, serves the demo
// with --shutdown-timeout 3s, holds a live-update stream and a request
// whose body never finishes arriving, and sends SIGTERM. The stream ends at
// once, the request is waited for until the timeout and then cut off, and
// the process exits with status 0, having said so in its log: the way
// systemd stops the service.
func TestSIGTERMStopsWithinShutdownTimeout(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary: not in -short")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "hiretext")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	const timeout = 3 * time.Second
	cmd := exec.Command(bin, "serve", "--demo", "--database", "sqlite:"+filepath.Join(dir, "hiretext.db"), "--addr", "127.0.0.1:0",
		"--send-timeout", "1s", "--send-lease", "5s", "--shutdown-timeout", timeout.String())
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	stdout, _ := cmd.StdoutPipe()
	logs := &syncBuffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		if t.Failed() {
			t.Logf("serve's log:\n%s", logs.String())
		}
	})
	sc := bufio.NewScanner(stdout)
	if !sc.Scan() {
		t.Fatal("serve printed nothing")
	}
	base := strings.TrimPrefix(sc.Text(), "hiretext is running at ")
	go io.Copy(io.Discard, stdout) //nolint:errcheck // keep the pipe drained

	stream := openEventStream(t, base)
	slow := startSlowUpload(t, base)
	defer slow.Close()

	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	signalled := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-stream:
	case <-time.After(timeout):
		t.Error("the live-update stream was still open when the shutdown timeout passed")
	}
	var err error
	select {
	case err = <-exited:
	case <-time.After(timeout + 10*time.Second):
		t.Fatalf("serve had not exited %v after SIGTERM", timeout+10*time.Second)
	}
	took := time.Since(signalled)
	if err != nil {
		t.Fatalf("serve exited with %v, want status 0", err)
	}
	if took < timeout {
		t.Errorf("serve exited after %v, without waiting the %v the unfinished request may take", took, timeout)
	}
	for _, want := range []string{`"msg":"shutting down"`, `"msg":"requests still running at the shutdown timeout were cut off"`, `"msg":"stopped"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log lacks %s", want)
		}
	}
	t.Logf("serve exited %v after SIGTERM (--shutdown-timeout %v)", took.Round(10*time.Millisecond), timeout)
}

// openEventStream logs in as the demo's administrator and opens GET
// /events; the returned channel closes when the stream ends.
func openEventStream(t *testing.T, base string) <-chan struct{} {
	t.Helper()
	client := demoClient(t, base)
	resp, err := client.Get(base + "/events")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /events: %v %v", err, resp)
	}
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
	}()
	return ended
}

// startSlowUpload starts a POST whose body never finishes arriving, and
// returns once its handler is reading the body, so that the request is in
// flight when the test signals: it asks "Expect: 100-continue", and the
// server answers "100 Continue" only when the handler first reads.
func startSlowUpload(t *testing.T, base string) net.Conn {
	t.Helper()
	host := strings.TrimPrefix(base, "http://")
	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	_, err = fmt.Fprintf(conn, "POST /login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
		"Content-Length: 1000\r\nSec-Fetch-Site: same-origin\r\nExpect: 100-continue\r\n\r\n", host)
	if err != nil {
		t.Fatal(err)
	}
	status, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.HasPrefix(status, "HTTP/1.1 100 ") {
		t.Fatalf("the slow upload was answered %q (%v), want 100 Continue", status, err)
	}
	if _, err := io.WriteString(conn, "email=slow"); err != nil {
		t.Fatal(err)
	}
	return conn
}
