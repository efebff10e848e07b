package server

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
)

// Notifications: a user's allowance alerts, escalations and the carrier
// guard's pauses, listed in the bell until they dismiss them, and in the API
// with whether they were read.

// notice is one unread notification in the bell.
type notice struct {
	ID   string
	Text string
	Time string
	Link string // an escalation's conversation; "" for an allowance alert
}

// bellNotices returns p's unread notifications for the bell, newest first.
// A failure to read them is logged and shows none rather than failing the page.
func (s *Server) bellNotices(ctx context.Context, p *principal) []notice {
	notes, err := s.store.ListNotifications(ctx, p.org.ID, p.user.ID)
	if err != nil {
		s.log.Warn("bell notifications", "org_id", p.org.ID, "err", err)
		return nil
	}
	var out []notice
	for _, n := range notes {
		if !n.Read() {
			out = append(out, notice{ID: idString(n.ID), Text: noticeText(n, p.org.Location()),
				Time: n.CreatedAt.In(p.org.Location()).Format("Jan 2, 3:04 PM"), Link: noticeLink(n)})
		}
	}
	return out
}

// noticeText says what a notification tells its user.
func noticeText(n *hiretext.Notification, loc *time.Location) string {
	switch n.Kind {
	case hiretext.AlertEscalationTeam:
		return n.Who + "'s reply to your number is still unanswered."
	case hiretext.AlertEscalationAdmins:
		return n.Who + "'s reply to " + phone.Format(n.Phone) + " is still unanswered: escalated to the administrators."
	case hiretext.AlertCarrierFiltered:
		return fmt.Sprintf("Carriers filtered texts from %s as unwanted: its bulk and scheduled texts are paused, one-to-one texts still go. "+
			"Check the wording (no link shorteners, say who you are) and the number's registration; an administrator resumes on Text Message Numbers.", phone.Format(n.Phone))
	case hiretext.AlertCarrierRegistration:
		return fmt.Sprintf("Carriers refused texts from %s because it is not registered for business texting (A2P 10DLC): its bulk and scheduled texts are paused. "+
			"An administrator should check its registration in the Twilio console, then resume on Text Message Numbers.", phone.Format(n.Phone))
	}
	month := n.Period
	if start, err := hiretext.PeriodStart(n.Period, loc); err == nil {
		month = start.Format("January 2006")
	}
	if n.Kind == hiretext.AlertAllowanceMax {
		return fmt.Sprintf("Your number %s used its whole monthly allowance in %s: sending paused until it resets.", phone.Format(n.Phone), month)
	}
	return fmt.Sprintf("Your number %s used %d%% of its monthly allowance in %s.", phone.Format(n.Phone), hiretext.WarnPercent, month)
}

// noticeLink is where an escalation's notice leads: its conversation.
func noticeLink(n *hiretext.Notification) string {
	switch {
	case !n.Escalated() || n.ConversationID == 0:
		return ""
	case n.CandidateID != 0:
		return "/candidates/" + idString(n.CandidateID) + "/conversation"
	}
	return "/conversations/" + idString(n.ConversationID)
}

// handleDismissNotification marks one of the user's notifications read from
// the bell's form, and goes back to the page the bell was on.
func (s *Server) handleDismissNotification(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.markNotificationRead(r); err != nil {
		return err
	}
	http.Redirect(w, r, safeNext(r.PostForm.Get("return_to")), http.StatusSeeOther)
	return nil
}

// markNotificationRead marks the caller's notification named by the path read.
func (s *Server) markNotificationRead(r *http.Request) (*hiretext.Notification, error) {
	id, err := pathID[hiretext.NotificationID](r, "id", "Notification")
	if err != nil {
		return nil, err
	}
	p := principalFrom(r.Context())
	return s.store.MarkNotificationRead(r.Context(), p.org.ID, p.user.ID, id)
}

// apiNotification is a notification in the API.
type apiNotification struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	NumberID  string    `json:"number_id"`
	Month     string    `json:"month"`
	CreatedAt time.Time `json:"created_at"`
	Read      bool      `json:"read"`
	// An escalation's conversation, and its candidate when it has one.
	ConversationID string `json:"conversation_id,omitempty"`
	CandidateID    string `json:"candidate_id,omitempty"`
}

func toAPINotification(n *hiretext.Notification) apiNotification {
	out := apiNotification{ID: idString(n.ID), Kind: string(n.Kind), NumberID: idString(n.NumberID), Month: n.Period,
		CreatedAt: n.CreatedAt, Read: n.Read()}
	if n.ConversationID != 0 {
		out.ConversationID = idString(n.ConversationID)
	}
	if n.CandidateID != 0 {
		out.CandidateID = idString(n.CandidateID)
	}
	return out
}

// handleAPINotifications lists the caller's newest notifications.
func (s *Server) handleAPINotifications(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	notes, err := s.store.ListNotifications(r.Context(), p.org.ID, p.user.ID)
	if err != nil {
		return err
	}
	out := struct {
		Notifications []apiNotification `json:"notifications"`
	}{Notifications: make([]apiNotification, len(notes))}
	for i, n := range notes {
		out.Notifications[i] = toAPINotification(n)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// handleAPIMarkNotificationRead marks one of the caller's notifications
// read and answers with it.
func (s *Server) handleAPIMarkNotificationRead(w http.ResponseWriter, r *http.Request) error {
	n, err := s.markNotificationRead(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toAPINotification(n))
	return nil
}
