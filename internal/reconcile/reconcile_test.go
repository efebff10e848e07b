package reconcile_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
	"github.com/hiretext/hiretext/internal/reconcile"
	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/sms/simulator"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

var ctx = context.Background()

// simulatorAsTest is the simulator under the name of the numbers storetest
// makes ("test").
type simulatorAsTest struct{ *simulator.Provider }

func (simulatorAsTest) Name() string { return "test" }

// lossy is a company whose number lives on a simulator that drops every
// status callback and inbound webhook: without reconciliation hiretext
// never hears of them.
type lossy struct {
	fx    *storetest.Texting
	sim   *simulator.Provider
	cands []*hiretext.Candidate
	msgs  []hiretext.MessageID
}

func newLossy(t *testing.T, db *store.DB, texts int) *lossy {
	t.Helper()
	fx := storetest.MustSetUpTexting(t, db, 100)
	if _, err := db.Simulator().ProvisionNumber(ctx, fx.Number.Phone, "PN-test", time.Now()); err != nil {
		t.Fatal(err)
	}
	sim, err := simulator.New(ctx, simulator.Config{Store: db.Simulator(), Clock: hiretext.SystemClock,
		Faults: simulator.Faults{DropStatus: 1, DropInbound: 1}})
	if err != nil {
		t.Fatal(err)
	}
	l := &lossy{fx: fx, sim: sim}
	var ids []hiretext.CandidateID
	for _, c := range fx.MustRecipients(t, db, texts) {
		l.cands = append(l.cands, c)
		ids = append(ids, c.ID)
	}
	for _, r := range fx.MustSend(t, db, "Interview Tuesday at 10?", ids...) {
		l.msgs = append(l.msgs, r.MessageID)
	}
	l.sendAll(t, db)
	return l
}

// sendAll does the dispatcher's work: each queued text goes to the
// simulator and is recorded as handed over.
func (l *lossy) sendAll(t *testing.T, db *store.DB) {
	t.Helper()
	claimed, err := db.ClaimDeliveries(ctx, l.fx.Number.ID, len(l.msgs), time.Minute)
	if err != nil || len(claimed) != len(l.msgs) {
		t.Fatalf("claimed %d, %v", len(claimed), err)
	}
	for _, dl := range claimed {
		res, err := l.sim.Send(ctx, sms.OutboundMessage{From: dl.From, To: dl.To, Body: dl.Body})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.RecordSentBatch(ctx, []hiretext.SentDelivery{{Delivery: dl, ProviderID: res.ProviderMessageID, Status: res.Status}}, nil); err != nil {
			t.Fatal(err)
		}
	}
}

// reply has candidate i text the number; the webhook is dropped.
func (l *lossy) reply(t *testing.T, i int, body string) {
	t.Helper()
	from, _ := phone.Parse(l.cands[i].MainPhone, "US")
	if _, err := l.sim.SimulateInbound(ctx, from, l.fx.Number.Phone, body); err != nil {
		t.Fatal(err)
	}
}

// TestReconciliationImportsWhatWebhooksLost: the simulator dropped every
// status callback and two replies, one of them STOP. One run imports the
// replies (the STOP opts the candidate out, as the webhook would have) and
// the delivered statuses; a second run finds nothing missing.
func TestReconciliationImportsWhatWebhooksLost(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l := newLossy(t, db, 4)
		l.reply(t, 0, "Yes, Tuesday works")
		l.reply(t, 1, "STOP")
		if got := l.fx.StatusCounts(t, db, hiretext.KindRecruiter); got[hiretext.StatusSending] != 4 {
			t.Fatalf("before reconciling: %v, want all 4 still sending", got)
		}
		r := reconcile.New(db, simulatorAsTest{l.sim}, reconcile.Config{})
		res, err := r.Once(ctx)
		if err != nil || res != (reconcile.Result{Inbound: 2, Statuses: 4}) {
			t.Fatalf("Once = %+v, %v; want 2 replies and 4 statuses imported", res, err)
		}
		if got := l.fx.StatusCounts(t, db, hiretext.KindRecruiter); got[hiretext.StatusDelivered] != 4 {
			t.Fatalf("after reconciling: %v, want all 4 delivered", got)
		}
		if c, _ := db.CandidateByID(ctx, l.fx.Org.ID, l.cands[1].ID); c.OptedIn() {
			t.Fatal("the STOP imported by reconciliation did not opt the candidate out")
		}
		checks, err := db.ReconcileChecks(ctx, l.fx.Org.ID)
		if err != nil || checks[l.fx.Number.ID].Missing != 6 || checks[l.fx.Number.ID].CheckedAt.IsZero() {
			t.Fatalf("checks %+v, %v; want the number checked with 6 missing", checks, err)
		}
		if res, err := r.Once(ctx); err != nil || res != (reconcile.Result{}) {
			t.Fatalf("second run = %+v, %v; want nothing imported", res, err)
		}
		if checks, _ := db.ReconcileChecks(ctx, l.fx.Org.ID); checks[l.fx.Number.ID].Missing != 0 {
			t.Fatalf("second check says %d missing, want 0", checks[l.fx.Number.ID].Missing)
		}
		if got := r.Imported(); got[reconcile.KindInbound] != 2 || got[reconcile.KindStatus] != 4 || r.LastSuccess().IsZero() {
			t.Fatalf("imported %v, last success %v", got, r.LastSuccess())
		}
	})
}

// TestOneInstanceReconciles: the lease lets one holder at a time
// reconcile; it renews its own, and another takes it once it runs out.
func TestOneInstanceReconciles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		take := func(holder string, d time.Duration, want bool) {
			t.Helper()
			if got, err := db.TakeReconcileLease(ctx, holder, d); err != nil || got != want {
				t.Fatalf("%s takes the lease: %v, %v; want %v", holder, got, err, want)
			}
		}
		take("a", time.Hour, true)
		take("b", time.Hour, false)
		take("a", -time.Second, true) // renewed, already run out
		take("b", time.Hour, true)
		take("a", time.Hour, false)
	})
}

// TestReconciliationLooksBackToTextsStillOpen: a text whose status was
// lost after its number's last check (and the check's overlap) is still
// found: reconciliation looks back to the oldest text still waiting.
func TestReconciliationLooksBackToTextsStillOpen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l := newLossy(t, db, 1)
		// The number was checked an hour after the text went, well past the overlap.
		later := hiretext.ReconcileCheck{CheckedAt: time.Now().Add(time.Hour)}
		if err := db.SaveReconcileCheck(ctx, hiretext.ReconcileTarget{NumberID: l.fx.Number.ID, OrgID: l.fx.Org.ID}, later); err != nil {
			t.Fatal(err)
		}
		res, err := reconcile.New(db, simulatorAsTest{l.sim}, reconcile.Config{}).Once(ctx)
		if err != nil || res.Statuses != 1 {
			t.Fatalf("Once = %+v, %v; want the open text's status imported", res, err)
		}
		if got := l.fx.StatusCounts(t, db, hiretext.KindRecruiter); got[hiretext.StatusDelivered] != 1 {
			t.Fatalf("statuses %v, want delivered", got)
		}
	})
}

// TestReconciliationImportsAMissedPicture: an MMS whose webhook was lost is
// imported with its picture announced, pending, as the webhook would have
// stored it, for the media worker to fetch.
func TestReconciliationImportsAMissedPicture(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l := newLossy(t, db, 1)
		from, _ := phone.Parse(l.cands[0].MainPhone, "US")
		pic, err := simulator.Sample("certificate.png")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.sim.SimulateInbound(ctx, from, l.fx.Number.Phone, "My certificate", pic); err != nil {
			t.Fatal(err)
		}
		if res, err := reconcile.New(db, simulatorAsTest{l.sim}, reconcile.Config{}).Once(ctx); err != nil || res.Inbound != 1 {
			t.Fatalf("Once = %+v, %v; want the MMS imported", res, err)
		}
		msgs, err := db.CandidateMessages(ctx, l.fx.Org.ID, l.fx.Number.ID, l.cands[0].ID, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		var media []*hiretext.Media
		for _, m := range msgs {
			if m.Direction == hiretext.Inbound {
				media = append(media, m.Media...)
			}
		}
		if len(media) != 1 || media[0].Status != hiretext.MediaPending || media[0].DeclaredType != "image/png" ||
			!strings.Contains(media[0].ProviderURL, simulator.MediaPath+"ME") || media[0].Provider != "test" {
			t.Fatalf("the imported MMS's media: %+v, want the picture pending", media)
		}
	})
}
