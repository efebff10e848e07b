package server

import (
	"context"
	"net/http"
	"time"

	"github.com/hiretext/hiretext"
)

// apiNote is an internal note as the API shows it.
type apiNote struct {
	ID        string        `json:"id"`
	Body      string        `json:"body"`
	Author    apiNoteAuthor `json:"author"`
	CreatedAt time.Time     `json:"created_at"`
}

// apiNoteAuthor is the user who wrote a note.
type apiNoteAuthor struct {
	UserID string `json:"user_id"`
	Name   string `json:"name"`
}

func toAPINote(n *hiretext.Note) apiNote {
	return apiNote{ID: idString(n.ID), Body: n.Body, Author: apiNoteAuthor{UserID: idString(n.AuthorID), Name: n.AuthorName},
		CreatedAt: n.CreatedAt}
}

func toAPINotes(notes []*hiretext.Note) []apiNote {
	out := make([]apiNote, len(notes))
	for i, n := range notes {
		out[i] = toAPINote(n)
	}
	return out
}

// noteRow is a note as a page shows it.
type noteRow struct {
	ID     string
	Author string
	Time   string
	Body   string
}

func noteRows(notes []*hiretext.Note, loc *time.Location) []noteRow {
	rows := make([]noteRow, len(notes))
	for i, n := range notes {
		rows[i] = noteRow{ID: idString(n.ID), Author: n.AuthorName, Time: n.CreatedAt.In(loc).Format("Jan 2, 3:04 PM"), Body: n.Body}
	}
	return rows
}

// notesPanel is the notes part of a conversation's page: the notes and
// the form adding one, which returns to ReturnTo.
type notesPanel struct {
	ConversationID string
	Action         string
	ReturnTo       string
	Notes          []noteRow
}

// loadNotes builds the notes panel of the conversation of the caller's
// number, returning to returnTo after a note is added.
func (s *Server) loadNotes(ctx context.Context, p *principal, num *hiretext.Number, id hiretext.ConversationID, returnTo string) (*notesPanel, error) {
	notes, err := s.store.ConversationNotes(ctx, p.org.ID, num.ID, id)
	if err != nil {
		return nil, err
	}
	return &notesPanel{ConversationID: idString(id), Action: "/conversations/" + idString(id) + "/notes", ReturnTo: returnTo,
		Notes: noteRows(notes, p.org.Location())}, nil
}

// handleAddNote adds an internal note from the conversation's page form
// and returns to the page the form was on.
func (s *Server) handleAddNote(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	p := principalFrom(r.Context())
	num, v, err := s.targetConversation(r)
	if err != nil {
		return err
	}
	body := r.PostForm.Get("body")
	// A note the form cannot add (blank, only spaces, too long when the
	// browser's limit was bypassed) returns to the page with the reason,
	// not to an error page that loses where the user was.
	if err := hiretext.ValidateNote(body); err != nil {
		return s.redirectWithFlash(w, r, noteBack(r, v), "error", fieldMessages(err))
	}
	if _, err := s.store.AddNote(r.Context(), p.org.ID, num.ID, v.ID, p.user.ID, body); err != nil {
		return err
	}
	return s.redirectWithFlash(w, r, noteBack(r, v), "success", "Note added. Only your colleagues on this number see it.")
}

// noteBack is where the note form returns: the page it was on, else the
// conversation.
func noteBack(r *http.Request, v *hiretext.Conversation) string {
	if next := r.PostForm.Get("return_to"); next != "" {
		return safeNext(next)
	}
	if v.CandidateID != 0 {
		return "/candidates/" + idString(v.CandidateID) + "/conversation"
	}
	return "/conversations/" + idString(v.ID)
}

// handleAPIAddNote adds an internal note to a conversation of the caller's
// number and answers 201 with it.
func (s *Server) handleAPIAddNote(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	num, v, err := s.targetConversation(r)
	if err != nil {
		return err
	}
	var in struct {
		Body *string `json:"body"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	n, err := s.store.AddNote(r.Context(), p.org.ID, num.ID, v.ID, p.user.ID, deref(in.Body))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toAPINote(n))
	return nil
}

// handleAPINotes lists the internal notes of a conversation of the
// caller's number, oldest first.
func (s *Server) handleAPINotes(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	num, v, err := s.targetConversation(r)
	if err != nil {
		return err
	}
	notes, err := s.store.ConversationNotes(r.Context(), p.org.ID, num.ID, v.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		Notes []apiNote `json:"notes"`
	}{toAPINotes(notes)})
	return nil
}

// candidateNotes lists the notes of the conversation between num and a
// candidate: none when they have no conversation yet.
func (s *Server) candidateNotes(ctx context.Context, p *principal, num *hiretext.Number, c hiretext.CandidateID) ([]*hiretext.Note, error) {
	v, err := s.store.CandidateConversation(ctx, p.org.ID, num.ID, c)
	if hiretext.ErrorCode(err) == hiretext.ENotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return s.store.ConversationNotes(ctx, p.org.ID, num.ID, v.ID)
}
