package storetest

import (
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// An unknown sender made a candidate "texted us first": their texts move to
// them, the ledger says so, a one-to-one answer goes, a bulk send skips them.
func TestCandidateFromConversation(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 50)
		MustOpenEveryHour(t, db, fx.Org.ID)
		ann, _ := fx.MustCandidate(t, db, "Ann")
		in := fx.Receive(t, db, "SMu1", "+12245550188", "Hi, saw your sign, are you hiring?")
		fx.Receive(t, db, "SMu2", "+12245550188", "I can start Monday")
		conv := in.Message.ConversationID
		lastEvent := lastEventID(t, db)

		c, err := db.CandidateFromConversation(ctx, fx.Org.ID, fx.Number.ID, conv,
			hiretext.SenderCandidate{FirstName: " Marta ", LastName: "Diaz"}, fx.Recruiter.ID)
		if err != nil {
			t.Fatal(err)
		}
		if evs := eventsAfter(t, db, lastEvent); len(evs) != 1 || evs[0].Kind != hiretext.EventConversationChanged || evs[0].NumberID != fx.Number.ID {
			t.Fatalf("events = %+v; want one conversation.changed for the number's pages", evs)
		}
		if c.Name() != "Marta Diaz" || c.MainPhone != "+12245550188" || !c.TextedFirst() || c.OptedIn() || c.SMSLabel() != "Texted us first" {
			t.Fatalf("candidate = %+v (%s)", c, c.SMSLabel())
		}
		v, err := db.CandidateConversation(ctx, fx.Org.ID, fx.Number.ID, c.ID)
		if err != nil || v.ID != conv {
			t.Fatalf("conversation = %+v, %v; want the thread %d", v, err, conv)
		}
		msgs, _ := db.ConversationMessages(ctx, fx.Org.ID, conv, time.Time{})
		if len(msgs) != 2 || msgs[0].CandidateID != c.ID || msgs[1].CandidateID != c.ID {
			t.Fatalf("messages not linked to the candidate: %+v", msgs)
		}
		hist, _ := db.ConsentHistory(ctx, fx.Org.ID, c.ID)
		if len(hist) != 1 || hist[0].Label() != "Texted us first" || hist[0].Status != hiretext.SMSOptedOut ||
			hist[0].MessageID != int64(msgs[0].ID) || hist[0].UserID != fx.Recruiter.ID {
			t.Fatalf("consent history = %+v", hist)
		}
		// Listed beside the pool, which lists applicants (Ann) only.
		if from, err := db.CandidatesFromTexts(ctx, fx.Org.ID, 10); err != nil || len(from) != 1 || from[0].ID != c.ID {
			t.Fatalf("candidates from texts = %+v, %v", from, err)
		}
		if rep, err := db.VerifyConsentLedger(ctx, fx.Org.ID); err != nil || !rep.OK() {
			t.Fatalf("ledger = %+v, %v", rep, err)
		}

		// A bulk send skips them with the reason; Ann gets hers.
		res := fx.MustSend(t, db, "Open interviews Friday", ann.ID, c.ID)
		if !res[0].Queued || res[1].Queued || res[1].Skipped != hiretext.SkipTextedFirst {
			t.Fatalf("bulk results = %+v", res)
		}
		// A one-to-one answer goes into their conversation.
		res = fx.MustSend(t, db, "Yes! Come by at 10", c.ID)
		if !res[0].Queued {
			t.Fatalf("answer = %+v", res)
		}
		if m, _ := db.ConversationMessages(ctx, fx.Org.ID, conv, time.Time{}); len(m) != 3 || m[2].To != "+12245550188" {
			t.Fatalf("answer not in the thread: %+v", m)
		}

		// With the policy off the answer is refused.
		p, _ := db.SendPolicy(ctx, fx.Org.ID)
		u := p.Update()
		u.AnswerTextedFirst = false
		if _, err := db.UpdateSendPolicy(ctx, fx.Org.ID, u, 0); err != nil {
			t.Fatal(err)
		}
		if res = fx.MustSend(t, db, "Are you still there?", c.ID); res[0].Queued || res[0].Skipped != hiretext.SkipTextedFirstOff {
			t.Fatalf("answer with the policy off = %+v", res)
		}

		// START opts them in: then bulk sends reach them.
		fx.Receive(t, db, "SMu3", "+12245550188", "START")
		c, _ = db.CandidateByID(ctx, fx.Org.ID, c.ID)
		if c.TextedFirst() || !c.OptedIn() {
			t.Fatalf("after START: %+v", c)
		}
		if res = fx.MustSend(t, db, "Open interviews Saturday", ann.ID, c.ID); !res[1].Queued {
			t.Fatalf("bulk after START = %+v", res)
		}
	})
}

// STOP ends "texted us first": no answer goes after it.
func TestTextedFirstStop(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 50)
		MustOpenEveryHour(t, db, fx.Org.ID)
		in := fx.Receive(t, db, "SMs1", "+12245550177", "Is the job still open?")
		c, err := db.CandidateFromConversation(ctx, fx.Org.ID, fx.Number.ID, in.Message.ConversationID,
			hiretext.SenderCandidate{LastName: "Cher"}, fx.Recruiter.ID)
		if err != nil || !c.TextedFirst() {
			t.Fatalf("candidate = %+v, %v", c, err)
		}
		fx.Receive(t, db, "SMs2", "+12245550177", "STOP")
		c, _ = db.CandidateByID(ctx, fx.Org.ID, c.ID)
		if c.TextedFirst() || c.SMSLabel() != "SMS: Opted Out" {
			t.Fatalf("after STOP: %+v", c)
		}
		if res := fx.MustSend(t, db, "Sorry to see you go", c.ID); res[0].Queued || res[0].Skipped != hiretext.SkipOptedOut {
			t.Fatalf("answer after STOP = %+v", res)
		}
		// A sender who had texted STOP before being made a candidate stays opted out.
		in = fx.Receive(t, db, "SMs3", "+12245550166", "STOP")
		d, err := db.CandidateFromConversation(ctx, fx.Org.ID, fx.Number.ID, in.Message.ConversationID,
			hiretext.SenderCandidate{LastName: "Prince"}, fx.Recruiter.ID)
		if err != nil || d.TextedFirst() {
			t.Fatalf("candidate after STOP = %+v, %v", d, err)
		}
	})
}

// Bad input changes nothing: no name, a phone that is a candidate's, a
// conversation that is a candidate's, another company's conversation.
func TestCandidateFromConversationRefused(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 50)
		ann, annPhone := fx.MustCandidate(t, db, "Ann")
		fx.MustSend(t, db, "Hi Ann", ann.ID)
		known := fx.Receive(t, db, "SMk", annPhone, "Hello")
		unknown := fx.Receive(t, db, "SMn", "+12245550155", "Hello?")
		conv := unknown.Message.ConversationID
		create := func(org hiretext.OrgID, id hiretext.ConversationID, last string) error {
			_, err := db.CandidateFromConversation(ctx, org, fx.Number.ID, id, hiretext.SenderCandidate{FirstName: "X", LastName: last}, fx.Recruiter.ID)
			return err
		}
		if err := create(fx.Org.ID, conv, "  "); hiretext.ErrorCode(err) != hiretext.EInvalid || hiretext.ErrorFields(err)["last_name"] == "" {
			t.Fatalf("empty name: %v", err)
		}
		if err := create(fx.Org.ID, known.Message.ConversationID, "Lee"); hiretext.ErrorCode(err) != hiretext.EConflict {
			t.Fatalf("a candidate's conversation: %v", err)
		}
		other := MustCreateOrg(t, db, "Other")
		if err := create(other.ID, conv, "Lee"); hiretext.ErrorCode(err) != hiretext.ENotFound {
			t.Fatalf("another company's conversation: %v", err)
		}
		// The phone became a candidate's since the text came in (an application).
		alt := "+12245550155"
		if _, err := db.UpdateCandidate(ctx, fx.Org.ID, ann.ID, hiretext.CandidateUpdate{AlternatePhone: &alt}, fx.Recruiter.ID); err != nil {
			t.Fatal(err)
		}
		err := create(fx.Org.ID, conv, "Lee")
		if hiretext.ErrorCode(err) != hiretext.EConflict || hiretext.ErrorMessage(err) != "(224) 555-0155 already belongs to Ann Tester: link this conversation to that candidate instead." {
			t.Fatalf("phone already a candidate's: %v", err)
		}
		if v, _ := db.ConversationByID(ctx, fx.Org.ID, fx.Number.ID, conv); v.CandidateID != 0 {
			t.Fatalf("refused creation linked the conversation: %+v", v)
		}
		if made, _ := db.CandidatesFromTexts(ctx, fx.Org.ID, 10); len(made) != 0 {
			t.Fatalf("refused creations made candidates: %+v", made)
		}
	})
}
