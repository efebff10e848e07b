package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// consoleWatch collects a page's JavaScript errors from the events of its
// tab, and accepts the page's dialogs as a person clicking OK would.
type consoleWatch struct {
	ctx context.Context // the page's chromedp context, for answering dialogs

	mu       sync.Mutex
	problems []string                   // errors not reported yet
	docs     map[network.RequestID]bool // page loads: their error statuses are the test's to judge
	dialogs  []string
}

func newConsoleWatch() *consoleWatch {
	return &consoleWatch{docs: map[network.RequestID]bool{}}
}

// listen is the tab's event listener. It runs on the goroutine that reads
// the tab's messages, so it must return fast and run no command.
func (w *consoleWatch) listen(ev any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		w.problems = append(w.problems, "uncaught exception: "+exceptionText(ev.ExceptionDetails))
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			w.problems = append(w.problems, "console."+string(ev.Type)+": "+argsText(ev.Args))
		}
	case *network.EventRequestWillBeSent:
		if ev.Type == network.ResourceTypeDocument {
			w.docs[ev.RequestID] = true
		}
	case *log.EventEntryAdded:
		if e := ev.Entry; e.Level == log.EntryLevelError && !w.expected(e) {
			w.problems = append(w.problems, fmt.Sprintf("%s error: %s (%s)", e.Source, e.Text, e.URL))
		}
	case *page.EventJavascriptDialogOpening:
		w.dialogs = append(w.dialogs, string(ev.Type)+": "+ev.Message)
		go func() {
			_, _ = chromedp.Call(w.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}()
	}
}

// expected reports whether a browser log error is normal: a page load
// answered with an error status (a 401 for a wrong password, a 422 for a
// form with mistakes), or the favicon this service does not have.
func (w *consoleWatch) expected(e *log.Entry) bool {
	if e.Source != log.EntrySourceNetwork {
		return false
	}
	return w.docs[e.NetworkRequestID] || strings.HasSuffix(strings.SplitN(e.URL, "?", 2)[0], "/favicon.ico")
}

// acceptDialogs makes the watch answer the dialogs of the page of ctx.
func (w *consoleWatch) acceptDialogs(ctx context.Context) { w.ctx = ctx }

// take returns the problems not reported yet.
func (w *consoleWatch) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	p := w.problems
	w.problems = nil
	return p
}

// reportConsole fails the test for each JavaScript error the page reported
// since the last call. The test goes on: the next steps, and the artifacts,
// show more about what went wrong.
func (p *Page) reportConsole() {
	p.t.Helper()
	for _, msg := range p.console.take() {
		p.t.Errorf("browsertest: page %q: %s", p.name, msg)
	}
}

// Dialogs returns the alert, confirm and prompt dialogs the page opened, as
// "type: message"; each was accepted, as a person clicking OK.
func (p *Page) Dialogs() []string {
	p.console.mu.Lock()
	defer p.console.mu.Unlock()
	return append([]string(nil), p.console.dialogs...)
}

func exceptionText(d *runtime.ExceptionDetails) string {
	text := d.Text
	if d.Exception != nil && d.Exception.Description != "" {
		desc, _, _ := strings.Cut(d.Exception.Description, "\n    at ")
		text += " " + desc
	}
	if d.URL != "" {
		text += fmt.Sprintf(" (%s:%d)", d.URL, d.LineNumber+1)
	}
	return text
}

func argsText(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		var s string
		switch {
		case a.Type == runtime.RemoteObjectTypeString && json.Unmarshal(a.Value, &s) == nil:
		case a.Description != "":
			s = a.Description
		default:
			s = string(a.Value)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}
