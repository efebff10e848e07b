package main

// Browser journeys: hiretext runs in-process (the real run, on a random port,
// with the SMS simulator and the demo company) and headless Chromium uses it
// as a person would. They skip without Chromium, and fail without it under
// CI=true. A journey is a TestBrowser… function:
//
//	app := startApp(t)
//	p := app.page(t, "recruiter")
//	loginAs(t, p, marcusEmail, demo.Password)
//	p.Click("Jobs")
//	p.WaitText("…")
//
// Steps shared by journeys (loginAs, logout, addUser) live at the bottom.

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/browsertest"
	"github.com/hiretext/hiretext/internal/demo"
)

func TestMain(m *testing.M) {
	browsertest.Main(m)
}

// The demo company's people the journeys log in as.
const (
	danaName    = "Dana Whitfield" // administrator
	danaEmail   = "dana.whitfield@acme-staffing.example"
	marcusName  = "Marcus Reyes" // recruiter
	marcusEmail = "marcus.reyes@acme-staffing.example"
)

func TestBrowserAdminAddsUserWhoLogsIn(t *testing.T) {
	t.Parallel()
	app := startApp(t)
	p := app.page(t, "dana")
	loginAs(t, p, danaEmail, demo.Password)
	p.WaitText("Welcome, " + danaName)
	p.WaitText("Role: Administrator")

	p.Click("Administration")
	p.WaitText("people who can log in to Acme Staffing")
	password := addUser(t, p, "Rita Recruiter", "rita.recruiter@acme-staffing.example", "Jobs", "Candidate pool")
	if len(password) < 16 {
		t.Fatalf("generated password %q is too short", password)
	}
	p.WaitText("Rita Recruiter rita.recruiter@acme-staffing.example User Jobs, Candidate pool Active")

	logout(t, p, danaName)
	loginAs(t, p, "rita.recruiter@acme-staffing.example", password)
	p.WaitText("Welcome, Rita Recruiter")
	p.WaitText("Permissions: Jobs, Candidate pool")
	if nav := p.Text("body"); strings.Contains(nav, "Administration") {
		t.Errorf("a user without the administrator role sees Administration: %q", nav)
	}
	p.Visit("/admin/users")
	p.WaitText("Only administrators can do that.")
}

func TestBrowserWrongPasswordShowsError(t *testing.T) {
	t.Parallel()
	app := startApp(t)
	p := app.page(t, "dana")
	loginAs(t, p, danaEmail, "not-the-password")
	p.WaitText("The email or password is incorrect.")
	if got := p.Value("Email"); got != danaEmail {
		t.Errorf("after a wrong password the Email field holds %q, want it kept", got)
	}
	if got := p.Value("Password"); got != "" {
		t.Errorf("after a wrong password the Password field holds %q, want it empty", got)
	}
	p.Fill("Password", demo.Password)
	p.Click("Log in")
	p.WaitText("Welcome, " + danaName)
}

func TestBrowserKeyboardOnlyLogin(t *testing.T) {
	t.Parallel()
	app := startApp(t)
	p := app.page(t, "dana")
	p.Visit("/login")
	for _, step := range []struct{ focus, typed string }{{"Email", danaEmail}, {"Password", demo.Password}} {
		if got := p.Focused(); got != step.focus {
			t.Fatalf("focus is on %q, want %q", got, step.focus)
		}
		p.Type(step.typed)
		p.Press("Tab")
	}
	if got := p.Focused(); got != "Log in" {
		t.Fatalf("after the password, Tab moved the focus to %q, want the Log in button", got)
	}
	p.Press("Enter")
	p.WaitText("Welcome, " + danaName)
}

func TestBrowserAPITokenShownOnce(t *testing.T) {
	t.Parallel()
	app := startApp(t)
	p := app.page(t, "dana")
	loginAs(t, p, danaEmail, demo.Password)
	p.Click("My settings")
	p.WaitText("You have no API tokens.")
	p.Fill("Token name", "reporting script")
	p.Click("Create token")
	p.WaitText("Copy it now: it is shown only once.")
	token := p.Text(".flash code.secret")
	if !strings.HasPrefix(token, "ht_") {
		t.Fatalf("token shown = %q, want ht_…", token)
	}
	if me := app.apiMe(t, token); me.Email != danaEmail {
		t.Errorf("the token authenticates as %q, want %q", me.Email, danaEmail)
	}
	p.Visit("/settings")
	p.WaitText("reporting script")
	p.WaitGone(token)
}

func TestBrowserTwoUsersAtOnce(t *testing.T) {
	t.Parallel()
	app := startApp(t)
	dana, marcus := app.page(t, "dana"), app.page(t, "marcus")
	loginAs(t, dana, danaEmail, demo.Password)
	loginAs(t, marcus, marcusEmail, demo.Password)
	dana.WaitText("Welcome, " + danaName)
	marcus.WaitText("Welcome, " + marcusName)

	marcus.Visit("/admin/users")
	marcus.WaitText("Only administrators can do that.")
	logout(t, dana, danaName)
	marcus.Visit("/")
	marcus.WaitText("Welcome, " + marcusName)
}

func TestBrowserInjectedNameShowsAsText(t *testing.T) {
	t.Parallel()
	app := startApp(t)
	p := app.page(t, "dana")
	loginAs(t, p, danaEmail, demo.Password)
	p.WaitText("Welcome, " + danaName)
	p.Visit("/admin/users")
	password := addUser(t, p, browsertest.XSSPayload, "mallory@acme-staffing.example")
	p.WaitText(browsertest.XSSPayload + " mallory@acme-staffing.example")
	p.NoScriptRan()

	p.Click("Edit " + browsertest.XSSPayload)
	p.WaitText("mallory@acme-staffing.example · Active")
	if h1 := p.Text("h1"); h1 != browsertest.XSSPayload {
		t.Errorf("edit page heading = %q, want the name as text", h1)
	}
	p.NoScriptRan()

	m := app.page(t, "mallory")
	loginAs(t, m, "mallory@acme-staffing.example", password)
	m.WaitText("Welcome, " + browsertest.XSSPayload)
	m.NoScriptRan()
}

// app is hiretext running in-process for one test.
type app struct {
	URL string
	DB  string // the database URL, for operator commands beside the server
}

// startApp runs `hiretext serve --demo` on a random port with a new SQLite
// database and stops it when t ends. When t fails, the server's log is saved
// beside the pages' screenshots.
func startApp(t *testing.T) *app {
	t.Helper()
	return startAppAt(t, hiretext.SystemClock)
}

// startAppAt is startApp with the server reading the time from clock.
func startAppAt(t *testing.T, clock hiretext.Clock) *app {
	t.Helper()
	return startAppWith(t, clock, nil)
}

// startAppWith is startAppAt with the environment variables vars, e.g.
// HIRETEXT_SMTP_URL for a journey that reads email.
func startAppWith(t *testing.T, clock hiretext.Clock, vars map[string]string) *app {
	t.Helper()
	browsertest.Shared(t) // skip before starting a server no browser will visit
	ctx, cancel := context.WithCancel(context.Background())
	db := "sqlite:" + filepath.Join(t.TempDir(), "hiretext.db")
	pr, pw := io.Pipe()
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- runEnv(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--database", db, "--demo"},
			env{getenv: func(k string) string { return vars[k] }, stdin: strings.NewReader(""), stdout: pw, stderr: logs, clock: clock})
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("hiretext serve: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("hiretext serve did not stop")
		}
		if t.Failed() {
			saveServerLog(t, logs.String())
		}
	})
	sc := bufio.NewScanner(pr)
	if !sc.Scan() {
		cancel()
		t.Fatalf("hiretext serve printed nothing: %v\n%s", <-done, logs.String())
	}
	go io.Copy(io.Discard, pr) //nolint:errcheck // keep the pipe drained
	url, ok := strings.CutPrefix(sc.Text(), "hiretext is running at ")
	if !ok {
		t.Fatalf("hiretext serve printed %q", sc.Text())
	}
	return &app{URL: url, DB: db}
}

// page opens a browser page of its own (cookies included) on the app.
func (a *app) page(t *testing.T, name string) *browsertest.Page {
	t.Helper()
	p := browsertest.NewPage(t, name)
	p.BaseURL = a.URL
	return p
}

// apiMe calls GET /api/v1/me with token.
func (a *app) apiMe(t *testing.T, token string) (me struct{ Email string }) {
	t.Helper()
	req, _ := http.NewRequest("GET", a.URL+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&me) != nil {
		t.Fatalf("GET /api/v1/me with the token: %s", resp.Status)
	}
	return me
}

func saveServerLog(t *testing.T, log string) {
	dir, _ := filepath.Abs(browsertest.ArtifactDir(t))
	path := filepath.Join(dir, "server.log")
	err := os.MkdirAll(dir, 0o755)
	if err == nil {
		err = os.WriteFile(path, []byte(log), 0o644)
	}
	if err != nil {
		t.Logf("server log not saved: %v", err)
		return
	}
	t.Logf("server log: %s", path)
}

// syncBuffer is the server's log, written by its goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// loginAs fills in the login form and presses Log in, as a person would.
func loginAs(t *testing.T, p *browsertest.Page, email, password string) {
	t.Helper()
	p.Visit("/login")
	p.WaitText("Log in to hiretext")
	p.Fill("Email", email)
	p.Fill("Password", password)
	p.Click("Log in")
}

// loggedIn opens a page of its own on a width × height screen and logs in
// as the demo user with email, waiting for the welcome to name them.
func (a *app) loggedIn(t *testing.T, page, email, name string, width, height int64) *browsertest.Page {
	t.Helper()
	p := a.page(t, page)
	p.SetViewport(width, height)
	loginAs(t, p, email, demo.Password)
	p.WaitText("Welcome, " + name)
	return p
}

// logout opens the user menu (labelled with the user's name) and logs out.
func logout(t *testing.T, p *browsertest.Page, name string) {
	t.Helper()
	p.Click(name)
	p.Click("Log out")
	p.WaitText("Log in to hiretext")
}

// addUser adds a user with the given permissions on Administration → Users,
// letting hiretext generate the password, and returns the password shown.
func addUser(t *testing.T, p *browsertest.Page, name, email string, permissions ...string) string {
	t.Helper()
	p.Fill("Name", name)
	p.Fill("Email", email)
	p.Check("User")
	for _, perm := range permissions {
		p.Check(perm)
	}
	p.Click("Add user")
	p.WaitText("Created " + name + " (" + email + "). Their password is shown only now:")
	return p.Text(".flash code.secret")
}

// TestBrowserNewPasswordLogsOutTheOtherBrowser: Dana, logged in on two
// browsers, is refused a common password, then changes hers on one; that
// one stays in and says so, the other is sent to the login page.
func TestBrowserNewPasswordLogsOutTheOtherBrowser(t *testing.T) {
	t.Parallel()
	app := startApp(t)
	here, there := app.page(t, "dana"), app.page(t, "dana-elsewhere")
	for _, p := range []*browsertest.Page{here, there} {
		loginAs(t, p, danaEmail, demo.Password)
		p.WaitText("Welcome, " + danaName)
	}
	here.Click("My settings")
	here.Fill("#current", demo.Password)
	here.Fill("#new", "1234567890")
	here.Fill("#confirm", "1234567890")
	here.Click("Change password")
	here.WaitText("This is one of the most common passwords")

	here.Fill("#current", demo.Password)
	here.Fill("#new", "a-fresh-long-passphrase")
	here.Fill("#confirm", "a-fresh-long-passphrase")
	here.Click("Change password")
	here.WaitText("you are logged out everywhere else")

	there.Visit("/settings")
	there.WaitText("Log in to hiretext")
	here.Visit("/")
	here.WaitText("Welcome, " + danaName)
}
