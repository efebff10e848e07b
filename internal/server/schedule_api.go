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
	}{Messages: toAPIMessages(msgs)}
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

// scheduledPath lists the texts waiting for their minute, under the Inbox.
const scheduledPath = "/scheduled"

// scheduledRow is one waiting text on the Scheduled page.
type scheduledRow struct {
	ID, Candidate, CandidateURL, Body, Sender string
	TheirTime, YourTime                       string
	Why                                       string // "Scheduled" or "Held for the send window"
}

type scheduledPage struct {
	Page     Page
	All      bool // an administrator sees the company's
	Messages []scheduledRow
}

// handleScheduled shows the caller's waiting texts (an administrator's:
// the company's), soonest first, each with a Cancel button.
func (s *Server) handleScheduled(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	msgs, err := s.store.ScheduledMessages(r.Context(), p.org.ID, scheduleOwner(p), 0)
	if err != nil {
		return err
	}
	ids := make([]hiretext.CandidateID, len(msgs))
	for i, m := range msgs {
		ids[i] = m.CandidateID
	}
	cands, err := s.store.CandidatesByIDs(r.Context(), p.org.ID, ids, 0)
	if err != nil {
		return err
	}
	names := map[hiretext.CandidateID]string{}
	for _, c := range cands {
		names[c.ID] = c.Name()
	}
	pauses, err := s.store.CarrierPauses(r.Context(), p.org.ID)
	if err != nil {
		return err
	}
	data := &scheduledPage{Page: s.page(w, r, "Scheduled texts"), All: scheduleOwner(p) == 0}
	for _, m := range msgs {
		row := scheduledRow{ID: idString(m.ID), Candidate: names[m.CandidateID], CandidateURL: "/candidates/" + idString(m.CandidateID),
			Body: messageBody(m), Sender: m.UserName, TheirTime: scheduledLabel(m.SendAt, m.To), YourTime: localTime(p.org, m.SendAt),
			Why: "Scheduled"}
		if m.Hold == hiretext.HoldQuietHours {
			row.Why = "Held for the send window"
		}
		if pause := pauses[m.NumberID]; pause != nil && m.PausedByGuard() {
			row.Why = pause.Label() + " (waits for an administrator to resume, even past its minute)"
		}
		data.Messages = append(data.Messages, row)
	}
	return s.render(w, r, http.StatusOK, "scheduled", data)
}

// handleCancelScheduled cancels one waiting text from the Scheduled page.
func (s *Server) handleCancelScheduled(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	id, err := pathID[hiretext.MessageID](r, "id", "Message")
	if err != nil {
		return err
	}
	_, err = s.store.CancelScheduled(r.Context(), p.org.ID, id, p.user.ID, p.user.IsAdmin())
	if hiretext.ErrorCode(err) == hiretext.EConflict {
		return s.redirectWithFlash(w, r, scheduledPath, "error", hiretext.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	return s.redirectWithFlash(w, r, scheduledPath, "success", "Canceled. The text will not be sent.")
}
