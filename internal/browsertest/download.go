package browsertest

import (
	"context"
	"os"
	"path/filepath"
	"sync"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// Download clicks target, found as [Page.Click] finds it, and waits for the
// file the click downloads: a link to a response sent as an attachment, or a
// link with a download attribute. It returns the name the browser suggests
// for the file and its content. The file goes to a temporary directory that
// is removed when the test ends.
func (p *Page) Download(target string) (name string, data []byte) {
	p.t.Helper()
	ctx, cancel := p.stepContext()
	defer cancel()
	el, err := p.find(ctx, "click", target)
	if err != nil {
		p.fatalf("download %q: %v", target, err)
	}
	dir := p.t.TempDir()
	w := &downloadWatch{changed: make(chan struct{}, 1), names: map[string]string{}}
	if err := chromedp.ListenBrowser(ctx, w.listen); err != nil {
		p.fatalf("download %s: %v", el.Desc, err)
	}
	events := true
	_, err = chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, BrowserContextID: chromedp.FromContext(p.ctx).BrowserContextID,
		DownloadPath: dir, EventsEnabled: &events})
	if err == nil {
		err = chromedp.Do(ctx, chromedp.Click(el.selector(), chromedp.NodeVisible))
	}
	if err != nil {
		p.fatalf("download %s: %v", el.Desc, err)
	}
	name, data, err = w.wait(ctx, dir)
	if err != nil {
		p.fatalf("download %s: no file downloaded within %s (%v)", el.Desc, p.Timeout, err)
	}
	p.reportConsole()
	return name, data
}

// downloadWatch collects the browser's download events. The browser reports
// the downloads of every page; a page's own are those saved in its
// directory, named by their GUID.
type downloadWatch struct {
	changed chan struct{}

	mu        sync.Mutex
	names     map[string]string // suggested file names by GUID
	completed []string          // GUIDs of finished downloads not looked at yet
}

// listen runs on the goroutine reading the browser's messages: it must
// return fast and run no command.
func (w *downloadWatch) listen(ev any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch ev := ev.(type) {
	case *browser.EventDownloadWillBegin:
		w.names[ev.GUID] = ev.SuggestedFilename
	case *browser.EventDownloadProgress:
		if ev.State != browser.DownloadProgressStateCompleted {
			return
		}
		w.completed = append(w.completed, ev.GUID)
	default:
		return
	}
	select {
	case w.changed <- struct{}{}:
	default:
	}
}

// wait returns the first download completed into dir.
func (w *downloadWatch) wait(ctx context.Context, dir string) (string, []byte, error) {
	for {
		w.mu.Lock()
		done := w.completed
		w.completed = nil
		w.mu.Unlock()
		for _, guid := range done {
			if data, err := os.ReadFile(filepath.Join(dir, guid)); err == nil {
				w.mu.Lock()
				name := w.names[guid]
				w.mu.Unlock()
				return name, data, nil
			}
		}
		select {
		case <-ctx.Done():
			return "", nil, ctx.Err()
		case <-w.changed:
		}
	}
}
