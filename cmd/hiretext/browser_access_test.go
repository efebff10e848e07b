package main

// Who reads texts, as people on one number see it: texting needs both the
// Candidate Pool and Candidate profiles beside the assignment, whatever page
// a text would start from.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hiretext/hiretext/internal/browsertest"
	"github.com/hiretext/hiretext/internal/demo"
)

// textsHint is what the user form says about the permissions texting needs.
const textsHint = "Texting candidates from a number, and reading its conversations, needs both Candidate pool and Candidate profiles."

// demoReply is a demo candidate's answer to Marcus's text.
const demoReply = "Yes! Any time after 2pm works for me."

// TestBrowserTextsNeedPoolAndProfiles: the administrator puts two users on
// Marcus's number, one with only Jobs and one with only Candidate profiles,
// the user form telling her what texting needs. On the Job Posting page
// where Marcus has the SMS icons, Text selected and the inbox, the Jobs-only
// user has none of them; on the profile where Marcus reads the candidate's
// reply, the profiles-only user finds no SMS Message History, and the
// conversation's page refuses them, naming the permission they lack.
func TestBrowserTextsNeedPoolAndProfiles(t *testing.T) {
	t.Parallel()
	app := startApp(t)
	dana := app.page(t, "dana")
	loginAs(t, dana, danaEmail, demo.Password)
	dana.Click("Administration")
	dana.WaitText("people who can log in to Acme Staffing")
	permissionsSayTexting(t, dana)
	const jobsName, jobsEmail = "Jo Jobs", "jo.jobs@acme-staffing.example"
	const profilesName, profilesEmail = "Pat Profiles", "pat.profiles@acme-staffing.example"
	jobsPassword := addUser(t, dana, jobsName, jobsEmail, "Jobs")
	profilesPassword := addUser(t, dana, profilesName, profilesEmail, "Candidate profiles")
	dana.Click("Edit " + jobsName)
	dana.WaitText(jobsEmail + " · Active")
	permissionsSayTexting(t, dana)
	number := numberOf(t, dana, marcusName)
	assignToNumber(t, dana, number, jobsName)
	assignToNumber(t, dana, number, profilesName)

	// Marcus, on the same number with all three permissions, opens the
	// conversation the reply came in, the candidate's profile and the job
	// they applied to.
	marcus := app.page(t, "marcus")
	loginAs(t, marcus, marcusEmail, demo.Password)
	marcus.WaitText("Welcome, " + marcusName)
	marcus.Visit("/inbox")
	marcus.Click(demoReply)
	candidate, ok := strings.CutPrefix(marcus.Text("h1"), "Texts with ")
	if !ok {
		t.Fatalf("the inbox's conversation is headed %q", marcus.Text("h1"))
	}
	marcus.Click(candidate) // the breadcrumb to the profile
	marcus.WaitText("SMS Message History")
	marcus.WaitText(demoReply)
	profile := marcus.URL()
	job := marcus.Text(`[aria-labelledby="apps-title"] tbody a`)
	openJob(t, marcus, job, candidate)
	if got := textingOffers(marcus, candidate); !got.TextSelected || got.Icons == 0 || !got.Conversation || !got.Inbox {
		t.Fatalf("on %s Marcus is offered %+v: want Text selected, the inbox and the SMS icons, one opening the conversation with %s",
			job, got, candidate)
	}

	// The Jobs-only user sees the same applicants and may download them,
	// but is offered no way to text them.
	jobsOnly := app.page(t, "jobs-only")
	loginAs(t, jobsOnly, jobsEmail, jobsPassword)
	jobsOnly.WaitText("Welcome, " + jobsName)
	openJob(t, jobsOnly, job, candidate)
	jobsOnly.WaitText("Download CSV")
	if got := textingOffers(jobsOnly, candidate); got != (offers{}) {
		t.Errorf("on %s a user with only Jobs is offered %+v: want no Text selected, SMS icon or inbox", job, got)
	}

	// The profiles-only user opens the profile Marcus has open: no texts,
	// and the conversation's own page refuses them.
	profilesOnly := app.page(t, "profiles-only")
	loginAs(t, profilesOnly, profilesEmail, profilesPassword)
	profilesOnly.WaitText("Welcome, " + profilesName)
	profilesOnly.Visit(profile)
	profilesOnly.WaitText("Consent history")
	if h1 := profilesOnly.Text("h1"); h1 != candidate {
		t.Fatalf("the profile is headed %q, want %q", h1, candidate)
	}
	page := profilesOnly.Text("")
	if history, reply := strings.Contains(page, "SMS Message History"), strings.Contains(page, demoReply); history || reply {
		t.Errorf("a user with only Candidate profiles opens %s's profile: it shows the SMS Message History: %v, the reply: %v",
			candidate, history, reply)
	}
	if got := textingOffers(profilesOnly, candidate); got != (offers{}) {
		t.Errorf("a user with only Candidate profiles is offered %+v on the profile: want no SMS icon or inbox", got)
	}
	profilesOnly.Visit(profile + "/conversation")
	profilesOnly.WaitText(`Texts with candidates need the "Candidate pool" and "Candidate profiles" permissions; ` +
		`you do not have the "Candidate pool" permission.`)
	if page := profilesOnly.Text(""); strings.Contains(page, demoReply) {
		t.Error("the refused conversation page shows the reply")
	}
}

// permissionsSayTexting checks that the user form on p says, beside the
// permissions, which of them texting needs.
func permissionsSayTexting(t *testing.T, p *browsertest.Page) {
	t.Helper()
	if got := p.Text("fieldset:has(input[name=permissions])"); !strings.Contains(got, textsHint) {
		t.Errorf("the user form's permissions read %q, want them to say %q", got, textsHint)
	}
}

// numberOf returns, as displayed, the number that the user called name
// texts from, read on Administration → Text Message Numbers.
func numberOf(t *testing.T, p *browsertest.Page, name string) string {
	t.Helper()
	p.Click(numbersMenuLink)
	p.WaitText(name)
	var number string
	p.Evaluate(fmt.Sprintf(`(function (name) {
  var row = Array.prototype.find.call(document.querySelectorAll(".numbers-table tbody tr"), function (r) {
    var users = r.querySelector(".number-users");
    return users && users.innerText.indexOf(name) >= 0;
  });
  return row ? row.querySelector(".number-phone").innerText.trim() : "";
})(%q)`, name), &number)
	if number == "" {
		t.Fatalf("no number lists %s among its users", name)
	}
	return number
}

// openJob opens the job called title from Jobs and waits for its applicant
// called applicant.
func openJob(t *testing.T, p *browsertest.Page, title, applicant string) {
	t.Helper()
	p.Click("Jobs")
	p.Click(title)
	p.WaitText("Share this link with candidates")
	p.WaitText(applicant)
}

// offers is what a page offers for texting candidates.
type offers struct {
	TextSelected bool // the bulk bar's Text selected button
	Icons        int  // SMS icons
	Conversation bool // an SMS icon opens the conversation with the candidate named
	Inbox        bool // a link to the inbox (the bell's, the top bar's)
}

// textingOffers reads what the page shown on p offers for texting, the
// conversation with candidate included.
func textingOffers(p *browsertest.Page, candidate string) offers {
	var o offers
	p.Evaluate(fmt.Sprintf(`(function (name) {
  return {
    textSelected: Array.prototype.some.call(document.querySelectorAll("button"), function (b) { return b.innerText.trim() === "Text selected"; }),
    icons: document.querySelectorAll(".sms-icon").length,
    conversation: Array.prototype.some.call(document.querySelectorAll(".sms-icon"), function (a) { return a.title === "Open the conversation with " + name; }),
    inbox: !!document.querySelector('a[href="/inbox"]')
  };
})(%q)`, candidate), &o)
	return o
}
