package main

// Conversations as a recruiter reads them: scrolled to the newest text, on
// the profile and in the dialog, as replies arrive; and a composer that
// cannot send looking like it.

import (
	"fmt"
	"testing"

	"github.com/hiretext/hiretext/internal/browsertest"
	"github.com/hiretext/hiretext/internal/demo"
	"github.com/hiretext/hiretext/internal/storetest"
)

// listView is where a message list is scrolled to.
type listView struct {
	Hidden   int // pixels of texts below the box's lower edge
	LastCut  int // pixels of the newest text below the box's lower edge
	Overflow int // pixels the texts are taller than the box
	Top      int // scrollTop
}

// messageList measures the first message list matching selector.
func messageList(t *testing.T, p *browsertest.Page, selector string) listView {
	t.Helper()
	var v listView
	p.Evaluate(fmt.Sprintf(`(function (l) {
  var box = l.getBoundingClientRect(), last = l.lastElementChild.getBoundingClientRect();
  return {hidden: Math.round(l.scrollHeight - l.scrollTop - l.clientHeight), lastCut: Math.round(last.bottom - box.bottom),
    overflow: l.scrollHeight - l.clientHeight, top: Math.round(l.scrollTop)};
})(document.querySelector(%q))`, selector), &v)
	return v
}

func TestBrowserConversationOpensAtNewestText(t *testing.T) {
	t.Parallel()
	app := startApp(t)
	const name, phone = "Sam Scroller", "(872) 555-0192"
	// Eight texts to one candidate who never answers: Dana turns the
	// demo's attempt limit off first.
	dana := app.page(t, "dana")
	loginAs(t, dana, danaEmail, demo.Password)
	dana.Visit("/admin/texting/send-windows")
	dana.Fill("Attempt limit", "0")
	dana.Click("Save send windows")
	dana.WaitText("Saved the send windows.")
	marcus := app.page(t, "marcus")
	loginAs(t, marcus, marcusEmail, demo.Password)
	marcus.WaitText("Welcome, " + marcusName)
	candidate := app.page(t, "candidate")
	candidate.Visit(applicationLink(t, marcus, "Forklift Operator"))
	apply(t, candidate, "Sam", "Scroller", "sam.scroller@example.com", "(773) 555-0191", phone)
	openProfile(t, marcus, "Scroller")
	for i := 1; i <= 8; i++ {
		marcus.Fill("Message", fmt.Sprintf("Text %d: the forklift shift starts at 6am on Monday; please bring your certification and boots.", i))
		marcus.Click("Send")
		waitSent(t, marcus, name)
	}
	const list = "#sms-history [data-message-list]"
	marcus.Visit(marcus.URL())
	marcus.WaitText("Text 8:")
	if v := messageList(t, marcus, list); v.Overflow <= 0 || v.Hidden > 1 || v.LastCut > 1 {
		t.Errorf("the profile's history opens with %+v: want it taller than its box, scrolled to the end, the newest text whole", v)
	}

	// A reply arrives while Marcus reads the end: the list stays there.
	handset := app.page(t, "phone")
	openHandset(t, handset, phone)
	reply := func(body string) {
		handset.Fill("Message", body)
		handset.Click("Send reply")
		handset.WaitText("Sent “" + body + "”")
		marcus.WaitText(body)
	}
	reply("Monday at 6 works for me.")
	if v := messageList(t, marcus, list); v.Hidden > 1 || v.LastCut > 1 {
		t.Errorf("after a reply arrived live, the history shows %+v: want the end, the reply whole", v)
	}

	// Reading older texts, he keeps his place when the next one arrives.
	// The page notes his place when the scroll event comes, with the next
	// frame. A listener added after the page's runs after it, so once it
	// has seen the event, the page has too.
	var top int
	marcus.Evaluate(`(function (l) {
  window.scrollSeen = false;
  document.addEventListener("scroll", function seen(event) {
    if (event.target !== l) { return; }
    window.scrollSeen = true;
    document.removeEventListener("scroll", seen, true);
  }, true);
  l.scrollTop = 40;
  return Math.round(l.scrollTop);
})(document.querySelector("`+list+`"))`, &top)
	storetest.Eventually(t, "the scroll event", func() bool {
		var seen bool
		marcus.Evaluate(`window.scrollSeen === true`, &seen)
		return seen
	})
	reply("Should I bring anything else?")
	if v := messageList(t, marcus, list); v.Top != top {
		t.Errorf("reading older texts (scrollTop %d), a reply moved the history to %+v", top, v)
	}

	// The dialog opens at the newest text too.
	marcus.Visit("/candidates?q=Scroller")
	marcus.Click("Open the conversation with " + name)
	marcus.WaitText("With " + name)
	if v := messageList(t, marcus, "dialog [data-message-list]"); v.Overflow <= 0 || v.Hidden > 1 || v.LastCut > 1 {
		t.Errorf("the conversation dialog opens with %+v: want it scrolled to the end, the newest text whole", v)
	}
}

// TestBrowserDialogFollowsTheSentText: after a send from the pool's
// dialog, the line under the composer follows the text's status as its
// bubble does (never "queued" under a delivered bubble), and the row's SMS
// icon says a conversation exists, without a reload.
func TestBrowserDialogFollowsTheSentText(t *testing.T) {
	t.Parallel()
	app := startApp(t)
	const name = "Lena Live"
	marcus := app.loggedIn(t, "marcus", marcusEmail, marcusName, 1280, 900)
	candidate := app.page(t, "candidate")
	candidate.Visit(applicationLink(t, marcus, "Forklift Operator"))
	apply(t, candidate, "Lena", "Live", "lena.live@example.com", "(773) 555-0195", "(872) 555-0196")

	marcus.Visit("/candidates?q=Live")
	marcus.Click("Text " + name + " (no texts yet)")
	marcus.WaitText("With " + name)
	marcus.Fill("Message", "Hi Lena, can we talk today?")
	marcus.Click("Send")
	storetest.EventuallyNil(t, storetest.Patience, "the dialog to say the text was delivered", func() error {
		var shown struct{ Note, Bubble string }
		marcus.Evaluate(`(function (d) {
  var s = d.querySelector("[data-message-list] [data-status]");
  return {note: d.querySelector("[data-dialog-note]").textContent, bubble: s ? s.textContent : ""};
})(document.querySelector("dialog"))`, &shown)
		if shown.Bubble != "Delivered" || shown.Note != "Text to "+name+": Delivered." {
			return fmt.Errorf("the bubble says %q, the line under the composer %q", shown.Bubble, shown.Note)
		}
		return nil
	})
	marcus.Click("Close")
	marcus.WaitText("Open the conversation with " + name)
	var popup string
	marcus.Evaluate(`document.querySelector(".candidate-table .sms-icon").getAttribute("aria-haspopup") || ""`, &popup)
	if popup != "dialog" {
		t.Errorf("the row's new SMS icon does not say it opens a dialog (aria-haspopup %q)", popup)
	}
}

func TestBrowserOptedOutComposerLooksDisabled(t *testing.T) {
	t.Parallel()
	app := startApp(t)
	const phone = "(872) 555-0194"
	marcus := app.page(t, "marcus")
	loginAs(t, marcus, marcusEmail, demo.Password)
	marcus.WaitText("Welcome, " + marcusName)
	candidate := app.page(t, "candidate")
	candidate.Visit(applicationLink(t, marcus, "Forklift Operator"))
	apply(t, candidate, "Otto", "Optout", "otto.optout@example.com", "(773) 555-0193", phone)
	openProfile(t, marcus, "Optout")
	type look struct{ Background, Cursor, SendBackground string }
	const measure = `(function (f) {
  var body = getComputedStyle(f.querySelector("textarea")), send = getComputedStyle(f.querySelector("[data-composer-send]"));
  return {background: body.backgroundColor, cursor: body.cursor, sendBackground: send.backgroundColor};
})(document.querySelector("#sms-history form[data-composer]"))`
	marcus.Fill("Message", "Hello Otto, are you free on Monday?")
	var enabled look
	marcus.Evaluate(measure, &enabled)
	marcus.Click("Send")
	waitSent(t, marcus, "Otto Optout")

	handset := app.page(t, "phone")
	openHandset(t, handset, phone)
	waitOnHandset(t, handset, "Hello Otto, are you free on Monday?")
	handset.Click("Send STOP")
	marcus.WaitText("This candidate has opted out of texts.")
	waitSendButton(t, marcus, "#sms-history", false)
	var disabled look
	marcus.Evaluate(measure, &disabled)
	if disabled.Background == enabled.Background || disabled.Cursor != "not-allowed" || disabled.SendBackground == enabled.SendBackground {
		t.Errorf("the opted-out candidate's message box looks %+v, as when it could send (%+v): want another background, "+
			"the not-allowed cursor and a Send button that is not the primary colour", disabled, enabled)
	}
}
