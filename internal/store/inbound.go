package store

import (
	"context"
	"database/sql"
	"strings"
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
	reads := &inboundReads{in: in}
	work := func(ctx context.Context, tx conn, g *txGroup) error {
		var err error
		res, err = db.receiveText(ctx, tx, g, reads, db.now())
		return err
	}
	var err error
	switch reading := hiretext.ReadMessage(in.Body); {
	case reading.OptsOut():
		// An opt-out waits for texts being handed over, in a transaction of
		// its own: a group must not wait for hand-offs.
		err = db.changingConsent(func() error { return db.inGroupTx(ctx, work) })
	case reading.Keyword != hiretext.KeywordNone:
		// START and HELP (rare) change consent or queue a reply: on
		// PostgreSQL an opt-in's UPDATE of the candidate waits for a
		// hand-off in flight, which must not hold up a group.
		err = db.inGroupTx(ctx, work)
	default:
		err = db.groups.do(ctx, work, reads) // shares a transaction with webhooks arriving at the same time
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

// inboundReads are the reads an inbound text begins with: whether the
// provider delivered it already, the active number it was sent to, and the
// candidates with the sender's phone with their conversations with the
// number. A group sends every member's in one round trip before running
// them (see readFirst), which they need not follow: they read nothing the
// members write but a conversation, which candidateConversation's upsert
// finds when an earlier member created it, and a second delivery's
// message, which the second finds among the group's pending texts or reads
// after the first (key). ready says the results were read for this run;
// using them clears it, so that a member run again (its group failed)
// reads afresh.
type inboundReads struct {
	in    hiretext.IncomingText
	known sql.NullInt64
	num   *hiretext.Number
	loc   *time.Location
	match candidateMatch
	ready bool
}

// batch clears the results and returns the reads that fill them.
func (r *inboundReads) batch(d dialect) []batchRead {
	*r = inboundReads{in: r.in}
	reads := []batchRead{batchQuery(inboundNumberQuery(), func(row scanner) (err error) {
		r.num, r.loc, err = scanNumber(prefixed{row, &r.known})
		return err
	}, r.in.Provider, r.in.ProviderMessageID, r.in.To)}
	if r.in.From != "" {
		reads = append(reads, batchQuery(inboundCandidatesQuery(d, activeNumberID, activeNumberOrg, "?"), r.match.add,
			r.in.To, r.in.To, r.in.From, r.in.To, r.in.From))
	}
	return reads
}

// key is the text's provider and id: a second delivery of it in the same
// group must see the first's message.
func (r *inboundReads) key() string { return providerMessageKey(r.in.Provider, r.in.ProviderMessageID) }

// receiveText applies the rules of one inbound text inside tx, which other
// webhooks may share (see group.go); what it counts on the number's
// allowance it leaves in g, counted at the end of the transaction. It reads
// what it begins with (reads) unless its group did.
func (db *DB) receiveText(ctx context.Context, tx conn, g *txGroup, reads *inboundReads, now time.Time) (*hiretext.InboundResult, error) {
	if !reads.ready {
		if err := tx.readBatch(ctx, reads.batch(tx.d)...); err != nil {
			return nil, err
		}
	}
	reads.ready = false
	in, known, num, loc, match := reads.in, reads.known, reads.num, reads.loc, reads.match
	if dup := g.pending[reads.key()]; dup != nil {
		// An earlier member of the group stored it, to insert at the end.
		return &hiretext.InboundResult{Message: dup, Duplicate: true}, nil
	}
	switch {
	case num == nil:
		// No active number has the phone (rare): the duplicate check had
		// no row to ride on, and the text may be to a released number.
		if dup, err := knownProviderMessage(ctx, tx, in.Provider, in.ProviderMessageID); err != nil || dup != nil {
			return &hiretext.InboundResult{Message: dup, Duplicate: dup != nil}, err
		}
		var err error
		num, loc, err = scanNumber(tx.queryRow(ctx, numberSelect+`WHERE n.phone = ? ORDER BY n.created_at DESC LIMIT 1`, in.To))
		if hiretext.ErrorCode(err) == hiretext.ENotFound {
			return &hiretext.InboundResult{Unrouted: true}, storeUnrouted(ctx, tx, in, now)
		}
		if err != nil {
			return nil, err
		}
		if in.From != "" {
			if err := queryEach(ctx, tx, match.add, inboundCandidatesQuery(tx.d, "?", "?", "?"), num.ID, num.OrgID, in.From, num.OrgID, in.From); err != nil {
				return nil, err
			}
		}
	case known.Valid:
		dup, err := knownProviderMessage(ctx, tx, in.Provider, in.ProviderMessageID)
		return &hiretext.InboundResult{Message: dup, Duplicate: dup != nil}, err
	}
	// The number's row has all that counting the text needs; its users and
	// usage, which readNumber would add, are not.
	target := usageTarget{phone: num.Phone, status: num.Status, allowance: num.MonthlyAllowance, loc: loc}
	r := &inboundRun{db: db, tx: tx, group: g, tally: &g.tally, in: in, num: num, target: target, now: now, reading: hiretext.ReadMessage(in.Body),
		candidates: match.candidates, candidate: match.candidate, conv: match.conv}
	return r.run(ctx)
}

// inboundNumberQuery reads the active number an inbound text was sent to
// (its third parameter), by numbers_active_phone, and first the id of the
// message the provider already delivered with the text's provider and id
// (the first two), NULL when none.
func inboundNumberQuery() string { return inboundNumberQueryOf("?", "?", "?") }

// inboundNumberQueryOf is inboundNumberQuery for the SQL expressions of a
// text's provider, provider id and number's phone.
func inboundNumberQueryOf(provider, id, phone string) string {
	return "SELECT (SELECT id FROM messages WHERE provider = " + provider + " AND provider_message_id = " + id + "), " +
		strings.TrimPrefix(numberSelect, "SELECT ") + "WHERE n.phone = " + phone + " AND n.status = 'active'"
}

// activeNumberID and activeNumberOrg are the id and the company of the
// active number with a phone (their parameter), by numbers_active_phone:
// they let inboundCandidatesQuery run beside inboundNumberQuery.
var (
	activeNumberID  = activeNumberOf("id", "?")
	activeNumberOrg = activeNumberOf("org_id", "?")
)

// activeNumberOf is the column of the active number with the phone
// expression phone.
func activeNumberOf(column, phone string) string {
	return "(SELECT " + column + " FROM numbers WHERE phone = " + phone + " AND status = 'active')"
}

// groupNumbersQuery and groupCandidatesQuery are inboundNumberQuery and
// inboundCandidatesQuery for all the texts of a group at once
// (PostgreSQL): their parameters are arrays, one element a text (its
// provider, provider id and number's phone; its number's phone and
// sender), and each row begins with the text's place in them, from 1.
func groupNumbersQuery() string {
	return `SELECT u.i, x.* FROM unnest(CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]))
	WITH ORDINALITY AS u(provider, pid, phone, i) CROSS JOIN LATERAL (` + inboundNumberQueryOf("u.provider", "u.pid", "u.phone") + `) x`
}

func groupCandidatesQuery(d dialect) string {
	return `SELECT u.i, x.* FROM unnest(CAST(? AS TEXT[]), CAST(? AS TEXT[])) WITH ORDINALITY AS u(phone, sender, i)
	CROSS JOIN LATERAL (` + inboundCandidatesQuery(d, activeNumberOf("id", "u.phone"), activeNumberOf("org_id", "u.phone"), "u.sender") + `) x
	ORDER BY u.i, x.last_application_id DESC, x.id DESC`
}

// readsOfGroup returns the reads of the texts of a group, rs, as two
// statements (PostgreSQL; see readFirst), their results cleared.
func readsOfGroup(d dialect, rs []*inboundReads) []batchRead {
	var providers, ids, numbers, senders, senderNumbers []string
	var withSender []*inboundReads
	for _, r := range rs {
		*r = inboundReads{in: r.in}
		providers, ids, numbers = append(providers, r.in.Provider), append(ids, r.in.ProviderMessageID), append(numbers, r.in.To)
		if r.in.From != "" {
			withSender = append(withSender, r)
			senders, senderNumbers = append(senders, r.in.From), append(senderNumbers, r.in.To)
		}
	}
	reads := []batchRead{batchQuery(groupNumbersQuery(), func(row scanner) error {
		var i int64
		var known sql.NullInt64
		num, loc, err := scanNumber(prefixed{prefixed{row, &i}, &known})
		if err != nil {
			return err
		}
		r := rs[i-1]
		r.known, r.num, r.loc = known, num, loc
		return nil
	}, providers, ids, numbers)}
	if len(withSender) > 0 {
		reads = append(reads, batchQuery(groupCandidatesQuery(d), func(row scanner) error {
			var i int64
			c, conv, out, err := scanCandidateMatch(prefixed{row, &i})
			if err != nil {
				return err
			}
			withSender[i-1].match.take(c, conv, out)
			return nil
		}, senderNumbers, senders))
	}
	return reads
}

// inboundRun carries one inbound text through its steps.
type inboundRun struct {
	db         *DB
	tx         conn
	group      *txGroup // counts the text on the number's allowance at the end of the transaction
	in         hiretext.IncomingText
	num        *hiretext.Number
	target     usageTarget // the number, for its allowance counter
	now        time.Time
	reading    hiretext.Reading      // what the text asks (keyword, revocation, language)
	candidates []*hiretext.Candidate // everyone with the sender's phone
	candidate  *hiretext.Candidate   // the one the conversation belongs to
	msg        hiretext.MessageID
	message    *hiretext.Message // the text as stored
	conv       hiretext.ConversationID
	period     string     // the allowance month the text (and its reply) count against
	tally      *textTally // the group's: the text and its replies, for the report's daily counters
}

func (r *inboundRun) run(ctx context.Context) (*hiretext.InboundResult, error) {
	r.period = hiretext.Period(storedTime(r.now), r.target.loc)
	if err := r.store(ctx); err != nil {
		return nil, err
	}
	replies, err := r.applyKeyword(ctx)
	if err != nil {
		return nil, err
	}
	r.recordEvent()
	if r.keyword() == hiretext.KeywordNone {
		if err := r.queueAwayReplies(ctx); err != nil {
			return nil, err
		}
	}
	// The text and its automatic reply count in one update at the end of
	// the transaction, with every other text of the group to the number:
	// every text to and from the number updates its counter row, and on
	// PostgreSQL the row stays locked from that update until the commit, so
	// concurrent texts to one number queue for that long only.
	r.group.countInbound(r.num.OrgID, r.num.ID, r.target, 1+len(replies), r.now)
	return &hiretext.InboundResult{Message: r.message, Replies: replies}, nil
}

// candidateMatch matches the sender of an inbound text to the candidates
// of the number's company with the phone, read with each one's
// conversation with the number (inboundCandidatesQuery): the text goes to
// the one this number texted most recently (the most recently active when
// it texted none), into that conversation when it exists already.
type candidateMatch struct {
	candidates []*hiretext.Candidate // everyone with the sender's phone
	candidate  *hiretext.Candidate   // the one the conversation belongs to
	conv       hiretext.ConversationID
	texted     bool      // whether candidate is one this number texted
	lastOut    time.Time // when the number last texted candidate
}

// add reads one row of inboundCandidatesQuery; rows come most recently
// active first.
func (m *candidateMatch) add(row scanner) error {
	c, conv, out, err := scanCandidateMatch(row)
	if err != nil {
		return err
	}
	m.take(c, conv, out)
	return nil
}

// scanCandidateMatch scans a row of inboundCandidatesQuery: a candidate,
// its conversation with the number, when the number last texted in it.
func scanCandidateMatch(row scanner) (*hiretext.Candidate, hiretext.ConversationID, sql.NullTime, error) {
	var conv hiretext.ConversationID
	var out sql.NullTime
	c, err := scanCandidate(suffixed{row, []any{&conv, &out}})
	return c, conv, out, err
}

// take adds candidate c, with its conversation conv with the number and
// when the number last texted in it (out); candidates come most recently
// active first.
func (m *candidateMatch) take(c *hiretext.Candidate, conv hiretext.ConversationID, out sql.NullTime) {
	m.candidates = append(m.candidates, c)
	later := out.Valid && (!m.texted || out.Time.After(m.lastOut) || out.Time.Equal(m.lastOut) && conv > m.conv)
	if later {
		m.texted, m.lastOut = true, out.Time
	}
	if later || m.candidate == nil {
		m.candidate, m.conv = c, conv
	}
}

// inboundCandidatesQuery selects the candidates with a phone (the SQL
// expression sender, twice) of a company (the SQL expression org, twice), most
// recently active first, each with its conversation with a number (the
// expression number): its id (0 for none) and when the number last texted
// in it. Each half of the UNION is one lookup in its phone index (see
// candidatesByPhone), each conversation one in conversations_candidate.
func inboundCandidatesQuery(d dialect, number, org, sender string) string {
	return "SELECT " + candidateColumns + `, COALESCE(v.id, 0), v.last_outbound_at FROM candidates c
		LEFT JOIN conversations v` + d.indexedBy("conversations_candidate") + ` ON v.number_id = ` + number + ` AND v.candidate_id = c.id
		WHERE c.id IN (SELECT id FROM candidates WHERE org_id = ` + org + ` AND main_phone = ` + sender + `
			UNION SELECT id FROM candidates WHERE org_id = ` + org + ` AND alternate_phone = ` + sender + `)
		ORDER BY c.last_application_id DESC, c.id DESC`
}

// suffixed is a row whose columns end with more than a scan function reads.
type suffixed struct {
	s    scanner
	more []any
}

func (p suffixed) Scan(dest ...any) error { return p.s.Scan(append(dest, p.more...)...) }

// store inserts the message into its conversation.
func (r *inboundRun) store(ctx context.Context) error {
	var err error
	var candidate hiretext.CandidateID
	switch {
	case r.conv != 0: // found with the candidate
		candidate = r.candidate.ID
	case r.candidate != nil:
		candidate = r.candidate.ID
		r.conv, err = candidateConversation(ctx, r.tx, r.num.OrgID, r.num.ID, candidate, r.in.From, r.now)
	default:
		r.conv, err = unknownConversation(ctx, r.tx, r.num.OrgID, r.num.ID, r.in.From, r.now)
	}
	if err != nil {
		return err
	}
	m := messageInsert{org: r.num.OrgID, number: r.num.ID, conversation: r.conv,
		candidate: candidate, direction: hiretext.Inbound, kind: hiretext.KindInbound, from: r.in.From, to: r.num.Phone,
		body: r.in.Body, status: hiretext.StatusReceived, keyword: r.keyword(),
		looksOptOut: r.reading.Revocation == hiretext.RevocationPossible,
		provider:    r.in.Provider, providerID: r.in.ProviderMessageID, period: r.period, counted: true, now: r.now}
	if id, ok := r.group.takeID(); ok && len(r.in.Media) == 0 {
		// Inserted at the end of the transaction with the group's other
		// texts; a text with pictures is inserted now, as its media rows
		// refer to it.
		r.message = r.group.deferMessage(m, id)
	} else if r.message, err = insertMessageReturning(ctx, r.tx, r.tally, m); err != nil {
		return err
	}
	r.msg = r.message.ID
	if err := storeInboundMedia(ctx, r.tx, r.num.OrgID, r.msg, r.in.Provider, r.in.Media, r.now); err != nil {
		return err
	}
	if r.keyword() != hiretext.KeywordNone {
		return touchKeyword(ctx, r.tx, r.conv, r.msg, r.now)
	}
	// The conversation and the response facts are written at the end of
	// the transaction, with those of every other text of its group.
	r.group.touchInbound(r.conv, r.msg, r.now)
	r.group.facts = append(r.group.facts, responseTextsOf([]messageInsert{m}, []hiretext.MessageID{r.msg})...)
	return nil
}

// recordEvent records the new-message event for the number's users, at the
// end of the transaction with its group's.
func (r *inboundRun) recordEvent() {
	r.group.events = append(r.group.events, &hiretext.Event{OrgID: r.num.OrgID, NumberID: r.num.ID, Kind: hiretext.EventMessageInbound,
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
