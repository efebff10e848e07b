package main

// The consent journey of issue 19: a Spanish opt-out in free text, erasure,
// and an opt-out that outlives the person who gave it.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hiretext/hiretext/internal/demo"
	"github.com/hiretext/hiretext/internal/storetest"
)

const (
	luciaName      = "Lucía Ortega"
	luciaMainPhone = "(773) 555-0181"
	luciaTextPhone = "(872) 555-0182"
)

// TestBrowserSpanishOptOutSurvivesErasure: a candidate texts "Por favor no
// me escriban más" from the simulator phone; their profile shows them opted
// out and the Spanish confirmation arrives; the administrator erases them;
// the phone applies again without opting in and still cannot be texted; the
// consent ledger verifies.
func TestBrowserSpanishOptOutSurvivesErasure(t *testing.T) {
	t.Parallel()
	app := startApp(t)
	dana := app.page(t, "dana")
	loginAs(t, dana, danaEmail, demo.Password)
	dana.WaitText("Welcome, " + danaName)
	dana.Click("Administration")
	number := generateNumber(t, dana, "312")

	candidate := app.page(t, "candidate")
	link := applicationLink(t, dana, "Forklift Operator")
	candidate.Visit(link)
	apply(t, candidate, "Lucía", "Ortega", "lucia.ortega@example.com", luciaMainPhone, luciaTextPhone)

	// The candidate writes in Spanish from the phone they agreed to be texted on.
	phone := app.page(t, "phone")
	openHandset(t, phone, luciaTextPhone)
	phone.Fill("To hiretext number", e164(number))
	phone.Fill("Message", "Por favor no me escriban más")
	phone.Click("Send reply")
	waitOnHandset(t, phone, "Cancelaste los mensajes de Acme Staffing. No recibirás más mensajes.")

	openProfile(t, dana, "Ortega")
	storetest.EventuallyNil(t, storetest.Patience, "the profile to show the opt-out", func() error {
		if strings.Contains(dana.Text("main"), "SMS: Opted Out") {
			return nil
		}
		dana.Visit(dana.URL())
		return fmt.Errorf("it shows: %s", dana.Text("#sms-title + div"))
	})
	dana.WaitText("read by phrase no me escriba")

	// The administrator erases them, typing the name to confirm.
	dana.Click("Erase " + luciaName)
	dana.Fill("Type "+luciaName+" to confirm", luciaName)
	dana.Click("Erase")
	dana.WaitText("Erased the candidate's personal data.")
	dana.WaitGone(luciaName)

	// The same phone applies again, without agreeing to texts.
	candidate.Visit(link)
	candidate.Fill("First name", "Lucía")
	candidate.Fill("Last name", "Ortega")
	candidate.Fill("Email", "lucia.nueva@example.com")
	candidate.Fill("Main phone", luciaTextPhone)
	candidate.Check("No, do not text me")
	candidate.Click("Submit application")
	candidate.WaitText("Your application has been received.")
	openProfile(t, dana, "lucia.nueva")
	dana.WaitText("SMS: Opted Out")
	dana.WaitText(luciaTextPhone + ": opted out of texts on")
	dana.WaitGone("Open the conversation with " + luciaName)

	// The ledger verifies, erasure and all.
	out, _, err := runCmd(t, "", nil, "admin", "consent", "verify", "--org", demo.Slug, "--database", app.DB)
	if err != nil || !strings.Contains(out, "holds") {
		t.Fatalf("consent verify: %v\n%s", err, out)
	}
}

// e164 turns a formatted US number such as (312) 555-0123 into +13125550123.
func e164(formatted string) string {
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, formatted)
	return "+1" + digits
}
