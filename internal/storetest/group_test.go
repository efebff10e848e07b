package storetest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// receiveHeld delivers the texts (provider id → sender) concurrently while
// webhook groups are held, waits until all of them (and extra others
// queued by queue) wait for a group, and releases them as one group. It
// returns each text's outcome by provider id.
func receiveHeld(t *testing.T, db *store.DB, fx *Texting, texts []heldText, queue func(wg *sync.WaitGroup) int) map[int]heldResult {
	t.Helper()
	release := db.HoldWebhookGroups()
	out := make(map[int]heldResult, len(texts))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, tx := range texts {
		wg.Go(func() {
			res, err := db.ReceiveText(ctx, hiretext.IncomingText{Provider: fx.Number.Provider,
				ProviderMessageID: tx.id, From: tx.from, To: fx.Number.Phone, Body: "Yes, Monday works"})
			mu.Lock()
			out[i] = heldResult{res, err}
			mu.Unlock()
		})
	}
	extra := 0
	if queue != nil {
		extra = queue(&wg)
	}
	Eventually(t, "every webhook queued for a group", func() bool { return db.WebhooksQueued() == len(texts)+extra })
	groups, members := db.WebhookGroups()
	release()
	wg.Wait()
	g, m := db.WebhookGroups()
	if extra == 0 && (g-groups != 1 || m-members != int64(len(texts))) {
		t.Fatalf("%d groups of %d webhooks committed; want the %d in one", g-groups, m-members, len(texts))
	}
	return out
}

type heldText struct{ id, from string }

// twoTextsEach creates n candidates named name0, name1… and returns two
// texts from each, and each one's id by phone.
func twoTextsEach(t *testing.T, db *store.DB, fx *Texting, name string, n int) ([]heldText, map[string]hiretext.CandidateID) {
	t.Helper()
	var texts []heldText
	ids := map[string]hiretext.CandidateID{}
	for i := range n {
		c, phone := fx.MustCandidate(t, db, fmt.Sprint(name, i))
		ids[phone] = c.ID
		texts = append(texts, heldText{fmt.Sprint("SM", name, i), phone}, heldText{fmt.Sprint("SM", name, i, "b"), phone})
	}
	return texts, ids
}

type heldResult struct {
	res *hiretext.InboundResult
	err error
}

func TestWebhooksArrivingTogetherShareOneTransactionAndAreEachStoredOnce(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 100)
		texts, ids := twoTextsEach(t, db, fx, "Ann", 8)
		for i, r := range receiveHeld(t, db, fx, texts, nil) {
			if r.err != nil || r.res.Duplicate || r.res.Message == nil || r.res.Message.CandidateID != ids[texts[i].from] ||
				r.res.Message.ProviderID != texts[i].id {
				t.Fatalf("%s: %+v %v; want stored for its candidate", texts[i].id, r.res, r.err)
			}
		}
		for phone, id := range ids {
			msgs, err := db.CandidateMessages(ctx, fx.Org.ID, fx.Number.ID, id, time.Time{})
			if err != nil || len(msgs) != 2 || msgs[0].ConversationID != msgs[1].ConversationID {
				t.Fatalf("%s: %d messages (%v); want both texts once, in one conversation", phone, len(msgs), err)
			}
		}
		if u := usage(t, db, fx); u.Used != len(texts) {
			t.Fatalf("used %d, want %d: every text of the group counted once", u.Used, len(texts))
		}
	})
}

func TestAFailingWebhookFailsAloneInItsGroup(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 100)
		var texts []heldText
		for i := range 4 {
			_, phone := fx.MustCandidate(t, db, fmt.Sprint("Bo", i))
			texts = append(texts, heldText{fmt.Sprint("SMf", i), phone})
		}
		var failed error
		results := receiveHeld(t, db, fx, texts, func(wg *sync.WaitGroup) int {
			wg.Go(func() { failed = db.FailInWebhookGroup(ctx, "SMbroken") })
			return 1
		})
		if failed == nil {
			t.Fatal("the webhook breaking a constraint succeeded")
		}
		for i, r := range results {
			if r.err != nil || r.res.Message == nil || r.res.Duplicate {
				t.Fatalf("%s: %+v %v; want stored despite the other's failure", texts[i].id, r.res, r.err)
			}
		}
		if u := usage(t, db, fx); u.Used != len(texts) {
			t.Fatalf("used %d, want %d", u.Used, len(texts))
		}
		read, _ := db.Pools()
		var kept int
		if err := read.QueryRowContext(ctx, db.Rebind("SELECT COUNT(*) FROM unrouted_messages WHERE provider_message_id LIKE ?"),
			"SMbroken%").Scan(&kept); err != nil || kept != 0 {
			t.Fatalf("the failing webhook kept %d rows (%v); want none of its writes", kept, err)
		}
	})
}

func TestDuplicatesInOneGroupAreStoredOnce(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 100)
		ann, phone := fx.MustCandidate(t, db, "Ann")
		texts := []heldText{{"SMd1", phone}, {"SMd1", phone}, {"SMd2", phone}, {"SMd1", phone}, {"SMd2", phone}}
		stored := map[string]int{}
		for i, r := range receiveHeld(t, db, fx, texts, nil) {
			if r.err != nil {
				t.Fatalf("%s: %v", texts[i].id, r.err)
			}
			if !r.res.Duplicate {
				stored[texts[i].id]++
			}
		}
		msgs, err := db.CandidateMessages(ctx, fx.Org.ID, fx.Number.ID, ann.ID, time.Time{})
		if err != nil || len(msgs) != 2 || stored["SMd1"] != 1 || stored["SMd2"] != 1 || usage(t, db, fx).Used != 2 {
			t.Fatalf("%d messages (%v), stored %v, used %d; want each text once", len(msgs), err, stored, usage(t, db, fx).Used)
		}
	})
}

// The texts of a group write their conversations, response facts and
// events once for the whole group, at its end: each conversation must still
// end as if its texts had come one by one.
func TestAGroupLeavesEachConversationAsItsTextsOneByOne(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 100)
		texts, ids := twoTextsEach(t, db, fx, "Cy", 3)
		after, err := db.LatestEventID(ctx)
		if err != nil {
			t.Fatal(err)
		}
		stored := map[hiretext.MessageID]bool{}
		for i, r := range receiveHeld(t, db, fx, texts, nil) {
			if r.err != nil || r.res.Message == nil {
				t.Fatalf("%s: %+v %v", texts[i].id, r.res, r.err)
			}
			stored[r.res.Message.ID] = true
			// What the webhook returns is the message as stored, though
			// the group inserted it only at its end (on PostgreSQL).
			if got, err := db.MessageByID(ctx, fx.Org.ID, r.res.Message.ID); err != nil || !sameMessage(got, r.res.Message) {
				t.Fatalf("%s: returned %+v, stored %+v (%v)", texts[i].id, r.res.Message, got, err)
			}
		}
		read, _ := db.Pools()
		for phone, id := range ids {
			msgs, err := db.CandidateMessages(ctx, fx.Org.ID, fx.Number.ID, id, time.Time{})
			if err != nil || len(msgs) != 2 {
				t.Fatalf("%s: %d messages (%v)", phone, len(msgs), err)
			}
			first, last := msgs[0], msgs[1]
			if first.ID > last.ID {
				first, last = last, first
			}
			c, err := db.ConversationByID(ctx, fx.Org.ID, fx.Number.ID, first.ConversationID)
			if err != nil {
				t.Fatal(err)
			}
			if c.Unread != 2 || !c.LastMessageAt.Equal(last.CreatedAt) || !c.WaitingSince.Equal(first.CreatedAt) {
				t.Fatalf("%s: unread %d, last message at %v, waiting since %v; want 2 unread, the last text at %v, waiting since the first at %v",
					phone, c.Unread, c.LastMessageAt, c.WaitingSince, last.CreatedAt, first.CreatedAt)
			}
			var waits int
			if err := read.QueryRowContext(ctx, db.Rebind("SELECT COUNT(*) FROM response_waits WHERE conversation_id = ? AND answered_at IS NULL"),
				c.ID).Scan(&waits); err != nil || waits != 1 {
				t.Fatalf("%s: %d open waits (%v); want one, begun by the first text", phone, waits, err)
			}
		}
		evs, err := db.EventsAfter(ctx, after, 100)
		if err != nil {
			t.Fatal(err)
		}
		announced := map[hiretext.MessageID]int{}
		for _, ev := range evs {
			var data struct {
				MessageID string `json:"message_id"`
			}
			if ev.Kind == hiretext.EventMessageInbound && json.Unmarshal(ev.Data, &data) == nil {
				id, _ := strconv.ParseInt(data.MessageID, 10, 64)
				announced[hiretext.MessageID(id)]++
			}
		}
		for id := range stored {
			if announced[id] != 1 {
				t.Fatalf("message %d announced %d times; want once (events %v)", id, announced[id], announced)
			}
		}
		if len(announced) != len(stored) {
			t.Fatalf("%d messages announced, %d stored", len(announced), len(stored))
		}
	})
}

// sameMessage reports whether a and b are the same message, their times
// compared as instants.
func sameMessage(a, b *hiretext.Message) bool {
	x, y := *a, *b
	for _, m := range []*hiretext.Message{&x, &y} {
		m.CreatedAt, m.UpdatedAt, m.SendAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC(), m.SendAt.UTC()
		if len(m.Media) == 0 {
			m.Media = nil
		}
	}
	return reflect.DeepEqual(x, y)
}
