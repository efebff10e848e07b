package main

// Details a person sees: the focus ring and the simulator's bubbles stand
// out from what is behind them, the texting question's box is whole, the
// site has an icon, and the simulator keeps the thread in view after a
// reply.

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hiretext/hiretext/internal/browsertest"
)

// contrastJS defines contrast(fg, el): the WCAG contrast ratio of the CSS
// colour fg (drawn with opacity, if given) over the background el shows,
// the first ancestor's from el up that is not transparent.
const contrastJS = `
function rgba(c) { var m = c.match(/[\d.]+/g).map(Number); return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1}; }
function backdrop(el) {
  for (; el; el = el.parentElement) { var c = rgba(getComputedStyle(el).backgroundColor); if (c.a > 0) { return c; } }
  return {r: 255, g: 255, b: 255, a: 1};
}
function lum(c) {
  var s = [c.r, c.g, c.b].map(function (v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
  return 0.2126 * s[0] + 0.7152 * s[1] + 0.0722 * s[2];
}
function contrast(fg, el, opacity) {
  var f = rgba(fg), b = backdrop(el), a = f.a * (opacity === undefined ? 1 : opacity);
  var mixed = {r: f.r * a + b.r * (1 - a), g: f.g * a + b.g * (1 - a), b: f.b * a + b.b * (1 - a)};
  var x = lum(mixed), y = lum(b);
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}`

// focusRing is the focused element and the contrast of its focus ring with
// the surface around it.
type focusRing struct {
	Name     string
	Contrast float64
	Style    string
}

// focused measures the focus ring of the focused element.
func focused(t *testing.T, p *browsertest.Page) focusRing {
	t.Helper()
	var f focusRing
	p.Evaluate(`(function () {`+contrastJS+`
  var el = document.activeElement, s = getComputedStyle(el);
  return {name: (el.getAttribute("aria-label") || el.textContent || el.id || el.tagName).trim().slice(0, 40),
    contrast: contrast(s.outlineColor, el.parentElement), style: s.outlineStyle + " " + s.outlineWidth};
})()`, &f)
	return f
}

// TestBrowserFocusRingAndApplicationForm: on the application form (a white
// card on the light page) every control Tab reaches shows a focus ring of
// at least 3:1 against its surface, and so do the top bar's links; the
// texting question's legend sits inside its box instead of cutting its
// border; every page names an icon the server serves.
func TestBrowserFocusRingAndApplicationForm(t *testing.T) {
	t.Parallel()
	app := startApp(t)
	marcus := app.loggedIn(t, "marcus", marcusEmail, marcusName, 1280, 900)
	for i := 0; i < 3; i++ { // the skip link, then the brand and the first page link on the dark top bar
		marcus.Press("Tab")
		if f := focused(t, marcus); f.Contrast < 3 || !strings.HasPrefix(f.Style, "solid") {
			t.Errorf("focus on %q at the top of the page: ring %s at %.2f:1, want at least 3:1", f.Name, f.Style, f.Contrast)
		}
	}

	candidate := app.page(t, "candidate")
	candidate.SetViewport(1280, 900)
	candidate.Visit(applicationLink(t, marcus, "Forklift Operator"))
	candidate.WaitText("May we text you about your application?")
	candidate.Click("First name")
	for i := 0; i < 6; i++ {
		candidate.Press("Tab")
		if f := focused(t, candidate); f.Contrast < 3 || !strings.HasPrefix(f.Style, "solid") {
			t.Errorf("focus on %q of the application form: ring %s at %.2f:1, want at least 3:1", f.Name, f.Style, f.Contrast)
		}
	}
	var legend struct{ Top, BoxTop, Border float64 }
	candidate.Evaluate(`(function (f) {
  var l = f.querySelector("legend").getBoundingClientRect(), s = getComputedStyle(f);
  return {top: l.top, boxTop: f.getBoundingClientRect().top, border: parseFloat(s.borderTopWidth)};
})(document.querySelector(".sms-question"))`, &legend)
	if legend.Border == 0 || legend.Top < legend.BoxTop+legend.Border {
		t.Errorf("the texting question's legend starts at %.1fpx, above the inside of its box (%.1fpx + a %.1fpx border): it cuts the border",
			legend.Top, legend.BoxTop, legend.Border)
	}

	var icon string
	candidate.Evaluate(`(document.querySelector('link[rel="icon"]') || {}).href || ""`, &icon)
	if icon == "" {
		t.Fatal("the page names no icon, so browsers ask for /favicon.ico and get a 404")
	}
	resp, err := http.Get(icon)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("the icon %s: %s %q, want 200 and an SVG image", icon, resp.Status, resp.Header.Get("Content-Type"))
	}
}

// TestBrowserSimulatorReplyKeepsTheThreadInView: on a phone's screen, after
// "Send reply" the simulator opens at the reply in its thread, not at the
// top of the page; the phone's own texts (white on green) reach 4.5:1.
func TestBrowserSimulatorReplyKeepsTheThreadInView(t *testing.T) {
	t.Parallel()
	app := startApp(t)
	p := app.page(t, "visitor")
	p.SetViewport(390, 844)
	shown := firstPhoneWithTexts(t, p)
	p.Click(shown)
	p.WaitText("Messages on " + shown)
	reply := "Thanks, I will be there at nine."
	p.Fill("Message", reply)
	p.Click("Send reply")
	p.WaitText("Sent “" + reply + "”")

	var view struct {
		Body          string
		Top, Bottom   float64
		Height        float64
		Text, Meta    float64 // contrast of the phone's own text and its time
		OutgoingShown bool
	}
	p.Evaluate(`(function () {`+contrastJS+`
  var items = document.querySelectorAll(".handset .bubble"), last = items[items.length - 1], r = last.getBoundingClientRect();
  var out = document.querySelector(".handset .bubble-out"), meta = out.querySelector(".bubble-meta"), ms = getComputedStyle(meta);
  return {body: last.querySelector(".bubble-body").textContent, top: r.top, bottom: r.bottom, height: window.innerHeight,
    text: contrast(getComputedStyle(out).color, out), meta: contrast(ms.color, out, parseFloat(ms.opacity)), outgoingShown: true};
})()`, &view)
	if view.Body != reply || view.Top < 0 || view.Bottom > view.Height {
		t.Errorf("after the reply, the newest text %q is at %.0f…%.0fpx of a %.0fpx screen: want the reply in view",
			view.Body, view.Top, view.Bottom, view.Height)
	}
	if view.Text < 4.5 || view.Meta < 4.5 {
		t.Errorf("the phone's own texts reach %.2f:1 (text) and %.2f:1 (time), want at least 4.5:1", view.Text, view.Meta)
	}
}
