package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hiretext/hiretext/internal/browsertest"
	"github.com/hiretext/hiretext/internal/demo"
	"github.com/hiretext/hiretext/internal/storetest"
)

// TestBrowserInboxTriageIsLiveForTheTeam: Priya has the inbox's Needs
// reply open in two browsers; in one she marks a waiting candidate Done;
// the other drops that candidate and counts one fewer without a reload.
// Mark unread brings the conversation back under Unread.
func TestBrowserInboxTriageIsLiveForTheTeam(t *testing.T) {
	t.Parallel()
	app := startApp(t)
	desk, phone := app.page(t, "priya-desk"), app.page(t, "priya-phone")
	for _, p := range []*browsertest.Page{desk, phone} {
		loginAs(t, p, priyaEmail, demo.Password)
		p.Visit("/inbox?filter=needs_reply")
		p.WaitText("Needs reply")
	}
	needs := func(p *browsertest.Page) int {
		return countIn(t, p.Text(`.inbox-tabs a[href="/inbox?filter=needs_reply"] .inbox-count`), `^(\d+)$`)
	}
	before := needs(phone)
	if before == 0 {
		t.Fatal("the demo has nobody waiting for Priya's answer")
	}
	name := desk.Text("#inbox-list .inbox-row .inbox-name")
	desk.Click("Done " + name)
	desk.WaitText("The conversation is done")
	storetest.EventuallyNil(t, storetest.Patience, "the other browser to drop the conversation", func() error {
		if got := needs(phone); got != before-1 {
			return fmt.Errorf("it counts %d waiting", got)
		}
		if strings.Contains(phone.Text("#inbox-list"), name) {
			return fmt.Errorf("it still lists %s", name)
		}
		return nil
	})
	phone.NoScriptRan()
	desk.Visit("/inbox?filter=done")
	desk.Click("Mark unread " + name)
	desk.WaitText("The conversation is marked unread.")
	phone.Visit("/inbox?filter=unread")
	phone.WaitText(name)
}
