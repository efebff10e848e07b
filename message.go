package hiretext

import (
	"context"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"
)

// MessageID identifies a text message.
type MessageID int64

// ConversationID identifies the thread between one company number and one
// remote phone (a candidate, or an unknown sender until linked).
type ConversationID int64

// Direction says who sent a message.
type Direction string

// The directions.
const (
	Outbound Direction = "outbound" // from a company number to a phone
	Inbound  Direction = "inbound"  // from a phone to a company number
)

// MessageKind tells a recruiter's text from the automatic replies that
// compliance requires.
type MessageKind string

// The message kinds.
const (
	KindRecruiter MessageKind = "recruiter" // written by a user
	KindInbound   MessageKind = "inbound"   // sent by a candidate or unknown sender
	// KindKeywordReply is the automatic answer to STOP, START or HELP. It is
	// sent even to a candidate who just opted out (the FCC allows one
	// confirmation) and even when the allowance is used up.
	KindKeywordReply MessageKind = "keyword_reply"
)

// Message is one text, in either direction.
type Message struct {
	ID             MessageID
	OrgID          OrgID
	NumberID       NumberID
	ConversationID ConversationID
	CandidateID    CandidateID // 0 for an unknown sender
	UserID         UserID      // the sender of a recruiter text; 0 otherwise
	UserName       string      // filled by listings for display
	Direction      Direction
	Kind           MessageKind
	From, To       string // E.164 (From may be a short code for inbound)
	Body           string
	Segments       int
	Status         MessageStatus
	ErrorCode      string // the provider's code, when it failed
	ErrorMessage   string // why it failed, readable by the recruiter
	Keyword        Keyword
	// LooksLikeOptOut flags free text that reads like an opt-out ("wrong
	// number"); the recruiter can opt the candidate out with one click.
	LooksLikeOptOut bool
	Provider        string
	ProviderID      string // the provider's message id
	// TemplateID and TemplateName record the template a recruiter's text
	// came from, as it was named when the text was sent (0 and "" for
	// none); the template may since have been renamed or deleted.
	TemplateID   TemplateID
	TemplateName string
	// SendAt is the minute a held text goes (status scheduled); once it has
	// gone it stays the minute it was held for. Zero for a text sent at once.
	SendAt time.Time
	// Hold says why the text waited: HoldSchedule or HoldQuietHours; ""
	// for a text sent at once.
	Hold Hold
	// Bulk: the text was one of a send to several candidates at once.
	Bulk      bool
	CreatedAt time.Time
	UpdatedAt time.Time
	// Erased: the body and the candidate's phone were erased (the
	// candidate's erasure or the company's retention); the text still counts.
	Erased bool
	// Media are the files (pictures) the message came with, in order;
	// filled by the message listings.
	Media []*Media
}

// What erased personal values read as: a text's body, a candidate's name.
const (
	ErasedBody      = "(erased)"
	ErasedCandidate = "Erased candidate"
)

// Hold is why a text waited for its minute.
type Hold string

// The holds.
const (
	HoldSchedule   Hold = "schedule"    // a user chose the time
	HoldQuietHours Hold = "quiet_hours" // written outside the allowed window
)

// SkipReason explains why a candidate of a bulk send got no message.
type SkipReason string

// The skip reasons.
const (
	SkipOptedOut SkipReason = "opted_out" // the candidate has not agreed to texts
	SkipNoPhone  SkipReason = "no_phone"  // no valid texting phone on file
	SkipNotFound SkipReason = "not_found" // no such candidate in this company
	SkipAbroad   SkipReason = "abroad"    // the phone is in a country the number cannot text
	// SkipAttemptLimit: the candidate already got the company's limit of
	// texts in the last 24 hours without replying (see NextAttempt).
	SkipAttemptLimit SkipReason = "attempt_limit"
	// SkipTextedFirst: the candidate texted us first and has not opted in;
	// only a one-to-one answer in the conversation they started may reach
	// them (Candidate.TextedFirst).
	SkipTextedFirst SkipReason = "texted_first"
	// SkipTextedFirstOff: the same, and the company's send policy does not
	// let users answer such candidates at all (SendPolicy.AnswerTextedFirst).
	SkipTextedFirstOff SkipReason = "texted_first_policy"
)

// SkipReasonText is the sentence shown for each skip reason.
var SkipReasonText = map[SkipReason]string{
	SkipOptedOut:     "Not sent: the candidate has opted out of texts.",
	SkipNoPhone:      "Not sent: the candidate has no valid mobile phone on file.",
	SkipNotFound:     "Not sent: no such candidate.",
	SkipAbroad:       "Not sent: the candidate's phone is in another country, which this number cannot text.",
	SkipAttemptLimit: "Not sent: the candidate got the most texts the company allows in 24 hours without a reply.",
	SkipTextedFirst: "Not sent: the candidate texted us first and has not opted in; they can only be answered one to one, " +
		"in the conversation they started.",
	SkipTextedFirstOff: "Not sent: the candidate texted us first and has not opted in, and the company's texting settings " +
		"do not allow answering them until they opt in.",
}

// SendRequest is a user's text to one or more candidates. Each candidate
// gets their own message in their own conversation, with the merge fields
// of the body (and of the user's signature) filled in for them.
type SendRequest struct {
	OrgID        OrgID
	UserID       UserID
	CandidateIDs []CandidateID
	Body         string
	// TemplateID is the template the text came from, recorded with each
	// message; when Body is empty, the template's body is sent.
	TemplateID TemplateID
	// SendAt is when the user wants the text to go; zero for now. Either
	// way each candidate's text waits for their allowed window (SendPolicy.Plan).
	SendAt time.Time
	// JobID is the job the text is sent from (the Job Posting page), whose
	// title {JobTitle} becomes; 0 uses each candidate's newest application.
	JobID JobID
}

// Validate checks the body (unless a template supplies it) and the number
// of candidates, reporting both fields at once when both are at fault.
func (r SendRequest) Validate() error {
	v := Validation{}
	if r.Body != "" || r.TemplateID == 0 {
		for field, message := range ErrorFields(ValidateMergeBody(r.Body)) {
			v.Add(field, message)
		}
	}
	switch n := len(r.CandidateIDs); {
	case n == 0:
		v.Add("candidate_ids", "Choose at least one candidate.")
	case n > MaxBulkCandidates:
		v.Add("candidate_ids", fmt.Sprintf("Send to at most %d candidates at once.", MaxBulkCandidates))
	}
	return v.Combined()
}

// SendResult is the outcome of a send for one candidate.
type SendResult struct {
	CandidateID CandidateID
	Queued      bool
	MessageID   MessageID  // when queued
	Body        string     // the text as the candidate receives it, when queued
	Skipped     SkipReason // when not
	// SendAt is when a held text goes (Scheduled), after the quiet hours
	// moved it if they did; Moved says they did.
	Scheduled bool
	SendAt    time.Time
	Moved     bool
	// NextAttemptAt is when the attempt limit lets the candidate be texted
	// again, when it skipped them (SkipAttemptLimit).
	NextAttemptAt time.Time
}

// MaxBulkCandidates bounds one bulk send.
const MaxBulkCandidates = 1000

// Conversation is the thread between one company number and one candidate,
// or one unknown sender until a user links it to a candidate.
type Conversation struct {
	ID            ConversationID
	OrgID         OrgID
	NumberID      NumberID
	CandidateID   CandidateID // 0 for an unknown sender
	CandidateName string      // filled by listings
	Phone         string      // the remote phone (E.164, or a short code)
	LastMessage   string      // the newest message's first words, by listings
	// LastDirection and LastKind say who wrote LastMessage, so a preview
	// never passes an automatic reply off as the candidate's words;
	// LastSenderID and LastSender name the user who sent it, if a user did.
	LastDirection Direction
	LastKind      MessageKind
	LastSenderID  UserID
	LastSender    string
	// LastStatus is the newest message's status: an outbound text that
	// failed or was not delivered is flagged wherever the conversation is
	// listed (see NotSent).
	LastStatus MessageStatus
	// UnreadPreview is the candidate's newest text, by listings, when the
	// conversation has unread texts but its newest message is ours (the
	// automatic answer to STOP, a text sent through the API): what is
	// unread is theirs. "" otherwise.
	UnreadPreview string
	LastMessageAt time.Time
	Unread        int // inbound messages no user of the number has read
	// WaitingSince is when the candidate's oldest unanswered text arrived
	// (zero when nobody waits): from then until a user texts back or marks
	// the conversation Done, it needs a reply. Keywords (STOP, HELP…) and
	// their automatic answers neither start nor end a wait.
	WaitingSince time.Time
	// DoneAt is when a user marked the conversation Done (zero for open):
	// it leaves the inbox until the candidate writes again.
	DoneAt    time.Time
	CreatedAt time.Time
}

// NotSent reports whether the conversation ends with a text of ours that
// failed or was not delivered, which its listings flag.
func (v *Conversation) NotSent() bool {
	return v.LastDirection == Outbound && Failed(v.LastStatus)
}

// NeedsReply reports whether the candidate wrote last and nobody answered.
func (v *Conversation) NeedsReply() bool { return !v.WaitingSince.IsZero() }

// Done reports whether a user closed the conversation.
func (v *Conversation) Done() bool { return !v.DoneAt.IsZero() }

// IncomingText is a text a provider delivered to one of our numbers.
type IncomingText struct {
	Provider          string // the provider's name; with the id, it identifies the text
	ProviderMessageID string
	From              string // the sender as received (E.164 for ordinary phones)
	To                string // our number, E.164
	Body              string
	ReceivedAt        time.Time
	// Media are the files the provider announced with the text (an MMS),
	// in order; they are stored with it and fetched in the background.
	Media []IncomingMedia
}

// DeliveryReport is a provider's status callback for a text we sent.
type DeliveryReport struct {
	Provider          string
	ProviderMessageID string
	Status            MessageStatus // normalized
	ErrorCode         string
	ErrorMessage      string
	// InvalidRecipient marks errors saying the number is invalid, not a
	// mobile, or a landline; OptedOut marks a carrier-level opt-out.
	InvalidRecipient bool
	OptedOut         bool
}

// InboundResult is what storing an inbound message did.
type InboundResult struct {
	Message   *Message
	Duplicate bool // the provider delivered this message before; nothing changed
	// Unrouted is true when no company owns the receiving number: the
	// message is kept for the operator but belongs to no conversation.
	Unrouted bool
	Replies  []MessageID // automatic keyword replies queued
}

// StatusResult is what applying a delivery status did.
type StatusResult struct {
	Message *Message
	Changed bool // false for a late or repeated status
	// Pending is true when the message is not known yet (the provider's
	// callback raced our record of the send); the status is kept and applied
	// when the send is recorded.
	Pending bool
}

// MessagingService sends, receives and lists texts.
type MessagingService interface {
	// SendMessages validates the body, fills in its merge fields for each
	// sendable candidate (refusing the send with *MissingValues when some
	// lack a value without a fallback), reserves the allowance for every
	// sendable candidate all or nothing, and queues one message each, in one
	// transaction. Skipped candidates are reported, not errors.
	SendMessages(ctx context.Context, req SendRequest) ([]SendResult, error)
	// PreviewMessages renders req for each distinct requested candidate, as
	// SendMessages would, without sending: for every one the text they
	// would receive or why they would be skipped. The body's own mistakes
	// (an unknown field) are errors; missing values are reported per
	// candidate (see CheckPreviews).
	PreviewMessages(ctx context.Context, req SendRequest) ([]TextPreview, error)
	// MessageByID returns one message of org.
	MessageByID(ctx context.Context, org OrgID, id MessageID) (*Message, error)
	// CandidateMessages lists the messages between a candidate and a number,
	// oldest first, from since on (zero for all).
	CandidateMessages(ctx context.Context, org OrgID, number NumberID, candidate CandidateID, since time.Time) ([]*Message, error)
	// ReceiveText stores a text a provider delivered; see the store for the steps.
	ReceiveText(ctx context.Context, in IncomingText) (*InboundResult, error)
	// ApplyDeliveryReport moves a sent message forward by a status callback.
	ApplyDeliveryReport(ctx context.Context, r DeliveryReport) (*StatusResult, error)
}

// InboxFilter narrows the inbox to the conversations needing one kind of
// attention. Every filter but FilterDone lists open conversations only.
type InboxFilter string

// The inbox filters.
const (
	FilterOpen       InboxFilter = ""            // every open conversation
	FilterNeedsReply InboxFilter = "needs_reply" // the candidate wrote last and nobody answered
	FilterUnread     InboxFilter = "unread"      // texts no user of the number has read
	FilterFailed     InboxFilter = "failed"      // the newest text a user wrote failed
	FilterScheduled  InboxFilter = "scheduled"   // the newest text a user wrote waits for its time to go
	FilterDone       InboxFilter = "done"        // closed until the candidate writes again
)

// InboxFilters lists the filters in the order the inbox offers them.
var InboxFilters = []InboxFilter{FilterOpen, FilterNeedsReply, FilterUnread, FilterFailed, FilterScheduled, FilterDone}

// ParseInboxFilter reads a filter's name, "" for every open conversation.
func ParseInboxFilter(s string) (InboxFilter, error) {
	f := InboxFilter(s)
	if !slices.Contains(InboxFilters, f) {
		return "", FieldError("Choose a filter the inbox offers.",
			map[string]string{"filter": "Use needs_reply, unread, failed, scheduled or done."})
	}
	return f, nil
}

// InboxQuery selects one page of a number's conversations as the inbox
// lists them: those with unread texts first, then the others, each part
// newest first (ties by id, so the order is total); a filter other than
// FilterOpen lists its conversations newest first.
type InboxQuery struct {
	Filter InboxFilter
	// Text searches by candidate name (each word starts one of the name's
	// words) or phone (digits anywhere in it); "" for all.
	Text   string
	Cursor string // InboxPage.NextCursor of the previous page; "" for the first
	Limit  int    // page size; 0 means DefaultPageSize
}

// Validate checks q and fills the default page size.
func (q *InboxQuery) Validate() error {
	if q.Limit == 0 {
		q.Limit = DefaultPageSize
	}
	if q.Limit < 1 || q.Limit > MaxPageSize {
		msg := fmt.Sprintf("Use a limit between 1 and %d.", MaxPageSize)
		return FieldError(msg, map[string]string{"limit": msg})
	}
	if _, err := ParseInboxFilter(string(q.Filter)); err != nil {
		return err
	}
	if utf8.RuneCountInString(q.Text) > MaxInboxSearch {
		msg := fmt.Sprintf("Use at most %d characters to search.", MaxInboxSearch)
		return FieldError(msg, map[string]string{"q": msg})
	}
	return nil
}

// MaxInboxSearch bounds the inbox's search text, in characters.
const MaxInboxSearch = 200

// InboxCounts counts a number's conversations under each filter, for the
// inbox's filter tabs.
type InboxCounts map[InboxFilter]int

// InboxPage is one page of the inbox.
type InboxPage struct {
	Conversations []*Conversation
	NextCursor    string // "" on the last page
}

// ConversationService lists and manages the conversations of a number.
// Every method takes the organization and the number explicitly: users see
// only their own number's conversations.
type ConversationService interface {
	ListConversations(ctx context.Context, org OrgID, number NumberID, unreadOnly bool, limit int) ([]*Conversation, error)
	// Inbox returns one page of the number's conversations; see InboxQuery.
	Inbox(ctx context.Context, org OrgID, number NumberID, q InboxQuery) (*InboxPage, error)
	UnreadConversations(ctx context.Context, org OrgID, number NumberID) (int, error)
	// NotSentConversations lists, newest first, the number's conversations
	// that end with a text of ours that failed or was not delivered, of
	// those whose newest message is from since on.
	NotSentConversations(ctx context.Context, org OrgID, number NumberID, since time.Time, limit int) ([]*Conversation, error)
	ConversationByID(ctx context.Context, org OrgID, number NumberID, id ConversationID) (*Conversation, error)
	CandidateConversation(ctx context.Context, org OrgID, number NumberID, candidate CandidateID) (*Conversation, error)
	ConversationMessages(ctx context.Context, org OrgID, id ConversationID, since time.Time) ([]*Message, error)
	TextedCandidates(ctx context.Context, org OrgID, number NumberID, ids []CandidateID) (map[CandidateID]bool, error)
	MarkConversationRead(ctx context.Context, org OrgID, number NumberID, id ConversationID) error
	// InboxCounts counts the conversations matching text under each filter.
	InboxCounts(ctx context.Context, org OrgID, number NumberID, text string) (InboxCounts, error)
	// MarkConversationUnread marks a conversation unread (reopening it if
	// Done) for every user of the number.
	MarkConversationUnread(ctx context.Context, org OrgID, number NumberID, id ConversationID) error
	// MarkConversationDone closes a conversation until the candidate writes
	// again: it no longer needs a reply and is read.
	MarkConversationDone(ctx context.Context, org OrgID, number NumberID, id ConversationID) error
	LinkConversation(ctx context.Context, org OrgID, number NumberID, id ConversationID, candidate CandidateID) (ConversationID, error)
	// CandidateFromConversation makes a new candidate of an unknown sender's
	// conversation: named as n says, with the conversation's phone, recorded
	// as having texted first, and the conversation's texts linked to them.
	// by is the user doing it.
	CandidateFromConversation(ctx context.Context, org OrgID, number NumberID, id ConversationID, n SenderCandidate, by UserID) (*Candidate, error)
}
