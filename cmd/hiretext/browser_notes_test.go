package main

import (
	"testing"

	"github.com/hiretext/hiretext/internal/browsertest"
	"github.com/hiretext/hiretext/internal/demo"
)

// TestBrowserNotesAreLiveAndInert: Priya has a conversation open in two
// browsers; a note added with the page's form in one (the HTML form, as
// it posts without JavaScript) appears in the other without a reload, with
// her name, as text: the payload in it runs nowhere.
func TestBrowserNotesAreLiveAndInert(t *testing.T) {
	t.Parallel()
	app := startApp(t)
	desk, phone := app.page(t, "priya-desk"), app.page(t, "priya-phone")
	for _, p := range []*browsertest.Page{desk, phone} {
		loginAs(t, p, priyaEmail, demo.Password)
	}
	desk.Visit("/inbox")
	var href string
	desk.Evaluate(`document.querySelector("#inbox-list .inbox-row a").getAttribute("href")`, &href)
	for _, p := range []*browsertest.Page{desk, phone} {
		p.Visit(href)
		p.WaitText("Internal notes")
		p.WaitText("No notes yet.")
	}
	note := "Prefers mornings " + browsertest.XSSPayload
	desk.Fill("Add a note", note)
	desk.Click("Add note")
	desk.WaitText("Note added.")
	desk.WaitText(note)
	phone.WaitText(note)
	phone.WaitText(priyaName + " ·")
	phone.WaitGone("No notes yet.")
	desk.NoScriptRan()
	phone.NoScriptRan()
}
