package main

// Texting journeys: numbers, the public application form, the profile's
// conversation and composer, the simulator phone, the live bell, opt-out by
// keyword, the allowance, the SMS Activity report and injection through texts.

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hiretext/hiretext/internal/browsertest"
	"github.com/hiretext/hiretext/internal/demo"
	"github.com/hiretext/hiretext/internal/storetest"
)

// Priya, the demo recruiter whose number is past 90% of its allowance.
const (
	priyaName  = "Priya Natarajan"
	priyaEmail = "priya.natarajan@acme-staffing.example"
)

// The journey's candidate. The demo's candidates have phones in area codes
// 312 and 773 ending in 0100…0144, and its numbers are in area code 312.
const (
	jordanName      = "Jordan Tester"
	jordanMainPhone = "(773) 555-0171"
	jordanTextPhone = "(872) 555-0172"
)

func TestBrowserTextingJourney(t *testing.T) {
	t.Parallel()
	app := startApp(t)
	dana := app.page(t, "dana")
	loginAs(t, dana, danaEmail, demo.Password)
	dana.WaitText("Welcome, " + danaName)

	// 1. The administrator adds two recruiters, generates a number and
	// assigns them both to it.
	dana.Click("Administration")
	recruiterPerms := []string{"Jobs", "Candidate pool", "Candidate profiles"}
	ritaPassword := addUser(t, dana, "Rita Recruiter", "rita.recruiter@acme-staffing.example", recruiterPerms...)
	samPassword := addUser(t, dana, "Sam Sourcer", "sam.sourcer@acme-staffing.example", recruiterPerms...)
	number := generateNumber(t, dana, "312")
	assignToNumber(t, dana, number, "Rita Recruiter")
	assignToNumber(t, dana, number, "Sam Sourcer")
	dana.WaitText("Unassign Rita Recruiter from " + number)

	// 2. A candidate applies on the public form, to be texted on their
	// alternate phone.
	candidate := app.page(t, "candidate")
	candidate.Visit(applicationLink(t, dana, "Forklift Operator"))
	apply(t, candidate, "Jordan", "Tester", "jordan.tester@example.com", jordanMainPhone, jordanTextPhone)
	candidate.WaitText("We may text you about it at " + jordanTextPhone)

	// 3. Recruiter A finds the candidate and texts them from the profile,
	// the composer counting characters and segments as she types.
	rita := app.page(t, "rita")
	loginAs(t, rita, "rita.recruiter@acme-staffing.example", ritaPassword)
	openProfile(t, rita, "Jordan")
	rita.WaitText("Opted in (alternate) " + jordanTextPhone)
	rita.Click("Text " + jordanName + " (no texts yet)") // the SMS icon leads to the profile's composer
	first := "Hi Jordan, this is Rita from Acme Staffing."
	rita.Type(first)
	if got, want := rita.Text("#sms-history [data-composer-count]"), "43 / 1600 characters · 1 segment (GSM-7)"; got != want {
		t.Errorf("after typing %q the composer counts %q, want %q", first, got, want)
	}
	more := " Thanks for applying to be a Forklift Operator: are you free for a quick call tomorrow at 10am? " +
		"We would love to hear about your certification and shifts."
	rita.Type(more)
	if got, want := rita.Text("#sms-history [data-composer-count]"), fmt.Sprintf("%d / 1600 characters · 2 segments (GSM-7)", len(first+more)); got != want {
		t.Errorf("after typing on, the composer counts %q, want %q", got, want)
	}
	rita.Click("Send")
	waitSent(t, rita, jordanName)
	rita.WaitText(first + more)
	rita.WaitText("Open the conversation with " + jordanName)

	// 4. The candidate's phone receives the text.
	phone := app.page(t, "phone")
	openHandset(t, phone, jordanTextPhone)
	waitOnHandset(t, phone, first+more)

	// 5. Both recruiters of the number sit on a page, Sam with his bell's
	// menu open; the reply lights their bells without a reload. Rita's
	// unsent search shows her page was not reloaded.
	sam := app.page(t, "sam")
	loginAs(t, sam, "sam.sourcer@acme-staffing.example", samPassword)
	sam.WaitText("Welcome, Sam Sourcer")
	sam.Click("No unread texts")
	sam.WaitText("No unread texts.")
	rita.Click("Candidates")
	rita.Fill("Search", "half-typed search")
	waitBell(t, rita, "")
	waitBell(t, sam, "")
	reply := "Yes, 10am works. See you then!"
	phone.Fill("Message", reply)
	phone.Click("Send reply")
	phone.WaitText("Sent “" + reply + "”")
	waitBell(t, rita, "1")
	waitBell(t, sam, "1")
	if got := rita.Value("Search"); got != "half-typed search" {
		t.Errorf("after the bell lit, Rita's search field holds %q: the page was reloaded", got)
	}

	// 6. Recruiter B opens the conversation from the bell; A's bell clears.
	sam.WaitText(jordanName + " " + reply) // in the menu he has open
	sam.Click(jordanName)
	sam.WaitText("Texts with " + jordanName)
	sam.WaitText(reply)
	waitBell(t, sam, "")
	waitBell(t, rita, "")
	if got := rita.Value("Search"); got != "half-typed search" {
		t.Errorf("after the bell cleared, Rita's search field holds %q: the page was reloaded", got)
	}

	// 7. The candidate texts STOP: the profile open on Rita's screen stops
	// her sending at once, and shows the candidate opted out, with the
	// consent history's new entry, without a reload.
	openProfile(t, rita, "Jordan")
	rita.WaitText(reply)
	rita.Fill("Message", "One more thing")
	waitSendButton(t, rita, "#sms-history", true)
	phone.Click("Send STOP")
	rita.WaitText("This candidate has opted out of texts.")
	waitSendButton(t, rita, "#sms-history", false)
	rita.WaitText("SMS: Opted Out")
	rita.WaitGone("Open the conversation with " + jordanName)
	rita.WaitGone("Text " + jordanName)
	rita.WaitText("Opt-out keyword")
	unsubscribed := "You're unsubscribed from Acme Staffing texts. No more messages will be sent. Reply START to resubscribe."
	waitOnHandset(t, phone, unsubscribed)

	// 8. The allowance: see TestBrowserAllowanceBannerAndLimit.
	// 9. The SMS Activity report lists every text of the journey.
	t.Run("SMSActivityReport", func(t *testing.T) {
		smsActivityReport(t, app, []reportText{
			{jordanName, "Outbound", first + more}, {jordanName, "Inbound", reply},
			{jordanName, "Inbound", "STOP"}, {jordanName, "Outbound", unsubscribed},
		})
	})
}

func TestBrowserAllowanceBannerAndLimit(t *testing.T) {
	t.Parallel()
	app := startApp(t)
	p := app.page(t, "priya")
	loginAs(t, p, priyaEmail, demo.Password)
	p.WaitText("Welcome, " + priyaName)
	// The demo's Priya has used over 90% of her number's allowance; the
	// operator raises it so that her next text crosses 90% again.
	banner := p.Text(".allowance-banner")
	notices := bellNotices(p) // the demo's alert at 90%, not yet dismissed
	number, used := phoneIn(t, banner), countIn(t, banner, `(\d+) of \d+ messages`)
	allowance := (used + 1) * 10 / 9 // the largest allowance of which used+1 is 90%
	app.setAllowance(t, number, allowance)
	p.Click("Candidates")
	p.WaitGone("of its monthly allowance")

	p.Fill("Search", "Ana García")
	p.Press("Enter")
	p.Click("Open the conversation with Ana García") // she had the open-house announcement
	p.WaitText("With Ana García")
	p.Fill("Message", "Hi Ana, this is Priya from Acme Staffing. Do you have a minute to talk today?")
	p.Click("Send")
	// The dialog stays open: the text joins the conversation and the
	// message box is empty for the next one.
	waitSent(t, p, "Ana García")
	p.WaitText(fmt.Sprintf("has used 90%% of its monthly allowance: %d of %d messages", used+1, allowance))
	p.WaitText("Do you have a minute to talk today?")
	if got := p.Value("Message"); got != "" {
		t.Errorf("after sending, the dialog's message box holds %q, want it empty", got)
	}

	// Her text is delivered: its statuses no longer refresh the page, so
	// what follows can only reach it through the operator's change.
	waitLastStatus(t, p, "dialog", "Delivered")

	// While she writes the next one, the operator lowers the allowance to
	// what is used: the banner and her Send button follow at once, and
	// her draft stays.
	draft := "Or tomorrow morning?"
	p.Fill("Message", draft)
	waitSendButton(t, p, "dialog", true)
	app.setAllowance(t, number, used+1)
	p.WaitText(fmt.Sprintf("has used its whole monthly allowance (%d of %d messages)", used+1, used+1))
	p.WaitText("The number's monthly allowance is used up")
	waitSendButton(t, p, "dialog", false)
	if got := p.Value("Message"); got != draft {
		t.Errorf("after the allowance ran out the draft reads %q, want %q kept", got, draft)
	}

	// The alert at the maximum is a notification too: it lights the bell.
	waitBellNotices(t, p, notices+1)

	// Raised again while the dialog is open: no threshold is crossed, yet
	// the banner goes and Send comes back, the draft still there.
	app.setAllowance(t, number, used+10)
	p.WaitGone("has used its whole monthly allowance")
	waitSendButton(t, p, "dialog", true)
	if got := p.Value("Message"); got != draft {
		t.Errorf("after the allowance was raised the draft reads %q, want %q kept", got, draft)
	}
	app.setAllowance(t, number, used+1)
	waitSendButton(t, p, "dialog", false)

	// She dismisses the notification from the bell, where it is listed
	// first; the page stays as it was.
	p.Click("Close")
	p.Fill("Search", "half-typed search")
	p.Click(".bell summary")
	p.WaitText("used its whole monthly allowance in")
	p.Click(".bell .notice:first-child [data-dismiss] button")
	waitBellNotices(t, p, notices)
	p.WaitGone("used its whole monthly allowance in")
	if got := p.Value("Search"); got != "half-typed search" {
		t.Errorf("after dismissing the notification the search field holds %q: the page was reloaded", got)
	}

	// Opened afresh, the conversation cannot send either.
	p.Visit(p.URL())
	p.Click("Open the conversation with Ana García")
	p.WaitText("The number's monthly allowance is used up")
	waitSendButton(t, p, "dialog", false)
}

func TestBrowserInjectedTextsShowAsText(t *testing.T) {
	t.Parallel()
	app := startApp(t)
	marcus := app.page(t, "marcus")
	loginAs(t, marcus, marcusEmail, demo.Password)
	marcus.WaitText("Welcome, " + marcusName)
	candidate := app.page(t, "candidate")
	candidate.Visit(applicationLink(t, marcus, "Forklift Operator"))
	apply(t, candidate, browsertest.XSSPayload, "Tester", "mallory.tester@example.com", "(773) 555-0181", "(872) 555-0182")
	candidate.NoScriptRan()
	name := browsertest.XSSPayload + " Tester"

	// Marcus texts the candidate from the conversation dialog.
	marcus.Click("Candidates")
	marcus.Fill("Search", "mallory.tester")
	marcus.Press("Enter")
	marcus.WaitText(name + " mallory.tester@example.com")
	marcus.NoScriptRan()
	marcus.Click("Text " + name)
	marcus.Fill("Message", "Hello from Acme Staffing!")
	marcus.Click("Send")
	waitSent(t, marcus, name)
	marcus.Click("Close")

	// The reply carries the payload too, and lights Marcus's bell.
	unread := countIn(t, marcus.Text(".bell summary"), `^(\d+)$`) // the demo's replies
	phone := app.page(t, "phone")
	openHandset(t, phone, "(872) 555-0182")
	waitOnHandset(t, phone, "Hello from Acme Staffing!")
	reply := "Sure! " + browsertest.XSSPayload
	phone.Fill("Message", reply)
	phone.Click("Send reply")
	waitOnHandset(t, phone, reply)
	phone.NoScriptRan()
	waitBell(t, marcus, strconv.Itoa(unread+1))

	// The bell dropdown, the inbox, the conversation, the dialog and the
	// profile all show it as text.
	marcus.Click(".bell summary")
	marcus.WaitText(name + " " + reply)
	marcus.NoScriptRan()
	marcus.Click("Open the inbox")
	marcus.WaitText(name + " " + reply)
	marcus.NoScriptRan()
	marcus.Click(name)
	marcus.WaitText("Texts with " + name)
	marcus.WaitText(reply)
	marcus.NoScriptRan()
	marcus.Click(name) // the breadcrumb to the profile
	marcus.WaitText("SMS Message History")
	marcus.WaitText(reply)
	if h1 := marcus.Text("h1"); h1 != name {
		t.Errorf("profile heading = %q, want the name as text", h1)
	}
	marcus.NoScriptRan()
	marcus.Visit("/candidates?q=mallory.tester")
	marcus.Click("Open the conversation with " + name)
	marcus.WaitText("With " + name)
	marcus.WaitText(reply)
	marcus.NoScriptRan()
}

// smsActivityReport checks, as the administrator, that Reports → SMS
// Activity lists the texts, and that its CSV download holds each of them with
// its candidate and direction.
func smsActivityReport(t *testing.T, app *app, texts []reportText) {
	t.Helper()
	if !app.routeExists(t, "/reports/sms-activity") {
		t.Skip("GET /reports/sms-activity answers 404: the SMS Activity report is not built yet")
	}
	p := app.page(t, "dana-report")
	loginAs(t, p, danaEmail, demo.Password)
	p.Click("Reports")
	p.WaitText("SMS Activity")
	for _, text := range texts {
		p.WaitText(text.Body)
	}
	p.NoScriptRan()
	name, data := p.Download("CSV")
	if !strings.HasSuffix(name, ".csv") {
		t.Errorf("the CSV downloads as %q", name)
	}
	rows := csvRecords(t, data)
	for _, text := range texts {
		if !slices.ContainsFunc(rows, func(r map[string]string) bool {
			return r["Message text"] == text.Body && r["Candidate"] == text.Candidate && r["Direction"] == text.Direction
		}) {
			t.Errorf("the CSV has no row for %+v; its rows:\n%s", text, data)
		}
	}
}

// reportText is a text as the SMS Activity report lists it.
type reportText struct {
	Candidate, Direction, Body string
}

// csvRecords parses a CSV file with a header row into one map per record.
func csvRecords(t *testing.T, data []byte) []map[string]string {
	t.Helper()
	all, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF")))).ReadAll()
	if err != nil || len(all) == 0 {
		t.Fatalf("the CSV does not parse: %v\n%s", err, data)
	}
	var out []map[string]string
	for _, rec := range all[1:] {
		m := map[string]string{}
		for i, h := range all[0] {
			if i < len(rec) {
				m[h] = rec[i]
			}
		}
		out = append(out, m)
	}
	return out
}

// applicationLink opens the job called title from Jobs and returns its
// public application link.
func applicationLink(t *testing.T, p *browsertest.Page, title string) string {
	t.Helper()
	p.Click("Jobs")
	p.Click(title)
	return p.Value("Application link")
}

// phoneIn returns the first US phone number written in text, in E.164.
func phoneIn(t *testing.T, text string) string {
	t.Helper()
	m := regexp.MustCompile(`\((\d{3})\) (\d{3})-(\d{4})`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no phone number in %q", text)
	}
	return "+1" + m[1] + m[2] + m[3]
}

// countIn returns the number that the first group of the regular expression
// re matches in text.
func countIn(t *testing.T, text, re string) int {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("%q does not match %s", text, re)
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		t.Fatalf("%q in %q: %v", m[1], text, err)
	}
	return n
}

// waitSent waits until the page says the text to name went. A page's
// composer says "Text to Ann Lee queued."; the dialog's line then follows the
// text ("Text to Ann Lee: Delivered."), which on a fast delivery replaces
// "queued." before a check sees it, so only the words both share are waited
// for. What became of the text is each test's own check.
func waitSent(t *testing.T, p *browsertest.Page, name string) {
	t.Helper()
	p.WaitText("Text to " + name)
}

// numbersMenuLink is Administration's link to Text Message Numbers: a
// user's page also links there, in its sentence about the number they text
// from, so the words alone name two links.
const numbersMenuLink = `.subnav a[href="/admin/numbers"]`

// generateNumber generates a number in areaCode on Administration → Text
// Message Numbers, picking the second number offered, and returns it as
// displayed.
func generateNumber(t *testing.T, p *browsertest.Page, areaCode string) string {
	t.Helper()
	p.Click(numbersMenuLink)
	p.Fill("Area code", areaCode)
	p.Click("Find numbers")
	p.WaitText("Step 2 of 3 · pick one of the numbers offered in area code " + areaCode)
	number := p.Text("label.offer:nth-of-type(2) .offer-number")
	p.Check(number)
	p.Click("Continue")
	p.WaitText("Add " + number + "?")
	p.Click("Add " + number)
	p.WaitText(number)
	return number
}

// assignToNumber assigns the user called name to number on Administration →
// Text Message Numbers.
func assignToNumber(t *testing.T, p *browsertest.Page, number, name string) {
	t.Helper()
	p.Click(numbersMenuLink)
	p.Click("Assign user to " + number)
	p.WaitText("Assign a user to " + number)
	p.Click("Assign " + name)
	p.WaitText(name + " now texts from " + number + ".")
}

// apply fills in and submits the public application form shown on p,
// agreeing to texts on the alternate phone.
func apply(t *testing.T, p *browsertest.Page, first, last, email, mainPhone, textPhone string) {
	t.Helper()
	p.Fill("First name", first)
	p.Fill("Last name", last)
	p.Fill("Email", email)
	p.Fill("Main phone", mainPhone)
	p.Fill("Alternate phone", textPhone)
	p.Check("Yes, text my alternate phone")
	p.Click("Submit application")
	p.WaitText("Your application has been received.")
}

// openProfile searches Candidates for query and opens the one candidate
// found.
func openProfile(t *testing.T, p *browsertest.Page, query string) {
	t.Helper()
	p.Click("Candidates")
	p.Fill("Search", query)
	p.Press("Enter")
	p.Click("View profile")
	p.WaitText("Consent history")
}

// openHandset opens the simulator phone with the number phone.
func openHandset(t *testing.T, p *browsertest.Page, phone string) {
	t.Helper()
	p.Visit("/simulator")
	p.Fill("Phone number", phone)
	p.Click("Open")
	p.WaitText("Messages on " + phone)
}

// waitOnHandset reloads the simulator phone until it shows text: the page
// is a plain one, without live updates.
func waitOnHandset(t *testing.T, p *browsertest.Page, text string) {
	t.Helper()
	storetest.EventuallyNil(t, storetest.Patience, fmt.Sprintf("the simulator phone to receive %q", text), func() error {
		shown := p.Text("main")
		if strings.Contains(shown, strings.Join(strings.Fields(text), " ")) {
			return nil
		}
		p.Click("Reload")
		return fmt.Errorf("it shows: %s", shown)
	})
}

// waitBell waits until the bell in p's top bar shows count ("" for none).
// The page is not reloaded: only its live updates can change the bell.
func waitBell(t *testing.T, p *browsertest.Page, count string) {
	t.Helper()
	storetest.EventuallyNil(t, storetest.Patience, fmt.Sprintf("the bell to show %q", count), func() error {
		if got := p.Text(".bell summary"); got != count {
			return fmt.Errorf("page %s: the bell shows %q", p.URL(), got)
		}
		return nil
	})
}

// bellNotices counts the notifications listed in the bell.
func bellNotices(p *browsertest.Page) int {
	var n int
	p.Evaluate(`document.querySelectorAll(".bell .notice").length`, &n)
	return n
}

// waitBellNotices waits until the bell lists n notifications, and is lit
// by them when there are any.
func waitBellNotices(t *testing.T, p *browsertest.Page, n int) {
	t.Helper()
	storetest.EventuallyNil(t, storetest.Patience, fmt.Sprintf("the bell to list %d notifications", n), func() error {
		var lit bool
		p.Evaluate(`!!document.querySelector(".bell-lit [data-bell-notices]")`, &lit)
		if got := bellNotices(p); got != n || lit != (n > 0) {
			return fmt.Errorf("it lists %d, lit by them: %v", got, lit)
		}
		return nil
	})
}

// waitLastStatus waits until the newest text of the conversation in scope
// (a CSS selector) shows status.
func waitLastStatus(t *testing.T, p *browsertest.Page, scope, status string) {
	t.Helper()
	storetest.EventuallyNil(t, storetest.Patience, fmt.Sprintf("the newest text to show %q", status), func() error {
		if got := p.Text(scope + " [data-message-list] > li:last-child [data-status]"); got != status {
			return fmt.Errorf("it shows %q", got)
		}
		return nil
	})
}

// waitSendButton waits until the Send button of the composer in scope (a
// CSS selector) is enabled, or disabled.
func waitSendButton(t *testing.T, p *browsertest.Page, scope string, enabled bool) {
	t.Helper()
	state := ":disabled"
	if enabled {
		state = ":enabled"
	}
	p.Text(scope + " [data-composer-send]" + state)
}

// routeExists reports whether the server has a page at path: an anonymous
// request gets a 404 only for paths no route serves.
func (a *app) routeExists(t *testing.T, path string) bool {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(a.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode != http.StatusNotFound
}

// setAllowance sets number's monthly allowance with the operator command,
// as an operator would beside the running server.
func (a *app) setAllowance(t *testing.T, number string, monthly int) {
	t.Helper()
	out, stderr, err := runCmd(t, "", nil, "admin", "allowance", "set", "--number", number,
		"--monthly", strconv.Itoa(monthly), "--database", a.DB)
	if err != nil {
		t.Fatalf("hiretext admin allowance set --number %s --monthly %d: %v\n%s%s", number, monthly, err, out, stderr)
	}
}
