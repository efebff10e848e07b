package server

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/hiretext/hiretext"
)

// users lists the users with a live-update stream open on this instance.
func (l *streamSlots) users() []hiretext.UserID {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]hiretext.UserID, 0, len(l.byUser))
	for u := range l.byUser {
		out = append(out, u)
	}
	slices.Sort(out)
	return out
}

// RunPresence records, every hiretext.PresenceInterval until ctx ends, who
// has a hiretext page open on this instance (every page holds a live-update
// stream): one statement a minute for them all, never a write per request.
// A user none of whose pages is open anywhere for hiretext.AwayDelay is
// away, and gets the away-reply emails they chose.
func (s *Server) RunPresence(ctx context.Context) {
	ticker := time.NewTicker(hiretext.PresenceInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			s.RecordPresence(ctx)
		}
	}
}

// RecordPresence records once who has a page open on this instance.
func (s *Server) RecordPresence(ctx context.Context) {
	if err := s.store.SeeUsers(ctx, s.streams.users(), s.cfg.Clock.Now()); err != nil && ctx.Err() == nil {
		s.log.Error("record presence", "error", err)
	}
}

// apiNotify is a user's email choices in the API.
type apiNotify struct {
	AwayReply *bool `json:"away_reply"`
	Allowance *bool `json:"allowance"`
}

// handleAPIUpdateMe changes the caller's own settings: for now their email
// choices, {"notify": {"away_reply": bool, "allowance": bool}}; a choice
// left out stays as it is.
func (s *Server) handleAPIUpdateMe(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	var in struct {
		Notify *apiNotify `json:"notify"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.Notify == nil || (in.Notify.AwayReply == nil && in.Notify.Allowance == nil) {
		msg := "Send notify.away_reply or notify.allowance as true or false."
		return hiretext.FieldError(msg, map[string]string{"notify": msg})
	}
	settings, err := s.store.NotifySettings(r.Context(), p.org.ID, p.user.ID)
	if err != nil {
		return err
	}
	if in.Notify.AwayReply != nil {
		settings.AwayReply = *in.Notify.AwayReply
	}
	if in.Notify.Allowance != nil {
		settings.Allowance = *in.Notify.Allowance
	}
	if err := s.store.SetNotifySettings(r.Context(), p.org.ID, p.user.ID, settings); err != nil {
		return err
	}
	return s.handleAPIMe(w, r)
}

// handleSaveNotify saves the My settings form of email choices.
func (s *Server) handleSaveNotify(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	p := principalFrom(r.Context())
	settings := hiretext.NotifySettings{AwayReply: r.PostForm.Get("away_reply") == "yes", Allowance: r.PostForm.Get("allowance") == "yes"}
	if err := s.store.SetNotifySettings(r.Context(), p.org.ID, p.user.ID, settings); err != nil {
		return err
	}
	return s.redirectWithFlash(w, r, "/settings", "success", "Your email notifications are saved.")
}
