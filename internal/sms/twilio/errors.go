package twilio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"

	"github.com/hiretext/hiretext/internal/sms"
)

// classes is the one table of Twilio error codes whose class is not the
// default, Permanent. It serves both REST answers and status callbacks.
// Titles are Twilio's (twilio.com/docs/api/errors/NNNNN).
var classes = map[string]sms.ErrorClass{
	// The recipient's number cannot take our texts: suppress it, don't retry.
	"21211": sms.InvalidRecipient, // Invalid 'To' Phone Number
	"21268": sms.InvalidRecipient, // Sending to Premium rate or Information Service numbers is not allowed
	"21614": sms.InvalidRecipient, // 'To' number is not a valid mobile number
	"21635": sms.InvalidRecipient, // 'To' number cannot be a landline
	"30005": sms.InvalidRecipient, // Unknown destination handset
	"30006": sms.InvalidRecipient, // Landline or unreachable carrier

	// The recipient replied STOP to this sender.
	"21610": sms.OptedOut, // Attempt to send to unsubscribed recipient

	// Congestion, limits and unreachable handsets pass: retry with backoff.
	"20429": sms.Transient, // Too Many Requests (REST concurrency)
	"21611": sms.Transient, // This 'From' number has exceeded the maximum number of queued messages
	"30001": sms.Transient, // Queue overflow (a Messaging Service's pool)
	"30003": sms.Transient, // Unreachable destination handset (off, no signal)
	"30008": sms.Transient, // Unknown error
	"30022": sms.Transient, // US A2P 10DLC: Rate Limits Exceeded

	// Listed only to record the decision; Permanent is the default anyway.
	// 21612 names the To/From *combination* ("cannot be connected … at this
	// time"), often a sender capability or Geo Permissions problem, so it
	// does not prove the candidate's number bad and must not suppress it.
	"21612": sms.Permanent, // Message cannot be sent with the current combination of To and From
	"30004": sms.Permanent, // Message blocked: by the recipient or carrier, not proof of a bad number
	"30007": sms.Permanent, // Message filtered: fix the content, don't blind-retry
}

// Classify says what to do about a Twilio error: the class of a known code
// wins; otherwise HTTP 429 and any 5xx are Transient and everything else is
// Permanent. Status callbacks carry no HTTP status: pass 0.
func Classify(code string, httpStatus int) sms.ErrorClass {
	if c, ok := classes[code]; ok {
		return c
	}
	if httpStatus == http.StatusTooManyRequests || httpStatus >= 500 {
		return sms.Transient
	}
	return sms.Permanent
}

// APIError is Twilio's own account of a failed REST call. It is the Err of
// the *sms.Error the provider returns, for logs and for errors.As.
type APIError struct {
	HTTPStatus int
	Code       string // "" when the body was not a Twilio error (a proxy's page)
	Message    string
	MoreInfo   string // link to Twilio's page about Code
}

// Error implements error. It leaves out Message, which the wrapping
// *sms.Error already shows.
func (e *APIError) Error() string {
	s := fmt.Sprintf("twilio answered HTTP %d", e.HTTPStatus)
	if e.MoreInfo != "" {
		s += " (" + e.MoreInfo + ")"
	}
	return s
}

// restError is the JSON body of a failed REST call, e.g.
// {"code":21211,"message":"…","more_info":"https://…/21211","status":400}.
// The body's status repeats the HTTP status, which is used instead.
type restError struct {
	Code     json.Number `json:"code"`
	Message  string      `json:"message"`
	MoreInfo string      `json:"more_info"`
}

// apiError turns a non-2xx answer into a classified *sms.Error.
func apiError(httpStatus int, body []byte) *sms.Error {
	ae := &APIError{HTTPStatus: httpStatus}
	var re restError
	if json.Unmarshal(body, &re) == nil && re.Code != "" {
		ae.Code, ae.Message, ae.MoreInfo = re.Code.String(), re.Message, re.MoreInfo
	}
	msg := ae.Message
	if msg == "" {
		msg = fmt.Sprintf("Twilio answered %d %s", httpStatus, http.StatusText(httpStatus))
	}
	// A 5xx may come from a proxy or an overloaded edge after Twilio took
	// the request: the outcome is unknown.
	return &sms.Error{Class: Classify(ae.Code, httpStatus), Code: ae.Code, Message: msg, Err: ae, Uncertain: httpStatus >= 500}
}

// transportError classifies a request that got no answer. It is Transient,
// and Uncertain unless the connection was never made: a request written
// before a timeout or a reset may have been acted on, and Twilio's Messages
// API has no idempotency key, so such a send is looked up, not repeated.
func transportError(err error) *sms.Error {
	msg := "could not reach Twilio"
	if errors.Is(err, context.DeadlineExceeded) {
		msg = "Twilio did not answer in time"
	}
	return &sms.Error{Class: sms.Transient, Message: msg, Err: err, Uncertain: !neverConnected(err)}
}

// neverConnected reports whether err is a failure to open the connection
// (refused, no route, name not found), before any byte of a request left.
func neverConnected(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// garbledSuccess is the error for a 2xx answer that cannot be read. It is
// Permanent on purpose: Twilio did act on the request, so a retry would
// send the message, or buy a number, a second time.
func garbledSuccess(what string, err error) *sms.Error {
	return &sms.Error{
		Class:   sms.Permanent,
		Message: "Twilio accepted the " + what + " but its answer could not be read; check the Twilio console",
		Err:     err,
	}
}
