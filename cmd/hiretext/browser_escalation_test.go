package main

import (
	"testing"

	"github.com/hiretext/hiretext/internal/demo"
)

// TestBrowserEscalationSettings: Dana finds Escalation under Texting
// settings, turns it on with a negative threshold and a Monday that ends
// before it starts, reads both errors (nothing saved), corrects them and
// saves; the page shows the policy on.
func TestBrowserEscalationSettings(t *testing.T) {
	t.Parallel()
	app := startApp(t)
	dana := app.page(t, "dana")
	loginAs(t, dana, danaEmail, demo.Password)
	dana.Visit("/admin/texting")
	dana.Click("Escalation")
	dana.WaitText("Escalation policy")
	dana.Check("Escalate replies left unanswered")
	dana.Fill("Monday from", "18:00")
	dana.Fill("Tell the number's other users after", "-2")
	dana.Click("Save escalation")
	dana.WaitText("Nothing was saved.")
	dana.WaitText("The window must end after it starts (18:00–17:00).")
	dana.WaitText("Use 1 to 160 business hours.")
	dana.Fill("Monday from", "08:00")
	dana.Fill("Tell the number's other users after", "2")
	dana.Fill("Then tell the administrators after", "6")
	dana.Click("Save escalation")
	dana.WaitText("Saved the escalation policy. Replies waiting now are timed by it.")
	if got := dana.Value("Monday from"); got != "08:00" {
		t.Errorf("Monday opens at %q after saving, want 08:00", got)
	}
	if got := dana.Value("Then tell the administrators after"); got != "6" {
		t.Errorf("the administrators' threshold is %q after saving, want 6", got)
	}
}
