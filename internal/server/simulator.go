package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
	"github.com/hiretext/hiretext/internal/sms/simulator"
)

// simulatorPhone is what the simulator phone page needs from the simulator
// provider: simulated handsets that receive texts, reply and can be flagged.
type simulatorPhone interface {
	SimulateInbound(ctx context.Context, from, to, body string) (string, error)
	Handset(ctx context.Context, phone string) ([]simulator.HandsetMessage, error)
	SetPhoneFlag(ctx context.Context, e164 string, flag simulator.Flag) error
}

// simulator returns the simulator's phone controls, or nil when another
// provider is configured (then the /simulator routes do not exist).
func (s *Server) simulator() simulatorPhone {
	sim, _ := s.provider.(simulatorPhone)
	return sim
}

// simulatorRoutes are registered only with the simulator provider. They are
// public: the simulator is for trying hiretext out, and its phones are fiction.
func (s *Server) simulatorRoutes() []route {
	if s.simulator() == nil {
		return nil
	}
	return []route{
		{"GET /simulator", public, false, s.handleSimulator},
		{"POST /simulator/reply", public, false, s.handleSimulatorReply},
		{"GET /simulator/reply", public, false, back("/simulator")},
		{"POST /simulator/flag", public, false, s.handleSimulatorFlag},
		{"GET /simulator/flag", public, false, back("/simulator")},
		{"POST /simulator/api/inbound", public, true, s.handleSimulatorAPIInbound},
		{"GET /simulator/api/messages", public, true, s.handleSimulatorAPIMessages},
	}
}

type simulatorPage struct {
	Page       Page
	Phone      string // the handset shown, E.164
	PhoneError string
	Messages   []simulator.HandsetMessage
	Numbers    []string // hiretext numbers this handset has texted with, newest first
	ReplyTo    string
	Body       string
	Errors     map[string]string
}

func (s *Server) handleSimulator(w http.ResponseWriter, r *http.Request) error {
	data := &simulatorPage{Page: s.page(w, r, "Simulator phone")}
	raw := strings.TrimSpace(r.URL.Query().Get("phone"))
	if raw == "" {
		return s.render(w, r, http.StatusOK, "simulator", data)
	}
	e164, err := phone.Parse(raw, "US")
	if err != nil {
		data.Phone, data.PhoneError = raw, hiretext.ErrorMessage(err)
		return s.render(w, r, http.StatusUnprocessableEntity, "simulator", data)
	}
	if err := s.fillHandset(r.Context(), data, e164); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "simulator", data)
}

// fillHandset loads a handset's messages and the numbers it talks with.
func (s *Server) fillHandset(ctx context.Context, data *simulatorPage, e164 string) error {
	msgs, err := s.simulator().Handset(ctx, e164)
	if err != nil {
		return err
	}
	data.Phone, data.Messages = e164, msgs
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

// handleSimulatorReply has the handset text a hiretext number.
func (s *Server) handleSimulatorReply(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	from, to, body := r.PostForm.Get("phone"), strings.TrimSpace(r.PostForm.Get("to")), r.PostForm.Get("body")
	if quick := r.PostForm.Get("quick"); quick != "" {
		body = quick // one of the STOP / START / HELP buttons
	}
	if _, err := s.simulator().SimulateInbound(r.Context(), from, to, body); err != nil {
		if hiretext.ErrorCode(err) != hiretext.EInvalid {
			return err
		}
		data := &simulatorPage{Page: s.page(w, r, "Simulator phone"), ReplyTo: to, Body: body, Errors: fieldErrors(err, "body")}
		if err := s.fillHandset(r.Context(), data, from); err != nil {
			return err
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "simulator", data)
	}
	return s.redirectWithFlash(w, r, simulatorURL(from), "success", "Sent “"+firstWordsOf(body, 40)+"” to "+phone.Format(to)+".")
}

// handleSimulatorFlag makes the network treat the handset as a working
// mobile, an invalid number or a landline.
func (s *Server) handleSimulatorFlag(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	p, flag := r.PostForm.Get("phone"), simulator.Flag(r.PostForm.Get("flag"))
	if err := s.simulator().SetPhoneFlag(r.Context(), p, flag); err != nil {
		return err
	}
	label := map[simulator.Flag]string{simulator.FlagNone: "a working mobile", simulator.FlagInvalid: "an invalid number",
		simulator.FlagLandline: "a landline"}[flag]
	return s.redirectWithFlash(w, r, simulatorURL(p), "success", phone.Format(p)+" now behaves as "+label+".")
}

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
}

// handleSimulatorAPIInbound has a simulated phone text a hiretext number,
// for scripts: 202 once the text is on its way through the webhook.
func (s *Server) handleSimulatorAPIInbound(w http.ResponseWriter, r *http.Request) error {
	var in simInboundRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	id, err := s.simulator().SimulateInbound(r.Context(), in.From, in.To, in.Body)
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
		if m.Direction == simulator.Sent {
			sm.From, sm.To = m.Phone, m.Counterpart
		}
		out.Messages = append(out.Messages, sm)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
