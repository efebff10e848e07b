package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/hiretext/hiretext/internal/demo"
)

// TestBrowserScheduleIntoNextMonthAtTheMaximum: Priya's number has used
// its whole allowance. The conversation says so and Send is disabled for
// sending now, but she can pick a Send-later time next month: the
// composer then shows next month's allowance and lets her send, and the
// text is scheduled. Back to a time this month, Send is disabled again.
func TestBrowserScheduleIntoNextMonthAtTheMaximum(t *testing.T) {
	t.Parallel()
	chicago, err := time.LoadLocation("America/Chicago") // the demo company's time zone
	if err != nil {
		t.Fatal(err)
	}
	app := startApp(t)
	p := app.page(t, "priya")
	loginAs(t, p, priyaEmail, demo.Password)
	p.WaitText("Welcome, " + priyaName)
	banner := p.Text(".allowance-banner")
	number, used := phoneIn(t, banner), countIn(t, banner, `(\d+) of \d+ messages`)
	app.setAllowance(t, number, used)

	p.Click("Candidates")
	p.Fill("Search", "Ana García")
	p.Press("Enter")
	p.Click("Open the conversation with Ana García")
	p.WaitText("The number's monthly allowance is used up")
	p.Fill("Message", "Hi Ana, shall we meet early next month?")
	waitSendButton(t, p, "dialog", false)

	now := time.Now().In(chicago)
	next := time.Date(now.Year(), now.Month()+1, 3, 10, 0, 0, 0, chicago)
	setValue(t, p, "composer-send-at-single", next.Format(sendLaterLayout))
	p.WaitText(fmt.Sprintf("%s: 0 of %d used, none scheduled yet.", next.Format("January 2006"), used))
	waitSendButton(t, p, "dialog", true)
	if later := now.Add(time.Hour); later.Month() == now.Month() { // not in this month's last hour
		setValue(t, p, "composer-send-at-single", later.Format(sendLaterLayout))
		waitSendButton(t, p, "dialog", false)
		setValue(t, p, "composer-send-at-single", next.Format(sendLaterLayout))
		waitSendButton(t, p, "dialog", true)
	}
	p.Click("Send")
	p.WaitText("Text to Ana García scheduled.")
}
