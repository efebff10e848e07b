package twiliotest

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
)

// MediaFile is a file a phone sent with a text (an MMS).
type MediaFile struct {
	SID         string // ME…, set by the fake
	ContentType string
	Content     []byte
}

// mediaListJSON is Twilio's Media list of one message.
type mediaListJSON struct {
	MediaList []mediaJSON `json:"media_list"`
}

// mediaJSON is Twilio's Media resource, the fields hiretext reads and a few more.
type mediaJSON struct {
	SID         string `json:"sid"`
	ParentSID   string `json:"parent_sid"`
	AccountSID  string `json:"account_sid"`
	ContentType string `json:"content_type"`
	URI         string `json:"uri"`
}

// LoseInboundMMS is LoseInbound for a text with files: Twilio keeps them
// under the message, listed by GET …/Messages/{sid}/Media.json and served
// (Basic auth) at …/Media/{MediaSid}. It returns the MessageSid.
func (s *Server) LoseInboundMMS(from, to, body string, files ...MediaFile) (string, error) {
	sid, err := s.LoseInbound(from, to, body)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range files {
		f.SID = s.nextSID("ME")
		s.media[sid] = append(s.media[sid], f)
	}
	return sid, nil
}

// withMedia counts a listed message's files, as Twilio's num_media does.
func (s *Server) withMedia(m messageJSON) messageJSON {
	s.mu.Lock()
	defer s.mu.Unlock()
	m.NumMedia = strconv.Itoa(len(s.media[m.SID]))
	return m
}

// DeliverInboundMMS is DeliverInbound for a text with files: the webhook
// announces them (NumMedia, MediaUrlN, MediaContentTypeN) at URLs of the
// fake that need the account's Basic credentials. It returns the
// MessageSid.
func (s *Server) DeliverInboundMMS(ctx context.Context, from, to, body string, files ...MediaFile) (string, error) {
	sid, err := s.LoseInboundMMS(from, to, body, files...)
	if err != nil {
		return "", err
	}
	n, _ := s.owner(to)
	params := url.Values{
		"MessageSid": {sid}, "SmsSid": {sid}, "SmsMessageSid": {sid},
		"AccountSid": {AccountSID}, "ApiVersion": {"2010-04-01"}, "SmsStatus": {"received"},
		"From": {from}, "To": {to}, "Body": {body}, "NumSegments": {"1"},
	}
	stored, _ := s.files(sid)
	params.Set("NumMedia", strconv.Itoa(len(stored)))
	for i, f := range stored {
		params.Set("MediaUrl"+strconv.Itoa(i), s.URL()+mediaURI(sid)+"/"+f.SID)
		params.Set("MediaContentType"+strconv.Itoa(i), f.ContentType)
	}
	return sid, s.deliver(ctx, n.SmsURL, params)
}

// owner returns the bought number phone names.
func (s *Server) owner(phone string) (Number, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.owned, func(n Number) bool { return n.Phone == phone })
	if i < 0 {
		return Number{}, false
	}
	return s.owned[i], true
}

// mediaURI is where Twilio lists a message's media.
func mediaURI(messageSID string) string {
	return "/2010-04-01/Accounts/" + AccountSID + "/Messages/" + messageSID + "/Media"
}

// listMedia is GET /Messages/{sid}/Media.json.
func (s *Server) listMedia(w http.ResponseWriter, r *http.Request) {
	sid := r.PathValue("sid")
	files, ok := s.files(sid)
	if !ok {
		writeError(w, r, 20404)
		return
	}
	out := mediaListJSON{MediaList: []mediaJSON{}}
	for _, f := range files {
		out.MediaList = append(out.MediaList, mediaJSON{SID: f.SID, ParentSID: sid, AccountSID: AccountSID,
			ContentType: f.ContentType, URI: mediaURI(sid) + "/" + f.SID + ".json"})
	}
	writeJSON(w, http.StatusOK, out)
}

// serveMedia is GET /Messages/{sid}/Media/{media}: the file itself.
func (s *Server) serveMedia(w http.ResponseWriter, r *http.Request) {
	files, ok := s.files(r.PathValue("sid"))
	i := slices.IndexFunc(files, func(f MediaFile) bool { return f.SID == r.PathValue("media") })
	if !ok || i < 0 {
		writeError(w, r, 20404)
		return
	}
	w.Header().Set("Content-Type", files[i].ContentType)
	_, _ = w.Write(files[i].Content)
}

// files returns the files of the message sid names; false when there is no
// such message.
func (s *Server) files(sid string) ([]MediaFile, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.ContainsFunc(s.messages, func(m Message) bool { return m.SID == sid }) {
		return nil, false
	}
	return s.media[sid], true
}
