package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/dispatch"
	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/sms/simulator"
	"github.com/hiretext/hiretext/internal/sms/simulator/simstate"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

// textingFixture is a running hiretext with the simulator and a dispatcher:
// a company whose recruiter texts from a simulator number.
type textingFixture struct {
	ts        *testServer
	db        *store.DB
	sim       *simulator.Provider
	org       *hiretext.Organization
	number    *hiretext.Number
	recruiter *hiretext.User
	job       *hiretext.Job
}

func newTextingFixture(t *testing.T, db *store.DB, opts ...testOption) *textingFixture {
	t.Helper()
	f := newIdleTextingFixture(t, db, opts...)
	f.run(t)
	return f
}

// run starts the fixture's dispatcher and simulated carrier until the test ends.
func (f *textingFixture) run(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	d := dispatch.New(f.db, f.sim, dispatch.Config{Rate: 1000, Poll: 20 * time.Millisecond})
	f.db.SetDispatcher(d)
	done := make(chan struct{}, 2)
	go func() { _ = d.Run(ctx); done <- struct{}{} }()
	go func() { f.sim.Run(ctx); done <- struct{}{} }()
	t.Cleanup(func() { cancel(); <-done; <-done })
}

// newIdleTextingFixture is newTextingFixture with nothing sending yet: texts
// stay queued until run.
func newIdleTextingFixture(t *testing.T, db *store.DB, opts ...testOption) *textingFixture {
	t.Helper()
	ts, sim := newNumbersServer(t, db, opts...)
	ctx := context.Background()
	f := &textingFixture{ts: ts, db: db, sim: sim, org: storetest.MustCreateOrg(t, db, "Acme")}
	storetest.MustGrantNumbers(t, db, f.org.ID, 2, 50)
	offers, err := sim.SearchNumbers(ctx, sms.NumberQuery{Country: "US", AreaCode: "312", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	pn, err := sim.BuyNumber(ctx, offers[0].Phone)
	if err != nil {
		t.Fatal(err)
	}
	if f.number, err = db.AddNumber(ctx, f.org.ID, hiretext.NewNumber{Phone: pn.Phone, Provider: "simulator", ProviderID: pn.ProviderID}); err != nil {
		t.Fatal(err)
	}
	f.recruiter = storetest.MustCreateUser(t, db, f.org.ID, "Rita Recruiter", hiretext.RoleUser, hiretext.PermJobs, hiretext.PermPool, hiretext.PermProfiles)
	storetest.MustAssign(t, db, f.org.ID, f.number.ID, f.recruiter.ID)
	f.job = storetest.MustCreateJob(t, db, f.org.ID, "Forklift Operator")
	return f
}

// candidate applies as a new person opted in on their main phone.
func (f *textingFixture) candidate(t *testing.T, first string) *hiretext.Candidate {
	t.Helper()
	a := storetest.MustApply(t, f.db, f.org.ID, storetest.Applicant(f.job.ID, first, "Tester"))
	c, err := f.db.CandidateByID(context.Background(), f.org.ID, a.CandidateID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// handset returns the bodies a simulated phone received.
func (f *textingFixture) handset(t *testing.T, phone string) []string {
	msgs, err := f.sim.Handset(context.Background(), phone)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range msgs {
		if m.Direction == simstate.Received {
			out = append(out, m.Body)
		}
	}
	return out
}

func TestTextingRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newTextingFixture(t, db)
		ann := f.candidate(t, "Ann")
		b := f.ts.browser(t)
		b.login(f.recruiter.Email, storetest.TestPassword)
		path := "/candidates/" + idStr(int64(ann.ID))

		// The recruiter texts from the conversation; the phone receives it.
		st, _, h := b.do("POST", path+"/messages", url.Values{"body": {"Hi Ann, are you free Monday?"}})
		if st != http.StatusSeeOther || h.Get("Location") != path+"/conversation" {
			t.Fatalf("send: %d %q", st, h.Get("Location"))
		}
		storetest.Eventually(t, "the text on the handset", func() bool { return len(f.handset(t, ann.TextingPhone())) == 1 })
		tok := token(t, db, f.recruiter)
		storetest.Eventually(t, "delivered status", func() bool {
			_, body := f.ts.api(t, tok, "GET", "/api/v1/candidates/"+idStr(int64(ann.ID))+"/messages", "")
			msgs, _ := body["messages"].([]any)
			return len(msgs) == 1 && msgs[0].(map[string]any)["status"] == "delivered"
		})

		// The phone replies; the conversation shows it and the bell lights.
		if st, body := f.ts.api(t, "", "POST", "/simulator/api/inbound", fmt.Sprintf(`{"from":%q,"to":%q,"body":"Monday works!"}`, ann.TextingPhone(), f.number.Phone)); st != http.StatusAccepted {
			t.Fatalf("simulator inbound: %d %v", st, body)
		}
		_, home, _ := b.do("GET", "/", nil)
		if !strings.Contains(home, `data-bell-count="1"`) {
			t.Fatal("the bell does not show the unread reply")
		}
		_, conv, _ := b.do("GET", path+"/conversation", nil)
		if !strings.Contains(conv, "Monday works!") || !strings.Contains(conv, "Delivered") {
			t.Fatal("the conversation lacks the reply or the delivery status")
		}
		if _, home, _ = b.do("GET", "/", nil); strings.Contains(home, "data-bell-count") {
			t.Fatal("opening the conversation did not clear the bell")
		}

		// STOP opts out at once and is confirmed once.
		f.ts.api(t, "", "POST", "/simulator/api/inbound", fmt.Sprintf(`{"from":%q,"to":%q,"body":"stop"}`, ann.TextingPhone(), f.number.Phone))
		if c, _ := db.CandidateByID(context.Background(), f.org.ID, ann.ID); c.OptedIn() {
			t.Fatal("STOP did not opt the candidate out")
		}
		storetest.Eventually(t, "the opt-out confirmation", func() bool {
			got := f.handset(t, ann.TextingPhone())
			return len(got) == 2 && strings.HasPrefix(got[1], "You're unsubscribed from Acme texts.")
		})
		st, _, h = b.do("POST", path+"/messages", url.Values{"body": {"Still there?"}})
		if _, page, _ := b.do("GET", h.Get("Location"), nil); st != http.StatusSeeOther || !strings.Contains(page, "opted out") {
			t.Fatal("a text to an opted-out candidate was not refused with a reason")
		}
		// The refusal queued nothing, so the phone has nothing more coming.
		_, body := f.ts.api(t, tok, "GET", "/api/v1/candidates/"+idStr(int64(ann.ID))+"/messages", "")
		msgs, _ := body["messages"].([]any)
		for _, m := range msgs {
			if m.(map[string]any)["body"] == "Still there?" {
				t.Fatalf("the refused text was stored: %v", m)
			}
		}
		if got := f.handset(t, ann.TextingPhone()); len(got) != 2 {
			t.Fatalf("the opted-out phone received %d texts, want 2", len(got))
		}
	})
}

func TestWebhooksVerifyAndIgnoreDuplicates(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newTextingFixture(t, db)
	ann := f.candidate(t, "Ann")
	form := url.Values{"EventType": {"inbound"}, "MessageID": {"SMdup1"}, "From": {ann.TextingPhone()}, "To": {f.number.Phone},
		"Body": {"hello"}, "Segments": {"1"}, "Timestamp": {time.Now().UTC().Format(time.RFC3339Nano)}}
	body := form.Encode()
	post := func(sig string, b string) int {
		req, _ := http.NewRequest("POST", f.ts.URL+simulator.InboundPath, strings.NewReader(b))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(simulator.SignatureHeader, sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := post("deadbeef", body); st != http.StatusForbidden {
		t.Fatalf("forged signature: %d, want 403", st)
	}
	tampered := strings.Replace(body, "hello", "STOP", 1)
	if st := post(f.sim.Sign([]byte(body)), tampered); st != http.StatusForbidden {
		t.Fatalf("body changed after signing: %d, want 403", st)
	}
	for range 3 {
		if st := post(f.sim.Sign([]byte(body)), body); st != http.StatusOK {
			t.Fatalf("signed webhook: %d", st)
		}
	}
	msgs, _ := db.CandidateMessages(context.Background(), f.org.ID, f.number.ID, ann.ID, time.Time{})
	if len(msgs) != 1 || msgs[0].Body != "hello" {
		t.Fatalf("%d messages stored from one delivery repeated, want 1", len(msgs))
	}
	if n, _ := db.NumberByID(context.Background(), f.org.ID, f.number.ID); n.Usage.Used != 1 {
		t.Fatalf("used %d, want 1: a duplicate counted again", n.Usage.Used)
	}
}

func TestTextingAPIAndVisibility(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newTextingFixture(t, db)
	ann, bob := f.candidate(t, "Ann"), f.candidate(t, "Bob")
	if _, err := db.UpdateCandidate(context.Background(), f.org.ID, bob.ID, hiretext.CandidateUpdate{SMS: &hiretext.SMSChange{Status: hiretext.SMSOptedOut}}, f.recruiter.ID); err != nil {
		t.Fatal(err)
	}
	tok := token(t, db, f.recruiter)
	st, body := f.ts.api(t, tok, "POST", "/api/v1/messages", fmt.Sprintf(`{"candidate_ids":[%q,%q,"999999"],"body":"Hello"}`, idStr(int64(ann.ID)), idStr(int64(bob.ID))))
	results, _ := body["results"].([]any)
	if st != http.StatusAccepted || len(results) != 3 {
		t.Fatalf("send: %d %v", st, body)
	}
	want := []struct{ status, reason string }{{"queued", ""}, {"skipped", "opted_out"}, {"skipped", "not_found"}}
	for i, w := range want {
		r := results[i].(map[string]any)
		if r["status"] != w.status || (w.reason != "" && r["reason"] != w.reason) {
			t.Errorf("result %d = %v, want %v", i, r, w)
		}
	}
	msgID := results[0].(map[string]any)["message_id"].(string)
	if st, m := f.ts.api(t, tok, "GET", "/api/v1/messages/"+msgID, ""); st != 200 || m["body"] != "Hello" || m["user_id"] != idStr(int64(f.recruiter.ID)) {
		t.Fatalf("message: %d %v", st, m)
	}

	// Who sees texts: only users assigned to the number with pool and profiles.
	admin := storetest.MustCreateUser(t, db, f.org.ID, "Ada Admin", hiretext.RoleAdmin)
	manager := storetest.MustCreateUser(t, db, f.org.ID, "Hank Manager", hiretext.RoleUser, hiretext.PermJobs, hiretext.PermPool)
	other := storetest.MustCreateUser(t, db, f.org.ID, "Otto Other", hiretext.RoleUser, hiretext.PermPool, hiretext.PermProfiles)
	storetest.MustAssign(t, db, f.org.ID, storetest.MustAddNumber(t, db, f.org.ID).ID, other.ID)
	globex := storetest.MustCreateOrg(t, db, "Globex")
	stranger := storetest.MustCreateUser(t, db, globex.ID, "Gus", hiretext.RoleAdmin)
	history := "/api/v1/candidates/" + idStr(int64(ann.ID)) + "/messages"
	for _, c := range []struct {
		who    *hiretext.User
		status int
	}{{admin, 403}, {manager, 403}, {stranger, 403}} {
		if st, _ := f.ts.api(t, token(t, db, c.who), "GET", history, ""); st != c.status {
			t.Errorf("%s reads the history: %d, want %d", c.who.Name, st, c.status)
		}
	}
	if st, body := f.ts.api(t, token(t, db, other), "GET", history, ""); st != 200 || len(body["messages"].([]any)) != 0 {
		t.Errorf("a recruiter on another number sees %v", body)
	}
	if st, _ := f.ts.api(t, token(t, db, other), "GET", "/api/v1/messages/"+msgID, ""); st != 404 {
		t.Errorf("a recruiter on another number reads the message: %d, want 404", st)
	}
	if st, body := f.ts.api(t, token(t, db, admin), "POST", "/api/v1/messages", fmt.Sprintf(`{"candidate_ids":[%q],"body":"Hi"}`, idStr(int64(ann.ID)))); st != 403 || errorCode(body) != "not_assigned" {
		t.Errorf("unassigned admin sends: %d %v", st, body)
	}
	// The unassigned administrator is not told to ask her administrator:
	// she is pointed to where administrators read texts.
	ab := f.ts.browser(t)
	ab.login(admin.Email, storetest.TestPassword)
	for _, path := range []string{"/inbox", "/candidates/" + idStr(int64(ann.ID)) + "/conversation"} {
		st, page, _ := ab.do("GET", path, nil)
		if st != http.StatusForbidden || !strings.Contains(page, "Reports → SMS Activity") || strings.Contains(page, "Ask your administrator") {
			t.Errorf("the unassigned administrator opens %s: %d, want 403 pointing to Reports → SMS Activity", path, st)
		}
	}
	for _, bad := range []string{`{"candidate_ids":[1],"body":"x"}`, `{"candidate_ids":["x"],"body":"x"}`, `{"candidate_ids":[],"body":"x"}`, `{"body":"x","extra":1}`, `{"candidate_ids":["1"],"body":""}`} {
		if st, _ := f.ts.api(t, tok, "POST", "/api/v1/messages", bad); st != 400 && st != 422 {
			t.Errorf("bad body %s: %d", bad, st)
		}
	}
}

func TestBulkSendAllOrNothing(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newTextingFixture(t, db)
	if _, err := db.SetAllowance(context.Background(), f.number.Phone, 2); err != nil {
		t.Fatal(err)
	}
	var form = url.Values{"body": {"Open house on Friday!"}, "send_key": {"form-1"}}
	for _, n := range []string{"Ann", "Bob", "Cy"} {
		form.Add("candidate", idStr(int64(f.candidate(t, n).ID)))
	}
	b := f.ts.browser(t)
	b.login(f.recruiter.Email, storetest.TestPassword)
	if st, page, _ := b.do("POST", "/messages/compose", form); st != 200 || !strings.Contains(page, "3 of 3 selected are opted in; the allowance left does not cover them") ||
		!strings.Contains(page, "Opted in; not enough messages left this month") || strings.Contains(page, "Will be texted") ||
		!strings.Contains(page, "(texts received count too)") {
		t.Fatalf("compose for 3 with 2 messages left: %d", st)
	}
	st, page, _ := b.do("POST", "/messages/bulk", form)
	if st != http.StatusConflict || !strings.Contains(page, "Only 2 of 2 messages remain") {
		t.Fatalf("bulk over the allowance: %d", st)
	}
	if n, _ := db.NumberByID(context.Background(), f.org.ID, f.number.ID); n.Usage.Used != 0 {
		t.Fatalf("a refused bulk send used %d", n.Usage.Used)
	}
	form.Set("candidate", form["candidate"][0])
	form["candidate"] = form["candidate"][:1]
	st, _, h := b.do("POST", "/messages/bulk", form)
	results := h.Get("Location")
	if st != http.StatusSeeOther || !strings.HasPrefix(results, "/messages/bulk/") {
		t.Fatalf("bulk within the allowance: %d to %q, want a redirect to its results", st, results)
	}
	if st, page, _ = b.do("GET", results, nil); st != 200 || !strings.Contains(page, "1 texted · 1 selected") || !strings.Contains(page, "Open house on Friday!") {
		t.Fatalf("results page: %d", st)
	}
	// The same form again (a reload, the back button, a double click)
	// shows the same results and texts nobody twice.
	if st, _, h = b.do("POST", "/messages/bulk", form); st != http.StatusSeeOther || h.Get("Location") != results {
		t.Fatalf("the form posted again: %d to %q, want %q", st, h.Get("Location"), results)
	}
	if n, _ := db.NumberByID(context.Background(), f.org.ID, f.number.ID); n.Usage.Used != 1 {
		t.Fatalf("after the form was posted twice, %d messages used, want 1", n.Usage.Used)
	}
	// One message left: the composer says so in the singular, and one
	// candidate will be texted.
	if _, page, _ := b.do("POST", "/messages/compose", form); !strings.Contains(page, "1 message left this month") ||
		!strings.Contains(page, "1 of 1 selected can be texted") || !strings.Contains(page, "Will be texted") {
		t.Errorf("compose with 1 message left does not say \"1 message left this month\" and \"Will be texted\"")
	}
	// At the maximum nobody "will be texted" above the locked composer.
	form.Set("send_key", "form-2")
	if st, _, _ := b.do("POST", "/messages/bulk", form); st != http.StatusSeeOther {
		t.Fatalf("the last message of the allowance: %d", st)
	}
	if _, page, _ := b.do("POST", "/messages/compose", form); strings.Contains(page, "Will be texted") ||
		!strings.Contains(page, "Opted in; sending is paused until the allowance resets") || !strings.Contains(page, "allowance is used up") {
		t.Errorf("compose at the maximum says someone will be texted, or not why nobody will")
	}
	// The results are the sender's only.
	other := storetest.MustCreateUser(t, db, f.org.ID, "Otto", hiretext.RoleUser, hiretext.PermPool)
	ob := f.ts.browser(t)
	ob.login(other.Email, storetest.TestPassword)
	if st, _, _ := ob.do("GET", results, nil); st != http.StatusNotFound {
		t.Fatalf("another user opens the results: %d, want 404", st)
	}
}

func TestFlaggedReplyOffersOneClickOptOut(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newTextingFixture(t, db)
	ann := f.candidate(t, "Ann")
	f.ts.api(t, "", "POST", "/simulator/api/inbound", fmt.Sprintf(`{"from":%q,"to":%q,"body":"Not interested, who is this?"}`, ann.TextingPhone(), f.number.Phone))
	b := f.ts.browser(t)
	b.login(f.recruiter.Email, storetest.TestPassword)
	path := "/candidates/" + idStr(int64(ann.ID))
	_, page, _ := b.do("GET", path+"/conversation", nil)
	if !strings.Contains(page, "reads like a request to stop texting") || !strings.Contains(page, `action="`+path+`/sms"`) {
		t.Fatal("the flagged reply offers no one-click opt-out")
	}
	if c, _ := db.CandidateByID(context.Background(), f.org.ID, ann.ID); !c.OptedIn() {
		t.Fatal("a possible opt-out opted the candidate out by itself; only keywords and clear revocations do")
	}
	st, _, h := b.do("POST", path+"/sms", url.Values{"sms_status": {"opted_out"}, "note": {"flagged"}, "return_to": {path + "/conversation"}})
	if st != http.StatusSeeOther || h.Get("Location") != path+"/conversation" {
		t.Fatalf("opt out: %d %q", st, h.Get("Location"))
	}
	if c, _ := db.CandidateByID(context.Background(), f.org.ID, ann.ID); c.OptedIn() {
		t.Fatal("the one-click opt-out did not opt the candidate out")
	}
}

func TestBellIsSharedByTheNumbersUsers(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newTextingFixture(t, db)
	sam := storetest.MustCreateUser(t, db, f.org.ID, "Sam Second", hiretext.RoleUser, hiretext.PermPool, hiretext.PermProfiles)
	storetest.MustAssign(t, db, f.org.ID, f.number.ID, sam.ID)
	ann := f.candidate(t, "Ann")
	f.ts.api(t, "", "POST", "/simulator/api/inbound", fmt.Sprintf(`{"from":%q,"to":%q,"body":"Hi, any news?"}`, ann.TextingPhone(), f.number.Phone))
	f.ts.api(t, "", "POST", "/simulator/api/inbound", `{"from":"+13125550177","to":"`+f.number.Phone+`","body":"who is this"}`)
	rita, samB := f.ts.browser(t), f.ts.browser(t)
	rita.login(f.recruiter.Email, storetest.TestPassword)
	samB.login(sam.Email, storetest.TestPassword)
	for _, b := range []*browser{rita, samB} {
		_, bell, _ := b.do("GET", "/bell", nil)
		if !strings.Contains(bell, `data-bell-count="2"`) || !strings.Contains(bell, "Hi, any news?") || !strings.Contains(bell, "Unknown sender") {
			t.Fatalf("bell before reading: %s", bell)
		}
	}
	st, body := f.ts.api(t, token(t, db, sam), "GET", "/api/v1/inbox", "")
	convs, _ := body["conversations"].([]any)
	if st != 200 || len(convs) != 2 {
		t.Fatalf("inbox: %d %v", st, body)
	}
	samB.do("GET", "/candidates/"+idStr(int64(ann.ID))+"/conversation", nil) // Sam reads Ann's reply
	_, bell, _ := rita.do("GET", "/bell", nil)
	if !strings.Contains(bell, `data-bell-count="1"`) || strings.Contains(bell, "Hi, any news?") {
		t.Fatalf("Rita's bell after Sam read the conversation: %s", bell)
	}
	unknown := convs[0].(map[string]any)
	if unknown["candidate_id"] != nil {
		unknown = convs[1].(map[string]any)
	}
	if st, _ := f.ts.api(t, token(t, db, f.recruiter), "POST", "/api/v1/conversations/"+unknown["id"].(string)+"/read", ""); st != http.StatusOK {
		t.Fatalf("mark read: %d", st)
	}
	if _, bell, _ = samB.do("GET", "/bell", nil); strings.Contains(bell, "data-bell-count") {
		t.Fatalf("Sam's bell after Rita read the last one: %s", bell)
	}
	other := storetest.MustCreateUser(t, db, f.org.ID, "Otto", hiretext.RoleUser, hiretext.PermPool, hiretext.PermProfiles)
	if st, _ := f.ts.api(t, token(t, db, other), "POST", "/api/v1/conversations/"+unknown["id"].(string)+"/read", ""); st != http.StatusForbidden {
		t.Fatalf("a user without a number marks read: %d, want 403", st)
	}

	// The inbox is in the menu of the number's users, and nobody else's.
	inboxLink := `<a href="/inbox"`
	if _, home, _ := samB.do("GET", "/", nil); !strings.Contains(home, inboxLink) {
		t.Error("Sam's menu has no Inbox")
	}
	ottoB := f.ts.browser(t)
	ottoB.login(other.Email, storetest.TestPassword)
	if _, home, _ := ottoB.do("GET", "/", nil); strings.Contains(home, inboxLink) {
		t.Error("Otto, who has no number, is offered an Inbox")
	}
}

func TestBellAndInboxSayWhoWroteTheLastText(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newTextingFixture(t, db)
	sam := storetest.MustCreateUser(t, db, f.org.ID, "Sam Second", hiretext.RoleUser, hiretext.PermPool, hiretext.PermProfiles)
	storetest.MustAssign(t, db, f.org.ID, f.number.ID, sam.ID)
	ann, bob, cy := f.candidate(t, "Ann"), f.candidate(t, "Bob"), f.candidate(t, "Cy")
	tok := token(t, db, f.recruiter)
	for _, c := range []*hiretext.Candidate{ann, bob, cy} {
		if st, body := f.ts.api(t, tok, "POST", "/api/v1/messages", fmt.Sprintf(`{"candidate_ids":[%q],"body":"Free on Monday?"}`, idStr(int64(c.ID)))); st != http.StatusAccepted {
			t.Fatalf("send: %d %v", st, body)
		}
	}
	inbound := func(c *hiretext.Candidate, body string) {
		if st, res := f.ts.api(t, "", "POST", "/simulator/api/inbound", fmt.Sprintf(`{"from":%q,"to":%q,"body":%q}`, c.TextingPhone(), f.number.Phone, body)); st != http.StatusAccepted {
			t.Fatalf("inbound %q: %d %v", body, st, res)
		}
	}
	inbound(ann, "STOP") // answered at once by the automatic confirmation
	inbound(bob, "Monday works")

	rita, samB := f.ts.browser(t), f.ts.browser(t)
	rita.login(f.recruiter.Email, storetest.TestPassword)
	samB.login(sam.Email, storetest.TestPassword)
	// What is unread is Ann's STOP, not our automatic answer to it, which
	// is newer: the bell and the inbox show hers.
	autoReply := `<span class="snippet-by">Auto-reply:</span> You&#39;re unsubscribed from Acme texts.`
	_, bell, _ := rita.do("GET", "/bell", nil)
	mustContain(t, "Rita's bell", bell, `<span class="bell-snippet">STOP</span>`, `<span class="bell-snippet">Monday works</span>`)
	_, inbox, _ := rita.do("GET", "/inbox", nil)
	mustContain(t, "Rita's inbox", inbox, `<span class="inbox-snippet">STOP</span>`, `<span class="inbox-snippet">Monday works</span>`,
		`<span class="snippet-by">You:</span> Free on Monday?`)
	for name, page := range map[string]string{"bell": bell, "inbox": inbox} {
		if strings.Contains(page, autoReply) {
			t.Errorf("Rita's %s shows the automatic reply as Ann's unread text", name)
		}
	}
	_, inbox, _ = samB.do("GET", "/inbox", nil)
	mustContain(t, "Sam's inbox", inbox, `<span class="snippet-by">Rita Recruiter:</span> Free on Monday?`)
	// The home page describes the inbox's order as the inbox has it.
	_, home, _ := samB.do("GET", "/", nil)
	mustContain(t, "Sam's home page", home, "Conversations of your texting number, newest first; unread ones in bold.")
	mustContain(t, "Sam's inbox", inbox, "newest first.")
	// Once read, the conversation's newest text is the automatic answer.
	samB.do("GET", "/candidates/"+idStr(int64(ann.ID))+"/conversation", nil)
	_, inbox, _ = samB.do("GET", "/inbox", nil)
	mustContain(t, "Sam's inbox after he read Ann's STOP", inbox, autoReply)

	_, body := f.ts.api(t, tok, "GET", "/api/v1/inbox", "")
	byCandidate := map[string]map[string]any{}
	for _, v := range body["conversations"].([]any) {
		c := v.(map[string]any)
		byCandidate[c["candidate_id"].(string)] = c
	}
	for _, w := range []struct {
		c         *hiretext.Candidate
		direction string
		user      any
	}{{ann, "outbound", nil}, {bob, "inbound", nil}, {cy, "outbound", idStr(int64(f.recruiter.ID))}} {
		got := byCandidate[idStr(int64(w.c.ID))]
		if got["last_message_direction"] != w.direction || got["last_message_user_id"] != w.user {
			t.Errorf("%s in the API inbox: %v, want direction %s and user %v", w.c.FirstName, got, w.direction, w.user)
		}
	}
}

func TestLandlineFailureIsExplainedWithAHint(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newTextingFixture(t, db)
	ctx := context.Background()
	app := storetest.Applicant(f.job.ID, "Ann", "Tester")
	app.AlternatePhone = storetest.Applicant(f.job.ID, "Spare", "Phone").MainPhone
	ann, err := db.CandidateByID(ctx, f.org.ID, storetest.MustApply(t, db, f.org.ID, app).CandidateID)
	if err != nil {
		t.Fatal(err)
	}
	bob := f.candidate(t, "Bob") // one phone only
	b := f.ts.browser(t)
	b.login(f.recruiter.Email, storetest.TestPassword)
	tok := token(t, db, f.recruiter)
	reason := "Not sent: invalid phone number — this phone is a landline or cannot receive texts (code 30006)."
	for _, c := range []*hiretext.Candidate{ann, bob} {
		if err := f.sim.SetPhoneFlag(ctx, c.TextingPhone(), simstate.FlagLandline); err != nil {
			t.Fatal(err)
		}
		path := "/candidates/" + idStr(int64(c.ID))
		if st, _, _ := b.do("POST", path+"/messages", url.Values{"body": {"Hi, are you free Monday?"}}); st != http.StatusSeeOther {
			t.Fatalf("send to %s: %d", c.FirstName, st)
		}
		storetest.Eventually(t, c.FirstName+"'s text to fail", func() bool {
			_, body := f.ts.api(t, tok, "GET", "/api/v1/candidates/"+idStr(int64(c.ID))+"/messages", "")
			msgs, _ := body["messages"].([]any)
			return len(msgs) == 1 && msgs[0].(map[string]any)["status"] == "failed"
		})
		_, page, _ := b.do("GET", path+"/conversation", nil)
		mustContain(t, c.FirstName+"'s conversation", page, reason)
		if hint := strings.Contains(page, "Try the candidate&#39;s other phone."); hint != (c == ann) {
			t.Errorf("%s's conversation hints at the other phone: %v, want %v", c.FirstName, hint, c == ann)
		}
		if strings.Contains(page, "Landline or unreachable carrier") {
			t.Errorf("%s's conversation shows the provider's raw text", c.FirstName)
		}
	}
	// Both failures are flagged where Rita sees her conversations: in the
	// inbox, and in the bell although nobody replied.
	notSent := `<span class="badge badge-danger">Not sent</span> <span class="snippet-by">You:</span> Hi, are you free Monday?`
	for _, path := range []string{"/inbox", "/bell"} {
		_, page, _ := b.do("GET", path, nil)
		if _, list, ok := strings.Cut(page, `id="inbox-list"`); ok { // the inbox's list, not the bell above it
			page = list
		}
		if strings.Count(page, notSent) != 2 {
			t.Errorf("%s flags %d texts as not sent, want Ann's and Bob's", path, strings.Count(page, notSent))
		}
	}
	if _, home, _ := b.do("GET", "/", nil); !strings.Contains(home, `aria-label="No unread texts; 2 not sent"`) {
		t.Errorf("the bell's button does not say that 2 texts were not sent")
	}
	admin := storetest.MustCreateUser(t, db, f.org.ID, "Ada Admin", hiretext.RoleAdmin)
	ab := f.ts.browser(t)
	ab.login(admin.Email, storetest.TestPassword)
	_, report, _ := ab.do("GET", "/reports/sms-activity", nil)
	if strings.Count(report, reason) != 2 {
		t.Errorf("the SMS Activity report does not give both failures the plain reason")
	}
}

// TestDialogSendAnswersJSON sends as the conversation dialog does (Accept:
// application/json) so that it can stay open: the answer says in words what
// happened, with the status a script can act on, and a refused send stores
// nothing.
func TestDialogSendAnswersJSON(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newTextingFixture(t, db)
	ann, otto := f.candidate(t, "Ann"), f.candidate(t, "Otto")
	if _, err := db.UpdateCandidate(t.Context(), f.org.ID, otto.ID, hiretext.CandidateUpdate{SMS: &hiretext.SMSChange{Status: hiretext.SMSOptedOut}}, f.recruiter.ID); err != nil {
		t.Fatal(err)
	}
	b := f.ts.browser(t)
	b.login(f.recruiter.Email, storetest.TestPassword)
	send := func(c *hiretext.Candidate, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest("POST", f.ts.URL+"/candidates/"+idStr(int64(c.ID))+"/messages", strings.NewReader(url.Values{"body": {body}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		resp, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatalf("answer is not JSON: %v", err)
		}
		return resp.StatusCode, out
	}
	for _, c := range []struct {
		who     *hiretext.Candidate
		body    string
		status  int
		queued  bool
		message string
	}{
		{ann, "Hi Ann, are you free Monday?", http.StatusOK, true, "Text to Ann Tester queued."},
		{ann, "   ", http.StatusUnprocessableEntity, false, "Write"},
		{otto, "Hi Otto", http.StatusConflict, false, "opted out"},
	} {
		st, out := send(c.who, c.body)
		if st != c.status || out["queued"] != c.queued || !strings.Contains(out["message"].(string), c.message) {
			t.Errorf("send %q to %s: %d %v; want %d, queued %v, a message with %q", c.body, c.who.FirstName, st, out, c.status, c.queued, c.message)
		}
		// A queued text is named, so the dialog can follow its status.
		if id, _ := out["message_id"].(string); c.queued && (id == "" || out["to"] != "Ann Tester") {
			t.Errorf("send %q: the answer names the message %q to %v, want its id and Ann Tester", c.body, id, out["to"])
		}
	}
	if _, body := f.ts.api(t, token(t, db, f.recruiter), "GET", "/api/v1/candidates/"+idStr(int64(ann.ID))+"/messages", ""); len(body["messages"].([]any)) != 1 {
		t.Fatalf("Ann's messages after one send and one refused: %v", body)
	}
}

// TestWebhookCheckVerifiesAndStoresNothing: the doctor's signed check is
// accepted only with the provider's signature over the public URL, for the
// configured provider, and leaves no trace in any company's data.
func TestWebhookCheckVerifiesAndStoresNothing(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts, sim := newNumbersServer(t, db)
	body := url.Values{"EventType": {"check"}, "Timestamp": {time.Now().UTC().Format(time.RFC3339Nano)}}.Encode()
	post := func(path, sig string) (int, string) {
		req, _ := http.NewRequest("POST", ts.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(simulator.SignatureHeader, sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(data)
	}
	if st, got := post("/webhooks/simulator/check", sim.Sign([]byte(body))); st != http.StatusOK || !strings.Contains(got, `"status":"accepted"`) {
		t.Fatalf("signed check: %d %s", st, got)
	}
	if st, _ := post("/webhooks/simulator/check", "deadbeef"); st != http.StatusForbidden {
		t.Fatalf("forged check: %d, want 403", st)
	}
	if st, _ := post("/webhooks/twilio/check", sim.Sign([]byte(body))); st != http.StatusNotFound {
		t.Fatalf("another provider's check: %d, want 404", st)
	}
	read, _ := db.Pools()
	var rows int
	if err := read.QueryRow("SELECT (SELECT COUNT(*) FROM messages) + (SELECT COUNT(*) FROM unrouted_messages) + (SELECT COUNT(*) FROM events)").Scan(&rows); err != nil || rows != 0 {
		t.Fatalf("the check stored %d rows (%v)", rows, err)
	}
}

// TestProfileShowsTextsBeforeConsent: the conversation is what a recruiter
// opens a profile for, so the SMS Message History comes before the
// applications and the consent history.
func TestProfileShowsTextsBeforeConsent(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newTextingFixture(t, db)
	ann := f.candidate(t, "Ann")
	b := f.ts.browser(t)
	b.login(f.recruiter.Email, storetest.TestPassword)
	_, page, _ := b.do("GET", "/candidates/"+idStr(int64(ann.ID)), nil)
	texts, apps, consent := strings.Index(page, `id="sms-history-title"`), strings.Index(page, `id="apps-title"`), strings.Index(page, `id="history-title"`)
	if texts < 0 || apps < 0 || consent < 0 || texts > apps || texts > consent {
		t.Errorf("the profile's sections are at %d (texts), %d (applications), %d (consent history): want the texts first", texts, apps, consent)
	}
}
