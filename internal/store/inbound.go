package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/hiretext/hiretext"
)

// ReceiveText stores a text a candidate (or anyone) sent to one of our
// numbers, in one transaction: duplicates of the same provider message are a
// no-op; the company is found by the receiving number; the sender is matched
// to a candidate by main or alternate phone (a phone shared by several goes
// to the one this number texted most recently); keywords change consent at
// once and queue their one automatic reply; the text counts against the
// allowance even past the maximum; the conversation becomes unread for the
// number; and the events are recorded. Nothing is dropped: a text to a
// number no company owns is kept as unrouted.
func (db *DB) ReceiveText(ctx context.Context, in hiretext.IncomingText) (*hiretext.InboundResult, error) {
	if in.ReceivedAt.IsZero() {
		in.ReceivedAt = db.now()
	}
	var res *hiretext.InboundResult
	receive := func() error {
		return db.inEventTx(ctx, func(tx conn) error {
			var err error
			res, err = db.receiveText(ctx, tx, in, db.now())
			return err
		})
	}
	var err error
	if hiretext.ReadMessage(in.Body).OptsOut() {
		err = db.changingConsent(receive) // an opt-out waits for texts being handed over
	} else {
		err = receive()
	}
	if db.dialect.isUniqueViolation(err) {
		// A concurrent delivery of the same message won the race.
		return &hiretext.InboundResult{Duplicate: true}, nil
	}
	if err != nil {
		return nil, err
	}
	if len(res.Replies) > 0 {
		db.wakeDispatcher()
	}
	return res, nil
}

func (db *DB) receiveText(ctx context.Context, tx conn, in hiretext.IncomingText, now time.Time) (*hiretext.InboundResult, error) {
	if dup, err := knownProviderMessage(ctx, tx, in.Provider, in.ProviderMessageID); err != nil || dup != nil {
		return &hiretext.InboundResult{Message: dup, Duplicate: dup != nil}, err
	}
	num, loc, err := scanNumber(tx.queryRow(ctx, numberSelect+`WHERE n.phone = ?
		ORDER BY CASE WHEN n.status = 'active' THEN 0 ELSE 1 END, n.created_at DESC LIMIT 1`, in.To))
	if hiretext.ErrorCode(err) == hiretext.ENotFound {
		return &hiretext.InboundResult{Unrouted: true}, storeUnrouted(ctx, tx, in, now)
	}
	if err != nil {
		return nil, err
	}
	// The number's row has all that counting the text needs; its users and
	// usage, which readNumber would add, are not.
	target := usageTarget{phone: num.Phone, status: num.Status, allowance: num.MonthlyAllowance, loc: loc}
	r := &inboundRun{db: db, tx: tx, in: in, num: num, target: target, now: now, reading: hiretext.ReadMessage(in.Body)}
	return r.run(ctx)
}

// inboundRun carries one inbound text through its steps.
type inboundRun struct {
	db         *DB
	tx         conn
	in         hiretext.IncomingText
	num        *hiretext.Number
	target     usageTarget // the number, for its allowance counter
	now        time.Time
	reading    hiretext.Reading      // what the text asks (keyword, revocation, language)
	candidates []*hiretext.Candidate // everyone with the sender's phone
	candidate  *hiretext.Candidate   // the one the conversation belongs to
	msg        hiretext.MessageID
	conv       hiretext.ConversationID
	period     string    // the allowance month the text (and its reply) count against
	tally      textTally // the text and its replies, for the report's daily counters
}

func (r *inboundRun) run(ctx context.Context) (*hiretext.InboundResult, error) {
	if err := r.findCandidate(ctx); err != nil {
		return nil, err
	}
	r.period = hiretext.Period(storedTime(r.now), r.target.loc)
	if err := r.store(ctx); err != nil {
		return nil, err
	}
	replies, err := r.applyKeyword(ctx)
	if err != nil {
		return nil, err
	}
	if err := r.recordEvent(ctx); err != nil {
		return nil, err
	}
	if r.keyword() == hiretext.KeywordNone {
		if err := r.queueAwayReplies(ctx); err != nil {
			return nil, err
		}
	}
	m, err := scanMessage(r.tx.queryRow(ctx, "SELECT "+messageColumns+messageFrom+" WHERE m.id = ?", r.msg))
	if err != nil {
		return nil, err
	}
	// The text and its automatic reply count in one update, last: every text
	// to and from the number updates its counter row, and on PostgreSQL the
	// row stays locked from that update until the commit, so concurrent
	// texts to one number queue for that long only.
	change, err := countInbound(ctx, r.tx, r.num.OrgID, r.num.ID, r.target, 1+len(replies), r.now)
	if err != nil {
		return nil, err
	}
	if err := r.db.recordAlertEvents(ctx, r.tx, change.Alerts, r.now); err != nil {
		return nil, err
	}
	// The report's daily counters of the number, the very last write for
	// the same reason (see countTexts).
	return &hiretext.InboundResult{Message: m, Replies: replies}, r.db.countTexts(ctx, r.tx, &r.tally)
}

// findCandidate matches the sender to candidates of the number's company.
func (r *inboundRun) findCandidate(ctx context.Context) error {
	cs, err := candidatesByPhone(ctx, r.tx, r.num.OrgID, r.in.From)
	if err != nil || len(cs) == 0 {
		return err
	}
	r.candidates = cs
	id, err := lastTextedCandidate(ctx, r.tx, r.num.ID, cs)
	if err != nil {
		return err
	}
	r.candidate = cs[0] // most recently active, when this number never texted any of them
	for _, c := range cs {
		if c.ID == id {
			r.candidate = c
		}
	}
	return nil
}

// lastTextedCandidate returns which of cs this number texted most recently,
// or 0 when it texted none.
func lastTextedCandidate(ctx context.Context, tx conn, number hiretext.NumberID, cs []*hiretext.Candidate) (hiretext.CandidateID, error) {
	args := []any{number}
	for _, c := range cs {
		args = append(args, c.ID)
	}
	var id hiretext.CandidateID
	err := tx.queryRow(ctx, `SELECT candidate_id FROM conversations WHERE number_id = ? AND candidate_id IN (`+
		placeholders(len(cs))+`) AND last_outbound_at IS NOT NULL ORDER BY last_outbound_at DESC, id DESC LIMIT 1`, args...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// store inserts the message into its conversation.
func (r *inboundRun) store(ctx context.Context) error {
	var err error
	var candidate hiretext.CandidateID
	if r.candidate != nil {
		candidate = r.candidate.ID
		r.conv, err = candidateConversation(ctx, r.tx, r.num.OrgID, r.num.ID, candidate, r.in.From, r.now)
	} else {
		r.conv, err = unknownConversation(ctx, r.tx, r.num.OrgID, r.num.ID, r.in.From, r.now)
	}
	if err != nil {
		return err
	}
	r.msg, err = insertMessage(ctx, r.tx, &r.tally, messageInsert{org: r.num.OrgID, number: r.num.ID, conversation: r.conv,
		candidate: candidate, direction: hiretext.Inbound, kind: hiretext.KindInbound, from: r.in.From, to: r.num.Phone,
		body: r.in.Body, status: hiretext.StatusReceived, keyword: r.keyword(),
		looksOptOut: r.reading.Revocation == hiretext.RevocationPossible,
		provider:    r.in.Provider, providerID: r.in.ProviderMessageID, period: r.period, counted: true, now: r.now})
	if err != nil {
		return err
	}
	return touchInbound(ctx, r.tx, r.conv, r.msg, r.now, r.keyword() == hiretext.KeywordNone)
}

// recordEvent records the new-message event for the number's users.
func (r *inboundRun) recordEvent(ctx context.Context) error {
	return r.db.insertEvent(ctx, r.tx, &hiretext.Event{OrgID: r.num.OrgID, NumberID: r.num.ID, Kind: hiretext.EventMessageInbound,
		Data: eventData(map[string]any{"conversation_id": r.conv, "message_id": r.msg}), At: r.now})
}

// storeUnrouted keeps a text sent to a number no company owns.
func storeUnrouted(ctx context.Context, tx conn, in hiretext.IncomingText, now time.Time) error {
	_, err := tx.exec(ctx, `INSERT INTO unrouted_messages (provider, provider_message_id, from_phone, to_phone, body, received_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (provider, provider_message_id) DO NOTHING`,
		in.Provider, in.ProviderMessageID, in.From, in.To, in.Body, now)
	return err
}

// knownProviderMessage returns the message a provider already delivered
// with this id, or nil.
func knownProviderMessage(ctx context.Context, tx conn, provider, id string) (*hiretext.Message, error) {
	m, err := scanMessage(tx.queryRow(ctx, "SELECT "+messageColumns+messageFrom+" WHERE m.provider = ? AND m.provider_message_id = ?", provider, id))
	if hiretext.ErrorCode(err) == hiretext.ENotFound {
		return nil, nil
	}
	return m, err
}
