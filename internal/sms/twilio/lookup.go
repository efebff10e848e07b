package twilio

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/sms"
)

// List tuning. Twilio lists messages newest first, so the messages created
// since a time are on the first pages; the page limit bounds a number
// texted thousands of times between two looks.
const (
	listPageSize = 50
	listMaxPages = 20
	// listSkew widens Since: the time is our clock's, date_created is
	// Twilio's, and Twilio's has whole seconds.
	listSkew = time.Minute
)

// listPage is one page of Twilio's Message list.
type listPage struct {
	Messages    []listedMessage `json:"messages"`
	NextPageURI string          `json:"next_page_uri"`
}

// listedMessage is the part of a listed Message we read.
type listedMessage struct {
	messageResource
	To                  string      `json:"to"`
	From                string      `json:"from"`
	Body                string      `json:"body"`
	Direction           string      `json:"direction"`
	MessagingServiceSID string      `json:"messaging_service_sid"`
	DateCreated         string      `json:"date_created"`
	NumMedia            json.Number `json:"num_media"` // a string, like every count Twilio gives
	created             time.Time
}

// Lookup lists the account's messages To q.To from q.From (or, with a
// Messaging Service configured, from any sender of that service) and
// returns the outbound ones with exactly q.Body created since q.Since (less
// a minute for clock skew), oldest first. Twilio has no idempotency key, so
// this is how a send whose answer was lost is found.
func (p *Provider) Lookup(ctx context.Context, q sms.LookupQuery) ([]sms.FoundMessage, error) {
	filter := url.Values{"To": {q.To}}
	if p.cfg.MessagingServiceSID == "" {
		filter.Set("From", q.From)
	}
	listed, err := p.listSince(ctx, filter, q.Since)
	if err != nil {
		return nil, err
	}
	var found []sms.FoundMessage
	for _, m := range listed {
		if p.matches(m, q) {
			found = append(found, m.found())
		}
	}
	return found, nil
}

// History lists what Twilio holds of q.Number since q.Since (less a minute
// for clock skew), oldest first: the messages To it (inbound) and From it
// (sent from it, directly or by a Messaging Service's pool).
func (p *Provider) History(ctx context.Context, q sms.HistoryQuery) ([]sms.HistoryMessage, error) {
	var out []sms.HistoryMessage
	for _, key := range []string{"To", "From"} {
		listed, err := p.listSince(ctx, url.Values{key: {q.Number}}, q.Since)
		if err != nil {
			return nil, err
		}
		for _, m := range listed {
			if inbound := m.Direction == "inbound"; inbound == (key == "To") {
				h := m.history(inbound)
				if h.Media, err = p.inboundMedia(ctx, m); err != nil {
					return nil, err
				}
				out = append(out, h)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b sms.HistoryMessage) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, nil
}

// mediaList is Twilio's list of one message's media.
type mediaList struct {
	MediaList []struct {
		ContentType string `json:"content_type"`
		URI         string `json:"uri"`
	} `json:"media_list"`
}

// inboundMedia lists the files of an inbound message the list says has
// some (its num_media), as its webhook would have announced them: the
// message list gives only the count, so each MMS costs one more call. A
// list it cannot read is an error, as for the messages.
func (p *Provider) inboundMedia(ctx context.Context, m listedMessage) ([]sms.MediaRef, error) {
	if n, _ := m.NumMedia.Int64(); m.Direction != "inbound" || n < 1 {
		return nil, nil
	}
	body, err := p.call(ctx, http.MethodGet, p.accountURL("Messages", m.SID, "Media.json"), nil)
	if err != nil {
		return nil, err
	}
	var list mediaList
	if err := json.Unmarshal(body, &list); err != nil {
		return nil, garbledList(err)
	}
	var out []sms.MediaRef
	for _, f := range list.MediaList {
		if !strings.HasPrefix(f.URI, "/") {
			return nil, garbledList(fmt.Errorf("media uri %q is not a path", f.URI))
		}
		out = append(out, sms.MediaRef{URL: p.cfg.APIBase + strings.TrimSuffix(f.URI, ".json"), ContentType: f.ContentType})
	}
	return out, nil
}

// listSince reads the list filtered by filter, newest first, page by page
// until a message created before since (less listSkew), and returns the
// messages since, oldest first. The list is not filtered by date: Twilio's
// only date filter is DateSent, which a message still queued does not have.
// An answer that cannot be read is an error.
func (p *Provider) listSince(ctx context.Context, filter url.Values, since time.Time) ([]listedMessage, error) {
	since = since.Add(-listSkew)
	filter.Set("PageSize", strconv.Itoa(listPageSize))
	next := p.accountURL("Messages.json") + "?" + filter.Encode()
	var out []listedMessage
	for range listMaxPages {
		page, err := p.listPage(ctx, next)
		if err != nil {
			return nil, err
		}
		done := false
		for _, m := range page.Messages {
			if m.created, err = parseTwilioTime(m.DateCreated); err != nil {
				return nil, garbledList(err)
			}
			if m.created.Before(since) {
				done = true
				continue
			}
			out = append(out, m)
		}
		if done || page.NextPageURI == "" {
			break
		}
		next = p.cfg.APIBase + page.NextPageURI
	}
	slices.Reverse(out) // Twilio lists newest first
	return out, nil
}

// listPage reads one page of the list.
func (p *Provider) listPage(ctx context.Context, rawURL string) (listPage, error) {
	body, err := p.call(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return listPage{}, err
	}
	var page listPage
	if err := json.Unmarshal(body, &page); err != nil {
		return listPage{}, garbledList(err)
	}
	return page, nil
}

// matches reports whether a listed message is the send q describes.
func (p *Provider) matches(m listedMessage, q sms.LookupQuery) bool {
	if m.Direction != "outbound-api" || m.To != q.To || m.Body != q.Body {
		return false
	}
	if p.cfg.MessagingServiceSID != "" {
		return m.MessagingServiceSID == p.cfg.MessagingServiceSID
	}
	return m.From == q.From
}

// found is the listed message as Lookup reports it.
func (m listedMessage) found() sms.FoundMessage {
	f := sms.FoundMessage{ProviderMessageID: m.SID, Status: normalizeStatus(m.Status), CreatedAt: m.created,
		ErrorCode: m.ErrorCode.String(), ErrorMessage: m.ErrorMessage}
	f.Segments, _ = strconv.Atoi(m.NumSegments.String())
	if f.ErrorCode != "" {
		f.Class = Classify(f.ErrorCode, 0)
	}
	return f
}

// history is the listed message as History reports it.
func (m listedMessage) history(inbound bool) sms.HistoryMessage {
	h := sms.HistoryMessage{ProviderMessageID: m.SID, Inbound: inbound, From: m.From, To: m.To, Body: m.Body,
		Status: normalizeStatus(m.Status), ErrorCode: m.ErrorCode.String(), ErrorMessage: m.ErrorMessage, CreatedAt: m.created}
	if inbound {
		h.Status = hiretext.StatusReceived
	}
	if h.ErrorCode != "" {
		h.Class = Classify(h.ErrorCode, 0)
	}
	return h
}

// parseTwilioTime reads Twilio's RFC 2822 date ("Tue, 26 Jul 2016 12:50:07 +0000").
func parseTwilioTime(s string) (time.Time, error) {
	return time.Parse(time.RFC1123Z, s)
}

// garbledList is the error for a list Twilio answered that cannot be read.
// It is Transient: the list is asked for again later, and nothing is sent
// or imported while the answer is unknown.
func garbledList(err error) *sms.Error {
	return &sms.Error{Class: sms.Transient, Message: "Twilio's list of messages could not be read", Err: err}
}
