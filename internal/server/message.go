package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
)

type conversationPage struct {
	Page  Page
	Panel *textingPanel
}

// handleConversation shows the last 30 days with a candidate and a composer:
// the dialog behind the SMS icon (?partial=1 renders the dialog's content
// only), or a page of its own without JavaScript, where the composer's
// template picker (template, template_q) comes back as a GET request.
func (s *Server) handleConversation(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	num, err := s.requireTexting(r.Context(), p)
	if err != nil {
		return err
	}
	c, err := s.targetCandidate(r)
	if err != nil {
		return err
	}
	panel, err := s.loadPanel(r.Context(), p, num, c, false)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	panel.Composer.ReturnTo = q.Get("return_to")
	if panel.Notes != nil && panel.Composer.ReturnTo != "" {
		panel.Notes.ReturnTo = panel.Composer.ReturnTo // in the dialog: back to the page it opened on
	}
	if err := s.fillSingleComposer(r.Context(), p, &panel.Composer, c, q); err != nil {
		return err
	}
	data := &conversationPage{Page: s.page(w, r, "Texts with "+c.Name()), Panel: panel}
	if q.Get("partial") == "1" {
		return s.renderFragment(w, http.StatusOK, "conversation", "texting-panel", panel)
	}
	return s.render(w, r, http.StatusOK, "conversation", data)
}

// fillSingleComposer sets up the composer of a conversation with c from
// the request's fields (see fillComposer); its picker's GET form returns
// to the page it is on.
func (s *Server) fillSingleComposer(ctx context.Context, p *principal, comp *composer, c *hiretext.Candidate, form url.Values) error {
	in := composerInputFrom(form)
	if err := s.fillComposer(ctx, p, comp, in); err != nil {
		return err
	}
	comp.Picker.Action, comp.Picker.Hidden = "/candidates/"+idString(c.ID)+"/conversation", url.Values{}
	for name, value := range map[string]string{"return_to": comp.ReturnTo, "job_id": comp.JobID} {
		if value != "" {
			comp.Picker.Hidden.Set(name, value)
		}
	}
	return nil
}

// handleSendToCandidate sends one text from the conversation or profile;
// the composer's Preview button (preview=1, without JavaScript) shows the
// conversation with the text as the candidate would receive it instead.
func (s *Server) handleSendToCandidate(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	num, err := s.requireTexting(r.Context(), p)
	if err != nil {
		return err
	}
	c, err := s.targetCandidate(r)
	if err != nil {
		return err
	}
	if r.PostForm.Get("preview") != "" {
		return s.renderComposerAgain(w, r, p, num, c, nil)
	}
	back := safeNext(r.PostForm.Get("return_to"))
	if r.PostForm.Get("return_to") == "" {
		back = "/candidates/" + idString(c.ID) + "/conversation"
	}
	req, err := composerRequest(p, r.PostForm, []hiretext.CandidateID{c.ID})
	var res []hiretext.SendResult
	if err == nil {
		res, err = s.store.SendMessages(r.Context(), req)
	}
	inPlace := r.Header.Get("Accept") == "application/json"
	if code := hiretext.ErrorCode(err); code == hiretext.EInvalid || code == hiretext.EAllowanceExceeded || code == hiretext.ENotFound {
		if inPlace {
			writeJSON(w, statusOf(err), sendOutcome{Message: hiretext.ErrorMessage(err)})
			return nil
		}
		return s.renderComposerAgain(w, r, p, num, c, err)
	}
	if err != nil {
		return err
	}
	switch {
	case inPlace && !res[0].Queued:
		writeJSON(w, http.StatusConflict, sendOutcome{Message: s.skipMessage(p, c, res[0])})
		return nil
	case inPlace:
		writeJSON(w, http.StatusOK, sendOutcome{Queued: true, Message: s.sentMessage(p, c, res[0]),
			MessageID: idString(res[0].MessageID), To: c.Name()})
		return nil
	case !res[0].Queued:
		return s.redirectWithFlash(w, r, back, "error", s.skipMessage(p, c, res[0]))
	}
	return s.redirectWithFlash(w, r, back, "success", s.sentMessage(p, c, res[0]))
}

// candidateZone is the time zone c's clock is read in: the profile's, the
// first of the texting phone's, or the company's (company).
func candidateZone(c *hiretext.Candidate, company *time.Location) *time.Location {
	return hiretext.ResolveZones(c.TimeZone, phone.TimeZones(c.TextingPhone()), company)[0]
}

// skipMessage says why a text to c was not sent and, under the attempt
// limit, when the next one is allowed.
func (s *Server) skipMessage(p *principal, c *hiretext.Candidate, res hiretext.SendResult) string {
	if res.Skipped != hiretext.SkipAttemptLimit {
		return hiretext.SkipReasonText[res.Skipped]
	}
	return "Not sent: " + hiretext.WhenSentence(c.ShortName(), s.cfg.Clock.Now(), hiretext.PlannedTime{Zone: candidateZone(c, p.org.Location()), NextAttempt: res.NextAttemptAt})
}

// sentMessage tells the sender what became of their text to c: queued, or
// scheduled and when, in the candidate's time.
func (s *Server) sentMessage(p *principal, c *hiretext.Candidate, res hiretext.SendResult) string {
	if !res.Scheduled {
		return "Text to " + c.Name() + " queued."
	}
	return "Text to " + c.Name() + " scheduled. " + hiretext.WhenSentence(c.ShortName(), s.cfg.Clock.Now(),
		hiretext.PlannedTime{SendTiming: hiretext.SendTiming{At: res.SendAt, Held: true, Moved: res.Moved}, Zone: candidateZone(c, p.org.Location())})
}

// renderComposerAgain shows the conversation again with the text as typed:
// previewed, or with why it was not sent (sendErr), where for missing
// values the preview says which.
func (s *Server) renderComposerAgain(w http.ResponseWriter, r *http.Request, p *principal, num *hiretext.Number,
	c *hiretext.Candidate, sendErr error) error {
	panel, err := s.loadPanel(r.Context(), p, num, c, false)
	if err != nil {
		return err
	}
	comp := &panel.Composer
	comp.Body, comp.ReturnTo, comp.SendAt = r.PostForm.Get("body"), r.PostForm.Get("return_to"), r.PostForm.Get("send_at")
	if at := sendLater(hiretext.Validation{}, comp.SendAt, p.org.Location()); !at.IsZero() {
		if comp.When, err = s.whenSentence(r.Context(), p, c, at); err != nil {
			return err
		}
		month, err := s.monthSentence(r.Context(), p, num.ID, at)
		if err != nil {
			return err
		}
		comp.When = strings.TrimSpace(comp.When + " " + month)
	}
	if err := s.fillSingleComposer(r.Context(), p, comp, c, r.PostForm); err != nil {
		return err
	}
	if sendErr == nil || errors.As(sendErr, new(*hiretext.MissingValues)) {
		if err := s.previewComposer(r.Context(), p, comp, r.PostForm, []hiretext.CandidateID{c.ID}, ""); err != nil {
			return err
		}
	}
	status := http.StatusOK
	if sendErr != nil {
		comp.Error, status = hiretext.ErrorMessage(sendErr), statusOf(sendErr)
	}
	return s.render(w, r, status, "conversation", &conversationPage{Page: s.page(w, r, "Texts with "+c.Name()), Panel: panel})
}

// sendOutcome answers a send from the conversation dialog, which asks for
// JSON (Accept: application/json) so that it can stay open: the text was
// queued, or why not, in words for the person.
// A queued text is named (message_id, to), so the dialog can follow its
// status live.
type sendOutcome struct {
	Queued    bool   `json:"queued"`
	Message   string `json:"message"`
	MessageID string `json:"message_id,omitempty"`
	To        string `json:"to,omitempty"`
}

type composePage struct {
	Page       Page
	Paused     *hiretext.CarrierPause // the carrier guard holds the number's bulk texts not sent yet
	Body       string                 // the message sent, on the results page
	SentAt     string
	Recipients []recipientRow
	Sendable   int
	Short      bool // the allowance left does not cover the Sendable: the composer is locked
	Composer   composer
	ReturnTo   string
	Results    []recipientRow // after sending
	// Outcomes totals the results as they are now; Replies says whether
	// the viewer may see who replied (they read texts), and Unanswered
	// lists the candidates texted who have not replied or opted out since.
	Outcomes   hiretext.BulkOutcomes
	Replies    bool
	Unanswered []string
}

// recipientRow is one selected candidate of a bulk send.
type recipientRow struct {
	ID     string
	Name   string
	Phone  string
	Status string // "Will be texted", "Queued", or why not
	OK     bool
	// Replied and OptedOut say what the candidate did after a bulk send.
	Replied, OptedOut bool
}

// textSelection returns the candidates ticked in a bulk form with p's
// number; the route has checked that p may text them.
func (s *Server) textSelection(r *http.Request, p *principal) ([]hiretext.CandidateID, *hiretext.Number, error) {
	ids, err := selectedCandidates(r)
	if err != nil {
		return nil, nil, err
	}
	num, err := s.requireTexting(r.Context(), p)
	if err != nil {
		return nil, nil, err
	}
	return ids, num, nil
}

// handleCompose shows the bulk composer for the candidates selected on the
// Job Posting page or the Candidate Pool, saying who will be skipped and
// why. The composer's template picker and Preview button post here too,
// with the selection and the text so far.
func (s *Server) handleCompose(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	ids, num, err := s.textSelection(r, p)
	if err != nil {
		return err
	}
	return s.renderCompose(w, r, http.StatusOK, p, num, ids, nil)
}

// renderCompose shows the bulk composer for ids with the form's fields as
// posted; sendErr is why a send was refused, if it was.
func (s *Server) renderCompose(w http.ResponseWriter, r *http.Request, status int, p *principal, num *hiretext.Number,
	ids []hiretext.CandidateID, sendErr error) error {
	cands, err := s.store.CandidatesByIDs(r.Context(), p.org.ID, ids, 0)
	if err != nil {
		return err
	}
	data := &composePage{Page: s.page(w, r, "Text selected candidates"), ReturnTo: safeNext(r.PostForm.Get("return_to"))}
	for _, c := range cands {
		row := recipientRow{ID: idString(c.ID), Name: c.Name(), Phone: formatOptional(c.TextingPhone()), Status: "Will be texted", OK: c.OptedIn()}
		switch {
		case c.TextedFirst():
			row.Status = hiretext.SkipReasonText[hiretext.SkipTextedFirst] // a bulk send never reaches them
		case !c.OptedIn():
			row.Status = hiretext.SkipReasonText[hiretext.SkipOptedOut]
		default:
			data.Sendable++
		}
		data.Recipients = append(data.Recipients, row)
	}
	if err := s.setUpBulkComposer(r.Context(), p, data, num, r.PostForm); err != nil {
		return err
	}
	if err := s.planRecipients(r.Context(), p, num.ID, data, cands, r.PostForm.Get("send_at")); err != nil {
		return err
	}
	data.Short = data.Sendable > 0 && data.Composer.Remaining < data.Sendable
	markShortOfAllowance(data)
	comp := &data.Composer
	if r.PostForm.Get("preview") != "" || errors.As(sendErr, new(*hiretext.MissingValues)) {
		if err := s.previewComposer(r.Context(), p, comp, r.PostForm, ids, r.PostForm.Get("preview_as")); err != nil {
			return err
		}
	}
	if sendErr != nil {
		comp.Error = hiretext.ErrorMessage(sendErr)
	}
	return s.render(w, r, status, "compose", data)
}

// markShortOfAllowance says on the rows of those who could be texted that
// they will not be, when the allowance left does not cover them: nobody
// reads "Will be texted" above a locked composer.
func markShortOfAllowance(data *composePage) {
	if !data.Short {
		return
	}
	why := "Opted in; not enough messages left this month"
	if data.Composer.Remaining <= 0 {
		why = "Opted in; sending is paused until the allowance resets"
	}
	for i := range data.Recipients {
		if data.Recipients[i].OK {
			data.Recipients[i].Status = why
		}
	}
}

// planRecipients says, for each recipient who will be texted, when their
// text goes when it does not go at once: in their own time, at the
// composer's "Send later" time or the next minute of their send window.
func (s *Server) planRecipients(ctx context.Context, p *principal, num hiretext.NumberID, data *composePage, cands []*hiretext.Candidate, sendAt string) error {
	at := sendLater(hiretext.Validation{}, sendAt, p.org.Location())
	ids := make([]hiretext.CandidateID, len(cands))
	for i, c := range cands {
		ids[i] = c.ID
	}
	plans, err := s.store.PlanSendTimes(ctx, p.org.ID, p.user.ID, ids, at)
	if err != nil {
		return err
	}
	now := s.cfg.Clock.Now()
	for i, c := range cands {
		plan := plans[c.ID]
		switch when := hiretext.WhenSentence(c.ShortName(), now, plan); {
		case when == "" || !data.Recipients[i].OK:
		case !plan.NextAttempt.IsZero():
			data.Recipients[i].Status = "Will not be texted: " + when
		default:
			data.Recipients[i].Status = "Will be texted. " + when
		}
	}
	data.Composer.SendAt, data.Composer.Zone = sendAt, p.org.Timezone
	month, err := s.monthSentence(ctx, p, num, at)
	data.Composer.When = month
	return err
}

// setUpBulkComposer builds the bulk composer of data's recipients from the
// posted form.
func (s *Server) setUpBulkComposer(ctx context.Context, p *principal, data *composePage, num *hiretext.Number, form url.Values) error {
	pauses, err := s.store.CarrierPauses(ctx, p.org.ID)
	if err != nil {
		return err
	}
	data.Paused = pauses[num.ID] // a bulk send from here would wait: say so before it is sent
	comp := newComposer("/messages/bulk", num, data.Sendable)
	comp.Bulk, comp.ReturnTo, comp.PreviewAction = true, data.ReturnTo, "/messages/compose"
	comp.Body, comp.SendKey = form.Get("body"), form.Get("send_key")
	if comp.SendKey == "" {
		comp.SendKey = newSendKey()
	}
	if data.Sendable == 0 {
		comp.Blocked = "None of the selected candidates can be texted."
	}
	as := form.Get("preview_as")
	for _, row := range data.Recipients {
		comp.Candidates = append(comp.Candidates, row.ID)
		if row.OK {
			comp.PreviewAs = append(comp.PreviewAs, previewChoice{ID: row.ID, Name: row.Name, Chosen: row.ID == as})
		}
	}
	data.Composer = comp
	return s.fillComposer(ctx, p, &data.Composer, composerInputFrom(form))
}

// handleBulkSend sends one message to each selected candidate, its merge
// fields filled in for each: all or nothing against the allowance,
// skipping those who cannot be texted. The send is recorded under the
// form's key and answered with a redirect to its results, so a reload, the
// back button or a double click never texts anyone twice.
func (s *Server) handleBulkSend(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	ids, num, err := s.textSelection(r, p)
	if err != nil {
		return err
	}
	req, err := composerRequest(p, r.PostForm, ids)
	var id hiretext.BulkSendID
	var repeated bool
	if err == nil {
		id, repeated, err = s.store.SendBulk(r.Context(), req, r.PostForm.Get("send_key"))
	}
	if code := hiretext.ErrorCode(err); code == hiretext.EInvalid || code == hiretext.EAllowanceExceeded || code == hiretext.ENotFound {
		return s.renderCompose(w, r, statusOf(err), p, num, ids, err)
	}
	if err != nil {
		return err
	}
	results := bulkResultsURL(id, r.PostForm.Get("return_to"))
	if repeated {
		return s.redirectWithFlash(w, r, results, "info", "This message was already sent; nobody was texted again.")
	}
	return s.redirectWithFlash(w, r, results, "success", "Texts queued.")
}

// bulkResultsURL is the address of a bulk send's results, keeping where
// the person came from for the Back link.
func bulkResultsURL(id hiretext.BulkSendID, returnTo string) string {
	u := "/messages/bulk/" + idString(id)
	if back := safeNext(returnTo); back != "/" {
		u += "?return_to=" + url.QueryEscape(back)
	}
	return u
}

// handleBulkResults shows a bulk send's results, with each text's status
// as it is now and what it achieved: delivered, failed, replied and opted
// out since (the page follows live updates). Who replied is shown to a
// user who reads texts, with a button to text the others again.
func (s *Server) handleBulkResults(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	b, err := s.targetBulkSend(r, p)
	if err != nil {
		return err
	}
	ids := make([]hiretext.CandidateID, len(b.Results))
	for i, x := range b.Results {
		ids[i] = x.CandidateID
	}
	cands, err := s.store.CandidatesByIDs(r.Context(), p.org.ID, ids, 0)
	if err != nil {
		return err
	}
	names := map[hiretext.CandidateID]*hiretext.Candidate{}
	for _, c := range cands {
		names[c.ID] = c
	}
	data := &composePage{Page: s.page(w, r, "Texts sent"), ReturnTo: safeNext(r.URL.Query().Get("return_to")), Body: b.Body,
		SentAt: localTime(p.org, b.CreatedAt), Outcomes: b.Outcomes(), Replies: p.user.SeesTexts(), Paused: b.Paused}
	if data.Replies {
		for _, id := range b.Unanswered() {
			data.Unanswered = append(data.Unanswered, idString(id))
		}
	}
	for _, x := range b.Results {
		row := recipientRow{ID: idString(x.CandidateID), Name: "Unknown candidate", OK: x.MessageID != 0,
			Replied: data.Replies && x.Replied, OptedOut: x.OptedOut}
		to := ""
		if c := names[x.CandidateID]; c != nil {
			row.Name, row.Phone, to = c.Name(), formatOptional(c.TextingPhone()), c.TextingPhone()
		}
		switch {
		case x.MessageID == 0:
			row.Status = hiretext.SkipReasonText[x.Skipped]
		case hiretext.Failed(x.Status):
			row.OK, row.Status = false, x.ErrorMessage
		case b.Paused != nil && (x.Status == hiretext.StatusScheduled || x.Status == hiretext.StatusQueued):
			row.OK, row.Status = false, b.Paused.Label() // held by the carrier guard until an administrator resumes
			data.Sendable++
		case x.Status == hiretext.StatusScheduled:
			row.Status = scheduledLabel(x.SendAt, to)
			data.Sendable++
		default:
			row.Status = statusLabels[x.Status]
			data.Sendable++
		}
		data.Results = append(data.Results, row)
	}
	return s.render(w, r, http.StatusOK, "compose", data)
}

type inboxPage struct {
	Page          Page
	NumberPhone   string
	Conversations []inboxRow
	Tabs          []inboxTab
	Query         string // the search
	Filter        string
	Here          string // this page's address, where its forms return
	NextURL       string // the next page; "" on the last
}

// inboxRow is one conversation in the inbox or the bell.
type inboxRow struct {
	ID, URL, Name, Phone, Snippet, Time string
	// SnippetBy names who wrote Snippet when the candidate did not.
	SnippetBy string
	Unread    int
	Unknown   bool
	// NotSent flags a conversation that ends with a text of ours that did
	// not go: "Not sent" or "Not delivered"; "" otherwise.
	NotSent string
	// Waited says for how long the candidate has waited for an answer; ""
	// when nobody waits.
	Waited string
	Done   bool
}

func (s *Server) inboxRows(p *principal, convs []*hiretext.Conversation) []inboxRow {
	rows := make([]inboxRow, len(convs))
	now := s.cfg.Clock.Now()
	for i, v := range convs {
		rows[i] = inboxRow{ID: idString(v.ID), URL: "/conversations/" + idString(v.ID), Name: v.CandidateName,
			Phone: formatOptional(v.Phone), Snippet: v.LastMessage, SnippetBy: previewAuthor(v, p.user.ID),
			Time: v.LastMessageAt.In(p.org.Location()).Format("Jan 2, 3:04 PM"), Unread: v.Unread, Unknown: v.CandidateID == 0}
		if rows[i].Unknown {
			rows[i].Name = "Unknown sender"
		}
		if v.Unread > 0 && v.UnreadPreview != "" { // what is unread is the candidate's text, not our answer
			rows[i].Snippet, rows[i].SnippetBy = v.UnreadPreview, ""
		}
		if rows[i].Snippet == "" && v.LastDirection == hiretext.Inbound {
			rows[i].Snippet = "Sent a picture or file" // an MMS without words: only a text with files has none
		}
		if v.NotSent() {
			rows[i].NotSent = statusLabels[v.LastStatus]
		}
		if v.NeedsReply() {
			rows[i].Waited = waitedLabel(now.Sub(v.WaitingSince))
		}
		rows[i].Done = v.Done()
	}
	return rows
}

// previewAuthor names who wrote a conversation's newest text when the
// candidate did not, so the bell and the inbox never pass our own text (or
// the automatic answer to STOP) off as the candidate's: "You", the teammate
// on the number who sent it, or "Auto-reply"; "" for the candidate's words.
func previewAuthor(v *hiretext.Conversation, viewer hiretext.UserID) string {
	switch {
	case v.LastDirection != hiretext.Outbound:
		return ""
	case v.LastKind == hiretext.KindKeywordReply:
		return "Auto-reply"
	case v.LastSenderID != 0 && v.LastSenderID == viewer:
		return "You"
	case v.LastSender != "":
		return v.LastSender
	}
	return "Sent"
}

// handleInbox lists the conversations of the caller's number, unknown
// senders included, under a filter (by default the open ones, unread
// first) and a search, a page at a time, with each filter's count.
func (s *Server) handleInbox(w http.ResponseWriter, r *http.Request) error {
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
	data := &inboxPage{Page: s.page(w, r, "Inbox"), NumberPhone: formatOptional(num.Phone), Conversations: s.inboxRows(p, page.Conversations),
		Tabs: inboxTabs(counts, q.Filter, q.Text), Query: q.Text, Filter: string(q.Filter), Here: inboxURL(q.Filter, q.Text, q.Cursor)}
	if page.NextCursor != "" {
		data.NextURL = inboxURL(q.Filter, q.Text, page.NextCursor)
	}
	return s.render(w, r, http.StatusOK, "inbox", data)
}

type threadPage struct {
	Page         Page
	Conversation inboxRow
	Messages     []messageRow
	Query        string
	Matches      []linkChoice // candidates matching Query, to link to
	Notes        *notesPanel
	Escalations  []string   // who was told of the sender's unanswered reply, and when
	Sender       senderForm // the form making the sender a candidate
}

// linkChoice is a candidate an unknown conversation can be linked to.
type linkChoice struct {
	ID, Name, Email, Phone string
}

// targetConversation returns the caller's number and its conversation
// named by the {id} path value.
func (s *Server) targetConversation(r *http.Request) (*hiretext.Number, *hiretext.Conversation, error) {
	p := principalFrom(r.Context())
	num, err := s.requireTexting(r.Context(), p)
	if err != nil {
		return nil, nil, err
	}
	id, err := pathID[hiretext.ConversationID](r, "id", "Conversation")
	if err != nil {
		return nil, nil, err
	}
	v, err := s.store.ConversationByID(r.Context(), p.org.ID, num.ID, id)
	if err != nil {
		return nil, nil, err
	}
	return num, v, nil
}

// handleThread opens a conversation from the inbox or the bell, marking it
// read for every user of the number. An unknown sender's conversation offers
// to link it to a candidate or to make the sender one.
func (s *Server) handleThread(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	num, v, err := s.targetConversation(r)
	if err != nil {
		return err
	}
	if v.CandidateID != 0 {
		http.Redirect(w, r, "/candidates/"+idString(v.CandidateID)+"/conversation", http.StatusSeeOther)
		return nil
	}
	if err := s.store.MarkConversationRead(r.Context(), p.org.ID, num.ID, v.ID); err != nil {
		return err
	}
	return s.renderThread(w, r, http.StatusOK, num, v, senderForm{})
}

// renderThread shows an unknown sender's conversation with the form that
// makes them a candidate, as typed and with its errors (form).
func (s *Server) renderThread(w http.ResponseWriter, r *http.Request, status int, num *hiretext.Number,
	v *hiretext.Conversation, form senderForm) error {
	p := principalFrom(r.Context())
	msgs, err := s.store.ConversationMessages(r.Context(), p.org.ID, v.ID, time.Time{})
	if err != nil {
		return err
	}
	notes, err := s.loadNotes(r.Context(), p, num, v.ID, "/conversations/"+idString(v.ID))
	if err != nil {
		return err
	}
	rows := s.inboxRows(p, []*hiretext.Conversation{v})
	form.Phone = phone.Format(v.Phone)
	data := &threadPage{Page: s.page(w, r, "Unknown sender"), Conversation: rows[0], Messages: messageRows(msgs, p.org.Location()),
		Query: r.URL.Query().Get("q"), Notes: notes, Sender: form}
	if data.Escalations, err = s.escalationLines(r.Context(), p, v.ID); err != nil {
		return err
	}
	if data.Query != "" {
		page, err := s.store.SearchCandidates(r.Context(), p.org.ID, hiretext.CandidateQuery{Text: data.Query, Limit: 10})
		if err != nil && hiretext.ErrorCode(err) != hiretext.EInvalid {
			return err
		}
		for _, e := range pageEntries(page) {
			c := e.Candidate
			data.Matches = append(data.Matches, linkChoice{ID: idString(c.ID), Name: c.Name(), Email: c.Email, Phone: formatOptional(c.MainPhone)})
		}
	}
	return s.render(w, r, status, "thread", data)
}

func pageEntries(p *hiretext.CandidatePage) []*hiretext.PoolEntry {
	if p == nil {
		return nil
	}
	return p.Entries
}

// handleLinkConversation attaches an unknown sender's conversation to a
// candidate, given by id or by searching the pool.
func (s *Server) handleLinkConversation(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	num, err := s.requireTexting(r.Context(), p)
	if err != nil {
		return err
	}
	id, err := pathID[hiretext.ConversationID](r, "id", "Conversation")
	if err != nil {
		return err
	}
	cand, ok := parseID[hiretext.CandidateID](r.PostForm.Get("candidate_id"))
	if !ok {
		return hiretext.FieldError("Choose a candidate to link.", map[string]string{"candidate_id": "Choose a candidate."})
	}
	if _, err := s.store.LinkConversation(r.Context(), p.org.ID, num.ID, id, cand); err != nil {
		return err
	}
	return s.redirectWithFlash(w, r, "/candidates/"+idString(cand)+"/conversation", "success",
		"The conversation is linked to the candidate.")
}

// markTargetRead marks the {id} conversation of the caller's number read
// for every user of the number, and returns it.
func (s *Server) markTargetRead(r *http.Request) (*hiretext.Conversation, error) {
	num, v, err := s.targetConversation(r)
	if err != nil {
		return nil, err
	}
	return v, s.store.MarkConversationRead(r.Context(), principalFrom(r.Context()).org.ID, num.ID, v.ID)
}

// handleMarkRead marks a conversation read (the bell's "mark read").
func (s *Server) handleMarkRead(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.markTargetRead(r); err != nil {
		return err
	}
	http.Redirect(w, r, "/inbox", http.StatusSeeOther)
	return nil
}

// newSendKey returns a random key for a bulk-send form.
func newSendKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}
