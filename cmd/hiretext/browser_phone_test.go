package main

// The product at a phone's width (390×844) and the widths between a phone
// and a laptop: a top bar of one row, menus that open on screen, pages that
// do not pan sideways.

import (
	"fmt"
	"testing"

	"github.com/hiretext/hiretext/internal/browsertest"
)

// box is an element's place on screen, in CSS pixels.
type box struct {
	Left, Right, Top, Bottom float64
	Shown                    bool
}

// boxOf measures the first element matching selector.
func boxOf(t *testing.T, p *browsertest.Page, selector string) box {
	t.Helper()
	var b box
	p.Evaluate(fmt.Sprintf(`(function (e) {
  if (!e) { return {shown: false}; }
  var r = e.getBoundingClientRect();
  return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, shown: r.width > 0 && r.height > 0};
})(document.querySelector(%q))`, selector), &b)
	return b
}

// viewportWidth is the page's layout viewport width, and how wide the page
// is (wider when it can be panned sideways).
func viewportWidth(t *testing.T, p *browsertest.Page) (viewport, page float64) {
	t.Helper()
	var w struct{ Viewport, Page float64 }
	p.Evaluate(`({viewport: document.documentElement.clientWidth, page: document.documentElement.scrollWidth})`, &w)
	return w.Viewport, w.Page
}

// wantOnScreen fails t unless selector is shown wholly inside the viewport.
func wantOnScreen(t *testing.T, p *browsertest.Page, width int64, what, selector string) {
	t.Helper()
	b := boxOf(t, p, selector)
	vw, _ := viewportWidth(t, p)
	if !b.Shown || b.Left < 0 || b.Right > vw {
		t.Errorf("at %dpx, %s is at %.0f…%.0f px (shown: %v), want it within 0…%.0f", width, what, b.Left, b.Right, b.Shown, vw)
	}
}

// TestBrowserPhoneTopBarAndMenus: on a phone the top bar is one row with a
// Menu button that opens the page links; the bell's dropdown and the user
// menu open inside the screen at every width from 360 to 767 px.
func TestBrowserPhoneTopBarAndMenus(t *testing.T) {
	t.Parallel()
	app := startApp(t)
	p := app.loggedIn(t, "priya", priyaEmail, priyaName, 390, 844)

	bar := boxOf(t, p, ".topbar")
	if h := bar.Bottom - bar.Top; h > 64 {
		t.Errorf("at 390px the top bar is %.0fpx tall, want one row (at most 64px)", h)
	}
	if links := boxOf(t, p, ".nav-links"); links.Shown {
		t.Errorf("at 390px the page links show in the top bar before the Menu button is pressed")
	}
	p.Click("Menu")
	wantOnScreen(t, p, 390, "the Candidates link", `.nav-links a[href="/candidates"]`)
	p.Click("Menu")

	for _, width := range []int64{360, 390, 600, 767} {
		p.SetViewport(width, 844)
		p.Click(".bell summary")
		p.WaitText("Open the inbox")
		wantOnScreen(t, p, width, "the bell's dropdown", ".bell-menu")
		wantOnScreen(t, p, width, "Open the inbox", ".bell-inbox")
		p.Click(priyaName)
		p.WaitText("Log out")
		wantOnScreen(t, p, width, "the user menu", ".user-menu .menu")
		wantOnScreen(t, p, width, "Log out", ".user-menu .link-button")
		p.Press("Escape")
		if vw, page := viewportWidth(t, p); page > vw {
			t.Errorf("at %dpx the home page is %.0fpx wide: it pans sideways", width, page)
		}
	}
}

// TestBrowserPhonePagesDoNotPan: at 390px, Text Message Numbers and SMS
// Activity are as wide as the screen; their wide tables scroll inside
// their own boxes.
func TestBrowserPhonePagesDoNotPan(t *testing.T) {
	t.Parallel()
	app := startApp(t)
	p := app.loggedIn(t, "dana", danaEmail, danaName, 390, 844)
	for _, page := range []struct{ path, text string }{
		{"/admin/numbers", "Text Message Numbers"},
		{"/reports/sms-activity", "SMS Activity"},
	} {
		p.Visit(page.path)
		p.WaitText(page.text)
		if vw, width := viewportWidth(t, p); width > vw {
			t.Errorf("at 390px %s is %.0fpx wide: it pans sideways", page.path, width)
		}
		bar := boxOf(t, p, ".topbar")
		if h := bar.Bottom - bar.Top; h > 64 {
			t.Errorf("at 390px the administrator's top bar on %s is %.0fpx tall, want one row", page.path, h)
		}
	}
}
