package browsertest

import (
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// keys maps the names Press accepts to what chromedp sends.
var keys = map[string]struct {
	key   string
	shift bool
}{
	"Tab": {kb.Tab, false}, "Shift+Tab": {kb.Tab, true}, "Enter": {kb.Enter, false},
	"Escape": {kb.Escape, false}, "Space": {" ", false}, "Backspace": {kb.Backspace, false},
	"ArrowUp": {kb.ArrowUp, false}, "ArrowDown": {kb.ArrowDown, false},
	"ArrowLeft": {kb.ArrowLeft, false}, "ArrowRight": {kb.ArrowRight, false},
}

// Press presses one key on the focused element: Tab, Shift+Tab, Enter,
// Escape, Space, Backspace or an arrow key. When the key follows a link or
// submits a form, Press waits for the new page to load.
func (p *Page) Press(key string) {
	p.t.Helper()
	k, ok := keys[key]
	if !ok {
		p.fatalf("press %q: unknown key", key)
	}
	var opts []chromedp.KeyOption
	if k.shift {
		opts = append(opts, chromedp.KeyModifiers(chromedp.ModifierShift))
	}
	ctx, cancel := p.stepContext()
	defer cancel()
	press := chromedp.KeyEvent(k.key, opts...)
	el, err := p.find(ctx, "focused", k.key)
	if err != nil {
		err = chromedp.Do(ctx, press) // nothing focused: the key goes to the page
	} else {
		err = p.activate(ctx, el, press)
	}
	if err != nil {
		p.fatalf("press %s: %v", key, err)
	}
	p.reportConsole()
}

// Type types text into the focused element, key by key.
func (p *Page) Type(text string) {
	p.t.Helper()
	ctx, cancel := p.stepContext()
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.KeyEvent(text)); err != nil {
		p.fatalf("type %q: %v", text, err)
	}
	p.reportConsole()
}

// Focused describes the focused element as a person would name it: a
// field by its label, a link or button by its text. It is "" when nothing
// has the focus.
func (p *Page) Focused() string {
	p.t.Helper()
	ctx, cancel := p.stepContext()
	defer cancel()
	el, err := p.find(ctx, "focused", "")
	if err != nil {
		return ""
	}
	return el.Name
}
