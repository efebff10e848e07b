package main

// The application journeys: the public form as a candidate meets it.

import (
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/demo"
)

// TestBrowserApplyWithoutTextingAnswer: a candidate submits the public form
// without answering the texting question; the application is accepted, the
// candidate is told they will not be texted, and their profile shows them
// opted out with the consent history's reason.
func TestBrowserApplyWithoutTextingAnswer(t *testing.T) {
	t.Parallel()
	app := startApp(t)
	dana := app.page(t, "dana")
	loginAs(t, dana, danaEmail, demo.Password)
	dana.WaitText("Welcome, " + danaName)

	candidate := app.page(t, "candidate")
	candidate.Visit(applicationLink(t, dana, "Forklift Operator"))
	candidate.WaitText("If you choose nothing, we will not text you.")
	candidate.Fill("First name", "Nora")
	candidate.Fill("Last name", "Noanswer")
	candidate.Fill("Email", "nora.noanswer@example.com")
	candidate.Fill("Main phone", "(773) 555-0187")
	candidate.Click("Submit application")
	candidate.WaitText("You did not choose whether we may text you, so we will not.")

	openProfile(t, dana, "Noanswer")
	dana.WaitText("SMS: Opted Out")
	dana.WaitText(hiretext.NoAnswerNote)
}
