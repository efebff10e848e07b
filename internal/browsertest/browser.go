// Package browsertest drives Debian's headless Chromium for end-to-end tests
// with github.com/chromedp/chromedp, the way a person uses hiretext: visiting
// pages, clicking buttons and links by their text, typing into fields found
// by their labels and waiting for text to appear.
//
// One browser serves the whole test binary; each [Page] is a tab in its own
// browser context, with its own cookies, so several users can be logged in
// at once. A page fails its test on any uncaught exception, console.error,
// Content-Security-Policy violation or failed sub-resource, and a failed test
// leaves a screenshot and the HTML of each of its pages in [ArtifactDir].
//
// Without a browser the tests skip, saying how to install one; with CI=true
// they fail instead, so CI cannot pass by skipping them. A package that uses
// browsertest calls [Main] from its TestMain so the browser is closed and its
// profile directory removed when the tests end.
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ChromiumEnv names the environment variable that points at the browser to
// use. When it is set, no other browser is looked for.
const ChromiumEnv = "HIRETEXT_CHROMIUM"

// startTimeout bounds the start of the browser; a browser that does not
// answer by then is broken, not slow.
const startTimeout = time.Minute

// Browser is a running headless Chromium.
type Browser struct {
	ctx    context.Context // the chromedp context holding the browser
	cancel context.CancelFunc
}

// shared is the test binary's browser. It is package state on purpose:
// starting Chromium costs about a second, so every test of the binary
// shares one, started by the first test that asks and closed by [Main].
var shared struct {
	once    sync.Once
	browser *Browser
	missing string // why no browser was found, when none was
	err     error  // why the browser found did not start
}

// Shared returns the test binary's browser, starting it on first use. When no
// browser is installed it skips t, or fails t when the environment variable
// CI is "true".
func Shared(t testing.TB) *Browser {
	t.Helper()
	shared.once.Do(func() {
		path, missing := findChromium(os.Getenv, exec.LookPath)
		if missing != "" {
			shared.missing = missing
			return
		}
		shared.browser, shared.err = start(path)
	})
	switch {
	case shared.missing != "":
		unavailable(t, os.Getenv("CI"), shared.missing)
	case shared.err != nil:
		t.Fatalf("browsertest: %v", shared.err)
	}
	return shared.browser
}

// Main runs the tests of m, then closes the shared browser if a test
// started it, and exits with the tests' status. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if shared.browser != nil {
		shared.browser.close()
	}
	os.Exit(code)
}

// unavailable skips t because no browser exists, or fails it under CI.
func unavailable(t testing.TB, ci, why string) {
	t.Helper()
	if ci == "true" {
		t.Fatalf("browsertest: %s; CI=true, so the browser tests fail instead of skipping: install Debian's chromium (apt-get install chromium)", why)
	}
	t.Skipf("browsertest: browser tests skipped: %s; install Debian's chromium (apt-get install chromium) or set %s to a Chromium binary", why, ChromiumEnv)
}

// findChromium returns the browser to run, or why there is none: the
// binary $HIRETEXT_CHROMIUM names, else the first of Debian's and other
// distributions' usual names.
func findChromium(getenv func(string) string, lookPath func(string) (string, error)) (path, missing string) {
	if p := getenv(ChromiumEnv); p != "" {
		found, err := lookPath(p)
		if err != nil {
			return "", fmt.Sprintf("%s=%s is not an executable file", ChromiumEnv, p)
		}
		return found, ""
	}
	names := []string{"/usr/bin/chromium", "chromium", "chromium-browser"}
	for _, name := range names {
		if found, err := lookPath(name); err == nil {
			return found, ""
		}
	}
	return "", "no Chromium found (looked for " + strings.Join(names, ", ") + " and $" + ChromiumEnv + ")"
}

// start runs the Chromium at path headless, with a new empty profile
// directory that close removes.
func start(path string) (*Browser, error) {
	var out limitedBuffer
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		// The machines running the tests have no way out; Chromium's own
		// connections would only fail, slowly and noisily.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "Translate,PasswordLeakDetection,OptimizationHints,MediaRouter"),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(&out),
	}
	// Chromium's sandbox needs user namespaces that root in a container
	// rarely has; as an ordinary user it works and stays on.
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	b := &Browser{ctx: ctx, cancel: func() { cancel(); cancelAlloc() }}
	// The first Do starts the browser and binds it to ctx, so it gets no
	// deadline of its own; the watchdog cancels a start that hangs.
	watchdog := time.AfterFunc(startTimeout, cancelAlloc)
	err := chromedp.Do(ctx)
	watchdog.Stop()
	if err != nil {
		b.close()
		return nil, fmt.Errorf("start %s: %w\n%s", path, err, out.String())
	}
	return b, nil
}

// close stops the browser and removes its profile directory.
func (b *Browser) close() {
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	if err := chromedp.Cancel(ctx); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "browsertest: closing the browser:", err)
	}
	b.cancel()
}

// limitedBuffer keeps the last few KiB of the browser's output, for the
// message when it does not start.
type limitedBuffer struct {
	mu  sync.Mutex
	buf []byte
}

const outputLimit = 8 << 10

func (l *limitedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	if n := len(l.buf); n > outputLimit {
		l.buf = l.buf[n-outputLimit:]
	}
	return len(p), nil
}

func (l *limitedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.buf)
}
