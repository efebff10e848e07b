package store

import (
	"context"

	"github.com/hiretext/hiretext"
)

const noteColumns = `n.id, n.org_id, v.number_id, n.conversation_id, n.user_id, COALESCE(u.name, ''), n.body, n.created_at`

const noteFrom = ` FROM conversation_notes n JOIN conversations v ON v.id = n.conversation_id AND v.org_id = n.org_id
	LEFT JOIN users u ON u.id = n.user_id AND u.org_id = n.org_id`

func scanNote(s scanner) (*hiretext.Note, error) {
	var n hiretext.Note
	if err := s.Scan(&n.ID, &n.OrgID, &n.NumberID, &n.ConversationID, &n.AuthorID, &n.AuthorName, &n.Body, &n.CreatedAt); err != nil {
		return nil, orNotFound(err, "Note")
	}
	return &n, nil
}

// AddNote adds an internal note by author to a conversation of the number
// and records, in the same transaction, the event that shows it on the
// number's other open pages. A conversation of another company or number
// is not found; a bad body is refused before anything is stored.
func (db *DB) AddNote(ctx context.Context, org hiretext.OrgID, number hiretext.NumberID, id hiretext.ConversationID,
	author hiretext.UserID, body string) (*hiretext.Note, error) {
	if err := hiretext.ValidateNote(body); err != nil {
		return nil, err
	}
	var note *hiretext.Note
	err := db.inEventTx(ctx, func(tx conn) error {
		if err := conversationExists(ctx, tx, org, number, id); err != nil {
			return err
		}
		var noteID hiretext.NoteID
		if err := tx.queryRow(ctx, `INSERT INTO conversation_notes (org_id, conversation_id, user_id, body, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, org, id, author, body, db.now()).Scan(&noteID); err != nil {
			return err
		}
		if err := db.insertEvent(ctx, tx, &hiretext.Event{OrgID: org, NumberID: number, Kind: hiretext.EventConversationChanged,
			Data: eventData(map[string]any{"conversation_id": id, "note_id": noteID})}); err != nil {
			return err
		}
		var err error
		note, err = scanNote(tx.queryRow(ctx, "SELECT "+noteColumns+noteFrom+" WHERE n.id = ?", noteID))
		return err
	})
	return note, err
}

// ConversationNotes lists the notes of a conversation of the number,
// oldest first; a conversation of another company or number is not found.
func (db *DB) ConversationNotes(ctx context.Context, org hiretext.OrgID, number hiretext.NumberID, id hiretext.ConversationID) ([]*hiretext.Note, error) {
	r := db.reader()
	if err := conversationExists(ctx, r, org, number, id); err != nil {
		return nil, err
	}
	return queryAll(ctx, r, scanNote, "SELECT "+noteColumns+noteFrom+
		" WHERE n.org_id = ? AND n.conversation_id = ? ORDER BY n.created_at, n.id", org, id)
}

// conversationExists returns nil when org's number has the conversation,
// else a not-found error.
func conversationExists(ctx context.Context, c conn, org hiretext.OrgID, number hiretext.NumberID, id hiretext.ConversationID) error {
	var found int64
	err := c.queryRow(ctx, "SELECT id FROM conversations WHERE org_id = ? AND number_id = ? AND id = ?", org, number, id).Scan(&found)
	return orNotFound(err, "Conversation")
}

// candidateNotes lists the notes on every conversation of the candidate,
// with any of the company's numbers, oldest first.
func candidateNotes(ctx context.Context, c conn, org hiretext.OrgID, id hiretext.CandidateID) ([]*hiretext.Note, error) {
	return queryAll(ctx, c, scanNote, "SELECT "+noteColumns+noteFrom+
		" WHERE n.org_id = ? AND v.candidate_id = ? ORDER BY n.created_at, n.id", org, id)
}
