package storetest

import (
	"cmp"
	"fmt"
	"slices"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// TestInboxPagesThroughEveryConversationUnreadFirst texts 211 candidates
// at once (so their conversations share one time and only ids order them),
// has 15 of them reply and texts 3 others again: paging through the inbox
// lists every conversation exactly once, the 15 unread ones first (before
// newer read ones), each part newest first.
func TestInboxPagesThroughEveryConversationUnreadFirst(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 500)
		cands := fx.MustRecipients(t, db, 211)
		ids := make([]hiretext.CandidateID, len(cands))
		for i, c := range cands {
			ids[i] = c.ID
		}
		fx.MustSend(t, db, "Open house on Friday!", ids...)
		for i := 3; i < len(cands); i += 14 {
			fx.Receive(t, db, fmt.Sprintf("SMin%d", i), cands[i].MainPhone, "I'm interested")
		}
		fx.MustSend(t, db, "Still there?", ids[:3]...) // read conversations newer than the unread ones
		all, err := db.ListConversations(ctx, fx.Org.ID, fx.Number.ID, false, 1000)
		if err != nil || len(all) != 211 {
			t.Fatalf("conversations = %d, %v", len(all), err)
		}
		slices.SortFunc(all, func(a, b *hiretext.Conversation) int {
			return cmp.Or(cmp.Compare(min(b.Unread, 1), min(a.Unread, 1)), b.LastMessageAt.Compare(a.LastMessageAt), cmp.Compare(b.ID, a.ID))
		})
		want := conversationIDs(all)

		got := inboxIDs(t, db, fx, hiretext.InboxQuery{Limit: 50})
		if !slices.Equal(got, want) {
			t.Fatalf("paged inbox:\n%v\nwant\n%v", got, want)
		}
		if got := inboxIDs(t, db, fx, hiretext.InboxQuery{Filter: hiretext.FilterUnread, Limit: 4}); !slices.Equal(got, want[:15]) {
			t.Fatalf("paged unread inbox = %v, want %v", got, want[:15])
		}
		if page, err := db.Inbox(ctx, fx.Org.ID, fx.Number.ID, hiretext.InboxQuery{}); err != nil || len(page.Conversations) != hiretext.DefaultPageSize {
			t.Fatalf("default page: %v", err)
		}
	})
}

// TestInboxRefusesBadPages checks the page size and that a cursor must come
// from a page of the same listing.
func TestInboxRefusesBadPages(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 50)
		a, _ := fx.MustCandidate(t, db, "Ann")
		b, _ := fx.MustCandidate(t, db, "Bob")
		fx.MustSend(t, db, "Hi", a.ID, b.ID)
		page, err := db.Inbox(ctx, fx.Org.ID, fx.Number.ID, hiretext.InboxQuery{Limit: 1})
		if err != nil || page.NextCursor == "" {
			t.Fatalf("first page: %+v, %v", page, err)
		}
		for _, q := range []hiretext.InboxQuery{{Limit: -1}, {Limit: hiretext.MaxPageSize + 1}, {Cursor: "abc"}, {Cursor: "!"},
			{Cursor: page.NextCursor, Filter: hiretext.FilterUnread}, {Filter: "lost"}} { // a position among read conversations
			if _, err := db.Inbox(ctx, fx.Org.ID, fx.Number.ID, q); hiretext.ErrorCode(err) != hiretext.EInvalid || len(hiretext.ErrorFields(err)) != 1 {
				t.Errorf("Inbox(%+v) = %v, want a field error", q, err)
			}
		}
		other := MustCreateOrg(t, db, "Other")
		if page, err := db.Inbox(ctx, other.ID, fx.Number.ID, hiretext.InboxQuery{}); err != nil || len(page.Conversations) != 0 {
			t.Fatalf("another company's inbox of the number: %+v, %v", page, err)
		}
	})
}

// inboxIDs pages through the inbox and returns the conversations' ids.
func inboxIDs(t *testing.T, db *store.DB, fx *Texting, q hiretext.InboxQuery) []hiretext.ConversationID {
	t.Helper()
	var out []hiretext.ConversationID
	for range 100 {
		page, err := db.Inbox(ctx, fx.Org.ID, fx.Number.ID, q)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, conversationIDs(page.Conversations)...)
		if page.NextCursor == "" {
			return out
		}
		q.Cursor = page.NextCursor
	}
	t.Fatal("the inbox never ends")
	return nil
}

func conversationIDs(cs []*hiretext.Conversation) []hiretext.ConversationID {
	out := make([]hiretext.ConversationID, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}
