package main

// The simulator phone as a demo visitor uses it: without an account, finding
// a candidate's phone in the list, reading its texts in the company's time
// and changing how the network treats it.

import (
	"strings"
	"testing"

	"github.com/hiretext/hiretext/internal/browsertest"
	"github.com/hiretext/hiretext/internal/storetest"
)

func TestBrowserSimulatorFindsPhonesAndShowsTheirState(t *testing.T) {
	t.Parallel()
	app := startApp(t)
	p := app.page(t, "visitor")
	p.Visit("/simulator")
	p.WaitText("Simulated phone network, for demos and testing. No real texts are sent or received")
	p.WaitText("Phones with texts")
	shown := firstPhoneWithTexts(t, p)
	if !strings.HasPrefix(shown, "(") {
		t.Fatalf("the list shows the phone as %q, want it formatted", shown)
	}
	p.Click(shown)
	p.WaitText("Messages on " + shown)
	if got := p.Value("Phone number"); got != shown {
		t.Fatalf("the phone box holds %q after opening %s", got, shown)
	}
	if !strings.Contains(p.URL(), "phone=%2B1") {
		t.Fatalf("the address %s does not carry the phone in E.164", p.URL())
	}
	// The demo company is in Chicago.
	if meta := p.Text(".bubble-meta"); !strings.HasSuffix(meta, "CST") && !strings.HasSuffix(meta, "CDT") {
		t.Fatalf("the text's time %q is not in the company's time zone", meta)
	}

	p.WaitText("Now: " + shown + " behaves as a working mobile: texts to it are delivered.")
	if pressed := p.Text(`.sim-flag[aria-pressed="true"]`); pressed != "Working mobile" {
		t.Fatalf("the pressed behaviour is %q, want Working mobile", pressed)
	}
	p.Click("Landline (30006)")
	p.WaitText(shown + " now behaves as a landline.")
	p.WaitText("Now: " + shown + " behaves as a landline: texts to it fail with error 30006")
	if pressed := p.Text(`.sim-flag[aria-pressed="true"]`); pressed != "Landline (30006)" {
		t.Fatalf("the pressed behaviour is %q, want Landline (30006)", pressed)
	}
	if current := p.Text(`.sim-phones a[aria-current="page"]`); current != shown {
		t.Fatalf("the list marks %q as the phone shown, want %s", current, shown)
	}
}

// firstPhoneWithTexts opens the simulator on p and returns the first phone
// its list shows, as shown. The demo's texts reach the handsets once the
// server sends them; the list is a plain page, without live updates.
func firstPhoneWithTexts(t *testing.T, p *browsertest.Page) string {
	t.Helper()
	p.Visit("/simulator")
	storetest.Eventually(t, "a phone with texts in the list", func() bool {
		if !strings.Contains(p.Text("main"), "No phone has texts yet") {
			return true
		}
		p.Visit("/simulator")
		return false
	})
	return p.Text(".sim-phones li a")
}
