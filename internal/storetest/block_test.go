package storetest

import (
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// TestCarrierBlockLastsUntilTheCandidateWrites: a delivery report of 30004
// (the candidate's phone blocks the number) opts them out as a provider
// signal in the consent history, so nothing more goes to them; their next
// text, whatever it says, opts them back in. A STOP is not ended so.
func TestCarrierBlockLastsUntilTheCandidateWrites(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 20)
		ann, annPhone := fx.MustCandidate(t, db, "Ann")
		res := fx.MustSend(t, db, "Hello", ann.ID)
		claimed, _ := db.ClaimDeliveries(ctx, fx.Number.ID, 10, time.Minute)
		if err := db.RecordSent(ctx, claimed[0], "SMblocked", hiretext.StatusSending); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ApplyDeliveryReport(ctx, hiretext.DeliveryReport{Provider: fx.Number.Provider, ProviderMessageID: "SMblocked",
			Status: hiretext.StatusUndelivered, ErrorCode: "30004", ErrorMessage: "Message blocked"}); err != nil {
			t.Fatal(err)
		}
		m, _ := db.MessageByID(ctx, fx.Org.ID, res[0].MessageID)
		if m.ErrorMessage != hiretext.DeliveryFailureReason("30004", "") {
			t.Fatalf("reason %q", m.ErrorMessage)
		}
		history, err := db.ConsentHistory(ctx, fx.Org.ID, ann.ID)
		if err != nil || len(history) == 0 || history[0].Status != hiretext.SMSOptedOut || history[0].Source != hiretext.ConsentProvider ||
			history[0].Rule != hiretext.RuleCarrierBlock {
			t.Fatalf("consent history %+v, %v; want it to start with the carrier's block", history, err)
		}
		if again := fx.MustSend(t, db, "Are you there?", ann.ID); again[0].Skipped != hiretext.SkipOptedOut {
			t.Fatalf("a blocked candidate was texted: %+v", again[0])
		}
		fx.Receive(t, db, "SMann1", annPhone, "Sorry, new phone settings. Still interested!")
		if c, _ := db.CandidateByID(ctx, fx.Org.ID, ann.ID); !c.OptedIn() {
			t.Fatal("the candidate wrote and is still blocked")
		}

		// Bea texted STOP: her later "hello" is a reply, not a way back in.
		bea, beaPhone := fx.MustCandidate(t, db, "Bea")
		fx.Receive(t, db, "SMbea1", beaPhone, "STOP")
		fx.Receive(t, db, "SMbea2", beaPhone, "hello")
		if c, _ := db.CandidateByID(ctx, fx.Org.ID, bea.ID); c.OptedIn() {
			t.Fatal("a text after STOP opted the candidate back in")
		}
	})
}
