package twiliotest

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
	"unicode/utf16"
)

// Message is a message the fake accepted, with the fields it was sent.
type Message struct {
	SID                 string
	From                string // "" when sent through a Messaging Service
	To                  string
	Body                string
	MessagingServiceSID string
	StatusCallback      string
	Status              string // Twilio's word: queued, accepted, or as last delivered
	Segments            int
	Created             time.Time
	Inbound             bool // a text a phone sent to one of our numbers
}

// messageJSON is Twilio's Message resource, field for field.
type messageJSON struct {
	AccountSID          string            `json:"account_sid"`
	APIVersion          string            `json:"api_version"`
	Body                string            `json:"body"`
	DateCreated         string            `json:"date_created"`
	DateSent            *string           `json:"date_sent"`
	DateUpdated         string            `json:"date_updated"`
	Direction           string            `json:"direction"`
	ErrorCode           *int              `json:"error_code"`
	ErrorMessage        *string           `json:"error_message"`
	From                *string           `json:"from"`
	MessagingServiceSID *string           `json:"messaging_service_sid"`
	NumMedia            string            `json:"num_media"`
	NumSegments         string            `json:"num_segments"`
	Price               *string           `json:"price"`
	PriceUnit           string            `json:"price_unit"`
	SID                 string            `json:"sid"`
	Status              string            `json:"status"`
	SubresourceURIs     map[string]string `json:"subresource_uris"`
	To                  string            `json:"to"`
	URI                 string            `json:"uri"`
}

// Messages returns the messages accepted so far, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.messages)
}

// FailSendsTo makes sends to the number to fail with the Twilio error code,
// answered with the code's HTTP status: 400 for 21211, 21610, 21614 and
// other 2xxxx codes, 429 for 20429, 500 for 20500, 401 for 20003.
func (s *Server) FailSendsTo(to string, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[to] = code
}

// HangSendsTo makes sends to the number never be answered: the request is
// held until the client gives up or the test ends.
func (s *Server) HangSendsTo(to string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hangs[to] = true
}

// LoseAnswersTo makes sends to the number be accepted, and recorded like
// any other, but answered as if the answer were lost: with status 0 the
// answer is held until the client gives up (a timeout after the request
// was written); otherwise the HTTP status (e.g. 502) is answered with an
// empty body, as a proxy in front of Twilio would after Twilio acted.
func (s *Server) LoseAnswersTo(to string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lost[to] = status
}

// createMessage is POST /Messages.json.
func (s *Server) createMessage(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeError(w, r, 21604)
		return
	}
	if code := missingSendField(r.PostForm); code != 0 {
		writeError(w, r, code)
		return
	}
	to := r.PostForm.Get("To")
	code, hang := s.sendFault(to)
	switch {
	case hang:
		s.hang(r)
		return
	case code != 0:
		writeError(w, r, code)
		return
	}
	created := s.accept(r.PostForm)
	if status, lost := s.lostAnswer(to); lost {
		s.loseAnswer(w, r, status)
		return
	}
	writeJSON(w, http.StatusCreated, created)
}

// lostAnswer returns how the answer to a send to the number is lost, if it is.
func (s *Server) lostAnswer(to string) (status int, lost bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	status, lost = s.lost[to]
	return status, lost
}

// loseAnswer answers an accepted send with status and no body, or, for 0,
// not at all.
func (s *Server) loseAnswer(w http.ResponseWriter, r *http.Request, status int) {
	if status == 0 {
		s.hang(r)
		return
	}
	w.WriteHeader(status)
}

// missingSendField returns the Twilio code for the first required field
// missing from a send, or 0.
func missingSendField(f url.Values) int {
	switch {
	case f.Get("To") == "":
		return 21604
	case f.Get("From") == "" && f.Get("MessagingServiceSid") == "":
		return 21603
	case f.Get("Body") == "":
		return 21602
	case f.Has("StatusCallback") && !absoluteHTTP(f.Get("StatusCallback")):
		return 21609
	}
	return 0
}

// absoluteHTTP reports whether s is an absolute http(s) URL.
func absoluteHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// sendFault returns what a send to the number was told to do.
func (s *Server) sendFault(to string) (code int, hang bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failures[to], s.hangs[to]
}

// hang holds the request until the client disconnects or the fake stops.
func (s *Server) hang(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-s.stop:
	}
}

// accept records a valid send and returns Twilio's answer to it.
func (s *Server) accept(f url.Values) messageJSON {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := Message{
		SID:                 s.nextSID("SM"),
		From:                f.Get("From"),
		To:                  f.Get("To"),
		Body:                f.Get("Body"),
		MessagingServiceSID: f.Get("MessagingServiceSid"),
		StatusCallback:      f.Get("StatusCallback"),
		Status:              "queued",
		Segments:            segmentCount(f.Get("Body")),
		Created:             time.Now().UTC(),
	}
	if m.MessagingServiceSID != "" {
		// No sender picked yet: Twilio answers accepted, 0 segments, no from.
		m.Status, m.From, m.Segments = "accepted", "", 0
	}
	s.messages = append(s.messages, m)
	return messageResource(m)
}

// messageResource renders m as Twilio does.
func messageResource(m Message) messageJSON {
	created := m.Created.Format(time.RFC1123Z) // "Tue, 26 Jul 2016 12:50:07 +0000"
	uri := "/2010-04-01/Accounts/" + AccountSID + "/Messages/" + m.SID
	return messageJSON{
		AccountSID:          AccountSID,
		APIVersion:          "2010-04-01",
		Body:                m.Body,
		DateCreated:         created,
		DateUpdated:         created,
		Direction:           direction(m),
		From:                nullable(m.From),
		MessagingServiceSID: nullable(m.MessagingServiceSID),
		NumMedia:            "0",
		NumSegments:         strconv.Itoa(m.Segments),
		PriceUnit:           "USD",
		SID:                 m.SID,
		Status:              m.Status,
		SubresourceURIs:     map[string]string{"media": uri + "/Media.json"},
		To:                  m.To,
		URI:                 uri + ".json",
	}
}

// direction is Twilio's word for which way m went.
func direction(m Message) string {
	if m.Inbound {
		return "inbound"
	}
	return "outbound-api"
}

// nullable is nil for "", so JSON shows null as Twilio does.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// segmentCount approximates Twilio's count: GSM-7 (taken as ASCII here)
// fits 160 characters, or 153 per part; UCS-2 fits 70, or 67 per part.
func segmentCount(body string) int {
	units, single, part := len(body), 160, 153
	for _, r := range body {
		if r > 0x7f {
			units, single, part = len(utf16.Encode([]rune(body))), 70, 67
			break
		}
	}
	if units <= single {
		return 1
	}
	return (units + part - 1) / part
}
