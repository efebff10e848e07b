package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
)

// CandidateFromConversation makes a new candidate of an unknown sender's
// conversation in one transaction: the candidate gets the conversation's
// phone as main phone, "texted us first" (unless the sender's last keyword
// was STOP, when they are simply opted out), an entry in the consent ledger
// saying so, and the conversation with its texts and notes. A phone that
// already belongs to a candidate is refused: the conversation should be
// linked to them instead.
func (db *DB) CandidateFromConversation(ctx context.Context, org hiretext.OrgID, number hiretext.NumberID,
	id hiretext.ConversationID, n hiretext.SenderCandidate, by hiretext.UserID) (*hiretext.Candidate, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	var out *hiretext.Candidate
	err := db.inEventTx(ctx, func(tx conn) error {
		v, err := unknownSender(ctx, tx, org, number, id)
		if err != nil {
			return err
		}
		c := &hiretext.Candidate{OrgID: org, FirstName: n.FirstName, LastName: n.LastName, MainPhone: v.Phone,
			CreatedAt: db.now(), UpdatedAt: db.now()}
		if err := db.insertCandidate(ctx, tx, c); err != nil {
			return err
		}
		if err := db.recordTextedFirst(ctx, tx, v, c, by); err != nil {
			return err
		}
		if _, err := mergeConversation(ctx, tx, v, c.ID, db.now()); err != nil {
			return err
		}
		if out, err = candidateByID(ctx, tx, org, c.ID); err != nil {
			return err
		}
		// The number's open inboxes and threads re-read it: the sender has a name now.
		return db.insertEvent(ctx, tx, &hiretext.Event{OrgID: org, NumberID: number, Kind: hiretext.EventConversationChanged,
			Data: eventData(map[string]any{"conversation_id": v.ID, "candidate_id": c.ID}), At: db.now()})
	})
	return out, err
}

// unknownSender returns the conversation id of a number when it is an
// unknown sender's whose phone can be a candidate's and is nobody's yet.
func unknownSender(ctx context.Context, tx conn, org hiretext.OrgID, number hiretext.NumberID, id hiretext.ConversationID) (*hiretext.Conversation, error) {
	v, err := scanConversation(tx.queryRow(ctx, "SELECT "+conversationColumns+conversationFrom+
		" WHERE v.org_id = ? AND v.number_id = ? AND v.id = ?", org, number, id))
	if err != nil {
		return nil, err
	}
	if v.CandidateID != 0 {
		return nil, hiretext.Errorf(hiretext.EConflict, "This conversation already belongs to a candidate.")
	}
	if !phone.IsE164(v.Phone) {
		return nil, hiretext.Errorf(hiretext.EInvalid, "%s is a short code, not a person's phone: it cannot be a candidate.", v.Phone)
	}
	owners, err := candidatesByPhone(ctx, tx, org, v.Phone)
	if err != nil {
		return nil, err
	}
	if len(owners) > 0 {
		return nil, hiretext.Errorf(hiretext.EConflict, "%s already belongs to %s: link this conversation to that candidate instead.",
			phone.Format(v.Phone), owners[0].Name())
	}
	return v, nil
}

// recordTextedFirst records how the sender of v came to be candidate c: on
// the candidate ("texted us first") and in the consent ledger, with their
// first text as evidence. A sender whose last keyword was STOP, or whose
// phone's newest ledger entry is an opt-out, asked not to be texted: they
// stay opted out and the entry says so.
func (db *DB) recordTextedFirst(ctx context.Context, tx conn, v *hiretext.Conversation, c *hiretext.Candidate, by hiretext.UserID) error {
	first, stopped, err := db.senderHistory(ctx, tx, v)
	if err != nil {
		return err
	}
	e := &hiretext.ConsentEvent{OrgID: v.OrgID, CandidateID: c.ID, Status: hiretext.SMSOptedOut, Phone: hiretext.PhoneMain,
		PhoneNumber: v.Phone, Source: hiretext.ConsentRecruiter, UserID: by, MessageID: int64(first), CreatedAt: db.now(),
		Note: "Made a candidate from the conversation " + phone.Format(v.Phone) + " started."}
	if stopped {
		e.Note += " They had asked not to be texted."
		return db.appendConsentEvent(ctx, tx, e)
	}
	e.Rule = hiretext.RuleTextedFirst
	if _, err := tx.exec(ctx, "UPDATE candidates SET texted_first_at = ? WHERE org_id = ? AND id = ?", db.now(), v.OrgID, c.ID); err != nil {
		return err
	}
	return db.appendConsentEvent(ctx, tx, e)
}

// senderHistory returns the first text the sender of v wrote, and whether
// they asked not to be texted: their last STOP or START in v was STOP, or
// their phone's newest ledger entry is an opt-out.
func (db *DB) senderHistory(ctx context.Context, tx conn, v *hiretext.Conversation) (hiretext.MessageID, bool, error) {
	var first hiretext.MessageID
	err := tx.queryRow(ctx, `SELECT id FROM messages WHERE org_id = ? AND conversation_id = ? AND direction = ?
		ORDER BY created_at, id LIMIT 1`, v.OrgID, v.ID, hiretext.Inbound).Scan(&first)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, false, err
	}
	var kw hiretext.Keyword
	err = tx.queryRow(ctx, `SELECT keyword FROM messages WHERE org_id = ? AND conversation_id = ? AND direction = ?
		AND keyword IN (?, ?) ORDER BY created_at DESC, id DESC LIMIT 1`,
		v.OrgID, v.ID, hiretext.Inbound, hiretext.KeywordOptOut, hiretext.KeywordOptIn).Scan(&kw)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, false, err
	}
	if kw != "" {
		return first, kw == hiretext.KeywordOptOut, nil
	}
	at, err := db.phoneOptOut(ctx, tx, v.OrgID, v.Phone)
	return first, at != nil, err
}

// CandidatesFromTexts lists the company's candidates without an application
// (made from a conversation), newest first, on candidates_from_texts: the
// NULL range of candidates_org_recent, which SQLite would pick, holds
// every erased candidate too.
func (db *DB) CandidatesFromTexts(ctx context.Context, org hiretext.OrgID, limit int) ([]*hiretext.Candidate, error) {
	return queryCandidates(ctx, db.reader(), candidatesFromTextsQuery(db.dialect), org, limit)
}

// candidatesFromTextsQuery writes the partial index's conditions out, as
// both databases need to use it.
func candidatesFromTextsQuery(d dialect) string {
	return "SELECT " + candidateColumns + " FROM candidates c" + d.indexedBy("candidates_from_texts") + `
	WHERE c.org_id = ? AND c.last_application_id IS NULL AND c.erased_at IS NULL ORDER BY c.id DESC LIMIT ?`
}
