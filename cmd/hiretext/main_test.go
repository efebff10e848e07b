package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext/internal/storetest"
)

// runCmd runs the program with args and a clean environment plus vars.
func runCmd(t *testing.T, stdin string, vars map[string]string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(k string) string { return vars[k] }
	err := run(context.Background(), args, getenv, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

func sqliteVars(t *testing.T) map[string]string {
	return map[string]string{"HIRETEXT_DATABASE": "sqlite:" + filepath.Join(t.TempDir(), "db", "hiretext.db")}
}

func TestVersionAndHelp(t *testing.T) {
	t.Parallel()
	out, _, err := runCmd(t, "", nil, "version")
	if err != nil || !strings.HasPrefix(out, "hiretext ") {
		t.Fatalf("version: %q %v", out, err)
	}
	for _, args := range [][]string{{"serve", "--help"}, {"migrate", "--help"}, {"admin", "--help"}, {"admin", "org", "create", "--help"}, {"admin", "user", "create", "--help"}} {
		_, stderr, err := runCmd(t, "", nil, args...)
		if err != nil || !strings.Contains(stderr, "Usage:") {
			t.Errorf("%v: err %v, stderr %q", args, err, stderr)
		}
	}
	// A group's help lists that group's commands.
	_, stderr, err := runCmd(t, "", nil, "admin", "user", "--help")
	if err != nil || !strings.Contains(stderr, "admin user create") || strings.Contains(stderr, "admin org create") {
		t.Errorf("admin user --help: err %v, stderr %q", err, stderr)
	}
	if _, _, err := runCmd(t, "", nil, "frobnicate"); !errors.Is(err, errUsage) {
		t.Errorf("unknown command: %v, want usage error", err)
	}
}

func TestAdminCommands(t *testing.T) {
	t.Parallel()
	vars := sqliteVars(t)
	out, _, err := runCmd(t, "", vars, "admin", "org", "create", "--name", "Acme Staffing", "--slug", "acme", "--timezone", "America/Chicago")
	if err != nil || !strings.Contains(out, `Created company "Acme Staffing"`) {
		t.Fatalf("org create: %q %v", out, err)
	}
	out, _, err = runCmd(t, "", vars, "admin", "user", "create", "--org", "acme", "--email", "dana@acme.example", "--name", "Dana", "--role", "admin", "--json")
	var u struct{ ID, Email, Password string }
	if err != nil || json.Unmarshal([]byte(out), &u) != nil || u.Password == "" || u.ID == "" {
		t.Fatalf("user create --json: %q %v", out, err)
	}
	_, _, err = runCmd(t, "my-chosen-password\n", vars, "admin", "user", "create", "--org", "acme", "--email", "rita@acme.example",
		"--name", "Rita", "--role", "user", "--permissions", "jobs,pool", "--password-stdin")
	if err != nil {
		t.Fatalf("user create --password-stdin: %v", err)
	}
	out, _, err = runCmd(t, "", vars, "admin", "user", "list", "--org", "acme", "--json")
	var list struct {
		Users []struct {
			Email       string
			Permissions []string
		}
	}
	if err != nil || json.Unmarshal([]byte(out), &list) != nil || len(list.Users) != 2 || len(list.Users[1].Permissions) != 2 {
		t.Fatalf("user list: %q %v", out, err)
	}
	out, _, err = runCmd(t, "", vars, "admin", "token", "create", "--org", "acme", "--email", "rita@acme.example", "--json")
	var tok struct{ Token string }
	if err != nil || json.Unmarshal([]byte(out), &tok) != nil || !strings.HasPrefix(tok.Token, "ht_") {
		t.Fatalf("token create: %q %v", out, err)
	}
	out, _, err = runCmd(t, "", vars, "admin", "org", "list", "--json")
	if err != nil || !strings.Contains(out, `"slug":"acme"`) {
		t.Fatalf("org list: %q %v", out, err)
	}
}

func TestAdminCommandsRejectBadInput(t *testing.T) {
	t.Parallel()
	vars := sqliteVars(t)
	runCmd(t, "", vars, "admin", "org", "create", "--name", "Acme", "--slug", "acme")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"admin", "org", "create", "--name", "X", "--slug", "Not A Slug"}, "--slug"},
		{[]string{"admin", "org", "create", "--name", "X", "--slug", "okay", "--timezone", "Mars/Base"}, "--timezone"},
		{[]string{"admin", "org", "create", "--name", "X", "--slug", "acme"}, "slug"},
		{[]string{"admin", "user", "create", "--org", "nope", "--email", "a@b.co", "--name", "A", "--role", "user"}, `no company with slug "nope"`},
		{[]string{"admin", "user", "create", "--org", "acme", "--email", "bad", "--name", "A", "--role", "user"}, "--email"},
		{[]string{"admin", "user", "create", "--org", "acme", "--email", "a@b.co", "--name", "A", "--role", "god"}, "--role"},
		{[]string{"admin", "user", "create", "--org", "acme", "--email", "a@b.co", "--name", "A", "--role", "user", "--permissions", "jobs,root"}, "root"},
		{[]string{"admin", "token", "create", "--org", "acme", "--email", "ghost@b.co"}, "no user"},
	}
	for _, c := range cases {
		_, _, err := runCmd(t, "", vars, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err %v, want it to mention %q", c.args, err, c.want)
		}
	}
	if _, stderr, err := runCmd(t, "", vars, "admin", "org", "create", "--name", "X"); !errors.Is(err, errUsage) || !strings.Contains(stderr, "--slug is required") {
		t.Errorf("missing flag: %v %q", err, stderr)
	}
	out, _, _ := runCmd(t, "", vars, "admin", "org", "list", "--json")
	if strings.Count(out, `"slug"`) != 1 {
		t.Fatalf("bad input created companies: %s", out)
	}
}

// TestAdminRefusesAMissingDatabase: a mistyped --database is an error that
// names the path, not an empty new database that has "0 companies".
func TestAdminRefusesAMissingDatabase(t *testing.T) {
	t.Parallel()
	typo := filepath.Join(t.TempDir(), "hiretxt.db")
	for _, args := range [][]string{
		{"admin", "org", "list"},
		{"admin", "user", "list", "--org", "acme"},
		{"admin", "allowance", "set", "--number", "+13125550142", "--monthly", "100"},
	} {
		args = append(args, "--database", "sqlite:"+typo)
		if _, _, err := runCmd(t, "", nil, args...); err == nil || !strings.Contains(err.Error(), "no database at "+typo) {
			t.Errorf("%v: err %v, want it to name the missing database", args, err)
		}
	}
	if _, err := os.Stat(typo); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a command created the mistyped database: %v", err)
	}
	// Setting up a new installation creates it.
	if _, _, err := runCmd(t, "", nil, "admin", "org", "create", "--name", "Acme", "--slug", "acme", "--database", "sqlite:"+typo); err != nil {
		t.Fatalf("org create on a new database: %v", err)
	}
}

// TestServeNamesAMalformedEnvironmentVariable: the error names the
// variable and the value the operator set, not a flag value never typed; the
// flag given on the command line wins over the variable.
func TestServeNamesAMalformedEnvironmentVariable(t *testing.T) {
	t.Parallel()
	for key, want := range map[string]string{
		"HIRETEXT_SEND_RATE":    `HIRETEXT_SEND_RATE="abc": want a number`,
		"HIRETEXT_SEND_TIMEOUT": `HIRETEXT_SEND_TIMEOUT="forever": want a duration`,
		"HIRETEXT_SEND_LEASE":   `HIRETEXT_SEND_LEASE="soon": want a duration`,
	} {
		vars := sqliteVars(t)
		vars[key] = map[string]string{"HIRETEXT_SEND_RATE": "abc", "HIRETEXT_SEND_TIMEOUT": "forever", "HIRETEXT_SEND_LEASE": "soon"}[key]
		if _, _, err := runCmd(t, "", vars, "serve", "--addr", "127.0.0.1:0"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s=%s: err %v, want %q", key, vars[key], err, want)
		}
	}
	vars := sqliteVars(t)
	vars["HIRETEXT_SEND_RATE"] = "abc"
	if _, _, err := parseServeConfig([]string{"--send-rate", "5"}, env{getenv: func(k string) string { return vars[k] }}); err != nil {
		t.Errorf("--send-rate 5 with HIRETEXT_SEND_RATE=abc: %v, want the flag to win", err)
	}
}

// TestServeRefusesATakenMetricsAddress: the error names the flag, and
// serve fails before it says it is running.
func TestServeRefusesATakenMetricsAddress(t *testing.T) {
	t.Parallel()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	out, _, err := runCmd(t, "", sqliteVars(t), "serve", "--addr", "127.0.0.1:0", "--metrics-addr", taken.Addr().String())
	if err == nil || !strings.Contains(err.Error(), "--metrics-addr "+taken.Addr().String()) {
		t.Fatalf("err %v, want one naming --metrics-addr", err)
	}
	if strings.Contains(out, "is running") {
		t.Fatalf("serve said it was running: %q", out)
	}
}

func TestServeRejectsBadConfig(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"serve", "--addr", "nonsense"},
		{"serve", "--base-url", "ftp://x"},
		{"serve", "--sms-provider", "carrier-pigeon"},
		{"serve", "--database", "mysql://x"},
		{"serve", "--send-timeout", "0s"},
		{"serve", "--send-timeout", "20s", "--send-lease", "20s"},
		{"serve", "--send-lease", "soon"},
		{"serve", "--trusted-proxies", "10.0.0.0/33"},
		{"serve", "--trusted-proxies", "proxy.example"},
		{"serve", "--max-connections", "1"},
		{"serve", "--shutdown-timeout", "5s"}, // shorter than the 15s a provider call may take
	} {
		if _, _, err := runCmd(t, "", sqliteVars(t), args...); err == nil {
			t.Errorf("%v: started", args)
		}
	}
}

// TestServeReadsTrustedProxies: ranges and single addresses, from the flag
// or HIRETEXT_TRUSTED_PROXIES, the flag winning.
func TestServeReadsTrustedProxies(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"HIRETEXT_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7,2001:db8::/32"}
	getenv := env{getenv: func(k string) string { return vars[k] }}
	c, _, err := parseServeConfig(nil, getenv)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(c.TrustedProxies); got != "[10.0.0.0/8 192.0.2.7/32 2001:db8::/32]" {
		t.Errorf("HIRETEXT_TRUSTED_PROXIES: %s", got)
	}
	if c, _, err = parseServeConfig([]string{"--trusted-proxies", "127.0.0.1"}, getenv); err != nil || fmt.Sprint(c.TrustedProxies) != "[127.0.0.1/32]" {
		t.Errorf("--trusted-proxies 127.0.0.1: %v %v", c.TrustedProxies, err)
	}
}

func TestServeNoMigrateRefusesOutdatedSchema(t *testing.T) {
	t.Parallel()
	_, _, err := runCmd(t, "", sqliteVars(t), "serve", "--addr", "127.0.0.1:0", "--no-migrate")
	if err == nil || !strings.Contains(err.Error(), "hiretext migrate") {
		t.Fatalf("err = %v, want a message pointing at hiretext migrate", err)
	}
}

// TestServeDemo starts the real server on a random port, reads the URL and
// logins it prints, logs in, and stops it with the context.
func TestServeDemo(t *testing.T) {
	t.Parallel()
	for name, dbURL := range map[string]func(testing.TB) string{"sqlite": storetest.SQLiteURL, "postgres": storetest.PostgresURL} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			vars := map[string]string{"HIRETEXT_DATABASE": dbURL(t)}
			ctx, cancel := context.WithCancel(context.Background())
			pr, pw := io.Pipe()
			done := make(chan error, 1)
			go func() {
				done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--demo"}, func(k string) string { return vars[k] },
					strings.NewReader(""), pw, io.Discard)
				pw.Close()
			}()
			lines := readLines(t, pr, 7)
			base := strings.TrimPrefix(lines[0], "hiretext is running at ")
			if !strings.HasPrefix(base, "http://127.0.0.1:") || !strings.Contains(lines[1], base+"/simulator: open it in a browser on this machine") ||
				!strings.Contains(lines[6], "tom.becker@acme-staffing.example") {
				t.Fatalf("welcome lines: %q", lines)
			}
			loginDemo(t, base)
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("serve returned %v after shutdown", err)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("serve did not stop")
			}
		})
	}
}

func readLines(t *testing.T, r io.Reader, n int) []string {
	t.Helper()
	sc := bufio.NewScanner(r)
	var lines []string
	for len(lines) < n && sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) < n {
		t.Fatalf("got %d lines, want %d: %q", len(lines), n, lines)
	}
	go io.Copy(io.Discard, r) //nolint:errcheck // keep the pipe drained
	return lines
}

func loginDemo(t *testing.T, base string) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("POST", base+"/login", strings.NewReader("email=dana.whitfield%40acme-staffing.example&password=hiretext-demo"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Set-Cookie") == "" {
		t.Fatalf("demo login: %d", resp.StatusCode)
	}
	for _, p := range []string{"/healthz", "/readyz"} {
		r, err := http.Get(base + p)
		if err != nil || r.StatusCode != 200 {
			t.Fatalf("GET %s: %v %v", p, err, r)
		}
		r.Body.Close()
	}
}

// TestServeLimitsConnections holds --max-connections connections open
// without a request, as a slowloris client does: the next client waits
// instead of taking a file descriptor, and is served once one is let go.
func TestServeLimitsConnections(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	vars := sqliteVars(t)
	go func() {
		_ = run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--max-connections", "2"}, func(k string) string { return vars[k] },
			strings.NewReader(""), pw, io.Discard)
		pw.Close()
	}()
	base := strings.TrimPrefix(readLines(t, pr, 1)[0], "hiretext is running at ")
	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		held = append(held, c)
	}
	served := make(chan int, 1)
	go func() {
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			served <- 0
			return
		}
		resp.Body.Close()
		served <- resp.StatusCode
	}()
	select {
	case st := <-served:
		t.Fatalf("a third connection was served (%d) while two were held: no limit", st)
	case <-time.After(300 * time.Millisecond): // a served request takes a few milliseconds
	}
	held[0].Close()
	if st := <-served; st != http.StatusOK {
		t.Fatalf("the waiting request, once a connection was let go: %d", st)
	}
}

// TestServeReadsMailSettings: --smtp-url and --mail-from (or their
// variables) turn email on; one without the other, or a malformed one,
// stops serve with an error naming the setting and never the password.
func TestServeReadsMailSettings(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"HIRETEXT_SMTP_URL": "smtps://u:hunter2@mail.example", "HIRETEXT_MAIL_FROM": "hiretext <hr@acme.example>"}
	c, _, err := parseServeConfig(nil, env{getenv: func(k string) string { return vars[k] }})
	if err != nil || c.Mail == nil || c.Mail.Addr() != "mail.example:465" || c.Mail.From.Address != "hr@acme.example" {
		t.Fatalf("from the environment: %+v, %v", c, err)
	}
	if c, _, err = parseServeConfig(nil, env{getenv: func(string) string { return "" }}); err != nil || c.Mail != nil {
		t.Fatalf("without settings email must be off: %+v, %v", c, err)
	}
	for _, bad := range []struct {
		args    []string
		setting string
	}{
		{[]string{"--smtp-url", "smtp://u:hunter2@mail.example"}, "HIRETEXT_MAIL_FROM"},
		{[]string{"--mail-from", "hr@acme.example"}, "HIRETEXT_SMTP_URL"},
		{[]string{"--smtp-url", "imap://u:hunter2@mail.example", "--mail-from", "hr@acme.example"}, "--smtp-url"},
		{[]string{"--smtp-url", "smtp://u:hunter2@mail.example", "--mail-from", "nobody"}, "--mail-from"},
	} {
		_, _, err := runCmd(t, "", sqliteVars(t), append([]string{"serve", "--addr", "127.0.0.1:0"}, bad.args...)...)
		if err == nil || !strings.Contains(err.Error(), bad.setting) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%v: %v, want an error naming %s without the password", bad.args, err, bad.setting)
		}
	}
}
