// Package sms defines what hiretext needs from an SMS provider (a carrier
// gateway such as Twilio, or the built-in simulator) and the provider-neutral
// shapes of numbers, messages, webhooks and errors. Each provider lives in its
// own sub-package; the core depends only on this package (and the store on
// simulator/simstate, the simulator's records it keeps).
package sms

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hiretext/hiretext"
)

// Provider is an SMS gateway: it provisions numbers, sends messages and
// verifies and parses the webhooks it calls us with.
type Provider interface {
	// Name is the provider's stable identifier ("twilio", "simulator"); it
	// scopes provider message ids, which are unique only per provider.
	Name() string
	// SendRate is the provider's default sustained send rate per number, in
	// messages per second.
	SendRate() float64

	// SearchNumbers lists numbers available to buy, optionally within an area code.
	SearchNumbers(ctx context.Context, q NumberQuery) ([]AvailableNumber, error)
	// BuyNumber provisions phone (E.164) and points its inbound webhook at us.
	BuyNumber(ctx context.Context, phone string) (ProvisionedNumber, error)
	// ReleaseNumber gives a provisioned number back to the provider.
	ReleaseNumber(ctx context.Context, n ProvisionedNumber) error

	// Send hands one message to the provider. A returned error is an *Error
	// whose Class tells the caller whether to retry, and whose Uncertain
	// says the provider may have taken the message all the same.
	Send(ctx context.Context, m OutboundMessage) (SendResult, error)
	// Lookup asks the provider which messages it holds from q.From to q.To
	// with q.Body created since q.Since, oldest first: what an earlier send
	// whose outcome is unknown may have created. An empty list, without
	// error, is the provider's answer "not there", the only answer that
	// allows sending again; each provider documents how it matches.
	Lookup(ctx context.Context, q LookupQuery) ([]FoundMessage, error)
	// History lists the messages the provider holds of one of our numbers,
	// both directions, created since q.Since: what reconciliation compares
	// with what hiretext recorded. An answer that cannot be read is an
	// error, never a shorter list.
	History(ctx context.Context, q HistoryQuery) ([]HistoryMessage, error)

	// VerifyWebhook checks the request really comes from the provider. It
	// must be called before anything is parsed or stored.
	VerifyWebhook(w WebhookRequest) error
	// ParseInbound turns a verified inbound-message webhook into messages.
	ParseInbound(w WebhookRequest) ([]InboundMessage, error)
	// ParseStatus turns a verified status-callback webhook into status updates.
	ParseStatus(w WebhookRequest) ([]StatusUpdate, error)
	// Ack is the HTTP answer the provider expects for a handled webhook.
	Ack(kind WebhookKind) Response
}

// NumberQuery narrows a search for available numbers.
type NumberQuery struct {
	Country  string // ISO 3166-1 alpha-2, e.g. "US"
	AreaCode string // optional, three digits in North America
	Limit    int    // at most this many results; 0 means the provider's default
}

// AvailableNumber is a number the provider offers to buy.
type AvailableNumber struct {
	Phone    string // E.164
	Locality string // city or rate center, when known
	Region   string // state or province, when known
}

// ProvisionedNumber is a number bought from the provider.
type ProvisionedNumber struct {
	Phone      string // E.164
	ProviderID string // the provider's id for the number (Twilio: PN… sid)
}

// OutboundMessage is one message to send.
type OutboundMessage struct {
	From string // E.164 number of ours
	To   string // E.164 recipient
	Body string
	// Reference is our message id, passed where the provider supports an
	// idempotency key or metadata.
	Reference string
}

// SendResult is what the provider said when it accepted a message.
type SendResult struct {
	ProviderMessageID string
	Status            hiretext.MessageStatus // usually queued or sent
	Segments          int                    // 0 when the provider does not know yet
}

// LookupQuery describes an outbound message whose send may or may not have
// reached the provider.
type LookupQuery struct {
	From  string // E.164 number of ours
	To    string // E.164 recipient
	Body  string
	Since time.Time // when the first uncertain attempt started
}

// FoundMessage is an outbound message the provider holds, as Lookup found it.
type FoundMessage struct {
	ProviderMessageID string
	Status            hiretext.MessageStatus // normalized
	ErrorCode         string                 // "" when none
	ErrorMessage      string
	Class             ErrorClass // the error's class when ErrorCode is set
	Segments          int        // 0 when not known
	CreatedAt         time.Time
}

// HistoryQuery asks for one number's messages since a time.
type HistoryQuery struct {
	Number string // E.164 number of ours
	Since  time.Time
}

// HistoryMessage is a message, sent or received, in a number's history at
// the provider.
type HistoryMessage struct {
	ProviderMessageID string
	Inbound           bool   // received by our number; otherwise sent from it
	From, To          string // E.164 for ordinary phones
	Body              string
	Status            hiretext.MessageStatus // normalized; received for inbound
	ErrorCode         string
	ErrorMessage      string
	Class             ErrorClass // the error's class when ErrorCode is set
	CreatedAt         time.Time
	// Media are an inbound message's files, when the provider lists them.
	Media []MediaRef
}

// InboundMessage is a message a candidate sent to one of our numbers.
type InboundMessage struct {
	ProviderMessageID string
	From              string // as received; E.164 for ordinary phones
	To                string // E.164 number of ours
	Body              string
	Segments          int
	ReceivedAt        time.Time
	// Media are the files sent with the message (an MMS), in order.
	Media []MediaRef
}

// MediaRef is a file the provider announced with an inbound message.
type MediaRef struct {
	URL         string // where the provider serves it
	ContentType string // as the provider declared it
}

// maxAnnouncedMedia bounds the files read from one webhook: past
// hiretext.MaxMediaItems they are recorded as refused, past this not at
// all (a carrier never sends so many; the webhook body is capped anyway).
const maxAnnouncedMedia = 50

// ParseMediaParams reads the files a form-encoded webhook announces, the
// way Twilio names them: count (NumMedia) files, each as urlPrefix+N
// (MediaUrl0…) and typePrefix+N (MediaContentType0…). A missing or bad
// count means none; a file without a URL is skipped.
func ParseMediaParams(params url.Values, count, urlPrefix, typePrefix string) []MediaRef {
	n, err := strconv.Atoi(params.Get(count))
	if err != nil || n < 1 {
		return nil
	}
	var out []MediaRef
	for i := range min(n, maxAnnouncedMedia) {
		u := params.Get(urlPrefix + strconv.Itoa(i))
		if u == "" {
			continue
		}
		out = append(out, MediaRef{URL: u, ContentType: params.Get(typePrefix + strconv.Itoa(i))})
	}
	return out
}

// IncomingMedia turns announced files into what the store keeps, their
// strings sanitized as every other string a provider sends: a file is
// never refused for its name.
func IncomingMedia(refs []MediaRef) []hiretext.IncomingMedia {
	var out []hiretext.IncomingMedia
	for _, r := range refs {
		out = append(out, hiretext.IncomingMedia{URL: hiretext.SanitizeText(r.URL, hiretext.SingleLine),
			ContentType: hiretext.SanitizeText(r.ContentType, hiretext.SingleLine)})
	}
	return out
}

// MediaSource is a provider whose inbound messages carry files hiretext
// fetches from it.
type MediaSource interface {
	// MediaRequest returns the GET request fetching rawURL with the
	// provider's credentials, or an error when rawURL is not on the
	// provider's media host (a URL elsewhere is never fetched).
	MediaRequest(ctx context.Context, rawURL string) (*http.Request, error)
	// MediaHost reports whether a redirect to u stays on the provider's
	// media hosts; a redirect elsewhere is refused.
	MediaHost(u *url.URL) bool
}

// StatusUpdate is a delivery report for a message we sent.
type StatusUpdate struct {
	ProviderMessageID string
	Status            hiretext.MessageStatus // normalized
	ProviderStatus    string                 // as the provider named it
	ErrorCode         string                 // provider error code, "" when none
	ErrorMessage      string
	// Class is the error's class when ErrorCode is set.
	Class ErrorClass
	At    time.Time
}

// WebhookKind tells which webhook a request is.
type WebhookKind int

// The webhook kinds.
const (
	WebhookInbound WebhookKind = iota + 1
	WebhookStatus
)

// WebhookRequest is everything needed to verify and parse a webhook: the
// public URL the provider called (rebuilt from the configured base URL, not
// from the request, which a proxy may have rewritten), the headers and the
// raw body exactly as received.
type WebhookRequest struct {
	Method    string
	PublicURL string // scheme://host[:port]/path[?raw query]
	Header    http.Header
	Body      []byte
}

// Response is an HTTP answer to a webhook.
type Response struct {
	Status      int
	ContentType string
	Body        []byte
}

// ErrorClass says what to do about a failed send.
type ErrorClass int

// The error classes.
const (
	// Permanent failures are never retried; the message fails with the reason.
	Permanent ErrorClass = iota + 1
	// Transient failures (rate limits, outages, timeouts) are retried with backoff.
	Transient
	// InvalidRecipient means the number is invalid, not a mobile, or a landline.
	InvalidRecipient
	// OptedOut means the recipient opted out at the carrier (e.g. replied STOP to it).
	OptedOut
)

// String names the class for logs.
func (c ErrorClass) String() string {
	switch c {
	case Permanent:
		return "permanent"
	case Transient:
		return "transient"
	case InvalidRecipient:
		return "invalid_recipient"
	case OptedOut:
		return "opted_out"
	}
	return fmt.Sprintf("ErrorClass(%d)", int(c))
}

// Error is a provider failure, classified.
type Error struct {
	Class   ErrorClass
	Code    string // the provider's code, e.g. "21211"; "" for network failures
	Message string // the provider's explanation, shown to users for permanent failures
	Err     error  // the underlying cause, if any
	// Uncertain marks a failure after which the provider may have acted
	// on the request all the same: a timeout after the request was
	// written, a reset connection, a 5xx that may follow acceptance. A send
	// that failed so must be looked up (Provider.Lookup), not repeated.
	Uncertain bool
}

// Error implements error.
func (e *Error) Error() string {
	s := fmt.Sprintf("sms %s error", e.Class)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// ClassOf returns the class of err: the class of an *Error it wraps, or
// Transient for anything else (a network failure, a timeout), because an
// unknown failure is safer retried than dropped.
func ClassOf(err error) ErrorClass {
	var e *Error
	if errors.As(err, &e) {
		return e.Class
	}
	return Transient
}

// Uncertain reports whether the provider may have acted on the request that
// failed with err: true for an *Error marked Uncertain and for any error
// that is not an *Error (a caller's timeout, a panic recovered), because
// an unknown outcome is safer looked up than repeated.
func Uncertain(err error) bool {
	if err == nil {
		return false
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Uncertain
	}
	return true
}

// ErrBadSignature is returned by VerifyWebhook when the request is not signed
// by the provider.
var ErrBadSignature = errors.New("sms: webhook signature invalid")
