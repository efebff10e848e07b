package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
	"github.com/hiretext/hiretext/internal/sms/simulator"
	"github.com/hiretext/hiretext/internal/sms/simulator/simstate"
)

// simulatorPhone is what the simulator phone page needs from the simulator
// provider: simulated handsets that receive texts, reply and can be flagged.
type simulatorPhone interface {
	SimulateInbound(ctx context.Context, from, to, body string, files ...simulator.File) (string, error)
	MediaFile(ctx context.Context, path, signature string) (simstate.Media, error)
	Handset(ctx context.Context, phone string) ([]simstate.HandsetMessage, error)
	HandsetPhones(ctx context.Context, limit int) ([]simstate.HandsetSummary, error)
	PhoneFlag(ctx context.Context, phone string) (simstate.Flag, error)
	SetPhoneFlag(ctx context.Context, e164 string, flag simstate.Flag) error
}

// simulator returns the simulator's phone controls, or nil when another
// provider is configured (then the /simulator routes do not exist).
func (s *Server) simulator() simulatorPhone {
	sim, _ := s.provider.(simulatorPhone)
	return sim
}

// simulatorRoutes are registered only with the simulator provider. The
// simulator is for trying hiretext out and its phones are fiction, but it
// shows every company's texts and speaks for any candidate (a STOP, say):
// see checkSimulatorAccess.
func (s *Server) simulatorRoutes() []route {
	if s.simulator() == nil {
		return nil
	}
	var forms formRoutes
	form := forms.add
	table := []route{
		{"GET /simulator", simulatorAccess, false, s.handleSimulator},
		form("POST /simulator/reply", simulatorAccess, s.handleSimulatorReply, "/simulator"),
		form("POST /simulator/flag", simulatorAccess, s.handleSimulatorFlag, "/simulator"),
		{"POST /simulator/api/inbound", simulatorAccess, true, s.handleSimulatorAPIInbound},
		{"GET /simulator/api/messages", simulatorAccess, true, s.handleSimulatorAPIMessages},
		// The simulated carrier's files: fetched by hiretext's media
		// worker, verified by the simulator's signature, never by session.
		{"GET " + simulator.MediaPath + "{id}", public, true, s.handleSimulatorMedia},
	}
	return append(table, forms.gets...)
}

// checkSimulatorAccess admits to the simulator everyone when it is public
// (--simulator-public), else administrators (of any company: the simulator
// is the installation's, like a carrier) and requests from this machine: a
// client address on loopback, without X-Forwarded-For, which a proxy on
// this machine would have added for a visitor from elsewhere.
func (s *Server) checkSimulatorAccess(r *http.Request, p *principal, api bool) error {
	local := r.Header.Get("X-Forwarded-For") == "" && isLoopback(s.clientIP(r))
	switch {
	case s.cfg.SimulatorPublic || local:
		return nil
	case p == nil:
		return checkAccess(loggedIn, p, api) // log in first
	case p.user.IsAdmin():
		return nil
	}
	return hiretext.Errorf(hiretext.EForbidden, "The simulator is open to administrators and to this machine only.")
}

// isLoopback reports whether addr is this machine's (127.0.0.0/8, ::1).
func isLoopback(addr string) bool {
	a, err := netip.ParseAddr(addr)
	return err == nil && a.IsLoopback()
}

type simulatorPage struct {
	Page       Page
	Phone      string // the handset shown, E.164
	PhoneInput string // the phone box: Phone as people read it, or what was typed
	PhoneError string
	Messages   []simText
	Numbers    []string // hiretext numbers this handset has texted with, newest first
	Flag       simFlagChoice
	Flags      []simFlagChoice
	Phones     []simPhoneRow // phones with texts, latest first
	PhoneLimit int           // at most this many
	ReplyTo    string
	Body       string
	Errors     map[string]string
	Public     bool     // --simulator-public: open to everyone
	Samples    []string // sample files a reply can attach

	zones map[string]*time.Location // each hiretext number's, looked up once a page
}

// simText is a text on the simulated phone.
type simText struct {
	Sent        bool   // the handset sent it to Counterpart
	Counterpart string // the hiretext number, E.164
	Body        string
	At          simTime
	Newest      bool // the last on the phone, where a reply's page opens
}

// simTime is a moment in the time zone of the company that owns the
// hiretext number involved: as shown, and for a <time> element.
type simTime struct{ Text, ISO string }

// simPhoneRow is a phone in the list of phones with texts.
type simPhoneRow struct {
	Phone   string // E.164
	Texts   string // "3 texts"
	Last    simTime
	Current bool // the phone the page shows
}

// simFlagChoice is a network behaviour the page offers for a phone.
type simFlagChoice struct {
	Flag    simstate.Flag
	Label   string // the button
	Name    string // "a landline"
	Effect  string // what happens to texts sent to the phone
	Current bool   // the phone behaves this way now
}

// simFlagChoices lists the network behaviours, current marked.
func simFlagChoices(current simstate.Flag) []simFlagChoice {
	choices := []simFlagChoice{
		{Flag: simstate.FlagNone, Label: "Working mobile", Name: "a working mobile", Effect: "texts to it are delivered"},
		{Flag: simstate.FlagInvalid, Label: "Invalid number (21211)", Name: "an invalid number",
			Effect: "texts to it fail with error 21211, not a valid phone number"},
		{Flag: simstate.FlagLandline, Label: "Landline (30006)", Name: "a landline",
			Effect: "texts to it fail with error 30006, a landline that cannot receive texts"},
	}
	for i := range choices {
		choices[i].Current = choices[i].Flag == current
	}
	return choices
}

// currentFlag returns the choice marked current.
func currentFlag(choices []simFlagChoice) simFlagChoice {
	for _, c := range choices {
		if c.Current {
			return c
		}
	}
	return simFlagChoice{}
}

// simTimeLayout shows seconds: a simulated exchange takes moments.
const simTimeLayout = "Jan 2 3:04:05 PM MST"

func (s *Server) handleSimulator(w http.ResponseWriter, r *http.Request) error {
	data := &simulatorPage{Page: s.page(w, r, "Simulator phone")}
	status := http.StatusOK
	if raw := strings.TrimSpace(r.URL.Query().Get("phone")); raw != "" {
		e164, err := phone.Parse(raw, "US")
		if err != nil {
			data.PhoneInput, data.PhoneError, status = raw, hiretext.ErrorMessage(err), http.StatusUnprocessableEntity
		} else if err := s.fillHandset(r.Context(), data, e164); err != nil {
			return err
		}
	}
	return s.renderSimulator(w, r, status, data)
}

// renderSimulator adds the phones with texts and renders the page.
func (s *Server) renderSimulator(w http.ResponseWriter, r *http.Request, status int, data *simulatorPage) error {
	phones, err := s.simulator().HandsetPhones(r.Context(), simulator.MaxHandsetPhones)
	if err != nil {
		return err
	}
	data.PhoneLimit = simulator.MaxHandsetPhones
	for _, p := range phones {
		last, err := s.simTime(r.Context(), data, p.LastCounterpart, p.LastAt)
		if err != nil {
			return err
		}
		data.Phones = append(data.Phones, simPhoneRow{Phone: p.Phone, Texts: simTextCount(p.Count), Last: last, Current: p.Phone == data.Phone})
	}
	data.Public, data.Samples = s.cfg.SimulatorPublic, simulator.Samples
	return s.render(w, r, status, "simulator", data)
}

// fillHandset loads a handset's messages, the numbers it talks with and how
// the network treats it.
func (s *Server) fillHandset(ctx context.Context, data *simulatorPage, e164 string) error {
	msgs, err := s.simulator().Handset(ctx, e164)
	if err != nil {
		return err
	}
	flag, err := s.simulator().PhoneFlag(ctx, e164)
	if err != nil {
		return err
	}
	data.Phone, data.PhoneInput, data.Flags = e164, phone.Format(e164), simFlagChoices(flag)
	data.Flag = currentFlag(data.Flags)
	for _, m := range msgs {
		at, err := s.simTime(ctx, data, m.Counterpart, m.CreatedAt)
		if err != nil {
			return err
		}
		data.Messages = append(data.Messages, simText{Sent: m.Direction == simstate.Sent, Counterpart: m.Counterpart, Body: m.Body, At: at})
	}
	if n := len(data.Messages); n > 0 {
		data.Messages[n-1].Newest = true
	}
	seen := map[string]bool{}
	for i := len(msgs) - 1; i >= 0; i-- {
		if c := msgs[i].Counterpart; !seen[c] {
			seen[c] = true
			data.Numbers = append(data.Numbers, c)
		}
	}
	if data.ReplyTo == "" && len(data.Numbers) > 0 {
		data.ReplyTo = data.Numbers[0]
	}
	return nil
}

// simTime formats t in the time zone of the company that owns number. The
// page is public and one phone may text several companies, so there is no
// viewer's zone: each text is shown in its company's, and UTC is left for
// numbers no company has.
func (s *Server) simTime(ctx context.Context, data *simulatorPage, number string, t time.Time) (simTime, error) {
	loc, ok := data.zones[number]
	if !ok {
		var err error
		if loc, err = s.numberZone(ctx, number); err != nil {
			return simTime{}, err
		}
		if data.zones == nil {
			data.zones = map[string]*time.Location{}
		}
		data.zones[number] = loc
	}
	t = t.In(loc)
	return simTime{Text: t.Format(simTimeLayout), ISO: t.Format(time.RFC3339)}, nil
}

// numberZone returns the time zone of the company whose active number is
// number, or UTC when no company has it.
func (s *Server) numberZone(ctx context.Context, number string) (*time.Location, error) {
	n, err := s.store.NumberByPhone(ctx, number)
	if hiretext.ErrorCode(err) == hiretext.ENotFound {
		return time.UTC, nil
	}
	if err != nil {
		return nil, err
	}
	org, err := s.store.OrgByID(ctx, n.OrgID)
	if err != nil {
		return nil, err
	}
	return org.Location(), nil
}

// simTextCount says how many texts a phone has.
func simTextCount(n int) string {
	switch {
	case n > simstate.MaxCountedTexts:
		return fmt.Sprintf("more than %d texts", simstate.MaxCountedTexts)
	case n == 1:
		return "1 text"
	}
	return fmt.Sprintf("%d texts", n)
}

// handleSimulatorReply has the handset text a hiretext number, with a
// picture when one is uploaded or a sample chosen.
func (s *Server) handleSimulatorReply(w http.ResponseWriter, r *http.Request) error {
	if err := parseReplyForm(r); err != nil {
		return badForm(err)
	}
	from, to, body := r.PostForm.Get("phone"), strings.TrimSpace(r.PostForm.Get("to")), r.PostForm.Get("body")
	var files []simulator.File
	if quick := r.PostForm.Get("quick"); quick != "" {
		body = quick // one of the STOP / START / HELP buttons
	} else if f, ok, err := replyFile(r); err != nil || ok {
		if err != nil {
			return err
		}
		files = append(files, f)
	}
	if _, err := s.simulator().SimulateInbound(r.Context(), from, to, body, files...); err != nil {
		if hiretext.ErrorCode(err) != hiretext.EInvalid {
			return err
		}
		data := &simulatorPage{Page: s.page(w, r, "Simulator phone"), ReplyTo: to, Body: body, Errors: fieldErrors(err, "body")}
		if err := s.fillHandset(r.Context(), data, from); err != nil {
			return err
		}
		return s.renderSimulator(w, r, http.StatusUnprocessableEntity, data)
	}
	// The page opens at the reply, in the thread, not at its top.
	what := "“" + firstWordsOf(body, 40) + "”"
	if len(files) > 0 {
		what += " with a picture"
		if body == "" {
			what = "a picture"
		}
	}
	return s.redirectWithFlash(w, r, simulatorURL(from)+"#"+newestText, "success", "Sent "+what+" to "+phone.Format(to)+".")
}

// parseReplyForm reads the reply form, multipart when it carries a
// picture (the request body is capped by limitBody).
func parseReplyForm(r *http.Request) error {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		return r.ParseMultipartForm(1 << 20)
	}
	return r.ParseForm()
}

// replyFile returns the picture of a reply: the uploaded file, else the
// chosen sample; ok is false for neither. The uploaded file's type is what
// the phone declares (the browser's guess); hiretext checks it on fetching.
func replyFile(r *http.Request) (simulator.File, bool, error) {
	if r.MultipartForm != nil {
		if fhs := r.MultipartForm.File["picture"]; len(fhs) > 0 && fhs[0].Size > 0 {
			f, err := fhs[0].Open()
			if err != nil {
				return simulator.File{}, false, badForm(err)
			}
			defer f.Close()
			content, err := io.ReadAll(f)
			if err != nil {
				return simulator.File{}, false, badForm(err)
			}
			declared := fhs[0].Header.Get("Content-Type")
			if declared == "" {
				declared = http.DetectContentType(content) // as a phone names what it sends
			}
			return simulator.File{ContentType: declared, Content: content}, true, nil
		}
	}
	if name := r.PostForm.Get("sample"); name != "" {
		f, err := simulator.Sample(name)
		return f, err == nil, err
	}
	return simulator.File{}, false, nil
}

// handleSimulatorMedia serves a file a simulated phone sent, to a request
// the simulator signed (hiretext's media worker), as a carrier serves
// MMS media; anything else is 404.
func (s *Server) handleSimulatorMedia(w http.ResponseWriter, r *http.Request) error {
	m, err := s.simulator().MediaFile(r.Context(), r.URL.EscapedPath(), r.Header.Get(simulator.SignatureHeader))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", m.ContentType)
	w.Header().Set("Content-Disposition", "attachment")
	_, err = w.Write(m.Content)
	return err
}

// handleSimulatorFlag makes the network treat the handset as a working
// mobile, an invalid number or a landline.
func (s *Server) handleSimulatorFlag(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	p, flag := r.PostForm.Get("phone"), simstate.Flag(r.PostForm.Get("flag"))
	if err := s.simulator().SetPhoneFlag(r.Context(), p, flag); err != nil {
		return err
	}
	now := currentFlag(simFlagChoices(flag))
	return s.redirectWithFlash(w, r, simulatorURL(p), "success", phone.Format(p)+" now behaves as "+now.Name+".")
}

// newestText is the id of the phone's newest text on the simulator page.
const newestText = "newest-text"

func simulatorURL(p string) string { return "/simulator?phone=" + url.QueryEscape(p) }

// fieldErrors returns err's field messages, or its message under field.
func fieldErrors(err error, field string) map[string]string {
	if f := hiretext.ErrorFields(err); len(f) > 0 {
		return f
	}
	return map[string]string{field: hiretext.ErrorMessage(err)}
}

func firstWordsOf(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

type simInboundRequest struct {
	From string `json:"from"`
	To   string `json:"to"`
	Body string `json:"body"`
	// Samples names sample files to attach (simulator.Samples), making the
	// text an MMS.
	Samples []string `json:"samples"`
}

// handleSimulatorAPIInbound has a simulated phone text a hiretext number,
// for scripts: 202 once the text is on its way through the webhook.
func (s *Server) handleSimulatorAPIInbound(w http.ResponseWriter, r *http.Request) error {
	var in simInboundRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	var files []simulator.File
	for _, name := range in.Samples {
		f, err := simulator.Sample(name)
		if err != nil {
			return err
		}
		files = append(files, f)
	}
	id, err := s.simulator().SimulateInbound(r.Context(), in.From, in.To, in.Body, files...)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"id": id})
	return nil
}

type simMessage struct {
	From string    `json:"from"`
	To   string    `json:"to"`
	Body string    `json:"body"`
	At   time.Time `json:"at"`
}

// handleSimulatorAPIMessages lists the texts a simulated phone sent and
// received, oldest first.
func (s *Server) handleSimulatorAPIMessages(w http.ResponseWriter, r *http.Request) error {
	p := r.URL.Query().Get("phone")
	if !phone.IsE164(p) {
		return hiretext.FieldError("Give the phone in E.164 form, e.g. +13125550123.", map[string]string{"phone": "Use E.164."})
	}
	msgs, err := s.simulator().Handset(r.Context(), p)
	if err != nil {
		return err
	}
	out := struct {
		Messages []simMessage `json:"messages"`
	}{Messages: []simMessage{}}
	for _, m := range msgs {
		sm := simMessage{From: m.Counterpart, To: m.Phone, Body: m.Body, At: m.CreatedAt}
		if m.Direction == simstate.Sent {
			sm.From, sm.To = m.Phone, m.Counterpart
		}
		out.Messages = append(out.Messages, sm)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
