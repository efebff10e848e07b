package main

import (
	"testing"

	"github.com/hiretext/hiretext/internal/demo"
)

// TestBrowserUnknownSenderBecomesCandidate: someone who is no candidate
// texts Priya's number from the simulator phone. Priya opens the text
// from the Inbox, makes the sender a candidate from the conversation (a
// missing last name is pointed out first), and answers; the phone
// receives the answer, and the profile and the pool say "Texted us first".
func TestBrowserUnknownSenderBecomesCandidate(t *testing.T) {
	t.Parallel()
	app := startApp(t)
	p := app.page(t, "priya")
	loginAs(t, p, priyaEmail, demo.Password)
	p.WaitText("Welcome, " + priyaName)
	number := phoneIn(t, p.Text(".allowance-banner"))

	const sender = "(224) 555-0199" // no demo candidate has it
	phone := app.page(t, "phone")
	openHandset(t, phone, sender)
	phone.Fill("To hiretext number", number)
	phone.Fill("Message", "Hi, I saw your sign in the window. Are you hiring?")
	phone.Click("Send reply")

	p.Click("Inbox")
	p.WaitText("Unknown sender · " + sender)
	p.Click(".inbox-row:first-child > a")
	p.WaitText("Make the sender a new candidate")
	if got := p.Value("Phone"); got != sender {
		t.Fatalf("the form's phone holds %q, want %s", got, sender)
	}
	p.Fill("First name", "Marta")
	p.Click("Create candidate")
	p.WaitText("Enter a last name.")
	p.Fill("Last name", "Diaz")
	p.Click("Create candidate")
	p.WaitText("Marta Diaz is now a candidate who texted us first")
	p.WaitText("I saw your sign in the window")

	p.Fill("Message", "Yes! Come by tomorrow at 10.")
	p.Click("Send")
	p.WaitText("Text to Marta Diaz queued.")
	waitOnHandset(t, phone, "Yes! Come by tomorrow at 10.")

	p.Click("Candidates")
	p.WaitText("From texts, not applied yet")
	p.Click("Marta Diaz")
	p.WaitText("Consent history")
	p.WaitText("Texted us first")
}
