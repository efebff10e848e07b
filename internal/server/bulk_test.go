package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/storetest"
)

// TestBulkSendShowsWhoReplied: a send through the API to three candidates
// answers with its bulk_send_id; the texts are delivered, Ann replies and
// Bob texts STOP; the API and the results page say so, and the page's
// "Text the 1 who did not reply" opens the composer with Cy alone. A send
// to one candidate is no bulk send; another user's send is not found.
func TestBulkSendShowsWhoReplied(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newTextingFixture(t, db)
	sam := storetest.MustCreateUser(t, db, f.org.ID, "Sam Second", hiretext.RoleUser, hiretext.PermPool, hiretext.PermProfiles)
	storetest.MustAssign(t, db, f.org.ID, f.number.ID, sam.ID)
	ann, bob, cy := f.candidate(t, "Ann"), f.candidate(t, "Bob"), f.candidate(t, "Cy")
	tok := token(t, db, f.recruiter)
	st, sent := f.ts.api(t, tok, "POST", "/api/v1/messages", fmt.Sprintf(`{"candidate_ids":[%q,%q,%q],"body":"Open house Friday!"}`,
		idStr(int64(ann.ID)), idStr(int64(bob.ID)), idStr(int64(cy.ID))))
	id, _ := sent["bulk_send_id"].(string)
	if st != http.StatusAccepted || id == "" {
		t.Fatalf("send: %d %v, want a bulk_send_id", st, sent)
	}
	path := "/api/v1/bulk-sends/" + id
	var outcome map[string]any
	storetest.Eventually(t, "three texts delivered", func() bool {
		_, outcome = f.ts.api(t, tok, "GET", path, "")
		return outcome["delivered"] == 3.0
	})
	for c, body := range map[*hiretext.Candidate]string{ann: "See you there", bob: "STOP"} {
		if st, res := f.ts.api(t, "", "POST", "/simulator/api/inbound", fmt.Sprintf(`{"from":%q,"to":%q,"body":%q}`,
			c.TextingPhone(), f.number.Phone, body)); st != http.StatusAccepted {
			t.Fatalf("inbound: %d %v", st, res)
		}
	}
	storetest.Eventually(t, "two replies, one opt-out", func() bool {
		_, outcome = f.ts.api(t, tok, "GET", path, "")
		return outcome["replied"] == 2.0 && outcome["opted_out"] == 1.0
	})
	if outcome["id"] != id || outcome["total"] != 3.0 || outcome["failed"] != 0.0 {
		t.Fatalf("outcome %v", outcome)
	}
	cands := outcome["candidates"].([]any)
	if c := cands[2].(map[string]any); c["candidate_id"] != idStr(int64(cy.ID)) || c["status"] != "delivered" || c["replied"] != false {
		t.Fatalf("Cy: %v", c)
	}
	if c := cands[1].(map[string]any); c["replied"] != true || c["opted_out"] != true {
		t.Fatalf("Bob: %v", c)
	}

	b := f.ts.browser(t)
	b.login(f.recruiter.Email, storetest.TestPassword)
	_, page, _ := b.do("GET", "/messages/bulk/"+id, nil)
	mustContain(t, "the results page", page, "<dt>Replied</dt><dd>2</dd>", "<dt>Opted out since</dt><dd>1</dd>",
		`<span class="badge badge-ok">Replied</span>`, `<input type="hidden" name="candidate" value="`+idStr(int64(cy.ID))+`">`,
		"Text the 1 who did not reply")
	for _, c := range []*hiretext.Candidate{ann, bob} {
		if strings.Contains(page, `name="candidate" value="`+idStr(int64(c.ID))+`"`) {
			t.Fatalf("%s, who replied, is to be texted again", c.FirstName)
		}
	}
	st, compose, _ := b.do("POST", "/messages/compose", url.Values{"candidate": {idStr(int64(cy.ID))}})
	_, recipients, _ := strings.Cut(compose, `id="rcpt-title"`) // the bell lists Ann's reply
	if st != http.StatusOK || !strings.Contains(recipients, "Cy Tester") || strings.Contains(recipients, "Ann Tester") {
		t.Fatalf("Text the ones who did not reply: %d", st)
	}

	if st, res := f.ts.api(t, token(t, db, sam), "GET", path, ""); st != http.StatusNotFound {
		t.Fatalf("Sam reads Rita's send: %d %v", st, res)
	}
	st, single := f.ts.api(t, tok, "POST", "/api/v1/messages", fmt.Sprintf(`{"candidate_ids":[%q,%q],"body":"Hi"}`,
		idStr(int64(cy.ID)), idStr(int64(cy.ID))))
	if _, ok := single["bulk_send_id"]; st != http.StatusAccepted || ok {
		t.Fatalf("a send to one candidate: %d %v, want no bulk_send_id", st, single)
	}
}
