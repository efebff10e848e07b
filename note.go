package hiretext

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"
)

// NoteID identifies an internal note.
type NoteID int64

// MaxNoteChars is the most characters a note may have: as many as a text.
const MaxNoteChars = MaxBodyChars

// Note is an internal note on a conversation: written by one of the
// number's users for the others, shown beside the texts but never sent, so
// it counts against no allowance and is no part of the SMS Activity
// report. It is about the candidate, so their subject-access export holds
// it and their erasure removes it.
type Note struct {
	ID             NoteID
	OrgID          OrgID
	NumberID       NumberID
	ConversationID ConversationID
	AuthorID       UserID
	AuthorName     string // the author's name as it is now
	Body           string
	CreatedAt      time.Time
}

// ValidateNote checks a note's body: text (no control characters other
// than line breaks and tabs), not blank, at most MaxNoteChars characters.
// Errors are EInvalid on the field "body".
func ValidateNote(body string) error {
	if err := CheckText(body, MultiLine); err != nil {
		return bodyError(ErrorMessage(err))
	}
	switch n := utf8.RuneCountInString(body); {
	case isBlank(body):
		return bodyError("Write the note.")
	case n > MaxNoteChars:
		return bodyError(fmt.Sprintf("Shorten the note to %d characters or fewer; it has %d.", MaxNoteChars, n))
	}
	return nil
}

// NoteService keeps the internal notes of a number's conversations. Every
// method takes the organization and the number explicitly: a conversation
// of another company or another number is not found.
type NoteService interface {
	// AddNote adds a note by author to the conversation after ValidateNote,
	// telling the number's users in the same transaction.
	AddNote(ctx context.Context, org OrgID, number NumberID, id ConversationID, author UserID, body string) (*Note, error)
	// ConversationNotes lists the conversation's notes, oldest first.
	ConversationNotes(ctx context.Context, org OrgID, number NumberID, id ConversationID) ([]*Note, error)
}
