package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hiretext/hiretext"
)

// Every composer (the conversation dialog, the profile's SMS Message History
// and the bulk composer) is the "composer" partial: a template picker with
// search, the text box, the segment count and a preview of the text as a
// candidate receives it. Merge fields are filled in only by the server
// (PreviewMessages): the page script counts plain text itself, as the
// domain does (composer.js, tested against CountSegments under Node), and
// asks POST /messages/preview whenever the text has a merge field or a
// signature is added. Without JavaScript the picker and the Preview button
// submit the form, and the page comes back filled in.

// composer is the state of a message form.
type composer struct {
	Action     string // where the form posts
	Body       string
	Error      string
	Remaining  int    // messages left this month
	Recipients int    // messages one send uses
	Blocked    string // why sending is impossible; "" when it is possible
	// Paused says why the number cannot send now (its allowance does not
	// cover the send); the text may still be scheduled into a later month,
	// whose allowance is another. Period is the current month ("YYYY-MM",
	// company time), which a Send-later time must lie after.
	Paused     string
	Period     string
	ReturnTo   string
	Bulk       bool     // the bulk composer: several candidates, a send key, "Preview as…"
	Candidates []string // the candidates texted, posted with the form
	SendKey    string   // the bulk form's key (see SendBulk)
	TemplateID string   // the template the text came from, posted with it
	JobID      string   // the Job Posting page the text is sent from, for {JobTitle}
	Picker     templatePicker
	Signature  string // how the caller's signature is added, for a note; "" for none
	// PreviewAction is where the Preview button (shown without JavaScript)
	// posts the form: the send, which previews instead, or the bulk composer.
	PreviewAction string
	PreviewAs     []previewChoice // the bulk composer's "Preview as…" choices
	Preview       *previewAnswer  // the server's preview, when asked for without JavaScript
	// SendAt is the "Send later" time as typed (datetime-local, in the
	// company's time zone, Zone); "" sends now. When says when the text
	// will go if not at once (hiretext.WhenSentence).
	SendAt string
	Zone   string
	When   string
}

// SendDisabled reports whether the Send button starts disabled: the send
// is impossible, or the allowance pauses sending now and no Send-later
// time in a later month is chosen (the script keeps it up to date).
func (c composer) SendDisabled() bool {
	return c.Blocked != "" || (c.Paused != "" && !laterMonth(c.SendAt, c.Period))
}

// laterMonth reports whether sendAt, a datetime-local value in company
// time ("2027-01-05T09:00"), lies in a month after period ("2026-12").
func laterMonth(sendAt, period string) bool {
	return len(sendAt) >= len(period) && period != "" && sendAt[:len(period)] > period
}

// SendLabel is the Send button's text.
func (c composer) SendLabel() string {
	if c.Bulk {
		return fmt.Sprintf("Send to %d", c.Recipients)
	}
	return "Send"
}

// newComposer describes the form for sending to n recipients from num.
func newComposer(action string, num *hiretext.Number, recipients int) composer {
	c := composer{Action: action, Remaining: num.Usage.Remaining(), Recipients: recipients, Period: num.Usage.Period}
	switch resets := num.Usage.ResetsAt.Format("Jan 2"); {
	case c.Remaining <= 0:
		c.Paused = "The number's monthly allowance is used up; sending resumes when it resets on " + resets +
			". You can still schedule the text into a later month with Send later."
	case c.Remaining < recipients:
		c.Paused = fmt.Sprintf("This send needs %d messages and the number has %d left this month: go back and select "+
			"fewer candidates, wait until the allowance resets on %s, or schedule it into a later month with Send later.",
			recipients, c.Remaining, resets)
	}
	return c
}

// templatePicker is a composer's template chooser. Its search and its
// "Use template" button submit a form: the single composer's own GET form
// to Action, or the bulk composer's form (whose selection must travel).
type templatePicker struct {
	Action  string // the single composer's GET form; "" in the bulk composer
	Hidden  url.Values
	Query   string
	Options []templateOption // the templates matching Query
	Any     bool             // the user has templates at all
}

// templateOption is one template in the picker; Body fills the composer.
type templateOption struct {
	ID, Name, Body string
	Company        bool
	Chosen         bool
}

// Groups splits the options into company templates and the user's own.
func (p templatePicker) Groups() []templateGroup {
	groups := []templateGroup{{Label: "Company templates"}, {Label: "My templates"}}
	for _, o := range p.Options {
		if o.Company {
			groups[0].Options = append(groups[0].Options, o)
		} else {
			groups[1].Options = append(groups[1].Options, o)
		}
	}
	return groups
}

// templateGroup is an optgroup of the picker.
type templateGroup struct {
	Label   string
	Options []templateOption
}

// composerInput is what a composer form carries besides the text: the
// picker's search and choice, the template in use, the page's job.
type composerInput struct {
	Query      string // template_q
	Pick       string // template: a template chosen in the picker
	TemplateID string // template_id
	JobID      string // job_id
}

// composerInputFrom reads a composer's fields; the picker's choice counts
// only when its "Use template" button sent the form (pick=use), not its
// search.
func composerInputFrom(v url.Values) composerInput {
	in := composerInput{Query: strings.TrimSpace(v.Get("template_q")), TemplateID: v.Get("template_id"), JobID: v.Get("job_id")}
	if v.Get("pick") == "use" {
		in.Pick = v.Get("template")
	}
	return in
}

// fillComposer sets up c's picker, signature note, template and job from
// in; a template picked (in.Pick) replaces the text, as choosing it in the
// page script does.
func (s *Server) fillComposer(ctx context.Context, p *principal, c *composer, in composerInput) error {
	ts, err := s.store.Templates(ctx, p.org.ID, p.user.ID)
	if err != nil {
		return err
	}
	c.TemplateID, c.JobID = validID(in.TemplateID), validID(in.JobID)
	c.Picker.Query, c.Picker.Any = in.Query, len(ts) > 0
	if id := validID(in.Pick); id != "" {
		for _, t := range ts {
			if idString(t.ID) == id {
				c.Body, c.TemplateID = t.Body, id
			}
		}
	}
	for _, t := range hiretext.MatchTemplates(ts, in.Query) {
		id := idString(t.ID)
		c.Picker.Options = append(c.Picker.Options, templateOption{ID: id, Name: t.Name, Body: t.Body,
			Company: t.Scope == hiretext.ScopeCompany, Chosen: id == c.TemplateID})
	}
	sig, err := s.store.Signature(ctx, p.org.ID, p.user.ID)
	if err != nil {
		return err
	}
	c.Signature = signatureNote(sig)
	return nil
}

// validID returns s when it is an id as the pages write them, else "".
func validID(s string) string {
	if _, ok := parseID[int64](s); ok {
		return s
	}
	return ""
}

// signatureNote says how a signature is added, or "" for none.
func signatureNote(sig hiretext.Signature) string {
	switch {
	case sig.Text == "":
		return ""
	case sig.Every:
		return "Your signature is added to every text: “" + sig.Text + "”."
	}
	return "Your signature is added to the first text of each conversation: “" + sig.Text + "”."
}

// composerRequest reads a composer's text, template and job from form into
// a send request for ids.
func composerRequest(p *principal, form url.Values, ids []hiretext.CandidateID) (hiretext.SendRequest, error) {
	req := hiretext.SendRequest{OrgID: p.org.ID, UserID: p.user.ID, CandidateIDs: ids, Body: form.Get("body")}
	v := hiretext.Validation{}
	var ok bool
	if raw := form.Get("template_id"); raw != "" {
		if req.TemplateID, ok = parseID[hiretext.TemplateID](raw); !ok {
			v.Add("template_id", "Choose a template from the list.")
		}
	}
	if raw := form.Get("job_id"); raw != "" {
		if req.JobID, ok = parseID[hiretext.JobID](raw); !ok {
			v.Add("job_id", "The job could not be read.")
		}
	}
	req.SendAt = sendLater(v, form.Get("send_at"), p.org.Location())
	return req, v.Err()
}

// sendLaterLayout is how a datetime-local field writes a time.
const sendLaterLayout = "2006-01-02T15:04"

// sendLater reads the composer's "Send later" time, typed in the company's
// time zone loc; "" is now.
func sendLater(v hiretext.Validation, raw string, loc *time.Location) time.Time {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return time.Time{}
	}
	at, err := time.ParseInLocation(sendLaterLayout, raw, loc)
	if err != nil {
		v.Add("send_at", "Choose a date and a time, e.g. 2026-12-02 09:00.")
	}
	return at
}

// previewAnswer is the preview of a composer's text: the longest text any
// candidate would receive (what the segment count shows), the text one
// chosen candidate would receive, and who lacks which value. It answers
// the page script in JSON and fills the page without JavaScript.
type previewAnswer struct {
	Error   string        `json:"error,omitempty"` // the text's own mistake, e.g. an unknown field
	Longest *previewText  `json:"longest"`
	Preview *previewText  `json:"preview"`
	Missing []missingList `json:"missing"`
	// Blocked holds the refusal a send would meet (missing values, too
	// long once filled in); "" when the text can be sent.
	Blocked string `json:"blocked"`
	// When says, per candidate whose text would not go at once, when it
	// would go (hiretext.WhenSentence): the composer's script shows it
	// before sending, as the page without JavaScript does.
	When []string `json:"when"`
}

// previewText is one candidate's text.
type previewText struct {
	CandidateID string   `json:"candidate_id"`
	Name        string   `json:"name"`
	Body        string   `json:"body"`
	Characters  int      `json:"characters"`
	Segments    int      `json:"segments"`
	Encoding    string   `json:"encoding"`
	NonGSM      []string `json:"non_gsm"` // characters that force UCS-2
}

// missingList names the candidates without a value for one field.
type missingList struct {
	Sentence string   `json:"sentence"` // "2 candidates have no first name: add a fallback like {FirstName|there}."
	Names    []string `json:"names"`
}

// previewChoice is a candidate of the "Preview as…" list.
type previewChoice struct {
	ID, Name string
	Chosen   bool
}

// newPreviewAnswer sums up previews for the candidate as (or the longest
// text when as is not among them).
func newPreviewAnswer(previews []hiretext.TextPreview, as string) *previewAnswer {
	out := &previewAnswer{Missing: []missingList{}}
	if longest, ok := hiretext.Longest(previews); ok {
		out.Longest, out.Preview = toPreviewText(longest), toPreviewText(longest)
	}
	names := map[hiretext.CandidateID]string{}
	for _, x := range previews {
		names[x.CandidateID] = x.CandidateName
		if idString(x.CandidateID) == as && x.Skipped == "" {
			out.Preview = toPreviewText(x)
		}
	}
	err := hiretext.CheckPreviews(previews)
	out.Blocked = hiretext.ErrorMessage(err)
	var m *hiretext.MissingValues
	if errors.As(err, &m) {
		for _, f := range m.By {
			l := missingList{Sentence: hiretext.MissingSentence(f.Field, len(f.Candidates))}
			for _, id := range f.Candidates {
				l.Names = append(l.Names, names[id])
			}
			out.Missing = append(out.Missing, l)
		}
	}
	return out
}

func toPreviewText(x hiretext.TextPreview) *previewText {
	t := &previewText{CandidateID: idString(x.CandidateID), Name: x.CandidateName, Body: x.Body,
		Characters: x.Count.Characters, Segments: x.Count.Segments, Encoding: string(x.Count.Encoding), NonGSM: []string{}}
	for _, r := range x.Count.NonGSM {
		t.NonGSM = append(t.NonGSM, string(r))
	}
	return t
}

// handlePreview answers a composer's script with its text as the selected
// candidates would receive it (see previewAnswer), sending nothing. The
// text's own mistakes are answered 422 with the message, so the script can
// show it; who may preview is who may send the same text.
func (s *Server) handlePreview(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	ids, err := selectedCandidates(r)
	if err != nil {
		return err
	}
	num, err := s.requireTexting(r.Context(), p)
	if err != nil {
		return err
	}
	req, err := composerRequest(p, r.PostForm, ids)
	if err == nil {
		var previews []hiretext.TextPreview
		if previews, err = s.store.PreviewMessages(r.Context(), req); err == nil {
			answer := newPreviewAnswer(previews, r.PostForm.Get("preview_as"))
			if answer.When, err = s.whenSentences(r.Context(), p, previews, req.SendAt); err != nil {
				return err
			}
			month, err := s.monthSentence(r.Context(), p, num.ID, req.SendAt)
			if err != nil {
				return err
			}
			if month != "" {
				answer.When = append(answer.When, month)
			}
			writeJSON(w, http.StatusOK, answer)
			return nil
		}
	}
	if code := hiretext.ErrorCode(err); code == hiretext.EInvalid || code == hiretext.ENotFound {
		writeJSON(w, statusOf(err), previewAnswer{Error: hiretext.ErrorMessage(err), Missing: []missingList{}})
		return nil
	}
	return err
}

// laterMonthOutlook returns the allowance of the month a Send-later time
// lies in when that is a later month than now (company time), with the
// texts of number already scheduled into it; nil for now or this month.
func (s *Server) laterMonthOutlook(ctx context.Context, p *principal, number hiretext.NumberID, sendAt time.Time) (*hiretext.MonthOutlook, error) {
	loc := p.org.Location()
	if sendAt.IsZero() || hiretext.Period(sendAt, loc) <= hiretext.Period(s.cfg.Clock.Now(), loc) {
		return nil, nil
	}
	o, err := s.store.MonthOutlook(ctx, p.org.ID, number, hiretext.Period(sendAt, loc))
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// monthSentence says how a Send-later time in a later month stands against
// that month's allowance ("January 2027: 0 of 500 used, 12 already
// scheduled."), or "" for now or this month.
func (s *Server) monthSentence(ctx context.Context, p *principal, number hiretext.NumberID, sendAt time.Time) (string, error) {
	o, err := s.laterMonthOutlook(ctx, p, number, sendAt)
	if o == nil || err != nil {
		return "", err
	}
	return o.Sentence(p.org.Location()), nil
}

// whenSentences says when each previewed text that would be sent, at
// sendAt or now when zero, goes when it does not go at once.
func (s *Server) whenSentences(ctx context.Context, p *principal, previews []hiretext.TextPreview, sendAt time.Time) ([]string, error) {
	ids := make([]hiretext.CandidateID, 0, len(previews))
	for _, x := range previews {
		if x.Skipped == "" {
			ids = append(ids, x.CandidateID)
		}
	}
	out := []string{}
	if len(ids) == 0 {
		return out, nil
	}
	cands, err := s.store.CandidatesByIDs(ctx, p.org.ID, ids, 0)
	if err != nil {
		return nil, err
	}
	plans, err := s.store.PlanSendTimes(ctx, p.org.ID, p.user.ID, ids, sendAt)
	if err != nil {
		return nil, err
	}
	now := s.cfg.Clock.Now()
	for _, c := range cands {
		if when := hiretext.WhenSentence(c.ShortName(), now, plans[c.ID]); when != "" {
			out = append(out, when)
		}
	}
	return out, nil
}

// previewComposer fills c.Preview for the page's Preview button (without
// JavaScript): the text as candidate as would receive it.
func (s *Server) previewComposer(ctx context.Context, p *principal, c *composer, form url.Values, ids []hiretext.CandidateID, as string) error {
	req, err := composerRequest(p, form, ids)
	if err == nil {
		var previews []hiretext.TextPreview
		if previews, err = s.store.PreviewMessages(ctx, req); err == nil {
			c.Preview = newPreviewAnswer(previews, as)
			return nil
		}
	}
	if code := hiretext.ErrorCode(err); code == hiretext.EInvalid || code == hiretext.ENotFound {
		c.Error = hiretext.ErrorMessage(err)
		return nil
	}
	return err
}
