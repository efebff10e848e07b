package main

// Email when a candidate waits: the away-reply email read off a real SMTP
// server, its link followed, and the answer seen live by the number's
// other user. The server runs by a clock the journey moves, so the away
// rule's two minutes pass at once.

import (
	"fmt"
	netmail "net/mail"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/browsertest"
	"github.com/hiretext/hiretext/internal/demo"
	"github.com/hiretext/hiretext/internal/mail/mailtest"
	"github.com/hiretext/hiretext/internal/storetest"
)

// TestBrowserAwayReplyEmailLeadsToTheAnswer is issue 18's first journey:
// Marcus texts a candidate and closes his browser; Priya, whom Dana put on
// his number, keeps her Inbox open on Needs reply. The candidate replies on
// the simulator and Priya's list shows it live. Within 3 minutes (the
// clock is moved, not waited for) an email with a link reaches the test
// SMTP server for Marcus; he follows it in a new browser, logs in, lands
// on the conversation and answers; Priya's list drops the conversation
// and counts one fewer, without a reload. At a desktop's and a phone's
// width.
func TestBrowserAwayReplyEmailLeadsToTheAnswer(t *testing.T) {
	t.Parallel()
	for _, w := range widths {
		t.Run(w.name, func(t *testing.T) {
			t.Parallel()
			awayReplyJourney(t, w)
		})
	}
}

func awayReplyJourney(t *testing.T, w viewport) {
	const (
		first, last = "Rosa", "Away"
		name        = first + " " + last
		handsetNo   = "(872) 555-0174"
		question    = "Is the forklift job still open?"
		answer      = "Yes it is! Can you come in Monday at 9?"
	)
	smtp := mailtest.New(t, func(s *mailtest.Server) { s.NoTLS = true }) // a relay on this machine: ?tls=none
	clock := &movedClock{}
	app := startAppWith(t, clock.Now, map[string]string{
		"HIRETEXT_SMTP_URL":  "smtp://hiretext:secret@127.0.0.1:" + smtp.Port() + "?tls=none",
		"HIRETEXT_MAIL_FROM": "hiretext <hiretext@acme-staffing.example>",
	})

	// 1. Dana, the administrator, puts Priya on Marcus's number (each has
	// a number of their own in the demo). A candidate applies, opting in to
	// texts; Marcus texts her.
	dana := app.loggedIn(t, "dana", danaEmail, danaName, 1280, 900)
	dana.Visit("/admin/users")
	priyasOwn := numberOf(t, dana, priyaName)
	dana.Click("Unassign " + priyaName + " from " + priyasOwn) // a user texts from one number only
	dana.Click("Unassign " + priyaName)
	dana.WaitText(priyaName + " no longer texts from " + priyasOwn + ".")
	assignToNumber(t, dana, numberOf(t, dana, marcusName), priyaName)
	marcus := loggedInAt(t, app, w, "marcus", marcusEmail, marcusName)
	marcus.Visit("/jobs")
	marcus.Click("Forklift Operator")
	link := marcus.Value("Application link")
	candidate := app.page(t, "candidate")
	candidate.SetViewport(w.width, w.height)
	candidate.Visit(link)
	apply(t, candidate, first, last, "rosa.away@example.com", "(773) 555-0173", handsetNo)
	findProfile(t, marcus, name)
	marcus.Fill("Message", "Hi Rosa, thanks for applying to Forklift Operator. Any questions?")
	marcus.Click("Send")
	waitSent(t, marcus, name)

	// 2. Priya watches Needs reply; Marcus closes his browser.
	priya := loggedInAt(t, app, w, "priya", priyaEmail, priyaName)
	priya.Visit("/inbox?filter=needs_reply")
	priya.WaitText("Needs reply")
	var marked bool
	priya.Evaluate(`window.sameInboxPage = true`, &marked) // a reload would lose it
	before := needsReplyCount(t, priya)
	marcus.Close()

	// 3. The candidate replies on the simulator; Priya sees it live.
	handset := app.page(t, "handset")
	handset.SetViewport(w.width, w.height)
	openHandset(t, handset, handsetNo)
	handset.WaitText("Any questions?")
	repliedAt := clock.Now() // the server stamps the reply no earlier
	handset.Fill("Message", question)
	handset.Click("Send reply")
	handset.WaitText("Sent “" + question + "”")

	// 4. Two minutes and five seconds pass at once: Marcus has been away
	// for longer than the away rule's two minutes, and his email is due.
	// It reaches the SMTP server within 3 minutes of the reply, by the
	// server's clock (its Date).
	clock.Set(clock.Now().Add(hiretext.AwayDelay + 5*time.Second))
	waitNeedsReply(t, priya, before+1, name, true)
	header, text := awayEmailTo(t, smtp, marcusEmail, name)
	if sent, err := header.Date(); err != nil || sent.Sub(repliedAt) > 3*time.Minute {
		t.Errorf("the email is dated %v (%v), more than 3 minutes after the reply at %v", sent, err, repliedAt)
	}
	m := regexp.MustCompile(`Open the conversation: (\S+)`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("the email's text has no link to the conversation:\n%s", text)
	}
	if strings.Contains(text, "forklift job") {
		t.Errorf("the email quotes the candidate's text, which the company did not allow:\n%s", text)
	}
	emailLink, err := url.Parse(m[1])
	if err != nil || !strings.HasPrefix(m[1], app.URL+"/") {
		t.Fatalf("the email links to %q, want a page of %s (%v)", m[1], app.URL, err)
	}

	// 5. Marcus follows the link in a new browser, logs in, and lands on
	// the conversation; he answers there.
	again := app.page(t, "marcus-from-email")
	again.SetViewport(w.width, w.height)
	again.Visit(m[1])
	again.WaitText("Log in to hiretext")
	again.Fill("Email", marcusEmail)
	again.Fill("Password", demo.Password)
	again.Click("Log in")
	again.WaitText(question)
	if u, err := url.Parse(again.URL()); err != nil || u.Path != emailLink.Path {
		t.Fatalf("after logging in from the email Marcus is at %s, want %s", again.URL(), emailLink.Path)
	}
	again.Fill("Message", answer)
	again.Click("Send")
	waitSent(t, again, name)

	// 6. The conversation leaves Needs reply for Priya, on the page she
	// kept open.
	waitNeedsReply(t, priya, before, name, false)
	var same bool
	priya.Evaluate(`window.sameInboxPage === true`, &same)
	if !same {
		t.Error("Priya's inbox was reloaded: the list should follow the answer live")
	}
}

// needsReplyCount reads the count on the inbox's Needs reply filter.
func needsReplyCount(t *testing.T, p *browsertest.Page) int {
	t.Helper()
	return countIn(t, p.Text(`.inbox-tabs a[href="/inbox?filter=needs_reply"] .inbox-count`), `^(\d+)$`)
}

// waitNeedsReply waits, without reloading p, until its Needs reply count
// is count and its list shows name or not, as listed says.
func waitNeedsReply(t *testing.T, p *browsertest.Page, count int, name string, listed bool) {
	t.Helper()
	storetest.EventuallyNil(t, storetest.Patience, fmt.Sprintf("Needs reply to count %d, %s listed: %v", count, name, listed), func() error {
		if got := needsReplyCount(t, p); got != count {
			return fmt.Errorf("it counts %d", got)
		}
		if shown := strings.Contains(p.Text("#inbox-list"), name); shown != listed {
			return fmt.Errorf("%s listed: %v", name, shown)
		}
		return nil
	})
}

// awayEmailTo waits for the away-reply email about the candidate who to
// reach the SMTP server for the address to, and returns its header and
// plain text.
// Its other recipients are not the journey's concern: presence is recorded
// once a real minute, so a page left open while the clock jumps may look
// stale (internal/server's TestAwayReplyEmailLeadsToTheAnswer proves that
// a user with a page open is not emailed).
func awayEmailTo(t *testing.T, s *mailtest.Server, to, who string) (netmail.Header, string) {
	t.Helper()
	var header netmail.Header
	var text string
	storetest.EventuallyNil(t, storetest.Patience, "the away-reply email to "+to, func() error {
		var seen []string
		for _, m := range s.Messages() {
			h, parts, err := m.Parts()
			if err != nil {
				return err
			}
			seen = append(seen, m.To+": "+h.Get("Subject"))
			if m.To == to && strings.Contains(h.Get("Subject"), who+" replied") {
				header, text = h, parts["text/plain"]
				return nil
			}
		}
		return fmt.Errorf("the SMTP server has %q", seen)
	})
	return header, text
}
