package main

import (
	"context"
	"encoding/json"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext/internal/mail/mailtest"
	"github.com/hiretext/hiretext/internal/storetest"
)

// doctorLines runs doctor and returns its lines by check name.
func doctorLines(t *testing.T, vars map[string]string, args ...string) (map[string]string, error) {
	t.Helper()
	out, stderr, err := runCmd(t, "", vars, append([]string{"doctor", "--timeout", "5s"}, args...)...)
	if strings.Contains(out+stderr, "goroutine ") || strings.Contains(out+stderr, "panic") {
		t.Fatalf("doctor printed a stack trace:\n%s%s", out, stderr)
	}
	lines := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		for _, name := range []string{"database", "base URL", "reachable", "provider", "webhook", "email", "clock"} {
			if len(line) > 6 && strings.HasPrefix(line[6:], name+" ") {
				lines[name] = line
			}
		}
	}
	if len(lines) != 7 {
		t.Fatalf("doctor printed %d of its 7 lines:\n%s", len(lines), out)
	}
	return lines, err
}

func wantLine(t *testing.T, lines map[string]string, name, status string, says ...string) {
	t.Helper()
	line := lines[name]
	if !strings.HasPrefix(line, status+" ") {
		t.Errorf("%s: %q, want %s", name, line, status)
	}
	for _, s := range says {
		if !strings.Contains(line, s) {
			t.Errorf("%s: %q, want it to say %q", name, line, s)
		}
	}
}

// TestDoctorChecksADeployment runs doctor against a running demo: every
// check passes (the http base URL is a warning), and --json says so.
func TestDoctorChecksADeployment(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"HIRETEXT_DATABASE": "sqlite:" + filepath.Join(t.TempDir(), "hiretext.db")}
	s := serveInProcess(t, vars, "--demo")
	lines, err := doctorLines(t, vars, "--base-url", s.base)
	if err != nil {
		t.Fatalf("doctor failed a good deployment: %v\n%v", err, lines)
	}
	wantLine(t, lines, "database", "OK", "schema version", "(current)")
	wantLine(t, lines, "base URL", "WARN", "not https")
	wantLine(t, lines, "reachable", "OK", s.base+"/healthz answered 200")
	wantLine(t, lines, "provider", "OK", "simulator")
	wantLine(t, lines, "webhook", "OK", "signed as simulator signs them", s.base+"/webhooks/simulator/check", "accepted")
	wantLine(t, lines, "email", "OK", "off: no --smtp-url (HIRETEXT_SMTP_URL) is set")
	wantLine(t, lines, "clock", "OK", "agrees")

	out, _, err := runCmd(t, "", vars, "doctor", "--base-url", s.base, "--json")
	var report struct {
		OK     bool
		Checks []struct{ Name, Status, Detail string }
	}
	if err != nil || json.Unmarshal([]byte(out), &report) != nil || !report.OK || len(report.Checks) != 7 || report.Checks[4].Status != "ok" {
		t.Fatalf("--json: %q %v", out, err)
	}
}

// TestDoctorSaysWhichLineFailedAndWhy: a base URL serve does not use, a
// port nothing listens on, a database that does not answer, a malformed
// base URL, an unknown provider and a schema from the future each fail
// their own line, saying what to check, and doctor exits with an error.
func TestDoctorSaysWhichLineFailedAndWhy(t *testing.T) {
	t.Parallel()
	dbFile := filepath.Join(t.TempDir(), "hiretext.db")
	vars := map[string]string{"HIRETEXT_DATABASE": "sqlite:" + dbFile}
	s := serveInProcess(t, vars, "--demo")
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(s.base, "http://"))

	lines, err := doctorLines(t, vars, "--base-url", "http://localhost:"+port)
	if err == nil || err.Error() != "1 of 7 checks failed" {
		t.Errorf("wrong base URL: %v", err)
	}
	wantLine(t, lines, "reachable", "OK")
	wantLine(t, lines, "webhook", "FAIL", "serve's base URL is "+s.base, "set the same --base-url")

	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	nobody := "http://" + closed.Addr().String()
	closed.Close()
	lines, _ = doctorLines(t, vars, "--base-url", nobody)
	wantLine(t, lines, "reachable", "FAIL", "GET "+nobody+"/healthz", "connection refused", "is serve running")
	wantLine(t, lines, "webhook", "FAIL", "connection refused")

	lines, err = doctorLines(t, nil, "--database", "postgres://hiretext:s3cret@127.0.0.1:1/hiretext", "--base-url", s.base)
	wantLine(t, lines, "database", "FAIL", "check --database or HIRETEXT_DATABASE", "postgres://hiretext:xxxxx@127.0.0.1:1/hiretext")
	wantLine(t, lines, "webhook", "SKIP", "needs the database")
	if err == nil || strings.Contains(lines["database"], "s3cret") {
		t.Errorf("unreachable database: %v, %q", err, lines["database"])
	}
	lines, _ = doctorLines(t, nil, "--database", "sqlite:"+filepath.Join(t.TempDir(), "typo.db"), "--base-url", s.base)
	wantLine(t, lines, "database", "FAIL", "no database at")

	lines, _ = doctorLines(t, vars, "--base-url", "ftp://ats.example.com")
	wantLine(t, lines, "base URL", "FAIL", "--base-url", "HIRETEXT_BASE_URL")
	wantLine(t, lines, "reachable", "SKIP")
	wantLine(t, lines, "webhook", "SKIP")

	lines, _ = doctorLines(t, vars, "--base-url", s.base, "--sms-provider", "pigeon")
	wantLine(t, lines, "provider", "FAIL", `"pigeon"`)

	future := filepath.Join(t.TempDir(), "future.db")
	db := storetest.Open(t, "sqlite:"+future, storetest.Config{})
	_, write := db.Pools()
	if _, err := write.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, '0099_future.sql', '')"); err != nil {
		t.Fatal(err)
	}
	lines, _ = doctorLines(t, nil, "--database", "sqlite:"+future, "--base-url", s.base)
	wantLine(t, lines, "database", "FAIL", "schema version 99, newer than this hiretext's")
}

// TestDoctorClockLimits: a clock off by seconds passes, by a minute warns,
// by the simulator's tolerance fails; with no other clock the check skips.
func TestDoctorClockLimits(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		skew time.Duration
		want checkStatus
		says string
	}{
		{800 * time.Millisecond, checkOK, "agrees with this machine's clock"},
		{-12 * time.Second, checkOK, "12s behind this machine"},
		{90 * time.Second, checkWarn, "1m30s ahead of this machine"},
		{-6 * time.Minute, checkFail, "signed webhooks more than 5m0s off are refused"},
	} {
		d := &doctor{clocks: []clockReading{{"the PostgreSQL server", time.Second}, {"Twilio", c.skew}}}
		status, detail := d.checkClock(context.Background())
		if status != c.want || !strings.Contains(detail, c.says) {
			t.Errorf("skew %v: %s %q, want %s saying %q", c.skew, status, detail, c.want, c.says)
		}
	}
	if status, _ := (&doctor{}).checkClock(context.Background()); status != checkSkip {
		t.Errorf("no other clock: %s, want skip", status)
	}
}

// TestDoctorChecksTheSMTPServer: with --smtp-url (or its variable) doctor
// goes through TLS and AUTH with the SMTP server and quits, sending
// nothing; a wrong password, a server that does not answer, a STARTTLS
// the server does not offer and an untrusted certificate each fail the
// email line saying what to check, and never print the password.
func TestDoctorChecksTheSMTPServer(t *testing.T) {
	t.Parallel()
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	nobody := "http://" + closed.Addr().String() // the other checks fail fast
	closed.Close()
	doctor := func(smtpURL string, args ...string) (string, error) {
		t.Helper()
		vars := map[string]string{"HIRETEXT_DATABASE": "sqlite:" + filepath.Join(t.TempDir(), "none.db"),
			"HIRETEXT_SMTP_URL": smtpURL, "HIRETEXT_MAIL_FROM": "hiretext <hr@acme.example>"}
		lines, err := doctorLines(t, vars, append([]string{"--base-url", nobody}, args...)...)
		if strings.Contains(lines["email"], "hunter2") || strings.Contains(lines["email"], "secret") {
			t.Errorf("the email line shows the password: %q", lines["email"])
		}
		return lines["email"], err
	}
	plain := mailtest.New(t, func(s *mailtest.Server) { s.NoTLS = true })
	url := "smtp://hiretext:secret@127.0.0.1:" + plain.Port()

	line, _ := doctor(url + "?tls=none")
	wantLine(t, map[string]string{"email": line}, "email", "OK", "SMTP server 127.0.0.1:"+plain.Port(), `user "hiretext" authenticated`, "no email was sent")
	if len(plain.Authenticated()) != 1 || len(plain.Messages()) != 0 {
		t.Fatalf("authenticated %v, received %v: want one login and no email", plain.Authenticated(), plain.Messages())
	}

	line, _ = doctor("smtp://hiretext:hunter2@127.0.0.1:" + plain.Port() + "?tls=none")
	wantLine(t, map[string]string{"email": line}, "email", "FAIL", `refused user "hiretext"`, "535", "check the user name and password in --smtp-url (HIRETEXT_SMTP_URL)")

	// 127.0.0.1 written another way is not "localhost" to go-mail's SMTP client,
	// which keeps the password off an unencrypted connection.
	line, _ = doctor("smtp://hiretext:secret@[::ffff:127.0.0.1]:" + plain.Port() + "?tls=none")
	wantLine(t, map[string]string{"email": line}, "email", "FAIL", `the password for user "hiretext" was not sent`, "smtps://")

	line, _ = doctor(url)
	wantLine(t, map[string]string{"email": line}, "email", "FAIL", "does not offer STARTTLS", "smtps://", "tls=none", "HIRETEXT_SMTP_URL")
	if len(plain.Authenticated()) != 1 {
		t.Errorf("the password was sent without STARTTLS: %v", plain.Authenticated())
	}

	untrusted := mailtest.New(t, nil) // its certificate is its own
	line, _ = doctor("smtp://hiretext:secret@127.0.0.1:" + untrusted.Port())
	wantLine(t, map[string]string{"email": line}, "email", "FAIL", "signed by an authority this machine does not trust", "SSL_CERT_FILE")

	silent, err := net.Listen("tcp", "127.0.0.1:0") // connects, never greets
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	line, _ = doctor("smtp://hiretext:secret@"+silent.Addr().String(), "--timeout", "500ms")
	wantLine(t, map[string]string{"email": line}, "email", "FAIL", "no SMTP answer to greeting within 500ms", "smtps://", "HIRETEXT_SMTP_URL")

	line, _ = doctor(nobody[len("http://"):]) // not a URL: the line names the setting
	wantLine(t, map[string]string{"email": line}, "email", "FAIL", "--smtp-url (HIRETEXT_SMTP_URL)")

	out, _, _ := runCmd(t, "", map[string]string{"HIRETEXT_SMTP_URL": url + "?tls=none", "HIRETEXT_MAIL_FROM": "hr@acme.example"},
		"doctor", "--json", "--timeout", "5s", "--base-url", nobody, "--database", "sqlite:"+filepath.Join(t.TempDir(), "none.db"))
	var report struct {
		Checks []struct{ Name, Status, Detail string }
	}
	if json.Unmarshal([]byte(out), &report) != nil || len(report.Checks) != 7 || report.Checks[5].Name != "email" ||
		report.Checks[5].Status != "ok" || strings.Contains(out, "secret") {
		t.Fatalf("--json: %s", out)
	}
}

// TestHelpHidesPasswords: flags default to the environment, and --help
// shows the defaults; a password in a URL there is masked.
func TestHelpHidesPasswords(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"HIRETEXT_SMTP_URL": "smtp://u:hunter2@mail.example", "HIRETEXT_DATABASE": "postgres://u:s3cret@db.example/hiretext"}
	for _, cmd := range []string{"doctor", "serve"} {
		_, stderr, err := runCmd(t, "", vars, cmd, "--help")
		if err != nil || !strings.Contains(stderr, "smtp://u:xxxxx@mail.example") || strings.Contains(stderr, "hunter2") || strings.Contains(stderr, "s3cret") {
			t.Errorf("%s --help: %v\n%s", cmd, err, stderr)
		}
	}
}
