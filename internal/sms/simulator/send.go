package simulator

import (
	"context"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/sms/simulator/simstate"
)

// Send delivers m to the simulated handset m.To and queues its status
// reports (sent, then delivered). It fails like a carrier would: 21606 when
// m.From is not a provisioned simulator number, 21211 for a recipient that is
// not a valid number or is flagged invalid, 30006 for a landline. Like a
// carrier it has no idempotency key: m.Reference is ignored, and a send
// repeated is a second text. With Faults.LoseAnswers it may deliver the
// text and then fail as if the answer were lost (see Lookup); with
// Faults.HangSends it may take nothing and answer only when ctx ends.
func (p *Provider) Send(ctx context.Context, m sms.OutboundMessage) (sms.SendResult, error) {
	if p.cfg.Faults.roll(p.cfg.Faults.HangSends) {
		<-ctx.Done() // the caller gives up; the text was never taken
		return sms.SendResult{}, &sms.Error{Class: sms.Transient, Uncertain: true,
			Message: "the simulator did not answer (a simulated fault)", Err: ctx.Err()}
	}
	if err := p.checkSender(ctx, m.From); err != nil {
		return sms.SendResult{}, err
	}
	if err := p.checkRecipient(ctx, m.To); err != nil {
		return sms.SendResult{}, err
	}
	if err := hiretext.ValidateBody(m.Body); err != nil {
		return sms.SendResult{}, &sms.Error{Class: sms.Permanent, Code: "21602", Message: hiretext.ErrorMessage(err)}
	}
	now, id := p.now(), newID("SM")
	if _, err := p.cfg.Store.Enqueue(ctx,
		simstate.HandsetMessage{Phone: m.To, Counterpart: m.From, Direction: simstate.Received, Body: m.Body, MessageID: id,
			CreatedAt: now},
		simstate.Callback{Kind: simstate.KindStatus, MessageID: id, From: m.From, To: m.To, Status: string(hiretext.StatusSent),
			Due: now.Add(p.cfg.StepDelay), CreatedAt: now}); err != nil {
		return sms.SendResult{}, transient(err)
	}
	p.signalAfter(p.cfg.StepDelay)
	if p.cfg.Faults.roll(p.cfg.Faults.LoseAnswers) {
		return sms.SendResult{}, errLostAnswer
	}
	return sms.SendResult{ProviderMessageID: id, Status: hiretext.StatusQueued,
		Segments: hiretext.CountSegments(m.Body).Segments}, nil
}

// errLostAnswer is what a send whose answer the Faults lose fails with: the
// text is on the handset, the caller cannot know it.
var errLostAnswer = &sms.Error{Class: sms.Transient, Uncertain: true,
	Message: "the simulator took the text and its answer was lost (a simulated fault)"}

// Lookup lists the texts from q.From in q.To's simulated handset (its
// latest 500) with exactly q.Body, received since a minute before q.Since
// (the caller's clock may not be the simulator's), oldest first. The
// simulator puts a text in the handset in the same transaction that accepts
// it, so a text found is delivered, and one not found was never taken.
func (p *Provider) Lookup(ctx context.Context, q sms.LookupQuery) ([]sms.FoundMessage, error) {
	msgs, err := p.cfg.Store.HandsetMessages(ctx, q.To)
	if err != nil {
		return nil, transient(err)
	}
	since := q.Since.Add(-time.Minute)
	var found []sms.FoundMessage
	for _, m := range msgs {
		if m.Direction == simstate.Received && m.Counterpart == q.From && m.Body == q.Body && !m.CreatedAt.Before(since) {
			found = append(found, sms.FoundMessage{ProviderMessageID: m.MessageID, Status: hiretext.StatusDelivered,
				Segments: hiretext.CountSegments(m.Body).Segments, CreatedAt: m.CreatedAt})
		}
	}
	return found, nil
}

func (p *Provider) checkSender(ctx context.Context, from string) error {
	ok, err := p.cfg.Store.NumberActive(ctx, from)
	if err != nil {
		return transient(err)
	}
	if !ok {
		return &sms.Error{Class: sms.Permanent, Code: "21606",
			Message: "The 'From' number " + from + " is not a number provisioned on the simulator."}
	}
	return nil
}

func (p *Provider) checkRecipient(ctx context.Context, to string) error {
	invalid := &sms.Error{Class: sms.InvalidRecipient, Code: "21211", Message: "Invalid 'To' phone number: " + to + "."}
	if e164, err := phone.Parse(to, ""); err != nil || e164 != to {
		return invalid
	}
	flag, err := p.cfg.Store.PhoneFlag(ctx, to)
	if err != nil {
		return transient(err)
	}
	switch flag {
	case simstate.FlagInvalid:
		return invalid
	case simstate.FlagLandline:
		return &sms.Error{Class: sms.InvalidRecipient, Code: "30006",
			Message: "Landline or unreachable carrier: " + phone.Format(to) + " cannot receive text messages."}
	}
	return nil
}

// SimulateInbound has the simulated phone from text body to the simulator
// number to, as a candidate replying would, and returns the message's id. The
// text is in from's handset at once; the inbound webhook is POSTed to
// BaseURL+InboundPath right away and, like a carrier's, retried in the
// background until hiretext answers 2xx. Files attached make it an MMS,
// which may have no words. Bad input is a hiretext.EInvalid error.
func (p *Provider) SimulateInbound(ctx context.Context, from, to, body string, files ...File) (string, error) {
	if _, err := phone.Parse(from, ""); err != nil || !phone.IsE164(from) {
		return "", hiretext.FieldError("The sending phone must be a valid number in E.164 form, e.g. +13125550123.",
			map[string]string{"from": "Use E.164, e.g. +13125550123."})
	}
	if err := checkFiles(files); err != nil {
		return "", err
	}
	if err := hiretext.ValidateBody(body); err != nil && (len(files) == 0 || body != "") {
		return "", err
	}
	ok, err := p.cfg.Store.NumberActive(ctx, to)
	if err != nil {
		return "", transient(err)
	}
	if !ok {
		return "", hiretext.FieldError(to+" is not a number provisioned on the simulator.", map[string]string{"to": "Not a simulator number."})
	}
	// The webhook is queued already leased to this call, which delivers it
	// at once; only if this process dies does the lease lapse to Run.
	now, id := p.now(), newID("SM")
	cb, err := p.cfg.Store.Enqueue(ctx,
		simstate.HandsetMessage{Phone: from, Counterpart: to, Direction: simstate.Sent, Body: body, MessageID: id, CreatedAt: now,
			Media: mediaOf(id, files)},
		simstate.Callback{Kind: simstate.KindInbound, MessageID: id, From: from, To: to, Body: body, Due: now.Add(leaseTime), CreatedAt: now})
	if err != nil {
		return "", transient(err)
	}
	cb.Attempts = 1
	p.deliver(ctx, cb)
	return id, nil
}

// maxHistory bounds what History returns of one number.
const maxHistory = 10000

// History lists the texts simulated phones exchanged with q.Number since a
// minute before q.Since, oldest first: those it sent, delivered, and those
// it received. It lists at most 10,000.
func (p *Provider) History(ctx context.Context, q sms.HistoryQuery) ([]sms.HistoryMessage, error) {
	msgs, err := p.cfg.Store.CounterpartMessages(ctx, q.Number, q.Since.Add(-time.Minute), maxHistory)
	if err != nil {
		return nil, transient(err)
	}
	media, err := p.inboundMedia(ctx, msgs)
	if err != nil {
		return nil, err
	}
	out := make([]sms.HistoryMessage, len(msgs))
	for i, m := range msgs {
		h := sms.HistoryMessage{ProviderMessageID: m.MessageID, From: q.Number, To: m.Phone, Body: m.Body,
			Status: hiretext.StatusDelivered, CreatedAt: m.CreatedAt}
		if m.Direction == simstate.Sent {
			h.Inbound, h.From, h.To, h.Status = true, m.Phone, q.Number, hiretext.StatusReceived
			h.Media = media[m.MessageID]
		}
		out[i] = h
	}
	return out, nil
}

// inboundMedia returns the files of the texts phones sent among msgs, as
// their webhooks announce them, by message id: reconciliation stores a
// missed MMS with its pictures.
func (p *Provider) inboundMedia(ctx context.Context, msgs []simstate.HandsetMessage) (map[string][]sms.MediaRef, error) {
	var ids []string
	for _, m := range msgs {
		if m.Direction == simstate.Sent {
			ids = append(ids, m.MessageID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	media, err := p.cfg.Store.MessageMedia(ctx, ids...)
	if err != nil {
		return nil, transient(err)
	}
	out := map[string][]sms.MediaRef{}
	for _, m := range media {
		out[m.MessageID] = append(out[m.MessageID], p.mediaRef(m))
	}
	return out, nil
}

// Handset lists the messages the simulated phone sent and received, oldest first.
func (p *Provider) Handset(ctx context.Context, phone string) ([]simstate.HandsetMessage, error) {
	return p.cfg.Store.HandsetMessages(ctx, phone)
}

// MaxHandsetPhones caps how many phones HandsetPhones lists.
const MaxHandsetPhones = 50

// HandsetPhones lists the simulated phones that have texts, the one with the
// latest text first, at most limit (1 to MaxHandsetPhones) of them.
func (p *Provider) HandsetPhones(ctx context.Context, limit int) ([]simstate.HandsetSummary, error) {
	return p.cfg.Store.HandsetPhones(ctx, min(max(limit, 1), MaxHandsetPhones))
}

// PhoneFlag returns how the simulated network treats e164: FlagNone for an
// ordinary mobile.
func (p *Provider) PhoneFlag(ctx context.Context, e164 string) (simstate.Flag, error) {
	return p.cfg.Store.PhoneFlag(ctx, e164)
}

// SetPhoneFlag makes the simulated network treat e164 as flag: sends to an
// invalid or landline phone fail from then on; FlagNone makes it an ordinary
// mobile again.
func (p *Provider) SetPhoneFlag(ctx context.Context, e164 string, flag simstate.Flag) error {
	if !flag.Valid() {
		return hiretext.Errorf(hiretext.EInvalid, "Unknown phone flag %q: use invalid, landline or none.", string(flag))
	}
	if !phone.IsE164(e164) {
		return hiretext.Errorf(hiretext.EInvalid, "Give the phone in E.164 form, e.g. +13125550123.")
	}
	return p.cfg.Store.SetPhoneFlag(ctx, e164, flag, p.now())
}

// signalAfter wakes Run after d (at once when d is 0).
func (p *Provider) signalAfter(d time.Duration) {
	if d <= 0 {
		p.signal()
		return
	}
	time.AfterFunc(d, p.signal)
}

// signal wakes Run without blocking; one pending wake-up is enough.
func (p *Provider) signal() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}
