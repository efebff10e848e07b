package server

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
)

// conversationWindow is how far back the conversation dialog looks; the
// profile shows the full history.
const conversationWindow = 30 * 24 * time.Hour

// numberOf returns the caller's texting number, or an ENotAssigned error,
// which points an administrator (who has nobody to ask) to where
// administrators read texts.
func (s *Server) numberOf(ctx context.Context, p *principal) (*hiretext.Number, error) {
	n, err := s.store.NumberForUser(ctx, p.org.ID, p.user.ID)
	if hiretext.ErrorCode(err) == hiretext.ENotAssigned && p.user.IsAdmin() {
		return nil, hiretext.Errorf(hiretext.ENotAssigned, notAssignedAdmin)
	}
	return n, err
}

// notAssignedAdmin tells an administrator without a number where texts are.
const notAssignedAdmin = "Conversations are shown only to the users of a texting number, and you are not assigned to one. " +
	"Administrators review every text under Reports → SMS Activity; to text candidates yourself, assign yourself to a " +
	"number under Administration → Text Message Numbers."

// textingNumber returns p's number when p may see candidates' texts at all:
// a user assigned to an active number who SeesTexts.
func (s *Server) textingNumber(ctx context.Context, p *principal) (*hiretext.Number, bool) {
	if !p.user.SeesTexts() {
		return nil, false
	}
	n, err := s.numberOf(ctx, p)
	if err != nil || !n.Active() {
		return nil, false
	}
	return n, true
}

// messageRow is one text as the conversation shows it.
type messageRow struct {
	ID              string
	Outbound        bool
	Body            string
	Time            string
	Sender          string // who sent an outbound text: a user, or "Automatic reply"
	Status          hiretext.MessageStatus
	StatusLabel     string
	Problem         string // why it failed or was not sent
	Hint            string // what to try instead, after a Problem
	Keyword         string // STOP / START / HELP, when the text was one
	Template        string // the template a recruiter's text came from, as named when sent
	LooksLikeOptOut bool
	Media           []mediaRow // the files the candidate sent with it
	// OptOutURL offers the one-click opt-out on a flagged reply from a
	// candidate who is still opted in.
	OptOutURL string
	ReturnTo  string
}

var statusLabels = map[hiretext.MessageStatus]string{
	hiretext.StatusScheduled: "Scheduled", hiretext.StatusQueued: "Queued", hiretext.StatusSending: "Sending", hiretext.StatusSent: "Sent",
	hiretext.StatusDelivered: "Delivered", hiretext.StatusUndelivered: "Not delivered", hiretext.StatusFailed: "Not sent",
	hiretext.StatusCanceled: "Canceled", hiretext.StatusReceived: "Received",
}

var keywordLabels = map[hiretext.Keyword]string{
	hiretext.KeywordOptOut: "Opt-out keyword", hiretext.KeywordOptIn: "Opt-in keyword", hiretext.KeywordHelp: "Help keyword",
}

// messageBody is a text's body as people read it: "(erased)" once erased.
func messageBody(m *hiretext.Message) string {
	if m.Erased {
		return hiretext.ErasedBody
	}
	return m.Body
}

func messageRows(msgs []*hiretext.Message, loc *time.Location) []messageRow {
	rows := make([]messageRow, len(msgs))
	for i, m := range msgs {
		r := messageRow{ID: idString(m.ID), Outbound: m.Direction == hiretext.Outbound, Body: messageBody(m),
			Time: m.CreatedAt.In(loc).Format("Jan 2, 3:04 PM"), Status: m.Status, StatusLabel: statusLabels[m.Status],
			Keyword: keywordLabels[m.Keyword], LooksLikeOptOut: m.LooksLikeOptOut, Template: m.TemplateName, Media: mediaRows(m.Media)}
		switch {
		case m.Kind == hiretext.KindKeywordReply:
			r.Sender = "Automatic reply"
		case r.Outbound:
			r.Sender = m.UserName
		}
		if m.Status == hiretext.StatusScheduled {
			r.StatusLabel = scheduledLabel(m.SendAt, m.To)
		}
		if m.Status == hiretext.StatusFailed || m.Status == hiretext.StatusUndelivered || m.Status == hiretext.StatusCanceled {
			r.Problem = m.ErrorMessage
		}
		rows[i] = r
	}
	return rows
}

// scheduledLabel shows a held text's minute in the time of the phone it
// goes to: "Scheduled · 9:00 AM Dec 2, their time".
func scheduledLabel(at time.Time, to string) string {
	zone := hiretext.ResolveZones("", phone.TimeZones(to), time.UTC)[0]
	return "Scheduled · " + at.In(zone).Format("3:04 PM Jan 2") + ", their time"
}

// textingPanel is a conversation with a candidate and its composer, as the
// dialog and the profile show it.
type textingPanel struct {
	Candidate      *hiretext.Candidate
	CandidatePhone string // formatted texting phone
	NumberPhone    string // formatted company number
	Messages       []messageRow
	FullHistory    bool   // all messages, not only the last 30 days
	HistoryURL     string // the profile's full history
	Composer       composer
	Notes          *notesPanel // the conversation's internal notes; nil before the first text
	Escalations    []string    // who was told of the candidate's unanswered reply, and when
	// OtherPhone offers the candidate's other phone when texts to the
	// texting phone no longer reach them; nil otherwise.
	OtherPhone *phoneSuggestion
}

// phoneSuggestion offers to text a candidate on their other phone, by
// moving their consent there (the profile's consent form, in one step):
// "Texts to (312) 555-0101 are not reaching Carlos. Text Carlos's other
// phone, (312) 555-0199?"
type phoneSuggestion struct {
	Text     string // what went wrong and the question
	Name     string // the candidate's short name, for the confirmation
	Phone    string // the other phone, formatted
	Choice   hiretext.PhoneChoice
	Note     string // recorded in the consent history with the move
	Action   string // the candidate's consent form
	ReturnTo string // where the move returns to: the conversation, or the profile
}

// suggestOtherPhone offers c's other phone when c's newest text from the
// number (msgs, oldest first) failed because their texting phone is
// invalid or unreachable (30003, 30005, 30006, or refused when sent) and c
// has another phone; nil otherwise.
func suggestOtherPhone(c *hiretext.Candidate, msgs []*hiretext.Message) *phoneSuggestion {
	var last *hiretext.Message
	for _, m := range msgs {
		if m.Direction == hiretext.Outbound && m.Status != hiretext.StatusScheduled && m.Status != hiretext.StatusCanceled {
			last = m
		}
	}
	other := ""
	if last != nil {
		other = otherPhone(c, last.To)
	}
	if last == nil || !last.Unreachable() || last.To != c.TextingPhone() || other == "" {
		return nil
	}
	code := ""
	if last.ErrorCode != "" {
		code = " (code " + last.ErrorCode + ")"
	}
	return &phoneSuggestion{
		Text: fmt.Sprintf("Texts to %s are not reaching %s. Text %s's other phone, %s?", phone.Format(last.To), c.ShortName(), c.ShortName(), phone.Format(other)),
		Name: c.ShortName(), Phone: phone.Format(other), Choice: c.PhoneChoiceOf(other),
		Note:   "Moved to the other phone after texts to " + phone.Format(last.To) + " did not reach the candidate" + code + ".",
		Action: "/candidates/" + idString(c.ID) + "/sms", ReturnTo: "/candidates/" + idString(c.ID) + "/conversation"}
}

// loadPanel builds the texting panel between num and candidate c; full loads
// the whole history instead of the last 30 days.
func (s *Server) loadPanel(ctx context.Context, p *principal, num *hiretext.Number, c *hiretext.Candidate, full bool) (*textingPanel, error) {
	since := s.cfg.Clock.Now().Add(-conversationWindow)
	if full {
		since = time.Time{}
	}
	msgs, err := s.store.CandidateMessages(ctx, p.org.ID, num.ID, c.ID, since)
	if err != nil {
		return nil, err
	}
	panel := &textingPanel{Candidate: c, CandidatePhone: formatOptional(c.TextingPhone()), NumberPhone: phone.Format(num.Phone),
		Messages: messageRows(msgs, p.org.Location()), FullHistory: full, HistoryURL: "/candidates/" + idString(c.ID) + "#sms-history",
		Composer: newComposer("/candidates/"+idString(c.ID)+"/messages", num, 1)}
	panel.Composer.Candidates = []string{idString(c.ID)}
	panel.Composer.PreviewAction = panel.Composer.Action
	panel.Composer.Zone = p.org.Timezone
	if !c.OptedIn() {
		// The policy is read only here: it decides for candidates who texted first.
		policy, err := s.store.SendPolicy(ctx, p.org.ID)
		if err != nil {
			return nil, err
		}
		panel.Composer.Blocked = composerBlock(c, policy)
	}
	if c.TextedFirst() {
		panel.CandidatePhone = formatOptional(c.MainPhone) // the phone they texted from
	}
	if panel.Composer.Blocked == "" {
		if panel.Composer.When, err = s.whenSentence(ctx, p, c, time.Time{}); err != nil {
			return nil, err
		}
	}
	for i := range panel.Messages {
		if m := &panel.Messages[i]; m.LooksLikeOptOut && c.OptedIn() {
			m.OptOutURL, m.ReturnTo = "/candidates/"+idString(c.ID)+"/sms", "/candidates/"+idString(c.ID)+"/conversation"
		}
		if other := otherPhone(c, msgs[i].To); msgs[i].Unreachable() && other != "" && other != c.TextingPhone() {
			panel.Messages[i].Hint = "Try the candidate's other phone."
		}
	}
	panel.OtherPhone = suggestOtherPhone(c, msgs)
	conv, err := s.store.CandidateConversation(ctx, p.org.ID, num.ID, c.ID)
	if hiretext.ErrorCode(err) == hiretext.ENotFound {
		return panel, nil
	} else if err != nil {
		return nil, err
	}
	back := "/candidates/" + idString(c.ID) + "/conversation"
	if full {
		back = panel.HistoryURL
	}
	if panel.Notes, err = s.loadNotes(ctx, p, num, conv.ID, back); err != nil {
		return nil, err
	}
	if panel.Escalations, err = s.escalationLines(ctx, p, conv.ID); err != nil {
		return nil, err
	}
	if conv.Unread > 0 {
		if err := s.store.MarkConversationRead(ctx, p.org.ID, num.ID, conv.ID); err != nil {
			return nil, err
		}
	}
	return panel, nil
}

// whenSentence says when a text from p to c, at sendAt (zero for now),
// would go, or "" when at once (hiretext.WhenSentence).
func (s *Server) whenSentence(ctx context.Context, p *principal, c *hiretext.Candidate, sendAt time.Time) (string, error) {
	plans, err := s.store.PlanSendTimes(ctx, p.org.ID, p.user.ID, []hiretext.CandidateID{c.ID}, sendAt)
	if err != nil {
		return "", err
	}
	return hiretext.WhenSentence(c.ShortName(), s.cfg.Clock.Now(), plans[c.ID]), nil
}

// otherPhone is the phone of c that is not e164, when e164 is one of c's
// phones and c has another; "" otherwise.
func otherPhone(c *hiretext.Candidate, e164 string) string {
	switch e164 {
	case "":
		return ""
	case c.MainPhone:
		return c.AlternatePhone
	case c.AlternatePhone:
		return c.MainPhone
	}
	return ""
}

// requireTexting returns the caller's number, or the error that explains
// why they cannot text.
func (s *Server) requireTexting(ctx context.Context, p *principal) (*hiretext.Number, error) {
	num, err := s.numberOf(ctx, p)
	if err != nil {
		return nil, err
	}
	if !num.Active() {
		return nil, hiretext.Errorf(hiretext.ENotAssigned, "Your texting number was released. Ask your administrator for another.")
	}
	return num, nil
}

// addSMSActions puts the SMS icon on the rows of a candidate table and
// offers "Text selected", only to a user assigned to a number who sees its
// texts (User.SeesTexts): nobody starts a conversation whose answers they
// could not read. The icon is on every opted-in candidate, drawn filled when
// a conversation exists. Every user's bulk actions learn the list's address.
func (s *Server) addSMSActions(r *http.Request, p *principal, t *candidateTable) error {
	t.ReturnTo = r.URL.RequestURI()
	if !p.user.SeesTexts() {
		return nil
	}
	num, err := s.numberOf(r.Context(), p)
	if hiretext.ErrorCode(err) == hiretext.ENotAssigned || (err == nil && !num.Active()) {
		return nil
	}
	if err != nil {
		return err
	}
	t.CanText = true
	ids := make([]hiretext.CandidateID, len(t.Rows))
	for i, row := range t.Rows {
		ids[i] = row.ID
	}
	texted, err := s.store.TextedCandidates(r.Context(), p.org.ID, num.ID, ids)
	if err != nil {
		return err
	}
	for i := range t.Rows {
		if row := &t.Rows[i]; row.OptedIn {
			row.SMSURL, row.Texted = "/candidates/"+idString(row.ID)+"/conversation", texted[row.ID]
			if t.JobID != "" { // {JobTitle} is this page's job
				row.SMSURL += "?job_id=" + t.JobID
			}
		}
	}
	return nil
}
