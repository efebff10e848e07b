package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/server"
	"github.com/hiretext/hiretext/internal/storetest"
)

// TestInboxTriagesForEveryoneOnTheNumber: Ann answers a text and waits;
// the inbox's Needs reply lists her, for Sam too, with how long she has
// waited and each filter's count; Rita marks her Done and she leaves Needs
// reply for Sam; her next text brings her back; Mark unread and the search
// work on the page and through the API.
func TestInboxTriagesForEveryoneOnTheNumber(t *testing.T) {
	t.Parallel()
	clock := storetest.NewClock(time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC))
	db := storetest.NewSQLite(t, storetest.Config{Clock: clock.Now})
	f := newTextingFixture(t, db, func(cfg *server.Config, _ *server.Store) { cfg.Clock = clock.Now })
	sam := storetest.MustCreateUser(t, db, f.org.ID, "Sam Second", hiretext.RoleUser, hiretext.PermPool, hiretext.PermProfiles)
	storetest.MustAssign(t, db, f.org.ID, f.number.ID, sam.ID)
	ann, bob := f.candidate(t, "Ann"), f.candidate(t, "Bob")
	rita, samTok := token(t, db, f.recruiter), token(t, db, sam)
	if st, body := f.ts.api(t, rita, "POST", "/api/v1/messages", fmt.Sprintf(`{"candidate_ids":[%q,%q],"body":"Free on Monday?"}`,
		idStr(int64(ann.ID)), idStr(int64(bob.ID)))); st != http.StatusAccepted {
		t.Fatalf("send: %d %v", st, body)
	}
	annWrites := func(body string) {
		t.Helper()
		if st, res := f.ts.api(t, "", "POST", "/simulator/api/inbound", fmt.Sprintf(`{"from":%q,"to":%q,"body":%q}`,
			ann.TextingPhone(), f.number.Phone, body)); st != http.StatusAccepted {
			t.Fatalf("inbound: %d %v", st, res)
		}
	}
	annWrites("Monday works")
	wrote := clock.Now()
	clock.Advance(2*time.Hour + 5*time.Minute)

	needsReply := apiInbox(t, f, samTok, "filter=needs_reply")
	if len(needsReply) != 1 || needsReply[0]["candidate_id"] != idStr(int64(ann.ID)) || needsReply[0]["needs_reply"] != true ||
		needsReply[0]["waiting_since"] != wrote.Format(time.RFC3339Nano) || needsReply[0]["done"] != false {
		t.Fatalf("Sam's Needs reply: %v, want Ann waiting since %v", needsReply, wrote)
	}
	annConv := needsReply[0]["id"].(string)
	_, body := f.ts.api(t, samTok, "GET", "/api/v1/inbox", "")
	counts, _ := body["counts"].(map[string]any)
	if counts["open"] != 2.0 || counts["needs_reply"] != 1.0 || counts["unread"] != 1.0 || counts["done"] != 0.0 {
		t.Fatalf("counts: %v", counts)
	}

	ritaB := f.ts.browser(t)
	ritaB.login(f.recruiter.Email, storetest.TestPassword)
	_, page, _ := ritaB.do("GET", "/inbox?filter=needs_reply", nil)
	mustContain(t, "Rita's Needs reply", page, "Ann Tester", "Waiting 2 h 5 min",
		`<a href="/inbox?filter=needs_reply" aria-current="page">Needs reply <span class="inbox-count">1</span></a>`,
		`<a href="/inbox">All open <span class="inbox-count">2</span></a>`)
	if strings.Contains(inboxList(t, page), "Bob Tester") {
		t.Fatal("Bob, who did not answer, is listed under Needs reply")
	}

	back := "/inbox?filter=needs_reply"
	st, _, h := ritaB.do("POST", "/conversations/"+annConv+"/done", url.Values{"return_to": {back}})
	if st != http.StatusSeeOther || h.Get("Location") != back {
		t.Fatalf("Done: %d to %q, want back to %s", st, h.Get("Location"), back)
	}
	if got := apiInbox(t, f, samTok, "filter=needs_reply"); len(got) != 0 {
		t.Fatalf("Sam's Needs reply after Rita's Done: %v", got)
	}
	if got := apiInbox(t, f, samTok, "filter=done"); len(got) != 1 || got[0]["id"] != annConv || got[0]["done"] != true || got[0]["waiting_since"] != nil {
		t.Fatalf("Sam's Done: %v", got)
	}
	_, page, _ = ritaB.do("GET", "/inbox", nil)
	if strings.Contains(inboxList(t, page), "Ann Tester") {
		t.Fatal("the open inbox lists Ann after Done")
	}

	annWrites("Still on?")
	if got := apiInbox(t, f, samTok, "filter=needs_reply"); len(got) != 1 || got[0]["id"] != annConv || got[0]["unread"] != 1.0 {
		t.Fatalf("after Ann wrote again, Needs reply: %v", got)
	}

	bobConv := apiInbox(t, f, samTok, "q=bob")
	if len(bobConv) != 1 || bobConv[0]["candidate_id"] != idStr(int64(bob.ID)) {
		t.Fatalf("search bob: %v", bobConv)
	}
	st, res := f.ts.api(t, samTok, "POST", "/api/v1/conversations/"+bobConv[0]["id"].(string)+"/unread", "")
	if st != http.StatusOK || res["unread"] != 1.0 || res["id"] != bobConv[0]["id"] {
		t.Fatalf("mark unread: %d %v", st, res)
	}
	_, page, _ = ritaB.do("GET", "/inbox?filter=unread&q=bob", nil)
	mustContain(t, "Rita's unread inbox searching bob", page, `value="bob"`)
	if list := inboxList(t, page); !strings.Contains(list, "Bob Tester") || strings.Contains(list, "Ann Tester") {
		t.Fatal("searching bob lists Ann")
	}
	st, res = f.ts.api(t, samTok, "POST", "/api/v1/conversations/"+annConv+"/done", "")
	if st != http.StatusOK || res["done"] != true || res["needs_reply"] != false || res["unread"] != 0.0 {
		t.Fatalf("API done: %d %v", st, res)
	}
	for _, q := range []string{"filter=lost", "q=" + strings.Repeat("x", 201)} {
		if st, body := f.ts.api(t, samTok, "GET", "/api/v1/inbox?"+q, ""); st != http.StatusUnprocessableEntity {
			t.Errorf("?%.20s: %d %v", q, st, body)
		}
	}
}

// inboxList is the inbox page's list of conversations (without the bell,
// which lists unread ones too).
func inboxList(t *testing.T, page string) string {
	t.Helper()
	_, list, ok := strings.Cut(page, `id="inbox-list"`)
	if !ok {
		t.Fatalf("no inbox list in %s", page)
	}
	return list
}
