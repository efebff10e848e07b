package server

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hiretext/hiretext"
)

// inboxTab is one of the inbox's filters, with how many conversations it
// holds.
type inboxTab struct {
	Label, Href string
	Count       int
	Current     bool
}

// inboxTabLabels name the filters on the inbox page.
var inboxTabLabels = map[hiretext.InboxFilter]string{
	hiretext.FilterOpen:       "All open",
	hiretext.FilterNeedsReply: "Needs reply",
	hiretext.FilterUnread:     "Unread",
	hiretext.FilterFailed:     "Failed",
	hiretext.FilterScheduled:  "Scheduled",
	hiretext.FilterDone:       "Done",
}

// inboxURL is the inbox page under filter f, searching text, from cursor.
func inboxURL(f hiretext.InboxFilter, text, cursor string) string {
	v := url.Values{}
	for name, value := range map[string]string{"filter": string(f), "q": text, "cursor": cursor} {
		if value != "" {
			v.Set(name, value)
		}
	}
	if len(v) == 0 {
		return "/inbox"
	}
	return "/inbox?" + v.Encode()
}

// inboxTabs lists the filters with their counts, f being the current one.
func inboxTabs(counts hiretext.InboxCounts, f hiretext.InboxFilter, text string) []inboxTab {
	tabs := make([]inboxTab, len(hiretext.InboxFilters))
	for i, each := range hiretext.InboxFilters {
		tabs[i] = inboxTab{Label: inboxTabLabels[each], Href: inboxURL(each, text, ""), Count: counts[each], Current: each == f}
	}
	return tabs
}

// parseInboxRequest reads the inbox's filter, search and cursor from a request's
// query string (the page's and the API's).
func parseInboxRequest(r *http.Request) (hiretext.InboxQuery, error) {
	qs := r.URL.Query()
	f, err := hiretext.ParseInboxFilter(qs.Get("filter"))
	if err != nil {
		return hiretext.InboxQuery{}, err
	}
	if f == hiretext.FilterOpen && qs.Get("unread") == "true" {
		f = hiretext.FilterUnread // the API's unread=true, from before filters
	}
	q := hiretext.InboxQuery{Filter: f, Text: qs.Get("q"), Cursor: qs.Get("cursor")}
	if v := qs.Get("limit"); v != "" {
		if q.Limit, err = strconv.Atoi(v); err != nil || q.Limit < 1 {
			q.Limit = -1 // Validate names the allowed range
		}
	}
	return q, q.Validate()
}

// waitedLabel says for how long a candidate has waited for an answer, in
// the largest units that matter: "4 min", "3 h 5 min", "2 d 4 h".
func waitedLabel(d time.Duration) string {
	m := int(d / time.Minute)
	switch {
	case m < 1:
		return "under a minute"
	case m < 60:
		return strconv.Itoa(m) + " min"
	case m < 24*60:
		return strconv.Itoa(m/60) + " h " + strconv.Itoa(m%60) + " min"
	}
	return strconv.Itoa(m/(24*60)) + " d " + strconv.Itoa(m/60%24) + " h"
}

// conversationBack is where a form changing a conversation returns: the
// inbox page it was posted from, or the inbox.
func conversationBack(r *http.Request) string {
	if next := r.PostForm.Get("return_to"); next != "" {
		return safeNext(next)
	}
	return "/inbox"
}

// changeConversation is a store method changing a conversation of a
// number for everyone on it.
type changeConversation func(ctx context.Context, org hiretext.OrgID, number hiretext.NumberID, id hiretext.ConversationID) error

// handleMarkUnread marks a conversation unread for everyone on the number
// (the inbox's Mark unread), reopening it if it was Done.
func (s *Server) handleMarkUnread(w http.ResponseWriter, r *http.Request) error {
	return s.formChangeConversation(w, r, s.store.MarkConversationUnread, "The conversation is marked unread.")
}

// handleMarkDone closes a conversation until the candidate writes again.
func (s *Server) handleMarkDone(w http.ResponseWriter, r *http.Request) error {
	return s.formChangeConversation(w, r, s.store.MarkConversationDone,
		"The conversation is done; it comes back when the candidate writes again.")
}

// formChangeConversation applies change to the {id} conversation of the
// caller's number and returns to the page the form was on, saying done.
func (s *Server) formChangeConversation(w http.ResponseWriter, r *http.Request, change changeConversation, done string) error {
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	num, v, err := s.targetConversation(r)
	if err != nil {
		return err
	}
	if err := change(r.Context(), principalFrom(r.Context()).org.ID, num.ID, v.ID); err != nil {
		return err
	}
	return s.redirectWithFlash(w, r, conversationBack(r), "success", done)
}

// handleAPIMarkUnread marks a conversation unread for every user of the
// number, reopening it if it was Done.
func (s *Server) handleAPIMarkUnread(w http.ResponseWriter, r *http.Request) error {
	return s.apiChangeConversation(w, r, s.store.MarkConversationUnread)
}

// handleAPIMarkDone closes a conversation until the candidate writes again.
func (s *Server) handleAPIMarkDone(w http.ResponseWriter, r *http.Request) error {
	return s.apiChangeConversation(w, r, s.store.MarkConversationDone)
}

// apiChangeConversation applies change to the {id} conversation of the
// caller's number and answers with the conversation as it is now.
func (s *Server) apiChangeConversation(w http.ResponseWriter, r *http.Request, change changeConversation) error {
	p := principalFrom(r.Context())
	num, v, err := s.targetConversation(r)
	if err != nil {
		return err
	}
	if err := change(r.Context(), p.org.ID, num.ID, v.ID); err != nil {
		return err
	}
	if v, err = s.store.ConversationByID(r.Context(), p.org.ID, num.ID, v.ID); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toAPIConversation(v))
	return nil
}
