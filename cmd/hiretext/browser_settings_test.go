package main

import (
	"testing"

	"github.com/hiretext/hiretext/internal/demo"
)

// TestBrowserMySettingsTimeZone: Marcus sets his time zone under My
// settings; a name that is no time zone comes back with the error beside
// the field, as typed, and a real one is saved and shown.
func TestBrowserMySettingsTimeZone(t *testing.T) {
	t.Parallel()
	app := startApp(t)
	p := app.page(t, "marcus")
	loginAs(t, p, marcusEmail, demo.Password)
	p.Click("My settings")
	p.WaitText("Email me a daily digest at 8 a.m.")
	p.Fill("My time zone", "Mars/Olympus")
	p.Click("Save email notifications")
	p.WaitText(`Unknown time zone "Mars/Olympus"`)
	if got := p.Value("My time zone"); got != "Mars/Olympus" {
		t.Fatalf("the field after the error holds %q, want what was typed", got)
	}
	p.Fill("My time zone", "Europe/Berlin")
	p.Click("Save email notifications")
	p.WaitText("Your email notifications are saved.")
	if got := p.Value("My time zone"); got != "Europe/Berlin" {
		t.Fatalf("the saved zone shows as %q", got)
	}
}
