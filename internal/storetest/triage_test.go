package storetest

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// triage is a number's inbox after a morning's texts: Ann answered twice
// and waits; Bob texted STOP (a keyword waits for nobody); Cy answered and
// was answered; Dee's text failed; Eve's waits for a retry.
type triage struct {
	fx                          *Texting
	ann, bob, cy, dee, eve      *hiretext.Candidate
	annPhone, bobPhone, cyPhone string
	deePhone                    string
	annAsked                    time.Time // Ann's first text
}

func setUpTriage(t *testing.T, db *store.DB, clock *Clock) *triage {
	t.Helper()
	fx := MustSetUpTexting(t, db, 100)
	tr := &triage{fx: fx}
	tr.ann, tr.annPhone = fx.MustCandidate(t, db, "Ann")
	tr.bob, tr.bobPhone = fx.MustCandidate(t, db, "Bob")
	tr.cy, tr.cyPhone = fx.MustCandidate(t, db, "Cy")
	tr.dee, tr.deePhone = fx.MustCandidate(t, db, "Dee")
	tr.eve, _ = fx.MustCandidate(t, db, "Eve")
	fx.MustSend(t, db, "Can you start Monday?", tr.ann.ID, tr.bob.ID, tr.cy.ID, tr.dee.ID, tr.eve.ID)
	claimed, err := db.ClaimDeliveries(ctx, fx.Number.ID, 10, time.Minute)
	if err != nil || len(claimed) != 5 {
		t.Fatalf("claimed %d, %v", len(claimed), err)
	}
	for _, dl := range claimed {
		switch dl.CandidateID {
		case tr.dee.ID:
			err = db.FailDelivery(ctx, dl, hiretext.StatusFailed, "30006", "The phone cannot receive texts.", false)
		case tr.eve.ID:
			err = db.RetryDelivery(ctx, dl, clock.Now().Add(time.Hour), "30001", "The provider is busy.", false)
		default:
			_, err = db.RecordSentBatch(ctx, []hiretext.SentDelivery{{Delivery: dl, ProviderID: "SM" + dl.To, Status: hiretext.StatusSent}}, nil)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(time.Minute)
	tr.annAsked = clock.Now()
	fx.Receive(t, db, "SMa1", tr.annPhone, "Yes! What time?")
	clock.Advance(time.Minute)
	fx.Receive(t, db, "SMa2", tr.annPhone, "Hello?")
	fx.Receive(t, db, "SMb1", tr.bobPhone, "STOP")
	fx.Receive(t, db, "SMc1", tr.cyPhone, "Sure")
	clock.Advance(time.Minute)
	fx.MustSend(t, db, "Great, 9 a.m.", tr.cy.ID)
	return tr
}

// conversationOf returns the candidate's conversation with the number.
func (tr *triage) conversationOf(t *testing.T, db *store.DB, c *hiretext.Candidate) *hiretext.Conversation {
	t.Helper()
	v, err := db.CandidateConversation(ctx, tr.fx.Org.ID, tr.fx.Number.ID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// filtered lists the candidates of the conversations under a filter and a
// search, in the inbox's order.
func (tr *triage) filtered(t *testing.T, db *store.DB, f hiretext.InboxFilter, text string) []hiretext.CandidateID {
	t.Helper()
	page, err := db.Inbox(ctx, tr.fx.Org.ID, tr.fx.Number.ID, hiretext.InboxQuery{Filter: f, Text: text})
	if err != nil {
		t.Fatalf("inbox %q %q: %v", f, text, err)
	}
	var out []hiretext.CandidateID
	for _, v := range page.Conversations {
		out = append(out, v.CandidateID)
	}
	return out
}

// TestInboxFiltersTriage: each filter lists the conversations needing that
// attention, with its count; a wait starts at the candidate's first
// unanswered text and ends with an answer; a keyword starts none.
func TestInboxFiltersTriage(t *testing.T) {
	eachWithClock(t, time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC), func(t *testing.T, db *store.DB, clock *Clock) {
		tr := setUpTriage(t, db, clock)
		ids := func(cs ...*hiretext.Candidate) []hiretext.CandidateID {
			var out []hiretext.CandidateID
			for _, c := range cs {
				out = append(out, c.ID)
			}
			return out
		}
		for f, want := range map[hiretext.InboxFilter][]hiretext.CandidateID{
			hiretext.FilterNeedsReply: ids(tr.ann),
			hiretext.FilterUnread:     ids(tr.cy, tr.bob, tr.ann), // answering Cy read nothing
			hiretext.FilterFailed:     ids(tr.dee),
			hiretext.FilterScheduled:  ids(tr.eve),
			hiretext.FilterDone:       nil,
			hiretext.FilterOpen:       ids(tr.cy, tr.bob, tr.ann, tr.eve, tr.dee),
		} {
			if got := tr.filtered(t, db, f, ""); !slices.Equal(got, want) {
				t.Errorf("filter %q lists %v, want %v", f, got, want)
			}
		}
		counts, err := db.InboxCounts(ctx, tr.fx.Org.ID, tr.fx.Number.ID, "")
		want := hiretext.InboxCounts{hiretext.FilterOpen: 5, hiretext.FilterNeedsReply: 1, hiretext.FilterUnread: 3,
			hiretext.FilterFailed: 1, hiretext.FilterScheduled: 1, hiretext.FilterDone: 0}
		if err != nil || !maps.Equal(counts, want) {
			t.Fatalf("counts %v, %v; want %v", counts, err, want)
		}
		ann := tr.conversationOf(t, db, tr.ann)
		if !ann.NeedsReply() || !ann.WaitingSince.Equal(tr.annAsked) {
			t.Fatalf("Ann waits since %v, want her first unanswered text at %v", ann.WaitingSince, tr.annAsked)
		}
		if bob := tr.conversationOf(t, db, tr.bob); bob.NeedsReply() || bob.Unread != 1 {
			t.Fatalf("Bob's STOP: needs reply %v, unread %d; want unread and waiting for nobody", bob.NeedsReply(), bob.Unread)
		}
		// Once the retry's time has come, Eve's text is no longer scheduled.
		clock.Advance(2 * time.Hour)
		if got := tr.filtered(t, db, hiretext.FilterScheduled, ""); len(got) != 0 {
			t.Fatalf("scheduled after the retry's time: %v", got)
		}
		tr.fx.MustSend(t, db, "We start at 9.", tr.ann.ID)
		if got := tr.filtered(t, db, hiretext.FilterNeedsReply, ""); len(got) != 0 {
			t.Fatalf("needs reply after answering Ann: %v", got)
		}
	})
}

// TestInboxSearchFindsByNameOrPhone searches the inbox by a name's start
// and by a phone's digits, counts included.
func TestInboxSearchFindsByNameOrPhone(t *testing.T) {
	eachWithClock(t, time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC), func(t *testing.T, db *store.DB, clock *Clock) {
		tr := setUpTriage(t, db, clock)
		digits := tr.deePhone[len(tr.deePhone)-7:]
		for text, want := range map[string][]hiretext.CandidateID{
			"an":                          {tr.ann.ID},
			"ANN tester":                  {tr.ann.ID},
			"zed":                         nil,
			digits[:3] + "-" + digits[3:]: {tr.dee.ID},
		} {
			if got := tr.filtered(t, db, hiretext.FilterOpen, text); !slices.Equal(got, want) {
				t.Errorf("search %q finds %v, want %v", text, got, want)
			}
		}
		counts, err := db.InboxCounts(ctx, tr.fx.Org.ID, tr.fx.Number.ID, "ann")
		if err != nil || counts[hiretext.FilterOpen] != 1 || counts[hiretext.FilterNeedsReply] != 1 || counts[hiretext.FilterFailed] != 0 {
			t.Fatalf("counts searching ann: %v, %v", counts, err)
		}
		if _, err := db.InboxCounts(ctx, tr.fx.Org.ID, tr.fx.Number.ID, string(make([]byte, 201))); hiretext.ErrorCode(err) != hiretext.EInvalid {
			t.Fatalf("a 201-character search: %v, want invalid", err)
		}
	})
}

// TestDoneClosesUntilTheCandidateWritesAgain: Done takes a conversation out
// of the open inbox, read and waiting for nobody; the candidate's next text
// reopens it, unread and waiting; Mark unread works on a read conversation
// and reopens a Done one. Each change tells the number's users.
func TestDoneClosesUntilTheCandidateWritesAgain(t *testing.T) {
	eachWithClock(t, time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC), func(t *testing.T, db *store.DB, clock *Clock) {
		tr := setUpTriage(t, db, clock)
		org, num := tr.fx.Org.ID, tr.fx.Number.ID
		ann := tr.conversationOf(t, db, tr.ann)
		before := lastEventID(t, db)
		if err := db.MarkConversationDone(ctx, org, num, ann.ID); err != nil {
			t.Fatal(err)
		}
		if v := tr.conversationOf(t, db, tr.ann); !v.Done() || v.NeedsReply() || v.Unread != 0 {
			t.Fatalf("after Done: done %v, needs reply %v, unread %d", v.Done(), v.NeedsReply(), v.Unread)
		}
		if got := tr.filtered(t, db, hiretext.FilterDone, ""); !slices.Equal(got, []hiretext.CandidateID{tr.ann.ID}) {
			t.Fatalf("done lists %v", got)
		}
		if got := tr.filtered(t, db, hiretext.FilterOpen, ""); slices.Contains(got, tr.ann.ID) {
			t.Fatalf("the open inbox still lists Ann: %v", got)
		}
		if e := eventsAfter(t, db, before); len(e) != 1 || e[0].Kind != hiretext.EventConversationChanged {
			t.Fatalf("events after Done: %+v", e)
		}
		clock.Advance(time.Hour)
		wrote := clock.Now()
		tr.fx.Receive(t, db, "SMa3", tr.annPhone, "One more question")
		if v := tr.conversationOf(t, db, tr.ann); v.Done() || !v.WaitingSince.Equal(wrote) || v.Unread != 1 {
			t.Fatalf("after the candidate wrote again: done %v, waiting since %v (want %v), unread %d", v.Done(), v.WaitingSince, wrote, v.Unread)
		}

		cy := tr.conversationOf(t, db, tr.cy)
		if err := db.MarkConversationDone(ctx, org, num, cy.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkConversationUnread(ctx, org, num, cy.ID); err != nil {
			t.Fatal(err)
		}
		if v := tr.conversationOf(t, db, tr.cy); v.Done() || v.Unread != 1 {
			t.Fatalf("Mark unread on a Done conversation: done %v, unread %d; want open and unread", v.Done(), v.Unread)
		}
		other := MustCreateOrg(t, db, "Other")
		before = lastEventID(t, db)
		if err := db.MarkConversationDone(ctx, other.ID, num, cy.ID); err != nil {
			t.Fatal(err)
		}
		if v := tr.conversationOf(t, db, tr.cy); v.Done() || len(eventsAfter(t, db, before)) != 0 {
			t.Fatal("another company closed the conversation")
		}
	})
}

// lastEventID is the id of the newest event recorded.
func lastEventID(t *testing.T, db *store.DB) int64 {
	t.Helper()
	evs := eventsAfter(t, db, 0)
	if len(evs) == 0 {
		return 0
	}
	return evs[len(evs)-1].ID
}

// eventsAfter lists the events recorded after id.
func eventsAfter(t *testing.T, db *store.DB, id int64) []hiretext.Event {
	t.Helper()
	evs, err := db.EventsAfter(ctx, id, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}
