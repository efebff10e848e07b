package twiliotest

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
)

// listJSON is a page of Twilio's Message list.
type listJSON struct {
	Messages        []messageJSON `json:"messages"`
	NextPageURI     *string       `json:"next_page_uri"`
	Page            int           `json:"page"`
	PageSize        int           `json:"page_size"`
	FirstPageURI    string        `json:"first_page_uri"`
	PreviousPageURI *string       `json:"previous_page_uri"`
	URI             string        `json:"uri"`
}

// listMessages is GET /Messages.json: the accepted messages, newest first,
// filtered by To and From when given, PageSize (default 50, at most 1000)
// a page, paged by Page as Twilio's next_page_uri does.
func (s *Server) listMessages(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	size, page := atoiOr(q.Get("PageSize"), 50), atoiOr(q.Get("Page"), 0)
	if size < 1 || size > 1000 || page < 0 {
		writeError(w, r, 20001)
		return
	}
	all := s.matching(q.Get("To"), q.Get("From"))
	start, end := min(page*size, len(all)), min((page+1)*size, len(all))
	out := listJSON{Messages: []messageJSON{}, Page: page, PageSize: size, URI: r.URL.RequestURI()}
	for _, m := range all[start:end] {
		out.Messages = append(out.Messages, s.withMedia(messageResource(m)))
	}
	if end < len(all) {
		next := url.Values{"PageSize": {strconv.Itoa(size)}, "Page": {strconv.Itoa(page + 1)}}
		for _, k := range []string{"To", "From"} {
			if q.Has(k) {
				next.Set(k, q.Get(k))
			}
		}
		uri := r.URL.Path + "?" + next.Encode()
		out.NextPageURI = &uri
	}
	writeJSON(w, http.StatusOK, out)
}

// matching returns the messages to to (and from from, when not ""),
// newest first.
func (s *Server) matching(to, from string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if (to == "" || m.To == to) && (from == "" || m.From == from) {
			out = append(out, m)
		}
	}
	slices.Reverse(out)
	return out
}

// atoiOr is s as an int, or def when s is empty; -1 when s is not a number.
func atoiOr(s string, def int) int {
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}
