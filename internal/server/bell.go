package server

import (
	"context"
	"net/http"
	"net/url"
)

// Bell is the inbox bell in the top bar: how many conversations of the
// user's number have unread replies, and the newest of them; and the
// user's notifications not yet dismissed, whose forms return to ReturnTo.
type Bell struct {
	Count    int
	Items    []inboxRow
	Notices  []notice
	ReturnTo string
}

// bellItems is how many unread conversations the dropdown lists.
const bellItems = 8

// bell builds the bell for p, or nil when p sees no texts (not assigned to a
// number, or without the Candidate Pool or Candidate profiles permission). Errors hide the bell rather than
// fail the page.
func (s *Server) bell(ctx context.Context, p *principal) *Bell {
	num, ok := s.textingNumber(ctx, p)
	if !ok {
		return nil
	}
	n, err := s.store.UnreadConversations(ctx, p.org.ID, num.ID)
	if err != nil {
		s.log.Warn("bell count", "err", err)
		return nil
	}
	b := &Bell{Count: n}
	if n > 0 {
		convs, err := s.store.ListConversations(ctx, p.org.ID, num.ID, true, bellItems)
		if err != nil {
			s.log.Warn("bell list", "err", err)
			return nil
		}
		b.Items = s.inboxRows(p, convs)
	}
	return b
}

// eventsURL is the live-update stream, resuming from now so an event
// between rendering and connecting is not missed.
func (s *Server) eventsURL() string {
	if s.cfg.Events == nil {
		return ""
	}
	return "/events?lastEventId=" + url.QueryEscape(s.cfg.Events.Position().String())
}

type bellFragment struct{ Page Page }

// handleBell renders the bell alone, for the page script to refresh it when
// a reply arrives or someone reads a conversation.
func (s *Server) handleBell(w http.ResponseWriter, r *http.Request) error {
	return s.renderFragment(w, http.StatusOK, "home", "bell", &bellFragment{Page: s.basePage(r, "")})
}
