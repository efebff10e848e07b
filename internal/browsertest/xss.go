package browsertest

import "github.com/chromedp/chromedp"

// Sentinel is the global variable that [XSSPayload] sets; [Page.NoScriptRan]
// checks it.
const Sentinel = "__pwned"

// XSSPayload is text that runs script when a page inserts it as HTML instead
// of text. Tests type it into names, notes and messages, check that the page
// shows it literally, and call [Page.NoScriptRan].
const XSSPayload = `<script>window.` + Sentinel + `=1</script><img src=x onerror="window.` + Sentinel + `=2">`

// NoScriptRan fails the test when script that a test injected ran in the
// page: window.__pwned (see [XSSPayload]) must be undefined. An injection
// that the Content-Security-Policy blocked still fails the test, through the
// violation the page reports.
func (p *Page) NoScriptRan() {
	p.t.Helper()
	ctx, cancel := p.stepContext()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`typeof window.`+Sentinel+` === "undefined" ? "" : String(window.`+Sentinel+`)`))
	switch {
	case err != nil:
		p.fatalf("read window.%s: %v", Sentinel, err)
	case v != "":
		p.t.Errorf("browsertest: page %q at %s: injected script ran: window.%s = %s", p.name, p.currentURL(), Sentinel, v)
	}
	p.reportConsole()
}
