// Package twiliotest is an in-process fake of the parts of Twilio's REST API
// hiretext uses: sending messages, searching, buying and releasing numbers,
// and reading the account.
// It checks Basic auth and required fields, answers in Twilio's JSON shapes
// (string num_segments, null error_code, RFC 2822 dates), records what it
// was asked, can be told to fail or hang sends to a number, and delivers
// signed inbound-message and status-callback webhooks, as Twilio would.
//
// A test starts one with NewServer and points a provider at it with
// Server.Config.
package twiliotest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/sms/twilio"
)

// The credentials the fake accepts.
const (
	AccountSID = "AC0123456789abcdef0123456789abcdef"
	AuthToken  = "00112233445566778899aabbccddeeff"
)

// Server is a fake Twilio REST API. Its methods are safe for concurrent use.
type Server struct {
	srv    *httptest.Server
	client *http.Client // delivers webhooks
	stop   chan struct{}

	mu       sync.Mutex
	seq      int
	messages []Message
	media    map[string][]MediaFile // MessageSid → the files a phone sent with it
	offers   []offer
	owned    []Number
	failures map[string]int  // To → Twilio error code
	hangs    map[string]bool // To → never answer
	lost     map[string]int  // To → accept, then answer this HTTP status (0: never answer)
}

// NewServer starts a fake offering a few US numbers; it is closed when the
// test ends.
func NewServer(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{
		client:   &http.Client{},
		stop:     make(chan struct{}),
		offers:   defaultOffers(),
		failures: map[string]int{},
		hangs:    map[string]bool{},
		lost:     map[string]int{},
		media:    map[string][]MediaFile{},
	}
	s.srv = httptest.NewServer(s.routes())
	tb.Cleanup(func() {
		close(s.stop) // frees hung handlers, which Close would wait for
		s.srv.Close()
	})
	return s
}

// URL is the fake's API base, for twilio.Config.APIBase.
func (s *Server) URL() string { return s.srv.URL }

// Config returns a valid twilio.Config for the fake, with webhooks under
// publicBaseURL.
func (s *Server) Config(publicBaseURL string) twilio.Config {
	return twilio.Config{
		AccountSID:    AccountSID,
		AuthToken:     AuthToken,
		APIBase:       s.URL(),
		PublicBaseURL: publicBaseURL,
	}
}

// routes maps the REST paths; anything else is Twilio's 20404.
func (s *Server) routes() http.Handler {
	const account = "/2010-04-01/Accounts/{account}"
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+account+"/Messages.json", s.authed(s.createMessage))
	mux.HandleFunc("GET "+account+"/Messages.json", s.authed(s.listMessages))
	mux.HandleFunc("GET "+account+"/Messages/{sid}/Media.json", s.authed(s.listMedia))
	mux.HandleFunc("GET "+account+"/Messages/{sid}/Media/{media}", s.authed(s.serveMedia))
	mux.HandleFunc("GET "+account+"/AvailablePhoneNumbers/{country}/Local.json", s.authed(s.searchNumbers))
	mux.HandleFunc("POST "+account+"/IncomingPhoneNumbers.json", s.authed(s.buyNumber))
	mux.HandleFunc("DELETE "+account+"/IncomingPhoneNumbers/{file}", s.authed(s.releaseNumber))
	mux.HandleFunc("GET /2010-04-01/Accounts/{file}", s.account)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { writeError(w, r, 20404) })
	return mux
}

// account answers GET /Accounts/{sid}.json: the account, active.
func (s *Server) account(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	switch {
	case r.PathValue("file") != AccountSID+".json":
		writeError(w, r, 20404)
	case !ok || user != AccountSID || pass != AuthToken:
		writeError(w, r, 20003)
	default:
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"sid": AccountSID, "friendly_name": "hiretext test account", "status": "active"})
	}
}

// authed answers 20003 unless the request carries the account's Basic
// credentials and names the same account in its path.
func (s *Server) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user != AccountSID || pass != AuthToken || r.PathValue("account") != AccountSID {
			writeError(w, r, 20003)
			return
		}
		h(w, r)
	}
}

// nextSID returns a fresh sid with the given prefix ("SM", "PN").
func (s *Server) nextSID(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s%032x", prefix, s.seq)
}

// apiError is how the fake describes a Twilio error code.
type apiError struct {
	status  int
	message string
}

// apiErrors holds the codes the fake answers with. Any other code told to
// FailSendsTo is answered with HTTP 400 and a generic message.
var apiErrors = map[int]apiError{
	20003: {http.StatusUnauthorized, "Authentication Error - invalid username"},
	20404: {http.StatusNotFound, "The requested resource was not found"},
	20429: {http.StatusTooManyRequests, "Too Many Requests"},
	20500: {http.StatusInternalServerError, "Internal Server Error"},
	21211: {http.StatusBadRequest, "Invalid 'To' Phone Number"},
	21421: {http.StatusBadRequest, "PhoneNumber is invalid"},
	21422: {http.StatusBadRequest, "PhoneNumber is not available"},
	21602: {http.StatusBadRequest, "Message body is required"},
	21603: {http.StatusBadRequest, "A 'From' phone number is required"},
	21604: {http.StatusBadRequest, "A 'To' phone number is required"},
	21609: {http.StatusBadRequest, "Invalid StatusCallback url"},
	21610: {http.StatusBadRequest, "Attempt to send to unsubscribed recipient"},
	21614: {http.StatusBadRequest, "'To' number is not a valid mobile number"},
}

// writeError answers with Twilio's error body for code.
func writeError(w http.ResponseWriter, r *http.Request, code int) {
	e, ok := apiErrors[code]
	if !ok {
		e = apiError{http.StatusBadRequest, fmt.Sprintf("Error %d", code)}
	}
	if code == 20404 {
		e.message = fmt.Sprintf("The requested resource %s was not found", r.URL.Path)
	}
	writeJSON(w, e.status, map[string]any{
		"code":      code,
		"message":   e.message,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code),
		"status":    e.status,
	})
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// offer is a number for sale.
type offer struct {
	sms.AvailableNumber
	country string
}
