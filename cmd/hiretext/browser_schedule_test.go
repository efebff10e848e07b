package main

// Send later: a bulk send scheduled tonight for tomorrow morning, seen and
// partly canceled in Scheduled texts, arriving on the simulator at the
// minute shown. The server runs by a clock the journey moves.

import (
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hiretext/hiretext/internal/browsertest"
)

// movedClock is the real time moved by an offset the journey sets: time
// still passes (the simulator's steps and the dispatcher's pace need it),
// and the journey jumps to the minute it waits for instead of waiting.
type movedClock struct{ offset atomic.Int64 }

// Now is the moved time.
func (c *movedClock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

// Set moves the clock so that it shows t now.
func (c *movedClock) Set(t time.Time) { c.offset.Store(int64(time.Until(t))) }

// TestBrowserScheduledBulkSend: at 9:30 PM Marcus selects three applicants
// on a job's page and texts them "Send later" at 9:00 AM tomorrow; the
// composer says so for each before he sends. The results say each text is scheduled for 9:00 AM; Scheduled texts lists the
// three, and he cancels one. When the clock reaches 9:00 the other two
// arrive on the simulator, stamped in the minute shown (not before: the
// clock stood two seconds short of it first), and the canceled one never
// does.
func TestBrowserScheduledBulkSend(t *testing.T) {
	t.Parallel()
	chicago, err := time.LoadLocation("America/Chicago") // the demo company's time zone, and its candidates' phones'
	if err != nil {
		t.Fatal(err)
	}
	y, m, d := time.Now().In(chicago).Date()
	tonight := time.Date(y, m, d, 21, 30, 0, 0, chicago)
	morning := time.Date(y, m, d+1, 9, 0, 0, 0, chicago)
	clock := &movedClock{}
	clock.Set(tonight)
	app := startAppAt(t, clock.Now)
	p := app.loggedIn(t, "marcus", marcusEmail, marcusName, 1280, 900)

	// 1. From the job's page, three applicants, Send later at 9:00 tomorrow.
	names := []string{"Emily Nguyen", "Noah Kim", "Ava Martinez"}
	canceled := names[1]
	p.Click("Jobs")
	p.Click("Customer Service Representative")
	p.WaitText("Share this link with candidates")
	for _, name := range names {
		p.Check("Select " + name)
	}
	p.Click("Text selected")
	p.WaitText("Text selected candidates")
	p.WaitText("3 of 3 selected can be texted")
	body := "Good morning {FirstName}, Acme Staffing here: can we talk about the Customer Service role today?"
	p.Fill("Message", body)
	p.Click("Send later")
	// Before sending, the composer says when each text goes, and follows
	// the time as it changes: 8:00 first, then 9:00.
	setValue(t, p, "composer-send-at-bulk", morning.Add(-time.Hour).Format(sendLaterLayout))
	p.WaitText("This will be sent at 8:00 AM tomorrow, Emily's time.")
	setValue(t, p, "composer-send-at-bulk", morning.Format(sendLaterLayout))
	for _, name := range names {
		first, _, _ := strings.Cut(name, " ")
		p.WaitText("This will be sent at 9:00 AM tomorrow, " + first + "'s time.")
	}
	p.WaitGone("8:00 AM tomorrow")
	p.Click("Send to 3")
	p.WaitText("Texts sent")
	scheduled := "Scheduled · 9:00 AM " + morning.Format("Jan 2") + ", their time"
	phones := map[string]string{}
	for _, name := range names {
		row := rowWith(t, p, "#bulk-results tbody tr", name)
		if !strings.Contains(row, scheduled) {
			t.Errorf("the results show %q, want %q", row, scheduled)
		}
		phones[name] = usPhone.FindString(row)
	}

	// 2. Scheduled texts, under the Inbox: the three, at 9:00 AM tomorrow.
	p.Click("Inbox")
	p.Click("Scheduled texts")
	p.WaitText("your texts waiting for their minute")
	shown := morning.Format("Jan 2, 2006 3:04 PM MST")
	for _, name := range names {
		row := rowWith(t, p, "#scheduled-list tbody tr", name)
		if !strings.Contains(row, scheduled) || !strings.Contains(row, shown+" · Scheduled") {
			t.Errorf("Scheduled texts shows %q, want %q and %q", row, scheduled, shown)
		}
	}

	// 3. He cancels one candidate's text.
	p.Click("Cancel the text to " + canceled)
	p.WaitText("Canceled. The text will not be sent.")
	if got := p.Text("#scheduled-list tbody"); strings.Contains(got, canceled) || strings.Count(got, scheduled) != 2 {
		t.Errorf("after canceling, Scheduled texts shows %q: want the other two only", got)
	}

	// 4. The night passes: the clock stands two seconds before 9:00, then
	// reaches it. The two texts arrive in the 9:00 minute.
	clock.Set(morning.Add(-2 * time.Second))
	phone := app.page(t, "phones")
	for _, name := range names {
		if name == canceled {
			continue
		}
		first, _, _ := strings.Cut(name, " ")
		text := strings.ReplaceAll(body, "{FirstName}", first)
		openHandset(t, phone, phones[name])
		waitOnHandset(t, phone, text)
		if at := arrivalOf(t, phone, text); at.Before(morning) || !at.Before(morning.Add(time.Minute)) {
			t.Errorf("%s's text arrived at %s, want in the minute of %s", name, at.In(chicago), morning)
		}
	}

	// 5. The canceled text never goes: the company's Scheduled texts, as
	// the administrator sees them in the morning, is empty (the other two
	// went in the same release) and the phone has no such text.
	dana := app.loggedIn(t, "dana", danaEmail, danaName, 1280, 900)
	dana.Visit("/scheduled")
	dana.WaitText("the company's texts waiting for their minute")
	dana.WaitText("No texts are waiting.")
	openHandset(t, phone, phones[canceled])
	if got := phone.Text("main"); strings.Contains(got, "Good morning Noah") {
		t.Errorf("the canceled text reached %s: %s", canceled, got)
	}
}

// usPhone finds a US phone number as pages show it.
var usPhone = regexp.MustCompile(`\(\d{3}\) \d{3}-\d{4}`)

// sendLaterLayout is how a datetime-local field writes a time.
const sendLaterLayout = "2006-01-02T15:04"

// rowWith returns the text of the one row of the table rows (a CSS
// selector) that names name.
func rowWith(t *testing.T, p *browsertest.Page, rows, name string) string {
	t.Helper()
	var found []string
	p.Evaluate(fmt.Sprintf(`Array.prototype.map.call(document.querySelectorAll(%q), function (r) {
  return r.innerText.replace(/\s+/g, " ").trim(); })`, rows), &found)
	var out []string
	for _, r := range found {
		if strings.Contains(r, name) {
			out = append(out, r)
		}
	}
	if len(out) != 1 {
		t.Fatalf("%d rows of %s name %s: %q", len(out), rows, name, found)
	}
	return out[0]
}

// arrivalOf reads the time the simulator phone on p shows for text.
func arrivalOf(t *testing.T, p *browsertest.Page, text string) time.Time {
	t.Helper()
	var iso string
	p.Evaluate(fmt.Sprintf(`(function (text) {
  var b = Array.prototype.find.call(document.querySelectorAll("main li"), function (li) {
    return li.innerText.replace(/\s+/g, " ").includes(text); });
  var at = b && b.querySelector("time");
  return at ? at.getAttribute("datetime") : ""; })(%q)`, text), &iso)
	at, err := time.Parse(time.RFC3339, iso)
	if err != nil {
		t.Fatalf("the simulator shows no time for %q: %q", text, iso)
	}
	return at
}
