package browsertest

import (
	"context"
	_ "embed"
	"errors"
	"fmt"

	"github.com/chromedp/chromedp"
)

// findJS is the page-side element lookup; see its comment for the rules.
//
//go:embed find.js
var findJS string

// element is what findJS reports about the element it found and marked.
type element struct {
	OK        bool   `json:"ok"`
	Retry     bool   `json:"retry"` // not found yet: the page may still change
	Error     string `json:"error"`
	Marker    string `json:"marker"`
	Name      string `json:"name"` // as a person would call it
	Desc      string `json:"desc"` // tag and name, for messages
	Navigates bool   `json:"navigates"`
	Type      string `json:"type"`
	Checked   bool   `json:"checked"`
}

// selector selects the element findJS marked.
func (e element) selector() chromedp.CSS {
	return chromedp.CSS(`[data-browsertest="` + e.Marker + `"]`)
}

// find looks for target in mode ("click", "field" or "focused"; see
// find.js) until it is found or ctx ends. An ambiguous target fails at once.
func (p *Page) find(ctx context.Context, mode, target string) (element, error) {
	p.seq++
	expr := fmt.Sprintf("(%s)(%s, %s, %s)", findJS, jsString(mode), jsString(target), jsString(fmt.Sprint(p.seq)))
	var el element
	var final error
	err := p.poll(ctx, func(ctx context.Context) (bool, error) {
		var err error
		el, err = chromedp.Run(ctx, chromedp.Evaluate[element](expr))
		switch {
		case err != nil:
			return false, err
		case !el.OK && !el.Retry:
			final = errors.New(el.Error)
			return true, nil
		case !el.OK:
			return false, errors.New(el.Error)
		}
		return true, nil
	})
	if final != nil {
		return el, final
	}
	return el, err
}
