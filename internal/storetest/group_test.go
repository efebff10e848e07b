package storetest

import (
	"fmt"
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

type heldResult struct {
	res *hiretext.InboundResult
	err error
}

func TestWebhooksArrivingTogetherShareOneTransactionAndAreEachStoredOnce(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 100)
		var texts []heldText
		ids := map[string]hiretext.CandidateID{}
		for i := range 8 {
			c, phone := fx.MustCandidate(t, db, fmt.Sprint("Ann", i))
			ids[phone] = c.ID
			texts = append(texts, heldText{fmt.Sprint("SMg", i), phone}, heldText{fmt.Sprint("SMg", i, "b"), phone})
		}
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
