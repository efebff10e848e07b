package browsertest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	Main(m)
}

func TestFindChromium(t *testing.T) {
	t.Parallel()
	installed := func(paths ...string) func(string) (string, error) {
		return func(name string) (string, error) {
			for _, p := range paths {
				if p == name || filepath.Base(p) == name {
					return p, nil
				}
			}
			return "", errors.New("not found")
		}
	}
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == ChromiumEnv {
				return v
			}
			return ""
		}
	}
	cases := []struct {
		name        string
		env         string
		lookPath    func(string) (string, error)
		path, wantm string
	}{
		{"debian", "", installed("/usr/bin/chromium"), "/usr/bin/chromium", ""},
		{"on PATH", "", installed("/opt/bin/chromium-browser"), "/opt/bin/chromium-browser", ""},
		{"env wins", "/opt/chrome/chrome", installed("/usr/bin/chromium", "/opt/chrome/chrome"), "/opt/chrome/chrome", ""},
		{"env hides the others", "/nonexistent", installed("/usr/bin/chromium"), "", "HIRETEXT_CHROMIUM=/nonexistent is not an executable"},
		{"none", "", installed(), "", "no Chromium found"},
	}
	for _, c := range cases {
		path, missing := findChromium(env(c.env), c.lookPath)
		if path != c.path || !strings.Contains(missing, c.wantm) || (c.wantm == "") != (missing == "") {
			t.Errorf("%s: findChromium = %q, %q; want %q, %q", c.name, path, missing, c.path, c.wantm)
		}
	}
}

func TestUnavailableSkipsLocallyAndFailsInCI(t *testing.T) {
	t.Parallel()
	local := newRecorder(t)
	local.run(func(tb testing.TB) { unavailable(tb, "", "no Chromium found") })
	if !local.skipped || local.Failed() || !strings.Contains(local.text(), "apt-get install chromium") {
		t.Errorf("without CI: skipped %v, failed %v, %q", local.skipped, local.Failed(), local.text())
	}
	ci := newRecorder(t)
	ci.run(func(tb testing.TB) { unavailable(tb, "true", "no Chromium found") })
	if ci.skipped || !ci.Failed() || !strings.Contains(ci.text(), "CI=true") {
		t.Errorf("with CI=true: skipped %v, failed %v, %q", ci.skipped, ci.Failed(), ci.text())
	}
}

func TestArtifactDir(t *testing.T) {
	t.Setenv(ArtifactsEnv, "")
	if got, want := ArtifactDir(t), filepath.Join("testdata", "artifacts", "TestArtifactDir"); got != want {
		t.Errorf("ArtifactDir = %q, want %q", got, want)
	}
	t.Run("two users: admin & recruiter", func(t *testing.T) {
		t.Setenv(ArtifactsEnv, "/tmp/art")
		if got, want := ArtifactDir(t), "/tmp/art/TestArtifactDir/two_users_admin_recruiter"; got != want {
			t.Errorf("ArtifactDir = %q, want %q", got, want)
		}
	})
}

func TestPageSteps(t *testing.T) {
	Shared(t)
	t.Setenv(ArtifactsEnv, t.TempDir())
	site := newSite(t)
	p := NewPage(t, "form")
	p.BaseURL = site.URL

	p.Visit("/")
	p.Fill("Name", "Ada")
	p.Fill("Name", "Grace Hopper")
	if got := p.Value("Name"); got != "Grace Hopper" {
		t.Errorf("Fill replaced the value with %q", got)
	}
	p.Check("Agree to terms")
	p.Check("Agree to terms")
	p.Click("Menu")
	p.Click("Show later")
	p.WaitText("Shown later")
	p.Click("Hide")
	p.WaitGone("Shown later")

	p.Click("Save") // a form answered with 422: a page load, not a page error
	p.WaitText("Saved name=Grace Hopper agree=yes")
	if got := p.Text("h1"); got != "Saved" {
		t.Errorf("Text(h1) = %q", got)
	}
	p.Click("Back")
	if !strings.HasSuffix(p.URL(), "/") {
		t.Errorf("after Back, URL = %s", p.URL())
	}

	p.Click("#name")
	if got := p.Focused(); got != "Name (as on your passport)" {
		t.Errorf("Focused = %q after clicking the field", got)
	}
	p.Type("Alan")
	p.Press("Tab")
	p.Press("Space")
	p.Press("Tab")
	if got := p.Focused(); got != "Save" {
		t.Errorf("Focused = %q, want Save", got)
	}
	p.Press("Enter")
	p.WaitText("Saved name=Alan agree=yes")
	p.NoScriptRan()

	png, err := os.ReadFile(p.Screenshot("saved"))
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("screenshot: %v, %d bytes", err, len(png))
	}
}

func TestPagesHaveTheirOwnCookies(t *testing.T) {
	t.Parallel()
	Shared(t)
	site := newSite(t)
	a, b := NewPage(t, "a"), NewPage(t, "b")
	a.BaseURL, b.BaseURL = site.URL, site.URL
	a.Visit("/cookie?set=alice")
	b.Visit("/cookie")
	b.WaitText("cookie: none")
	a.Visit("/cookie")
	a.WaitText("cookie: alice")
}

// TestCloseEndsThePagesConnections: a page holding a request open, as a
// live-update stream does, lets go of it when closed, as a closed browser
// window would: the server sees the request end.
func TestCloseEndsThePagesConnections(t *testing.T) {
	t.Parallel()
	Shared(t)
	started, ended := make(chan struct{}), make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/stream" {
			io.WriteString(w, `<h1>Open</h1><script>new EventSource("/stream")</script>`)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, ": streaming\n\n")
		w.(http.Flusher).Flush()
		close(started)
		<-r.Context().Done()
		close(ended)
	}))
	t.Cleanup(ts.Close) // after the page's own cleanup, which lets go of the stream
	p := NewPage(t, "closing")
	p.BaseURL = ts.URL
	p.Visit("/")
	p.WaitText("Open")
	select {
	case <-started:
	case <-time.After(DefaultTimeout):
		t.Fatal("the page did not open the stream")
	}
	p.Close()
	select {
	case <-ended:
	case <-time.After(DefaultTimeout):
		t.Fatal("the server still streams to the closed page")
	}
}

func TestPageReportsWhatWentWrong(t *testing.T) {
	Shared(t)
	artifacts := t.TempDir()
	t.Setenv(ArtifactsEnv, artifacts)
	site := newSite(t)
	open := func(tb testing.TB, path string) *Page {
		p := NewPage(tb, "page")
		p.BaseURL = site.URL
		p.Visit(path)
		p.Timeout = time.Second // for the steps bound to fail
		return p
	}
	cases := []struct {
		name string
		do   func(testing.TB)
		want []string
	}{
		{"script errors", func(tb testing.TB) { open(tb, "/errors").WaitText("Errors page") },
			[]string{"console.error: boom 42", "uncaught exception: Uncaught Error: kaput", "security error", "network error", "/missing.png"}},
		{"injected script", func(tb testing.TB) { open(tb, "/pwned").NoScriptRan() },
			[]string{"injected script ran: window.__pwned = 1"}},
		{"ambiguous", func(tb testing.TB) { open(tb, "/two").Click("Save") },
			[]string{`click "Save": 2 elements match "Save": <button> "Save", <button> "Save"`}},
		{"missing", func(tb testing.TB) { open(tb, "/").Click("Delete everything") },
			[]string{`no visible link, button or label "Delete everything" on / (visible: <a> "Other page"`}},
		{"text never shown", func(tb testing.TB) { open(tb, "/").WaitText("Welcome") },
			[]string{`the text "Welcome" did not appear within 1s`, "the page shows: Form Other page"}},
	}
	for _, c := range cases {
		r := newRecorder(t)
		r.run(c.do)
		for _, w := range c.want {
			if !strings.Contains(r.text(), w) {
				t.Errorf("%s: the test was told %q; want it to mention %q", c.name, r.text(), w)
			}
		}
		dir := filepath.Join(artifacts, "TestPageReportsWhatWentWrong")
		for _, f := range []string{"page.png", "page.html"} {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Errorf("%s: no artifact %s: %v", c.name, f, err)
			}
		}
		os.RemoveAll(dir)
	}
}

// newSite serves the pages the harness is tested on, with the same kind of
// Content-Security-Policy as hiretext.
func newSite(t *testing.T) *httptest.Server {
	t.Helper()
	pages := map[string]string{
		"/": `<h1>Form</h1><nav><a href="/other">Other page</a></nav>
<form method="post" action="/submit">
<label for="name">Name <span class="hint">(as on your passport)</span></label> <input id="name" name="name">
<label><input type="checkbox" name="agree" value="yes"> Agree to terms</label>
<button type="submit">Save</button></form>
<details><summary><span aria-hidden="true">AB</span> Menu</summary><button type="button" id="later">Show later</button></details>
<button type="button" id="hide">Hide</button><p id="out"></p>`,
		"/two":    `<button>Save</button><button>Save</button>`,
		"/errors": `<h1>Errors page</h1><script src="/errors.js"></script><img src="/missing.png" alt=""><script>window.__pwned = 1</script>`,
		"/pwned":  `<p>Pwned page</p><script src="/pwn.js"></script>`,
	}
	scripts := map[string]string{
		"/app.js": `document.addEventListener("click", function (e) {
  var out = document.getElementById("out");
  if (e.target.id === "later") { setTimeout(function () { out.textContent = "Shown later"; }, 200); }
  if (e.target.id === "hide") { setTimeout(function () { out.textContent = ""; }, 200); }
});`,
		"/errors.js": `console.error("boom", 42); setTimeout(function () { throw new Error("kaput"); }, 0);`,
		"/pwn.js":    `window.__pwned = 1;`,
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; form-action 'self'")
		if js, ok := scripts[r.URL.Path]; ok {
			w.Header().Set("Content-Type", "text/javascript")
			io.WriteString(w, js)
			return
		}
		body, ok := pages[r.URL.Path]
		switch {
		case r.URL.Path == "/submit":
			r.ParseForm()
			w.WriteHeader(http.StatusUnprocessableEntity)
			body = fmt.Sprintf(`<h1>Saved</h1><p>Saved name=%s agree=%s</p><a href="/">Back</a>`, r.PostForm.Get("name"), r.PostForm.Get("agree"))
		case r.URL.Path == "/cookie":
			if v := r.URL.Query().Get("set"); v != "" {
				http.SetCookie(w, &http.Cookie{Name: "who", Value: v})
			}
			who := "none"
			if c, err := r.Cookie("who"); err == nil {
				who = c.Value
			}
			body = "<p>cookie: " + who + "</p>"
		case !ok:
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(w, `<!doctype html><html><head><title>t</title><script src="/app.js" defer></script></head><body>%s</body></html>`, body)
	}))
	t.Cleanup(ts.Close)
	return ts
}

// recorder is a testing.TB that records failures and skips instead of
// reporting them, so tests can check what the harness tells a test.
type recorder struct {
	testing.TB
	mu       sync.Mutex
	msgs     []string
	failed   bool
	skipped  bool
	cleanups []func()
}

func newRecorder(t *testing.T) *recorder { return &recorder{TB: t} }

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
	r.failed = true
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Skipf(format string, args ...any) {
	r.mu.Lock()
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
	r.skipped = true
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recorder) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}

func (r *recorder) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }

func (r *recorder) text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.msgs, "\n")
}

// run runs f as the testing package runs a test: on its own goroutine,
// which Fatalf and Skipf end, then the cleanups, last first.
func (r *recorder) run(f func(testing.TB)) {
	inGoroutine := func(f func()) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			f()
		}()
		<-done
	}
	inGoroutine(func() { f(r) })
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		inGoroutine(r.cleanups[i])
	}
}
