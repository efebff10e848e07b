package browsertest

import (
	"encoding/json"

	"github.com/chromedp/chromedp"
)

// Evaluate runs the JavaScript expression js on the page and decodes its
// result, which must survive JSON.stringify, into out. It is for what no
// visible text tells: a scroll position, a layout's width, a computed style.
func (p *Page) Evaluate(js string, out any) {
	p.t.Helper()
	ctx, cancel := p.stepContext()
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](js))
	if err == nil {
		err = json.Unmarshal(raw, out)
	}
	if err != nil {
		p.fatalf("evaluate %s: %v", js, err)
	}
	p.reportConsole()
}

// SetViewport shows the page in a viewport of width × height CSS pixels, as
// a browser window of that size would, for this page until it closes.
func (p *Page) SetViewport(width, height int64) {
	p.t.Helper()
	ctx, cancel := p.stepContext()
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height)); err != nil {
		p.fatalf("set the viewport to %dx%d: %v", width, height, err)
	}
}
