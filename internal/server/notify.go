package server

import (
	"context"
	"net/http"
	"slices"
	"strings"
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
	Digest    *bool `json:"digest"`
	Allowance *bool `json:"allowance"`
}

// handleAPIUpdateMe changes the caller's own settings: their email
// choices, {"notify": {"away_reply": bool, "digest": bool, "allowance":
// bool}}, and their time zone, {"time_zone": "Europe/Berlin"} (null or ""
// for the company's). What is left out stays as it is; an unknown zone is
// a 422 field error and changes nothing.
func (s *Server) handleAPIUpdateMe(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	var in struct {
		Notify   *apiNotify   `json:"notify"`
		TimeZone nullableText `json:"time_zone"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	n := in.Notify
	if !in.TimeZone.Set && (n == nil || (n.AwayReply == nil && n.Digest == nil && n.Allowance == nil)) {
		msg := "Send notify.away_reply, notify.digest or notify.allowance as true or false, or time_zone."
		return hiretext.FieldError(msg, map[string]string{"notify": msg})
	}
	settings, err := s.store.NotifySettings(r.Context(), p.org.ID, p.user.ID)
	if err != nil {
		return err
	}
	if n != nil {
		for _, c := range []struct{ in, to *bool }{{n.AwayReply, &settings.AwayReply}, {n.Digest, &settings.Digest}, {n.Allowance, &settings.Allowance}} {
			if c.in != nil {
				*c.to = *c.in
			}
		}
	}
	if in.TimeZone.Set {
		settings.TimeZone = ""
		if in.TimeZone.Value != nil {
			settings.TimeZone = strings.TrimSpace(*in.TimeZone.Value)
		}
	}
	if err := s.store.SetNotifySettings(r.Context(), p.org.ID, p.user.ID, settings); err != nil {
		return err
	}
	return s.handleAPIMe(w, r)
}

// handleSaveNotify saves the My settings form of email choices and time
// zone; an unknown zone shows the form again with the error, as typed.
func (s *Server) handleSaveNotify(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	p := principalFrom(r.Context())
	settings := hiretext.NotifySettings{AwayReply: r.PostForm.Get("away_reply") == "yes", Digest: r.PostForm.Get("digest") == "yes",
		Allowance: r.PostForm.Get("allowance") == "yes", TimeZone: strings.TrimSpace(r.PostForm.Get("time_zone"))}
	err := s.store.SetNotifySettings(r.Context(), p.org.ID, p.user.ID, settings)
	if hiretext.ErrorCode(err) == hiretext.EInvalid {
		return s.renderSettings(w, r, http.StatusUnprocessableEntity, &settingsPage{Notify: settings, notifyTyped: true,
			Errors: hiretext.ErrorFields(err)})
	}
	if err != nil {
		return err
	}
	return s.redirectWithFlash(w, r, "/settings", "success", "Your email notifications are saved.")
}
