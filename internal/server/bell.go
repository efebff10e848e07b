package server

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/hiretext/hiretext/internal/events"
)

// Bell is the inbox bell in the top bar: how many conversations of the
// user's number have unread replies, and the newest of them; and the
// user's notifications not yet dismissed, whose forms return to ReturnTo;
// and the recent conversations that end with a text that did not go, so a
// failure is seen without opening each thread.
type Bell struct {
	Count    int
	Items    []inboxRow
	Notices  []notice
	ReturnTo string
	NotSent  []inboxRow
}

// notSentWindow is how far back the bell looks for texts that did not go.
const notSentWindow = 7 * 24 * time.Hour

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
	failed, err := s.store.NotSentConversations(ctx, p.org.ID, num.ID, s.cfg.Clock.Now().Add(-notSentWindow), bellItems)
	if err != nil {
		s.log.Warn("bell not sent", "err", err)
		return nil
	}
	for _, row := range s.inboxRows(p, failed) {
		if row.Unread == 0 { // an unread one is listed above, flagged
			b.NotSent = append(b.NotSent, row)
		}
	}
	return b
}

// eventsURL is the live-update stream, resuming from where the broker was
// when the request began (before the page read what it shows), so an event
// that commits between those reads and the stream's connection is not
// missed: at worst the page hears of something it already shows.
func (s *Server) eventsURL(ctx context.Context) string {
	if s.cfg.Events == nil {
		return ""
	}
	pos, ok := ctx.Value(eventsPositionKey).(events.Cursor)
	if !ok {
		pos = s.cfg.Events.Position()
	}
	return "/events?lastEventId=" + url.QueryEscape(pos.String())
}

type bellFragment struct{ Page Page }

// handleBell renders the bell alone, for the page script to refresh it when
// a reply arrives or someone reads a conversation.
func (s *Server) handleBell(w http.ResponseWriter, r *http.Request) error {
	return s.renderFragment(w, http.StatusOK, "home", "bell", &bellFragment{Page: s.basePage(r, "")})
}
