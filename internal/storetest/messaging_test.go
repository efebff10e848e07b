package storetest

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

func TestSendQueuesAndSkips(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 100)
		ann, annPhone := fx.MustCandidate(t, db, "Ann")
		out, _ := fx.MustCandidate(t, db, "Otto")
		if _, err := db.UpdateCandidate(ctx, fx.Org.ID, out.ID, hiretext.CandidateUpdate{SMS: &hiretext.SMSChange{Status: hiretext.SMSOptedOut}}, fx.Recruiter.ID); err != nil {
			t.Fatal(err)
		}
		res := fx.MustSend(t, db, "Hi! Are you free for an interview on Monday?", ann.ID, out.ID, 999999, ann.ID)
		if len(res) != 3 || !res[0].Queued || res[1].Skipped != hiretext.SkipOptedOut || res[2].Skipped != hiretext.SkipNotFound {
			t.Fatalf("results = %+v", res)
		}
		m, err := db.MessageByID(ctx, fx.Org.ID, res[0].MessageID)
		if err != nil {
			t.Fatal(err)
		}
		if m.Status != hiretext.StatusQueued || m.To != annPhone || m.From != fx.Number.Phone || m.UserID != fx.Recruiter.ID || m.Segments != 1 {
			t.Fatalf("message = %+v", m)
		}
		u := usage(t, db, fx)
		if u.Used != 1 {
			t.Fatalf("used = %d, want 1 (skipped candidates reserve nothing)", u.Used)
		}
	})
}

func TestSendSkipsPhonesAbroad(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 100)
		ann, _ := fx.MustCandidate(t, db, "Ann")
		uk, _ := fx.MustCandidate(t, db, "Una")
		london := "+44 20 7946 0958"
		if _, err := db.UpdateCandidate(ctx, fx.Org.ID, uk.ID, hiretext.CandidateUpdate{MainPhone: &london}, fx.Recruiter.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateCandidate(ctx, fx.Org.ID, uk.ID, hiretext.CandidateUpdate{SMS: &hiretext.SMSChange{
			Status: hiretext.SMSOptedIn, Phone: hiretext.PhoneMain, Confirmed: true}}, fx.Recruiter.ID); err != nil {
			t.Fatal(err)
		}
		res := fx.MustSend(t, db, "Hello", ann.ID, uk.ID)
		if len(res) != 2 || !res[0].Queued || res[1].Skipped != hiretext.SkipAbroad {
			t.Fatalf("results = %+v; want Una's London phone skipped", res)
		}
		if u := usage(t, db, fx); u.Used != 1 {
			t.Fatalf("used = %d, want 1", u.Used)
		}
	})
}

func usage(t *testing.T, db *store.DB, fx *Texting) hiretext.Usage {
	t.Helper()
	n, err := db.NumberByID(ctx, fx.Org.ID, fx.Number.ID)
	if err != nil {
		t.Fatal(err)
	}
	return n.Usage
}

func TestSendIsAllOrNothing(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 2)
		a, _ := fx.MustCandidate(t, db, "Ann")
		b, _ := fx.MustCandidate(t, db, "Bea")
		c, _ := fx.MustCandidate(t, db, "Cal")
		_, err := db.SendMessages(ctx, hiretext.SendRequest{OrgID: fx.Org.ID, UserID: fx.Recruiter.ID,
			CandidateIDs: []hiretext.CandidateID{a.ID, b.ID, c.ID}, Body: "Hello"})
		if hiretext.ErrorCode(err) != hiretext.EAllowanceExceeded {
			t.Fatalf("err = %v, want allowance_exceeded", err)
		}
		if u := usage(t, db, fx); u.Used != 0 {
			t.Fatalf("a refused batch used %d", u.Used)
		}
		if msgs, _ := db.CandidateMessages(ctx, fx.Org.ID, fx.Number.ID, a.ID, time.Time{}); len(msgs) != 0 {
			t.Fatalf("a refused batch stored %d messages", len(msgs))
		}
	})
}

func TestSendRequiresAssignmentAndValidBody(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 10)
		a, _ := fx.MustCandidate(t, db, "Ann")
		manager := MustCreateUser(t, db, fx.Org.ID, "Hank", hiretext.RoleUser, hiretext.PermProfiles)
		_, err := db.SendMessages(ctx, hiretext.SendRequest{OrgID: fx.Org.ID, UserID: manager.ID, CandidateIDs: []hiretext.CandidateID{a.ID}, Body: "Hi"})
		if hiretext.ErrorCode(err) != hiretext.ENotAssigned {
			t.Errorf("unassigned user: %v", err)
		}
		for _, body := range []string{"", "   ", strings.Repeat("a", 1601)} {
			_, err := db.SendMessages(ctx, hiretext.SendRequest{OrgID: fx.Org.ID, UserID: fx.Recruiter.ID, CandidateIDs: []hiretext.CandidateID{a.ID}, Body: body})
			if hiretext.ErrorCode(err) != hiretext.EInvalid {
				t.Errorf("body of %d chars: %v", len(body), err)
			}
		}
		// Every field at fault is reported at once; one alone keeps its own words.
		_, err = db.SendMessages(ctx, hiretext.SendRequest{OrgID: fx.Org.ID, UserID: fx.Recruiter.ID})
		if f := hiretext.ErrorFields(err); hiretext.ErrorCode(err) != hiretext.EInvalid || f["body"] == "" || f["candidate_ids"] == "" {
			t.Errorf("no body and no candidates: %v, fields %v; want both", err, f)
		}
		_, err = db.SendMessages(ctx, hiretext.SendRequest{OrgID: fx.Org.ID, UserID: fx.Recruiter.ID, CandidateIDs: []hiretext.CandidateID{a.ID}})
		if hiretext.ErrorMessage(err) != "Write a message." || len(hiretext.ErrorFields(err)) != 1 {
			t.Errorf("no body: %q, fields %v", hiretext.ErrorMessage(err), hiretext.ErrorFields(err))
		}
		other := MustCreateOrg(t, db, "Other")
		_, err = db.SendMessages(ctx, hiretext.SendRequest{OrgID: other.ID, UserID: fx.Recruiter.ID, CandidateIDs: []hiretext.CandidateID{a.ID}, Body: "Hi"})
		if hiretext.ErrorCode(err) != hiretext.ENotAssigned {
			t.Errorf("another company's user id: %v", err)
		}
	})
}

func TestConcurrentSendsNeverOverspend(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 20)
		var ids []hiretext.CandidateID
		for i := range 8 {
			c, _ := fx.MustCandidate(t, db, fmt.Sprint("C", i))
			ids = append(ids, c.ID)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		queued := 0
		for i := range 24 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := db.SendMessages(ctx, hiretext.SendRequest{OrgID: fx.Org.ID, UserID: fx.Recruiter.ID,
					CandidateIDs: []hiretext.CandidateID{ids[i%8]}, Body: "Hi"})
				if err == nil && res[0].Queued {
					mu.Lock()
					queued++
					mu.Unlock()
				} else if hiretext.ErrorCode(err) != hiretext.EAllowanceExceeded {
					t.Errorf("send: %v", err)
				}
			}()
		}
		wg.Wait()
		if u := usage(t, db, fx); queued != 20 || u.Used != 20 {
			t.Fatalf("queued %d, used %d; want exactly the allowance of 20", queued, u.Used)
		}
	})
}

func TestInboundMatchesCandidateAndCountsOnce(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 10)
		ann, phone := fx.MustCandidate(t, db, "Ann")
		first := fx.Receive(t, db, "SM1", phone, "Yes, Monday works")
		if first.Duplicate || first.Message.CandidateID != ann.ID || first.Message.Direction != hiretext.Inbound {
			t.Fatalf("first = %+v", first.Message)
		}
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() { defer wg.Done(); fx.Receive(t, db, "SM1", phone, "Yes, Monday works") }()
		}
		wg.Wait()
		msgs, _ := db.CandidateMessages(ctx, fx.Org.ID, fx.Number.ID, ann.ID, time.Time{})
		if len(msgs) != 1 || usage(t, db, fx).Used != 1 {
			t.Fatalf("after duplicates: %d messages, used %d; want 1 and 1", len(msgs), usage(t, db, fx).Used)
		}
	})
}

func TestInboundFromUnknownSenderAndPastTheMaximum(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 1)
		for i := range 3 {
			res := fx.Receive(t, db, fmt.Sprint("SMu", i), "+13125550199", "Who is this?")
			if res.Message == nil || res.Message.CandidateID != 0 {
				t.Fatalf("unknown sender: %+v", res)
			}
		}
		if u := usage(t, db, fx); u.Used != 3 {
			t.Fatalf("used %d, want 3: received texts count even past the maximum", u.Used)
		}
		res, err := db.ReceiveText(ctx, hiretext.IncomingText{Provider: "test", ProviderMessageID: "SMx", From: "+13125550199", To: "+19995550100", Body: "hi"})
		if err != nil || !res.Unrouted {
			t.Fatalf("text to nobody's number: %+v %v, want kept as unrouted", res, err)
		}
	})
}

func TestStopOptsOutEveryCandidateWithThePhoneAndReplies(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 10)
		ann, phone := fx.MustCandidate(t, db, "Ann")
		twin, _ := fx.MustCandidate(t, db, "Twin")
		if _, err := db.UpdateCandidate(ctx, fx.Org.ID, twin.ID, hiretext.CandidateUpdate{AlternatePhone: &phone}, fx.Recruiter.ID); err != nil {
			t.Fatal(err)
		}
		res := fx.Receive(t, db, "SMstop", phone, " Stop. ")
		if res.Message.Keyword != hiretext.KeywordOptOut || len(res.Replies) != 1 {
			t.Fatalf("STOP: keyword %q, replies %v", res.Message.Keyword, res.Replies)
		}
		cs, _ := db.CandidatesByPhone(ctx, fx.Org.ID, phone)
		for _, c := range cs {
			if c.SMSStatus != hiretext.SMSOptedOut {
				t.Errorf("%s still opted in after STOP", c.Name())
			}
		}
		hist, _ := db.ConsentHistory(ctx, fx.Org.ID, ann.ID)
		if hist[0].Source != hiretext.ConsentKeyword || hist[0].MessageID != int64(res.Message.ID) {
			t.Fatalf("ledger head = %+v", hist[0])
		}
		reply, _ := db.MessageByID(ctx, fx.Org.ID, res.Replies[0])
		if reply.Kind != hiretext.KindKeywordReply || reply.To != phone || reply.Status != hiretext.StatusQueued {
			t.Fatalf("reply = %+v", reply)
		}
		start := fx.Receive(t, db, "SMstart", phone, "START")
		if len(start.Replies) != 1 {
			t.Fatal("START sent no confirmation")
		}
		if c, _ := db.CandidateByID(ctx, fx.Org.ID, ann.ID); !c.OptedIn() {
			t.Fatal("START did not opt back in")
		}
		if again := fx.Receive(t, db, "SMyes", phone, "yes"); len(again.Replies) != 0 {
			t.Fatal("a YES from someone already opted in got a confirmation")
		}
	})
}

func TestDeliveryReportsMoveForwardOnly(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 10)
		ann, _ := fx.MustCandidate(t, db, "Ann")
		res := fx.MustSend(t, db, "Hello", ann.ID)
		claimed, err := db.ClaimDeliveries(ctx, fx.Number.ID, 10, time.Minute)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim: %v %d", err, len(claimed))
		}
		// The provider's "sent" callback races ahead of our record of the send.
		report := func(st hiretext.MessageStatus) {
			if _, err := db.ApplyDeliveryReport(ctx, hiretext.DeliveryReport{Provider: fx.Number.Provider, ProviderMessageID: "SMout", Status: st}); err != nil {
				t.Fatal(err)
			}
		}
		report(hiretext.StatusSent)
		if err := db.RecordSent(ctx, claimed[0], "SMout", hiretext.StatusQueued); err != nil {
			t.Fatal(err)
		}
		m, _ := db.MessageByID(ctx, fx.Org.ID, res[0].MessageID)
		if m.Status != hiretext.StatusSent {
			t.Fatalf("status %s, want the early 'sent' applied", m.Status)
		}
		report(hiretext.StatusDelivered)
		report(hiretext.StatusSent) // late
		m, _ = db.MessageByID(ctx, fx.Org.ID, res[0].MessageID)
		if m.Status != hiretext.StatusDelivered {
			t.Fatalf("status %s after a late 'sent', want delivered", m.Status)
		}
	})
}

func TestInvalidRecipientFailsAndReleases(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 10)
		ann, _ := fx.MustCandidate(t, db, "Ann")
		res := fx.MustSend(t, db, "Hello", ann.ID)
		claimed, _ := db.ClaimDeliveries(ctx, fx.Number.ID, 10, time.Minute)
		if err := db.FailDelivery(ctx, claimed[0], hiretext.StatusFailed, "21211", "Not sent: invalid phone number (code 21211).", false); err != nil {
			t.Fatal(err)
		}
		m, _ := db.MessageByID(ctx, fx.Org.ID, res[0].MessageID)
		if m.Status != hiretext.StatusFailed || m.ErrorCode != "21211" || usage(t, db, fx).Used != 0 {
			t.Fatalf("message %+v, used %d; want failed and the reservation released", m, usage(t, db, fx).Used)
		}
	})
}

func TestUndeliverableReportExplainsTheCodeInPlainWords(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 10)
		ann, _ := fx.MustCandidate(t, db, "Ann")
		res := fx.MustSend(t, db, "Hello", ann.ID)
		claimed, _ := db.ClaimDeliveries(ctx, fx.Number.ID, 10, time.Minute)
		if err := db.RecordSent(ctx, claimed[0], "SMland", hiretext.StatusSending); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ApplyDeliveryReport(ctx, hiretext.DeliveryReport{Provider: fx.Number.Provider, ProviderMessageID: "SMland",
			Status: hiretext.StatusUndelivered, ErrorCode: "30006", ErrorMessage: "Landline or unreachable carrier", InvalidRecipient: true}); err != nil {
			t.Fatal(err)
		}
		m, _ := db.MessageByID(ctx, fx.Org.ID, res[0].MessageID)
		want := "Not sent: invalid phone number — this phone is a landline or cannot receive texts (code 30006)."
		if m.Status != hiretext.StatusUndelivered || m.ErrorCode != "30006" || m.ErrorMessage != want || !m.InvalidNumber() {
			t.Fatalf("message %s, code %q, reason %q; want undelivered, 30006 and %q", m.Status, m.ErrorCode, m.ErrorMessage, want)
		}
		// The conversation ends with a text that did not go: it is flagged.
		convs, err := db.NotSentConversations(ctx, fx.Org.ID, fx.Number.ID, time.Now().Add(-time.Hour), 10)
		if err != nil || len(convs) != 1 || convs[0].CandidateID != ann.ID || !convs[0].NotSent() {
			t.Fatalf("conversations not sent = %+v, %v; want Ann's", convs, err)
		}
		if other := MustCreateOrg(t, db, "Other"); len(mustNotSent(t, db, other.ID, fx.Number.ID)) != 0 {
			t.Fatal("another company sees the number's failed texts")
		}
		// Her reply ends the conversation: nothing is flagged any more.
		fx.Receive(t, db, "SMannreply", ann.TextingPhone(), "Try my other phone")
		if convs := mustNotSent(t, db, fx.Org.ID, fx.Number.ID); len(convs) != 0 {
			t.Fatalf("after a reply, conversations not sent = %+v", convs)
		}
	})
}

// mustNotSent lists the number's conversations that end with a failed text.
func mustNotSent(t *testing.T, db *store.DB, org hiretext.OrgID, number hiretext.NumberID) []*hiretext.Conversation {
	t.Helper()
	convs, err := db.NotSentConversations(ctx, org, number, time.Now().Add(-time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	return convs
}

func TestConversationPreviewSaysWhoWroteIt(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 50)
		ann, annPhone := fx.MustCandidate(t, db, "Ann")
		bob, bobPhone := fx.MustCandidate(t, db, "Bob")
		cy, _ := fx.MustCandidate(t, db, "Cy")
		fx.MustSend(t, db, "Hi, are you free Monday?", ann.ID, bob.ID, cy.ID)
		fx.Receive(t, db, "SMann", annPhone, "STOP") // answered with the automatic confirmation
		fx.Receive(t, db, "SMbob", bobPhone, "Monday works")
		convs, err := db.ListConversations(ctx, fx.Org.ID, fx.Number.ID, false, 10)
		if err != nil || len(convs) != 3 {
			t.Fatalf("conversations = %d, %v", len(convs), err)
		}
		type preview struct {
			dir    hiretext.Direction
			kind   hiretext.MessageKind
			sender hiretext.UserID
			name   string
		}
		want := map[hiretext.CandidateID]preview{
			ann.ID: {hiretext.Outbound, hiretext.KindKeywordReply, 0, ""},
			bob.ID: {hiretext.Inbound, hiretext.KindInbound, 0, ""},
			cy.ID:  {hiretext.Outbound, hiretext.KindRecruiter, fx.Recruiter.ID, fx.Recruiter.Name},
		}
		for _, v := range convs {
			got := preview{v.LastDirection, v.LastKind, v.LastSenderID, v.LastSender}
			if got != want[v.CandidateID] {
				t.Errorf("%s's conversation ends with %q by %+v, want %+v", v.CandidateName, v.LastMessage, got, want[v.CandidateID])
			}
		}
		v, err := db.CandidateConversation(ctx, fx.Org.ID, fx.Number.ID, ann.ID)
		if err != nil || v.LastKind != hiretext.KindKeywordReply || !strings.HasPrefix(v.LastMessage, "You're unsubscribed") {
			t.Fatalf("Ann's conversation = %+v, %v; want it to end with the automatic reply", v, err)
		}
		// What is unread is her STOP, newer than our automatic answer to it.
		if v.UnreadPreview != "STOP" {
			t.Errorf("Ann's unread text = %q, want her STOP", v.UnreadPreview)
		}
		for _, v := range convs {
			if v.CandidateID != ann.ID && v.UnreadPreview != "" {
				t.Errorf("%s's conversation has an unread preview %q besides its newest text", v.CandidateName, v.UnreadPreview)
			}
		}
		if err := db.MarkConversationRead(ctx, fx.Org.ID, fx.Number.ID, v.ID); err != nil {
			t.Fatal(err)
		}
		if v, _ = db.CandidateConversation(ctx, fx.Org.ID, fx.Number.ID, ann.ID); v.UnreadPreview != "" {
			t.Errorf("Ann's read conversation still has an unread preview %q", v.UnreadPreview)
		}
	})
}

func TestConversationsReadAndLink(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 50)
		ann, annPhone := fx.MustCandidate(t, db, "Ann")
		fx.MustSend(t, db, "Hi Ann", ann.ID)
		fx.Receive(t, db, "SMa", annPhone, "Hello!")
		// An area code Applicant never uses, so no candidate has this phone.
		unknown := fx.Receive(t, db, "SMu", "+12245550188", "This is Ann on my other phone")
		convs, err := db.ListConversations(ctx, fx.Org.ID, fx.Number.ID, true, 10)
		if err != nil || len(convs) != 2 || convs[0].CandidateID != 0 || convs[0].LastMessage != "This is Ann on my other phone" {
			t.Fatalf("unread conversations = %+v, %v", convs, err)
		}
		if n, _ := db.UnreadConversations(ctx, fx.Org.ID, fx.Number.ID); n != 2 {
			t.Fatalf("unread = %d, want 2", n)
		}
		// Another company cannot read or link it.
		other := MustCreateOrg(t, db, "Other")
		if err := db.MarkConversationRead(ctx, other.ID, fx.Number.ID, unknown.Message.ConversationID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.LinkConversation(ctx, other.ID, fx.Number.ID, unknown.Message.ConversationID, ann.ID); hiretext.ErrorCode(err) != hiretext.ENotFound {
			t.Fatalf("cross-company link: %v", err)
		}
		target, err := db.LinkConversation(ctx, fx.Org.ID, fx.Number.ID, unknown.Message.ConversationID, ann.ID)
		if err != nil {
			t.Fatal(err)
		}
		msgs, _ := db.ConversationMessages(ctx, fx.Org.ID, target, time.Time{})
		if len(msgs) != 3 {
			t.Fatalf("merged conversation has %d messages, want 3", len(msgs))
		}
		if err := db.MarkConversationRead(ctx, fx.Org.ID, fx.Number.ID, target); err != nil {
			t.Fatal(err)
		}
		if n, _ := db.UnreadConversations(ctx, fx.Org.ID, fx.Number.ID); n != 0 {
			t.Fatalf("unread after reading = %d", n)
		}
		texted, _ := db.TextedCandidates(ctx, fx.Org.ID, fx.Number.ID, []hiretext.CandidateID{ann.ID, 424242})
		if !texted[ann.ID] || texted[424242] {
			t.Fatalf("texted = %v", texted)
		}
	})
}
