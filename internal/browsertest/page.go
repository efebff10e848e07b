package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// DefaultTimeout bounds each step of a [Page] unless the page's Timeout says
// otherwise. It is generous because CI runs the tests with the race
// detector on two cores.
const DefaultTimeout = 15 * time.Second

// pollInterval is how often waiting steps look at the page again.
const pollInterval = 25 * time.Millisecond

// Page is one browser tab in a browser context of its own: its cookies and
// storage are its own, like an incognito window. Its methods are steps of a
// test; a step that cannot be done fails the test with what the page showed.
// A Page belongs to the goroutine of its test.
type Page struct {
	// BaseURL is the URL that Visit resolves paths against, usually the
	// server under test.
	BaseURL string
	// Timeout bounds each step: finding an element, loading a page,
	// waiting for a text.
	Timeout time.Duration

	t    testing.TB
	name string
	ctx  context.Context
	seq  int // numbers the elements find marks

	console *consoleWatch
	closed  bool // by Close: the page takes no more steps
}

// NewPage opens a page of the shared browser named name (the name appears in
// messages and artifact files); see [Shared] for when it skips t. The page
// closes when t ends; when t has failed, its screenshot and HTML are saved
// first.
func NewPage(t testing.TB, name string) *Page {
	t.Helper()
	return Shared(t).NewPage(t, name)
}

// NewPage opens a page of b; see the function [NewPage].
func (b *Browser) NewPage(t testing.TB, name string) *Page {
	t.Helper()
	p := &Page{Timeout: DefaultTimeout, t: t, name: name, console: newConsoleWatch()}
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext(), chromedp.WithListener(p.console.listen))
	p.ctx = ctx
	p.console.acceptDialogs(ctx)
	t.Cleanup(func() {
		cctx, ccancel := context.WithTimeout(ctx, 10*time.Second)
		defer ccancel()
		_ = chromedp.Cancel(cctx) // closes the tab and disposes of its browser context
		cancel()
	})
	// The first Do opens the tab and binds it to ctx, so it gets no deadline
	// of its own; the watchdog cancels an opening that hangs.
	watchdog := time.AfterFunc(p.Timeout, cancel)
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		// Background tabs would otherwise lose focus events and :focus.
		_, err := cdp.Call(ctx, tg, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
		return err
	}))
	watchdog.Stop()
	if err != nil {
		t.Fatalf("browsertest: open page %q: %v", name, err)
	}
	t.Cleanup(p.finish)
	return p
}

// Close closes the page as a person closes a browser window: its tab and
// its browser context go, cookies and connections to the server with them.
// Its last JavaScript errors are reported first. A closed page takes no
// more steps, and leaves no artifacts if the test fails later.
func (p *Page) Close() {
	p.t.Helper()
	p.finish()
	p.closed = true
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	if err := chromedp.Cancel(ctx); err != nil {
		p.t.Fatalf("browsertest: close page %q: %v", p.name, err)
	}
}

// finish reports the page's last JavaScript errors and, when the test has
// failed, saves its artifacts.
func (p *Page) finish() {
	if p.closed {
		return
	}
	ctx, cancel := p.stepContext()
	defer cancel()
	// A command's reply comes after every event sent before it, so this
	// round trip flushes the console messages still on their way.
	_, _ = chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`0`))
	p.reportConsole()
	if p.t.Failed() {
		p.saveArtifacts()
	}
}

// stepContext bounds one step with the page's Timeout.
func (p *Page) stepContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(p.ctx, p.Timeout)
}

// fatalf ends the test with a message that names the page and where it is.
func (p *Page) fatalf(format string, args ...any) {
	p.t.Helper()
	p.reportConsole()
	p.t.Fatalf("browsertest: page %q at %s: %s", p.name, p.currentURL(), fmt.Sprintf(format, args...))
}

// Visit loads url, a full URL or a path under BaseURL, and waits for the
// page to load. An error status such as 404 is not a failure: the test
// checks what the page shows.
func (p *Page) Visit(url string) {
	p.t.Helper()
	if strings.HasPrefix(url, "/") {
		url = strings.TrimSuffix(p.BaseURL, "/") + url
	}
	ctx, cancel := p.stepContext()
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		p.fatalf("visit %s: %v", url, err)
	}
	p.reportConsole()
}

// Click clicks what a person would call target: a link, button, summary or
// label by its text (or aria-label, title or value), else the first visible
// element matching target as a CSS selector. It waits for the element to
// appear and, when the click follows a link or submits a form, for the new
// page to load.
func (p *Page) Click(target string) {
	p.t.Helper()
	ctx, cancel := p.stepContext()
	defer cancel()
	el, err := p.find(ctx, "click", target)
	if err != nil {
		p.fatalf("click %q: %v", target, err)
	}
	if err := p.activate(ctx, el, chromedp.Click(el.selector(), chromedp.NodeVisible)); err != nil {
		p.fatalf("click %s: %v", el.Desc, err)
	}
	p.reportConsole()
}

// Fill types value into the field labelled label (or with that aria-label or
// placeholder, or matching label as a CSS selector), replacing what it held.
func (p *Page) Fill(label, value string) {
	p.t.Helper()
	ctx, cancel := p.stepContext()
	defer cancel()
	el, err := p.find(ctx, "field", label)
	if err != nil {
		p.fatalf("fill %q: %v", label, err)
	}
	sel := el.selector()
	err = chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%s).value = ""`, jsString(string(sel)))),
		chromedp.Click(sel, chromedp.NodeVisible),
		chromedp.SendKeys(sel, value),
	)
	if err != nil {
		p.fatalf("fill %s: %v", el.Desc, err)
	}
	p.reportConsole()
}

// Value returns what the field labelled label holds now.
func (p *Page) Value(label string) string {
	p.t.Helper()
	ctx, cancel := p.stepContext()
	defer cancel()
	el, err := p.find(ctx, "field", label)
	if err != nil {
		p.fatalf("value of %q: %v", label, err)
	}
	v, err := chromedp.Run(ctx, chromedp.Value(el.selector()))
	if err != nil {
		p.fatalf("value of %s: %v", el.Desc, err)
	}
	return v
}

// Check makes sure the checkbox or radio button labelled label is checked,
// clicking it when it is not.
func (p *Page) Check(label string) {
	p.t.Helper()
	p.setChecked(label, true)
}

// Uncheck makes sure the checkbox labelled label is not checked.
func (p *Page) Uncheck(label string) {
	p.t.Helper()
	p.setChecked(label, false)
}

func (p *Page) setChecked(label string, want bool) {
	p.t.Helper()
	ctx, cancel := p.stepContext()
	defer cancel()
	el, err := p.find(ctx, "field", label)
	switch {
	case err != nil:
		p.fatalf("check %q: %v", label, err)
	case el.Type != "checkbox" && el.Type != "radio":
		p.fatalf("check %q: %s is a %s, not a checkbox or radio button", label, el.Desc, el.Type)
	case el.Checked == want:
		return
	}
	if err := chromedp.Do(ctx, chromedp.Click(el.selector(), chromedp.NodeVisible)); err != nil {
		p.fatalf("check %s: %v", el.Desc, err)
	}
	p.reportConsole()
}

// Text returns the visible text of the first element matching the CSS
// selector, white space collapsed, waiting for the element to appear; an
// empty selector means the whole page.
func (p *Page) Text(selector string) string {
	p.t.Helper()
	if selector == "" {
		selector = "body"
	}
	ctx, cancel := p.stepContext()
	defer cancel()
	expr := fmt.Sprintf(`(function (el) { return el ? el.innerText.replace(/\s+/g, " ").trim() : null; })(document.querySelector(%s))`, jsString(selector))
	var text *string
	err := p.poll(ctx, func(ctx context.Context) (bool, error) {
		var err error
		text, err = chromedp.Run(ctx, chromedp.Evaluate[*string](expr))
		return err == nil && text != nil, err
	})
	if err != nil {
		p.fatalf("text of %q: no element matched within %s%s", selector, p.Timeout, because(err))
	}
	return *text
}

// WaitText waits until the page's visible text contains text (white space
// collapsed), for at most the page's Timeout.
func (p *Page) WaitText(text string) {
	p.t.Helper()
	if err := p.waitText(text, true); err != nil {
		p.fatalf("the text %q did not appear within %s%s\nthe page shows: %s", text, p.Timeout, because(err), p.excerpt())
	}
	p.reportConsole()
}

// WaitGone waits until the page's visible text no longer contains text.
func (p *Page) WaitGone(text string) {
	p.t.Helper()
	if err := p.waitText(text, false); err != nil {
		p.fatalf("the text %q was still there after %s%s\nthe page shows: %s", text, p.Timeout, because(err), p.excerpt())
	}
	p.reportConsole()
}

func (p *Page) waitText(text string, present bool) error {
	ctx, cancel := p.stepContext()
	defer cancel()
	expr := fmt.Sprintf(`(document.body ? document.body.innerText : "").replace(/\s+/g, " ").includes(%s)`,
		jsString(strings.Join(strings.Fields(text), " ")))
	return p.poll(ctx, func(ctx context.Context) (bool, error) {
		has, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		return err == nil && has == present, err
	})
}

// URL returns the address of the page shown now.
func (p *Page) URL() string {
	p.t.Helper()
	return p.currentURL()
}

func (p *Page) currentURL() string {
	ctx, cancel := context.WithTimeout(p.ctx, time.Second)
	defer cancel()
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "(unknown URL)"
	}
	return u
}

// excerpt is the start of the page's visible text, for failure messages.
func (p *Page) excerpt() string {
	ctx, cancel := context.WithTimeout(p.ctx, time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText.replace(/\s+/g, " ").trim() : ""`))
	if err != nil {
		return "(unreadable: " + err.Error() + ")"
	}
	if r := []rune(s); len(r) > 600 {
		s = string(r[:600]) + "…"
	}
	return s
}

// poll calls try until it reports done or ctx ends; it returns try's last
// error, or why ctx ended. Errors are retried: during a navigation the
// page's JavaScript context comes and goes.
func (p *Page) poll(ctx context.Context, try func(context.Context) (bool, error)) error {
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	var last error
	for {
		done, err := try(ctx)
		if done {
			return nil
		}
		if err != nil && ctx.Err() == nil {
			last = err
		}
		select {
		case <-ctx.Done():
			if last != nil {
				return last
			}
			return errTimeout
		case <-ticker.C:
		}
	}
}

// errTimeout is poll's error when the page answered but never as hoped.
var errTimeout = errors.New("timed out")

// because explains err in a failure message, unless it is only the timeout
// the message already tells.
func because(err error) string {
	if errors.Is(err, errTimeout) {
		return ""
	}
	return " (" + err.Error() + ")"
}

// activate runs action on el (a click or a key press) and, when el says the
// action loads a page, waits for it.
func (p *Page) activate(ctx context.Context, el element, action chromedp.Action[chromedp.Void]) error {
	if !el.Navigates {
		return chromedp.Do(ctx, action)
	}
	if _, err := chromedp.RunResponse(ctx, action); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("no new page loaded (a form's own validation may have stopped it): %w", err)
		}
		return err
	}
	return nil
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
