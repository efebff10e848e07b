package twilio

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/hiretext/hiretext/internal/sms"
)

// Lookup tuning. Twilio lists a sender's messages to one phone newest
// first, so the messages created since an uncertain send are on the first
// page almost always; the page limit only bounds a phone texted thousands
// of times.
const (
	lookupPageSize = 50
	lookupMaxPages = 20
	// lookupSkew widens Since: the first attempt's time is our clock's,
	// date_created is Twilio's, and Twilio's has whole seconds.
	lookupSkew = time.Minute
)

// listPage is one page of Twilio's Message list.
type listPage struct {
	Messages    []listedMessage `json:"messages"`
	NextPageURI string          `json:"next_page_uri"`
}

// listedMessage is the part of a listed Message that Lookup matches on.
type listedMessage struct {
	messageResource
	To                  string `json:"to"`
	From                string `json:"from"`
	Body                string `json:"body"`
	Direction           string `json:"direction"`
	MessagingServiceSID string `json:"messaging_service_sid"`
	DateCreated         string `json:"date_created"`
}

// Lookup lists the account's messages To q.To from q.From (or, with a
// Messaging Service configured, from any sender of that service) and
// returns the outbound ones with exactly q.Body created since q.Since (less
// a minute for clock skew), oldest first. Twilio has no idempotency key, so
// this is how a send whose answer was lost is found. The list is not
// filtered by date: Twilio's only date filter is DateSent, which a message
// still queued does not have yet; pages are read newest first until one
// reaches before q.Since. An answer that cannot be read is an error,
// never "not there".
func (p *Provider) Lookup(ctx context.Context, q sms.LookupQuery) ([]sms.FoundMessage, error) {
	since := q.Since.Add(-lookupSkew)
	next := p.accountURL("Messages.json") + "?" + p.lookupFilter(q).Encode()
	var found []sms.FoundMessage
	for range lookupMaxPages {
		page, err := p.listPage(ctx, next)
		if err != nil {
			return nil, err
		}
		done := false
		for _, m := range page.Messages {
			created, err := parseTwilioTime(m.DateCreated)
			if err != nil {
				return nil, garbledList(err)
			}
			done = done || created.Before(since)
			if !created.Before(since) && p.matches(m, q) {
				found = append(found, m.found(created))
			}
		}
		if done || page.NextPageURI == "" {
			break
		}
		next = p.cfg.APIBase + page.NextPageURI
	}
	slices.Reverse(found) // Twilio lists newest first
	return found, nil
}

// lookupFilter is the list query: the recipient, and our number unless a
// Messaging Service picks the sender.
func (p *Provider) lookupFilter(q sms.LookupQuery) url.Values {
	v := url.Values{"To": {q.To}, "PageSize": {strconv.Itoa(lookupPageSize)}}
	if p.cfg.MessagingServiceSID == "" {
		v.Set("From", q.From)
	}
	return v
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
func (m listedMessage) found(created time.Time) sms.FoundMessage {
	f := sms.FoundMessage{ProviderMessageID: m.SID, Status: normalizeStatus(m.Status), CreatedAt: created,
		ErrorCode: m.ErrorCode.String(), ErrorMessage: m.ErrorMessage}
	f.Segments, _ = strconv.Atoi(m.NumSegments.String())
	if f.ErrorCode != "" {
		f.Class = Classify(f.ErrorCode, 0)
	}
	return f
}

// parseTwilioTime reads Twilio's RFC 2822 date ("Tue, 26 Jul 2016 12:50:07 +0000").
func parseTwilioTime(s string) (time.Time, error) {
	return time.Parse(time.RFC1123Z, s)
}

// garbledList is the error for a list Twilio answered that cannot be read.
// It is Transient: the lookup is asked again later, and nothing is sent
// while the answer is unknown.
func garbledList(err error) *sms.Error {
	return &sms.Error{Class: sms.Transient, Message: "Twilio's list of messages could not be read", Err: err}
}
