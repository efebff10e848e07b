package storetest

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// TestNotesAreKeptApartFromTexts: a note is stored with its author and
// time, listed oldest first, tells the number's users in its own
// transaction, and neither the allowance nor the SMS Activity report counts
// it.
func TestNotesAreKeptApartFromTexts(t *testing.T) {
	eachWithClock(t, time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC), func(t *testing.T, db *store.DB, clock *Clock) {
		fx := MustSetUpTexting(t, db, 100)
		ann, _ := fx.MustCandidate(t, db, "Ann")
		fx.MustSend(t, db, "Can you start Monday?", ann.ID)
		v, err := db.CandidateConversation(ctx, fx.Org.ID, fx.Number.ID, ann.ID)
		if err != nil {
			t.Fatal(err)
		}
		before, err := db.Usage(ctx, fx.Org.ID, fx.Number.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		period, err := hiretext.NewReportPeriod("", "", fx.Org.Location(), clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		report, err := db.ActivitySummary(ctx, fx.Org.ID, hiretext.ActivityFilter{Period: period})
		if err != nil {
			t.Fatal(err)
		}
		lastEvent := lastEventID(t, db)
		first, err := db.AddNote(ctx, fx.Org.ID, fx.Number.ID, v.ID, fx.Recruiter.ID, "Prefers mornings.")
		if err != nil {
			t.Fatal(err)
		}
		if first.AuthorID != fx.Recruiter.ID || first.AuthorName != "Rita Recruiter" || !first.CreatedAt.Equal(clock.Now()) || first.Body != "Prefers mornings." {
			t.Fatalf("note %+v: want Rita's, now, as written", first)
		}
		evs := eventsAfter(t, db, lastEvent)
		if len(evs) != 1 || evs[0].Kind != hiretext.EventConversationChanged || evs[0].NumberID != fx.Number.ID ||
			!strings.Contains(string(evs[0].Data), `"note_id":"`+strconv.FormatInt(int64(first.ID), 10)+`"`) {
			t.Fatalf("events after a note: %+v; want one conversation.changed naming it", evs)
		}
		clock.Advance(time.Minute)
		if _, err := db.AddNote(ctx, fx.Org.ID, fx.Number.ID, v.ID, fx.Recruiter.ID, "Called:\nno answer."); err != nil {
			t.Fatal(err)
		}
		notes, err := db.ConversationNotes(ctx, fx.Org.ID, fx.Number.ID, v.ID)
		if err != nil || len(notes) != 2 || notes[0].ID != first.ID || notes[1].Body != "Called:\nno answer." {
			t.Fatalf("notes %+v, %v; want both, oldest first", notes, err)
		}
		after, err := db.Usage(ctx, fx.Org.ID, fx.Number.ID, "")
		if err != nil || after.Used != before.Used {
			t.Fatalf("usage %d after notes, %v; want %d: notes are not texts", after.Used, err, before.Used)
		}
		again, err := db.ActivitySummary(ctx, fx.Org.ID, hiretext.ActivityFilter{Period: period})
		if err != nil || again.Totals != report.Totals {
			t.Fatalf("report totals %+v after notes, %v; want %+v", again.Totals, err, report.Totals)
		}
	})
}

// TestNoteRefusesBadInputAndOtherConversations: an empty, too long or
// control-character note is refused on its body and stores nothing; another
// company's or another number's conversation is not found.
func TestNoteRefusesBadInputAndOtherConversations(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 100)
		ann, _ := fx.MustCandidate(t, db, "Ann")
		fx.MustSend(t, db, "Hello", ann.ID)
		v, err := db.CandidateConversation(ctx, fx.Org.ID, fx.Number.ID, ann.ID)
		if err != nil {
			t.Fatal(err)
		}
		for name, body := range map[string]string{
			"empty": "", "blank": " \n ", "too long": strings.Repeat("a", hiretext.MaxNoteChars+1), "control": "bell\x07", "NUL": "a\x00b",
		} {
			_, err := db.AddNote(ctx, fx.Org.ID, fx.Number.ID, v.ID, fx.Recruiter.ID, body)
			if e, ok := err.(*hiretext.Error); !ok || e.Code != hiretext.EInvalid || e.Fields["body"] == "" {
				t.Errorf("%s note: %v; want a field error on body", name, err)
			}
		}
		other := MustSetUpTexting(t, db, 100)
		second := MustAddNumber(t, db, fx.Org.ID)
		for name, call := range map[string]func() error{
			"other company": func() error {
				_, err := db.AddNote(ctx, other.Org.ID, fx.Number.ID, v.ID, other.Recruiter.ID, "x")
				return err
			},
			"other number": func() error {
				_, err := db.AddNote(ctx, fx.Org.ID, second.ID, v.ID, fx.Recruiter.ID, "x")
				return err
			},
			"read by other number": func() error {
				_, err := db.ConversationNotes(ctx, fx.Org.ID, second.ID, v.ID)
				return err
			},
		} {
			if err := call(); hiretext.ErrorCode(err) != hiretext.ENotFound {
				t.Errorf("%s: %v; want not found", name, err)
			}
		}
		if notes, err := db.ConversationNotes(ctx, fx.Org.ID, fx.Number.ID, v.ID); err != nil || len(notes) != 0 {
			t.Fatalf("notes %v, %v; want none stored", notes, err)
		}
	})
}

// TestNotesInExportAndErasure: the candidate's record holds the notes on
// their conversations; erasing them deletes those notes and nobody else's.
func TestNotesInExportAndErasure(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 100)
		ann, _ := fx.MustCandidate(t, db, "Ann")
		bob, _ := fx.MustCandidate(t, db, "Bob")
		fx.MustSend(t, db, "Hello", ann.ID, bob.ID)
		var convs []*hiretext.Conversation
		for _, c := range []*hiretext.Candidate{ann, bob} {
			v, err := db.CandidateConversation(ctx, fx.Org.ID, fx.Number.ID, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.AddNote(ctx, fx.Org.ID, fx.Number.ID, v.ID, fx.Recruiter.ID, "About "+c.FirstName); err != nil {
				t.Fatal(err)
			}
			convs = append(convs, v)
		}
		rec, err := db.CandidateRecord(ctx, fx.Org.ID, ann.ID)
		if err != nil || len(rec.Notes) != 1 || rec.Notes[0].Body != "About Ann" || rec.Notes[0].AuthorName != "Rita Recruiter" {
			t.Fatalf("Ann's record notes %+v, %v; want her one note", rec.Notes, err)
		}
		admin := MustCreateUser(t, db, fx.Org.ID, "Ada Admin", hiretext.RoleAdmin)
		if err := db.EraseCandidate(ctx, fx.Org.ID, ann.ID, admin.ID); err != nil {
			t.Fatal(err)
		}
		if notes, err := db.ConversationNotes(ctx, fx.Org.ID, fx.Number.ID, convs[0].ID); err != nil || len(notes) != 0 {
			t.Fatalf("Ann's notes after erasure: %+v, %v; want none", notes, err)
		}
		if notes, err := db.ConversationNotes(ctx, fx.Org.ID, fx.Number.ID, convs[1].ID); err != nil || len(notes) != 1 {
			t.Fatalf("Bob's notes after Ann's erasure: %+v, %v; want his one", notes, err)
		}
	})
}

// TestNotesFollowALinkedConversation: linking an unknown sender's
// conversation to a candidate who already has one keeps its notes, now on
// the candidate's conversation.
func TestNotesFollowALinkedConversation(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 100)
		ann, _ := fx.MustCandidate(t, db, "Ann")
		fx.MustSend(t, db, "Hello", ann.ID)
		unknown := fx.Receive(t, db, "SMu1", "+13125550199", "Hi, this is Ann's new phone")
		if _, err := db.AddNote(ctx, fx.Org.ID, fx.Number.ID, unknown.Message.ConversationID, fx.Recruiter.ID, "Ann's new phone?"); err != nil {
			t.Fatal(err)
		}
		target, err := db.LinkConversation(ctx, fx.Org.ID, fx.Number.ID, unknown.Message.ConversationID, ann.ID)
		if err != nil {
			t.Fatal(err)
		}
		notes, err := db.ConversationNotes(ctx, fx.Org.ID, fx.Number.ID, target)
		if err != nil || target == unknown.Message.ConversationID || len(notes) != 1 || notes[0].Body != "Ann's new phone?" {
			t.Fatalf("notes on Ann's conversation %d after linking: %+v, %v; want the unknown sender's note", target, notes, err)
		}
	})
}
