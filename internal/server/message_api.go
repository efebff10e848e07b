package server

import (
	"fmt"
	"net/http"
	"time"

	"github.com/hiretext/hiretext"
)

// apiSendRequest is the body of POST /api/v1/messages and of its preview:
// the text, or a template (whose text is used when body is empty), with
// merge fields filled in for each candidate.
type apiSendRequest struct {
	CandidateIDs []string `json:"candidate_ids"`
	Body         string   `json:"body"`
	TemplateID   *string  `json:"template_id"`
	SendAt       *string  `json:"send_at"` // RFC 3339; absent or null: now
}

type apiSendResult struct {
	CandidateID string  `json:"candidate_id"`
	Status      string  `json:"status"` // queued, scheduled or skipped
	Reason      *string `json:"reason"`
	MessageID   *string `json:"message_id"`
	Body        *string `json:"body"` // the text the candidate gets, when queued or scheduled
	// SendAt is when a scheduled text goes, after the send window moved it
	// if it did.
	SendAt *time.Time `json:"send_at"`
	// NextAttemptAt is when the attempt limit allows the next text to a
	// candidate it skipped (reason attempt_limit).
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
}

// apiMonthAllowance is the allowance of the later month a send was
// scheduled into, after the send: what is used of it and how many of the
// number's texts (these included) are scheduled into it.
type apiMonthAllowance struct {
	Month     string `json:"month"` // YYYY-MM, company time
	Allowance int    `json:"allowance"`
	Used      int    `json:"used"`
	Scheduled int    `json:"scheduled"`
}

// apiMonthAllowance returns the allowance of the month sendAt lies in when
// that is a later month than now, else nil.
func (s *Server) apiMonthAllowance(r *http.Request, p *principal, sendAt time.Time) (*apiMonthAllowance, error) {
	if sendAt.IsZero() {
		return nil, nil
	}
	num, err := s.requireTexting(r.Context(), p)
	if err != nil {
		return nil, err
	}
	o, err := s.laterMonthOutlook(r.Context(), p, num.ID, sendAt)
	if o == nil || err != nil {
		return nil, err
	}
	return &apiMonthAllowance{Month: o.Period, Allowance: o.Allowance, Used: o.Used, Scheduled: o.Scheduled}, nil
}

// handleAPISend sends one message to each candidate: 202 with a result per
// candidate, 409 allowance_exceeded when the batch does not fit, 403
// forbidden without the permissions texts need (User.CheckTexts, checked by
// the route) and not_assigned without a number, 422 with
// the candidates (error.missing) when some lack a merge field's value.
func (s *Server) handleAPISend(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	req, err := s.apiSendRequest(r, p)
	if err != nil {
		return err
	}
	res, bulk, err := s.apiSendMessages(r, req)
	if err != nil {
		return err
	}
	month, err := s.apiMonthAllowance(r, p, req.SendAt)
	if err != nil {
		return err
	}
	out := struct {
		Results        []apiSendResult    `json:"results"`
		BulkSendID     *string            `json:"bulk_send_id,omitempty"`
		MonthAllowance *apiMonthAllowance `json:"month_allowance,omitempty"`
	}{Results: make([]apiSendResult, len(res)), BulkSendID: optionalIDString(bulk), MonthAllowance: month}
	for i, x := range res {
		out.Results[i] = apiSendResult{CandidateID: idString(x.CandidateID), Status: "queued"}
		if x.Queued {
			id, body := idString(x.MessageID), x.Body
			out.Results[i].MessageID, out.Results[i].Body = &id, &body
			if x.Scheduled {
				at := x.SendAt.UTC()
				out.Results[i].Status, out.Results[i].SendAt = "scheduled", &at
			}
		} else {
			reason := string(x.Skipped)
			out.Results[i].Status, out.Results[i].Reason = "skipped", &reason
			if !x.NextAttemptAt.IsZero() {
				next := x.NextAttemptAt.UTC()
				out.Results[i].NextAttemptAt = &next
			}
		}
	}
	writeJSON(w, http.StatusAccepted, out)
	return nil
}

// apiSendMessages sends req; to more than one candidate it records the
// send as a bulk send (under a key of its own: each request is a send),
// whose outcomes GET /api/v1/bulk-sends/{id} then follows.
func (s *Server) apiSendMessages(r *http.Request, req hiretext.SendRequest) ([]hiretext.SendResult, hiretext.BulkSendID, error) {
	distinct := map[hiretext.CandidateID]bool{}
	for _, id := range req.CandidateIDs {
		distinct[id] = true
	}
	if len(distinct) < 2 {
		res, err := s.store.SendMessages(r.Context(), req)
		return res, 0, err
	}
	id, res, _, err := s.store.SendBulkResults(r.Context(), req, newSendKey())
	return res, id, err
}

// apiSendRequest reads the body of a send or a preview and checks that p
// may send it.
func (s *Server) apiSendRequest(r *http.Request, p *principal) (hiretext.SendRequest, error) {
	var in apiSendRequest
	if err := decodeJSON(r, &in); err != nil {
		return hiretext.SendRequest{}, err
	}
	if _, err := s.requireTexting(r.Context(), p); err != nil {
		return hiretext.SendRequest{}, err
	}
	return in.request(p)
}

// request turns in into a SendRequest, reporting every field at fault at once.
func (in apiSendRequest) request(p *principal) (hiretext.SendRequest, error) {
	ids, err := parseCandidateIDs(in.CandidateIDs)
	if err != nil {
		return hiretext.SendRequest{}, err
	}
	req := hiretext.SendRequest{OrgID: p.org.ID, UserID: p.user.ID, CandidateIDs: ids, Body: in.Body}
	if in.SendAt != nil {
		at, err := time.Parse(time.RFC3339, *in.SendAt)
		if err != nil {
			msg := "Use an RFC 3339 time with its offset, e.g. \"2026-12-02T09:00:00-06:00\"."
			return req, hiretext.FieldError(msg, map[string]string{"send_at": msg})
		}
		req.SendAt = at
	}
	if in.TemplateID != nil {
		id, ok := parseID[hiretext.TemplateID](*in.TemplateID)
		if !ok {
			msg := "Use a template id as the API returns it, e.g. \"42\"."
			return req, hiretext.FieldError(msg, map[string]string{"template_id": msg})
		}
		req.TemplateID = id
	}
	return req, req.Validate()
}

// apiPreview is one candidate's text in a preview.
type apiPreview struct {
	CandidateID string                `json:"candidate_id"`
	Body        string                `json:"body"`
	Segments    int                   `json:"segments"`
	Encoding    hiretext.Encoding     `json:"encoding"`
	Missing     []hiretext.MergeField `json:"missing"`
	Skipped     *string               `json:"skipped"`
	// SendAt is when the text would go when it would wait for send_at or
	// the candidate's send window; null when it would go at once.
	SendAt *time.Time `json:"send_at"`
}

// handleAPIPreview renders a send for each candidate without sending it:
// the text each would receive, its segments and encoding, the merge fields
// they lack, and why a candidate would be skipped.
func (s *Server) handleAPIPreview(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	req, err := s.apiSendRequest(r, p)
	if err != nil {
		return err
	}
	previews, err := s.store.PreviewMessages(r.Context(), req)
	if err != nil {
		return err
	}
	plans, err := s.store.PlanSendTimes(r.Context(), p.org.ID, p.user.ID, req.CandidateIDs, req.SendAt)
	if err != nil {
		return err
	}
	out := struct {
		Previews []apiPreview `json:"previews"`
	}{Previews: make([]apiPreview, len(previews))}
	for i, x := range previews {
		out.Previews[i] = apiPreview{CandidateID: idString(x.CandidateID), Body: x.Body, Segments: x.Count.Segments,
			Encoding: x.Count.Encoding, Missing: x.Missing, Skipped: optional(string(x.Skipped))}
		if x.Missing == nil {
			out.Previews[i].Missing = []hiretext.MergeField{}
		}
		if x.Count.Segments == 0 {
			out.Previews[i].Encoding = hiretext.EncodingGSM7
		}
		if plan := plans[x.CandidateID]; plan.Held {
			at := plan.At.UTC()
			out.Previews[i].SendAt = &at
		} else if !plan.NextAttempt.IsZero() && x.Skipped == "" {
			reason := string(hiretext.SkipAttemptLimit)
			out.Previews[i].Skipped = &reason
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func parseCandidateIDs(raw []string) ([]hiretext.CandidateID, error) {
	ids := make([]hiretext.CandidateID, 0, len(raw))
	for _, v := range raw {
		id, ok := parseID[hiretext.CandidateID](v)
		if !ok {
			return nil, hiretext.FieldError(fmt.Sprintf("candidate_ids: %q is not an id; send ids as the API returns them, digits only, e.g. \"42\".", v),
				map[string]string{"candidate_ids": "Use the ids the API returned, e.g. \"42\"."})
		}
		ids = append(ids, id)
	}
	return ids, nil
}

type apiMessage struct {
	ID           string                 `json:"id"`
	Direction    hiretext.Direction     `json:"direction"`
	Body         string                 `json:"body"`
	Status       hiretext.MessageStatus `json:"status"`
	ErrorCode    *string                `json:"error_code"`
	ErrorMessage *string                `json:"error_message"`
	Segments     int                    `json:"segments"`
	UserID       *string                `json:"user_id"`
	CandidateID  *string                `json:"candidate_id"`
	Keyword      *string                `json:"keyword"`
	TemplateID   *string                `json:"template_id"`
	TemplateName *string                `json:"template_name"`
	// SendAt is the minute a held text goes (status scheduled), and stays
	// once it has gone; Hold says why it waited (schedule or quiet_hours).
	SendAt    *time.Time `json:"send_at"`
	Hold      *string    `json:"hold"`
	CreatedAt time.Time  `json:"created_at"`
	// Media are the files (pictures) the candidate sent with the text.
	Media []apiMedia `json:"media"`
}

// toAPIMessages converts messages for the API, in their order.
func toAPIMessages(msgs []*hiretext.Message) []apiMessage {
	out := make([]apiMessage, len(msgs))
	for i, m := range msgs {
		out[i] = toAPIMessage(m)
	}
	return out
}

func toAPIMessage(m *hiretext.Message) apiMessage {
	out := apiMessage{ID: idString(m.ID), Direction: m.Direction, Body: m.Body, Status: m.Status, Segments: m.Segments, CreatedAt: m.CreatedAt,
		Media: toAPIMedia(m.Media)}
	out.ErrorCode, out.ErrorMessage = optional(m.ErrorCode), optional(m.ErrorMessage)
	out.Keyword = optional(string(m.Keyword))
	out.UserID, out.CandidateID = optionalIDString(m.UserID), optionalIDString(m.CandidateID)
	out.TemplateID, out.TemplateName = optionalIDString(m.TemplateID), optional(m.TemplateName)
	if !m.SendAt.IsZero() {
		at := m.SendAt.UTC()
		out.SendAt = &at
	}
	out.Hold = optional(string(m.Hold))
	return out
}

// handleAPICandidateMessages lists the texts between the caller's number and
// a candidate, oldest first, with the conversation's internal notes. Only users assigned to a number who may open
// profiles see texts here; everyone else gets 403, another company's
// candidate 404.
func (s *Server) handleAPICandidateMessages(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	num, err := s.requireTexting(r.Context(), p)
	if err != nil {
		return err
	}
	c, err := s.targetCandidate(r)
	if err != nil {
		return err
	}
	msgs, err := s.store.CandidateMessages(r.Context(), p.org.ID, num.ID, c.ID, time.Time{})
	if err != nil {
		return err
	}
	notes, err := s.candidateNotes(r.Context(), p, num, c.ID)
	if err != nil {
		return err
	}
	out := struct {
		Messages []apiMessage `json:"messages"`
		Notes    []apiNote    `json:"notes"` // the conversation's internal notes, never sent
	}{Messages: toAPIMessages(msgs), Notes: toAPINotes(notes)}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// handleAPIMessage returns one message of the caller's number.
func (s *Server) handleAPIMessage(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	num, err := s.requireTexting(r.Context(), p)
	if err != nil {
		return err
	}
	id, err := pathID[hiretext.MessageID](r, "id", "Message")
	if err != nil {
		return err
	}
	m, err := s.store.MessageByID(r.Context(), p.org.ID, id)
	if err != nil {
		return err
	}
	if m.NumberID != num.ID {
		return hiretext.Errorf(hiretext.ENotFound, "Message not found.")
	}
	writeJSON(w, http.StatusOK, toAPIMessage(m))
	return nil
}

type apiConversation struct {
	ID          string  `json:"id"`
	CandidateID *string `json:"candidate_id"`
	Phone       string  `json:"phone"`
	LastMessage string  `json:"last_message"`
	// LastDirection and LastUserID say who wrote LastMessage, as a
	// Message's direction and user_id do: an outbound text without a user
	// is the automatic answer to STOP, START or HELP.
	LastDirection *string   `json:"last_message_direction"`
	LastUserID    *string   `json:"last_message_user_id"`
	Unread        int       `json:"unread"`
	At            time.Time `json:"at"`
	NeedsReply    bool      `json:"needs_reply"`
	Done          bool      `json:"done"`
	// WaitingSince is when the candidate's oldest unanswered text arrived.
	WaitingSince *time.Time `json:"waiting_since"`
}

func toAPIConversation(v *hiretext.Conversation) apiConversation {
	out := apiConversation{ID: idString(v.ID), CandidateID: optionalIDString(v.CandidateID), Phone: v.Phone,
		LastMessage: v.LastMessage, LastUserID: optionalIDString(v.LastSenderID), Unread: v.Unread, At: v.LastMessageAt,
		NeedsReply: v.NeedsReply(), Done: v.Done()}
	if v.LastDirection != "" {
		dir := string(v.LastDirection)
		out.LastDirection = &dir
	}
	if v.NeedsReply() {
		out.WaitingSince = &v.WaitingSince
	}
	return out
}

// handleAPIInbox lists one page of the conversations of the caller's
// number under a filter (by default the open ones, those with unread texts
// first), with how many each filter holds; next_cursor continues the list.
func (s *Server) handleAPIInbox(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	num, err := s.requireTexting(r.Context(), p)
	if err != nil {
		return err
	}
	q, err := parseInboxRequest(r)
	if err != nil {
		return err
	}
	page, err := s.store.Inbox(r.Context(), p.org.ID, num.ID, q)
	if err != nil {
		return err
	}
	counts, err := s.store.InboxCounts(r.Context(), p.org.ID, num.ID, q.Text)
	if err != nil {
		return err
	}
	out := struct {
		Conversations []apiConversation `json:"conversations"`
		NextCursor    *string           `json:"next_cursor"`
		Counts        map[string]int    `json:"counts"`
	}{Conversations: make([]apiConversation, len(page.Conversations)), NextCursor: optional(page.NextCursor),
		Counts: make(map[string]int, len(counts))}
	for i, v := range page.Conversations {
		out.Conversations[i] = toAPIConversation(v)
	}
	for f, n := range counts {
		name := string(f)
		if f == hiretext.FilterOpen {
			name = "open"
		}
		out.Counts[name] = n
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// handleAPIMarkRead marks a conversation read for every user of the number.
func (s *Server) handleAPIMarkRead(w http.ResponseWriter, r *http.Request) error {
	v, err := s.markTargetRead(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": idString(v.ID), "unread": 0})
	return nil
}
