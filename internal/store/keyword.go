package store

import (
	"context"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
)

// applyKeyword acts on STOP, START and HELP: consent changes for every
// candidate with the sender's phone, and the one automatic reply. It returns
// the replies queued; the caller counts them.
func (r *inboundRun) applyKeyword(ctx context.Context) ([]hiretext.MessageID, error) {
	kw := hiretext.MatchKeyword(r.in.Body)
	if kw == hiretext.KeywordNone {
		return nil, nil // most texts: no settings to read
	}
	settings, err := textingSettings(ctx, r.tx, r.num.OrgID)
	if err != nil {
		return nil, err
	}
	var reply string
	switch kw {
	case hiretext.KeywordOptOut:
		if err := r.setConsentAll(ctx); err != nil {
			return nil, err
		}
		reply, _ = settings.OptOutReply()
	case hiretext.KeywordOptIn:
		changed, err := r.optIn(ctx)
		if err != nil || !changed {
			return nil, err // a "yes" from someone already opted in is just a reply
		}
		reply = settings.OptInReply()
	case hiretext.KeywordHelp:
		reply = settings.HelpText()
	}
	if reply == "" {
		return nil, nil
	}
	id, err := r.queueReply(ctx, reply)
	if err != nil {
		return nil, err
	}
	return []hiretext.MessageID{id}, nil
}

// setConsentAll opts every candidate with the sender's phone out (or in),
// each with the inbound message as evidence.
func (r *inboundRun) setConsentAll(ctx context.Context) error {
	for _, c := range r.candidates {
		if c.SMSStatus == hiretext.SMSOptedOut {
			continue
		}
		err := r.db.setConsent(ctx, r.tx, r.num.OrgID, hiretext.ConsentChange{CandidateID: c.ID, Status: hiretext.SMSOptedOut,
			Phone: c.PhoneChoiceOf(r.in.From), Source: hiretext.ConsentKeyword, MessageID: int64(r.msg),
			Note: "Texted " + quoteKeyword(r.in.Body) + " to " + phone.Format(r.num.Phone) + "."})
		if err != nil {
			return err
		}
	}
	return nil
}

// optIn opts back in the candidates with the sender's phone who are opted
// out, on that phone. It reports whether anyone changed.
func (r *inboundRun) optIn(ctx context.Context) (bool, error) {
	changed := false
	for _, c := range r.candidates {
		if c.OptedIn() && c.TextingPhone() == r.in.From {
			continue
		}
		err := r.db.setConsent(ctx, r.tx, r.num.OrgID, hiretext.ConsentChange{CandidateID: c.ID, Status: hiretext.SMSOptedIn,
			Phone: c.PhoneChoiceOf(r.in.From), Source: hiretext.ConsentKeyword, MessageID: int64(r.msg),
			Note: "Texted " + quoteKeyword(r.in.Body) + " to " + phone.Format(r.num.Phone) + "."})
		if err != nil {
			return false, err
		}
		changed = true
	}
	return changed, nil
}

// queueReply queues the automatic keyword reply. The caller counts it
// against the allowance unconditionally: compliance replies go even past the
// maximum.
func (r *inboundRun) queueReply(ctx context.Context, body string) (hiretext.MessageID, error) {
	var candidate hiretext.CandidateID
	if r.candidate != nil {
		candidate = r.candidate.ID
	}
	id, err := insertMessage(ctx, r.tx, messageInsert{org: r.num.OrgID, number: r.num.ID, conversation: r.conv,
		candidate: candidate, direction: hiretext.Outbound, kind: hiretext.KindKeywordReply, from: r.num.Phone,
		to: r.in.From, body: body, status: hiretext.StatusQueued, provider: r.num.Provider, period: r.period,
		counted: true, now: r.now})
	if err != nil {
		return 0, err
	}
	return id, touchConversation(ctx, r.tx, r.conv, id, r.now, hiretext.Outbound)
}

func quoteKeyword(body string) string { return "\"" + firstWords(body, 40) + "\"" }
