package main

// A text from a template to several candidates, each with their own name.

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/demo"
)

// interviewInvitation is the demo's "Interview invitation" as Marcus sends
// it from the Forklift Operator page to a candidate called first ("" for
// one without a first name, who gets the fallback).
func interviewInvitation(first string) string {
	if first == "" {
		first = "there"
	}
	return "Hi " + first + ", this is Marcus from Acme Staffing. We'd like to interview you for the Forklift Operator " +
		"position. What day this week works for you?"
}

// TestBrowserTemplateToFiveCandidates: a recruiter picks "Interview
// invitation" on the Job Posting page for five selected candidates, one of
// them with a single name, previews two of them, sends, and each
// candidate's phone shows their own first name (the fallback for the one
// without) and the job's title.
func TestBrowserTemplateToFiveCandidates(t *testing.T) {
	t.Parallel()
	app := startApp(t)
	marcus := app.page(t, "marcus")
	marcus.SetViewport(1280, 900)
	loginAs(t, marcus, marcusEmail, demo.Password)
	marcus.WaitText("Welcome, " + marcusName)

	// Someone with one name applies to the job, agreeing to texts.
	const princePhone = "(872) 555-0186"
	candidate := app.page(t, "candidate")
	candidate.Visit(applicationLink(t, marcus, "Forklift Operator"))
	candidate.WaitText("leave empty if you have only one name")
	candidate.Fill("Last name", "Prince")
	candidate.Fill("Email", "prince@example.com")
	candidate.Fill("Main phone", princePhone)
	candidate.Check("Yes, text my main phone")
	candidate.Click("Submit application")
	candidate.WaitText("Thank you, Prince.")

	// On the job's page Marcus ticks Prince and four applicants he has not
	// texted yet, and texts them.
	marcus.Visit(marcus.URL())
	var untexted []string
	marcus.Evaluate(`Array.from(document.querySelectorAll("table.candidate-table tbody tr"))
  .filter(function (tr) { var a = tr.querySelector("a.sms-icon"); return a && a.title.indexOf("Text ") === 0; })
  .map(function (tr) { return tr.querySelector("th a").textContent.trim(); })`, &untexted)
	others := slices.DeleteFunc(slices.Clone(untexted), func(n string) bool { return n == "Prince" })
	if len(others) < 4 || !slices.Contains(untexted, "Prince") {
		t.Fatalf("opted-in applicants Marcus has not texted: %v", untexted)
	}
	chosen := append([]string{"Prince"}, others[:4]...)
	for _, name := range chosen {
		marcus.Check("Select " + name)
	}
	marcus.Click("Text selected")
	marcus.WaitText("5 of 5 selected can be texted")

	// He finds the company's template by searching, uses it, and the
	// composer counts the longest text any of the five will receive, as
	// the server's rule counts it.
	marcus.Fill("Templates", "interview")
	marcus.Click("Use template")
	if got := marcus.Value("Message"); !strings.HasPrefix(got, "Hi {FirstName|there}, this is {RecruiterFirstName}") {
		t.Fatalf("the composer holds %q after using the template", got)
	}
	longest := hiretext.CountSegments("")
	for _, name := range chosen {
		c := hiretext.CountSegments(interviewInvitation(firstName(name)))
		if c.Segments > longest.Segments || (c.Segments == longest.Segments && c.Characters > longest.Characters) {
			longest = c
		}
	}
	marcus.WaitText(fmt.Sprintf("Longest text: %d / 1600 characters · %d segment", longest.Characters, longest.Segments))

	// He previews Prince's text (the first in the list), then the next
	// candidate's.
	marcus.WaitText(interviewInvitation(""))
	marcus.Click("Preview as")
	marcus.Press("ArrowDown")
	marcus.WaitText(interviewInvitation(firstName(chosen[1])))

	// He sends; each phone gets its own text.
	marcus.Click("Send to 5")
	marcus.WaitText("Texts queued.")
	marcus.WaitText("5 texted · 5 selected")
	var phones map[string]string
	marcus.Evaluate(`Object.fromEntries(Array.from(document.querySelectorAll("#bulk-results tbody tr"))
  .map(function (tr) { return [tr.cells[0].textContent.trim(), tr.cells[1].textContent.trim()]; }))`, &phones)
	phone := app.page(t, "phone")
	for _, name := range chosen {
		if phones[name] == "" {
			t.Fatalf("no texting phone for %s on the results page: %v", name, phones)
		}
		openHandset(t, phone, phones[name])
		waitOnHandset(t, phone, interviewInvitation(firstName(name)))
	}
}

// firstName is a demo candidate's first name: the first word of their
// name, or "" for Prince, who has only one.
func firstName(name string) string {
	if name == "Prince" {
		return ""
	}
	return strings.Fields(name)[0]
}
