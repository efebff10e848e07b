package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
)

// keyword is what the text asks: its keyword, or an opt-out when it
// revokes consent clearly or says "wrong number" (honoured exactly like STOP).
func (r *inboundRun) keyword() hiretext.Keyword {
	if r.reading.OptsOut() {
		return hiretext.KeywordOptOut
	}
	return r.reading.Keyword
}

// applyKeyword acts on STOP, START and HELP and on texts that read as an
// opt-out: consent changes for every candidate with the sender's phone, and
// the one automatic reply, in the language the candidate wrote in. An
// opt-out, whatever its words, is confirmed once: one from a phone already
// opted out is stored but answered by nothing, so it spends no allowance
// beyond itself. It returns the replies queued; the caller counts them.
func (r *inboundRun) applyKeyword(ctx context.Context) ([]hiretext.MessageID, error) {
	kw := r.keyword()
	if kw != hiretext.KeywordOptOut {
		if err := r.endCarrierBlock(ctx); err != nil {
			return nil, err
		}
	}
	if kw == hiretext.KeywordNone {
		return nil, nil // most texts: no settings to read
	}
	settings, err := textingSettings(ctx, r.tx, r.num.OrgID)
	if err != nil {
		return nil, err
	}
	switch kw {
	case hiretext.KeywordOptOut:
		already, err := r.optOut(ctx)
		if err != nil || already {
			return nil, err
		}
	case hiretext.KeywordOptIn:
		changed, err := r.optIn(ctx)
		if err != nil || !changed {
			return nil, err // a "yes" from someone already opted in is just a reply
		}
	}
	reply, send := settings.Reply(kw, r.reading.Language)
	if !send || reply == "" {
		return nil, nil
	}
	id, err := r.queueReply(ctx, reply)
	if err != nil {
		return nil, err
	}
	return []hiretext.MessageID{id}, nil
}

// endCarrierBlock opts back in, on the phone they wrote from, the
// candidates with the sender's phone whose opt-out was a carrier block
// (their latest consent entry has RuleCarrierBlock): a block lasts until
// the candidate writes.
func (r *inboundRun) endCarrierBlock(ctx context.Context) error {
	for _, c := range r.candidates {
		if c.SMSStatus != hiretext.SMSOptedOut {
			continue
		}
		var rule string
		err := r.tx.queryRow(ctx, `SELECT rule FROM consent_events WHERE org_id = ? AND candidate_id = ? ORDER BY id DESC LIMIT 1`,
			r.num.OrgID, c.ID).Scan(&rule)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && rule != hiretext.RuleCarrierBlock) {
			continue
		}
		if err != nil {
			return err
		}
		if err := r.db.setConsent(ctx, r.tx, r.num.OrgID, hiretext.ConsentChange{CandidateID: c.ID, Status: hiretext.SMSOptedIn,
			Phone: c.PhoneChoiceOf(r.in.From), Source: hiretext.ConsentProvider, MessageID: int64(r.msg),
			Note: "Wrote to " + phone.Format(r.num.Phone) + " after the carrier had reported their phone blocking its texts (error 30004): texts resume."}); err != nil {
			return err
		}
	}
	return nil
}

// optOut opts the sender's phone out and marks a wrong number. It reports
// whether the phone was opted out already, when the text confirms nothing new.
func (r *inboundRun) optOut(ctx context.Context) (bool, error) {
	already, err := r.alreadyOptedOut(ctx)
	if err != nil {
		return false, err
	}
	if err := r.setConsentAll(ctx); err != nil {
		return false, err
	}
	if r.reading.Revocation == hiretext.RevocationWrongNumber {
		err = r.db.markWrongNumber(ctx, r.tx, r.num.OrgID, r.in.From, r.msg, r.now)
	}
	return already, err
}

// alreadyOptedOut reports whether the sender's phone was opted out before
// this text: every candidate holding it is; or, for a phone no candidate
// holds, its newest ledger entry is an opt-out (a candidate since erased) or
// the sender's last keyword to this number was one.
func (r *inboundRun) alreadyOptedOut(ctx context.Context) (bool, error) {
	if len(r.candidates) > 0 {
		for _, c := range r.candidates {
			if c.SMSStatus != hiretext.SMSOptedOut || c.TextedFirst() {
				return false, nil
			}
		}
		return true, nil
	}
	if at, err := r.db.phoneOptOut(ctx, r.tx, r.num.OrgID, r.in.From); err != nil || at != nil {
		return at != nil, err
	}
	return r.lastKeywordWasOptOut(ctx)
}

// lastKeywordWasOptOut reports whether the sender's previous STOP or START
// (or opt-out by intent) in this conversation was an opt-out.
func (r *inboundRun) lastKeywordWasOptOut(ctx context.Context) (bool, error) {
	var kw hiretext.Keyword
	err := r.tx.queryRow(ctx, `SELECT keyword FROM messages WHERE conversation_id = ? AND id <> ? AND direction = ?
		AND keyword IN (?, ?) ORDER BY id DESC LIMIT 1`,
		r.conv, r.msg, hiretext.Inbound, hiretext.KeywordOptOut, hiretext.KeywordOptIn).Scan(&kw)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return kw == hiretext.KeywordOptOut, err
}

// setConsentAll opts every candidate with the sender's phone out, each with
// the inbound message and the rule that read it as evidence.
func (r *inboundRun) setConsentAll(ctx context.Context) error {
	for _, c := range r.candidates {
		if c.SMSStatus == hiretext.SMSOptedOut && !c.TextedFirst() {
			continue // a candidate who texted first may still be answered: the opt-out ends that
		}
		err := r.db.setConsent(ctx, r.tx, r.num.OrgID, hiretext.ConsentChange{CandidateID: c.ID, Status: hiretext.SMSOptedOut,
			Phone: c.PhoneChoiceOf(r.in.From), Source: hiretext.ConsentKeyword, MessageID: int64(r.msg), Rule: r.reading.Rule,
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
			Phone: c.PhoneChoiceOf(r.in.From), Source: hiretext.ConsentKeyword, MessageID: int64(r.msg), Rule: r.reading.Rule,
			Note: "Texted " + quoteKeyword(r.in.Body) + " to " + phone.Format(r.num.Phone) + "."})
		if err != nil {
			return false, err
		}
		changed = true
	}
	if changed {
		// The phone's owner asked for texts: it is not a wrong number.
		return true, r.db.clearWrongNumber(ctx, r.tx, r.num.OrgID, r.in.From)
	}
	return false, nil
}

// queueReply queues the automatic keyword reply. The caller counts it
// against the allowance unconditionally: compliance replies go even past the
// maximum.
func (r *inboundRun) queueReply(ctx context.Context, body string) (hiretext.MessageID, error) {
	var candidate hiretext.CandidateID
	if r.candidate != nil {
		candidate = r.candidate.ID
	}
	id, err := insertMessage(ctx, r.tx, r.tally, messageInsert{org: r.num.OrgID, number: r.num.ID, conversation: r.conv,
		candidate: candidate, direction: hiretext.Outbound, kind: hiretext.KindKeywordReply, from: r.num.Phone,
		to: r.in.From, body: body, status: hiretext.StatusQueued, provider: r.num.Provider, period: r.period,
		counted: true, now: r.now})
	if err != nil {
		return 0, err
	}
	return id, touchReply(ctx, r.tx, r.conv, id, r.now)
}

func quoteKeyword(body string) string { return "\"" + firstWords(body, 40) + "\"" }
