package server

import (
	"net/http"

	"github.com/hiretext/hiretext"
)

// scheduleOwner is whose waiting texts p sees and cancels: their own, or
// (0) the whole company's for an administrator.
func scheduleOwner(p *principal) hiretext.UserID {
	if p.user.IsAdmin() {
		return 0
	}
	return p.user.ID
}

// handleAPIScheduledMessages is GET /api/v1/scheduled-messages: the texts
// waiting for their minute, soonest first; the caller's own, or all of the
// company's for an administrator.
func (s *Server) handleAPIScheduledMessages(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	msgs, err := s.store.ScheduledMessages(r.Context(), p.org.ID, scheduleOwner(p), 0)
	if err != nil {
		return err
	}
	out := struct {
		Messages []apiMessage `json:"messages"`
	}{Messages: make([]apiMessage, len(msgs))}
	for i, m := range msgs {
		out.Messages[i] = toAPIMessage(m)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// handleAPICancelMessage is DELETE /api/v1/messages/{id}: it cancels a
// scheduled or held text for good (the sender's own; any of the company's
// for an administrator). 409 once it has gone; 404 for another's text or
// another company's.
func (s *Server) handleAPICancelMessage(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	id, err := pathID[hiretext.MessageID](r, "id", "Message")
	if err != nil {
		return err
	}
	m, err := s.store.CancelScheduled(r.Context(), p.org.ID, id, p.user.ID, p.user.IsAdmin())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toAPIMessage(m))
	return nil
}
