package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/hiretext/hiretext"
)

const messageColumns = `m.id, m.org_id, m.number_id, m.conversation_id, COALESCE(m.candidate_id, 0), COALESCE(m.user_id, 0),
	COALESCE(u.name, ''), m.direction, m.kind, m.from_phone, m.to_phone, m.body, m.segments, m.status, m.error_code,
	m.error_message, m.keyword, m.looks_like_opt_out, m.provider, COALESCE(m.provider_message_id, ''), m.created_at, m.updated_at,
	(m.erased_at IS NOT NULL), COALESCE(m.template_id, 0), m.template_name, m.send_at, m.hold, m.bulk`

const messageFrom = ` FROM messages m LEFT JOIN users u ON u.id = m.user_id AND u.org_id = m.org_id`

func scanMessage(s scanner) (*hiretext.Message, error) {
	var m hiretext.Message
	if err := s.Scan(messageDest(&m)...); err != nil {
		return nil, orNotFound(err, "Message")
	}
	return &m, nil
}

// messageDest is where messageColumns scan to.
func messageDest(m *hiretext.Message) []any {
	return []any{&m.ID, &m.OrgID, &m.NumberID, &m.ConversationID, &m.CandidateID, &m.UserID, &m.UserName,
		&m.Direction, &m.Kind, &m.From, &m.To, &m.Body, &m.Segments, &m.Status, &m.ErrorCode, &m.ErrorMessage,
		&m.Keyword, &m.LooksLikeOptOut, &m.Provider, &m.ProviderID, &m.CreatedAt, &m.UpdatedAt, &m.Erased,
		&m.TemplateID, &m.TemplateName, optionalTime{&m.SendAt}, &m.Hold, &m.Bulk}
}

// optionalTime scans a nullable timestamp into a time.Time, NULL as zero.
type optionalTime struct{ t *time.Time }

// Scan implements sql.Scanner.
func (o optionalTime) Scan(src any) error {
	var n sql.NullTime
	if err := n.Scan(src); err != nil {
		return err
	}
	*o.t = n.Time
	return nil
}

// MessageByID returns one message of org.
func (db *DB) MessageByID(ctx context.Context, org hiretext.OrgID, id hiretext.MessageID) (*hiretext.Message, error) {
	m, err := scanMessage(db.reader().queryRow(ctx, "SELECT "+messageColumns+messageFrom+" WHERE m.org_id = ? AND m.id = ?", org, id))
	if err != nil {
		return nil, err
	}
	return m, attachMedia(ctx, db.reader(), org, []*hiretext.Message{m})
}

// CandidateMessages lists the messages between a candidate and a number,
// oldest first, from since on.
func (db *DB) CandidateMessages(ctx context.Context, org hiretext.OrgID, number hiretext.NumberID, candidate hiretext.CandidateID, since time.Time) ([]*hiretext.Message, error) {
	msgs, err := queryAll(ctx, db.reader(), scanMessage, "SELECT "+messageColumns+messageFrom+`
		WHERE m.org_id = ? AND m.number_id = ? AND m.candidate_id = ? AND m.created_at >= ?
		ORDER BY m.created_at, m.id`, org, number, candidate, since.UTC())
	return withMedia(ctx, db.reader(), org, msgs, err)
}

// messageInsert is one row for insertMessage.
type messageInsert struct {
	org          hiretext.OrgID
	number       hiretext.NumberID
	conversation hiretext.ConversationID
	candidate    hiretext.CandidateID
	user         hiretext.UserID
	direction    hiretext.Direction
	kind         hiretext.MessageKind
	from, to     string
	body         string
	segments     int // body's segments when the caller counted them already; 0 counts them here
	status       hiretext.MessageStatus
	keyword      hiretext.Keyword
	looksOptOut  bool
	provider     string
	providerID   string
	period       string // the allowance month it counted against
	counted      bool   // whether it holds a unit of that month's allowance
	template     hiretext.TemplateID
	templateName string
	sendAt       time.Time // a held text's minute; zero for none
	hold         hiretext.Hold
	bulk         bool // one of a bulk send's texts (the carrier guard pauses these)
	now          time.Time
}

// messageInsertColumns and messageInsertRow, repeated, insert messages
// (messageInsert.args); messageInsertWithIDs and messageInsertRowWithID
// insert them with ids taken ahead from the sequence (PostgreSQL, see
// insertMessagesWithIDs).
const (
	messageInsertColumnList = `org_id, number_id, conversation_id, candidate_id, user_id, direction,
	kind, from_phone, to_phone, body, segments, status, keyword, looks_like_opt_out, provider, provider_message_id,
	period, counted, template_id, template_name, send_at, hold, bulk, next_attempt_at, created_at, updated_at`
	messageInsertColumns   = "INSERT INTO messages (" + messageInsertColumnList + ") VALUES "
	messageInsertRow       = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	messageInsertWithIDs   = "INSERT INTO messages (id, " + messageInsertColumnList + ") OVERRIDING SYSTEM VALUE VALUES "
	messageInsertRowWithID = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

// insertMessagesWithIDs queues the insert of ms, ms[i] with id ids[i]
// taken ahead from the sequence (takeMessageIDs), in one statement: a
// group's inbound texts, inserted at its end (see txGroup). PostgreSQL
// only, as only PostgreSQL has the sequence.
func insertMessagesWithIDs(ctx context.Context, tx conn, ms []messageInsert, ids []hiretext.MessageID) error {
	for chunk := range chunks(ms, 200) { // PostgreSQL takes at most 65,535 parameters
		args := make([]any, 0, 27*len(chunk))
		for _, m := range chunk {
			args = append(args, ids[0])
			args = append(args, m.args()...)
			ids = ids[1:]
		}
		if err := tx.execLater(ctx, messageInsertWithIDs+repeatRows(messageInsertRowWithID, len(chunk)), args...); err != nil {
			return err
		}
	}
	return nil
}

// takeMessageIDs reads n message ids from the sequence, for texts to be
// inserted later in the transaction (insertMessagesWithIDs).
const takeMessageIDs = "SELECT nextval(pg_get_serial_sequence('messages', 'id')) FROM generate_series(1, ?)"

// stored is the message m's row is once inserted with id, as
// insertMessageReturning reads it back: what a text inserted at the end of
// its transaction returns (see txGroup.deferMessage).
func (m messageInsert) stored(id hiretext.MessageID) *hiretext.Message {
	if m.segments == 0 {
		m.segments = hiretext.CountSegments(m.body).Segments
	}
	at := storedTime(m.now)
	msg := &hiretext.Message{ID: id, OrgID: m.org, NumberID: m.number, ConversationID: m.conversation, CandidateID: m.candidate,
		UserID: m.user, Direction: m.direction, Kind: m.kind, From: m.from, To: m.to, Body: m.body, Segments: m.segments,
		Status: m.status, Keyword: m.keyword, LooksLikeOptOut: m.looksOptOut, Provider: m.provider, ProviderID: m.providerID,
		TemplateID: m.template, TemplateName: m.templateName, Hold: m.hold, Bulk: m.bulk, CreatedAt: at, UpdatedAt: at}
	if !m.sendAt.IsZero() {
		msg.SendAt = storedTime(m.sendAt)
	}
	return msg
}

func (m messageInsert) args() []any {
	if m.segments == 0 {
		m.segments = hiretext.CountSegments(m.body).Segments
	}
	return []any{m.org, m.number, m.conversation, nullInt(m.candidate), nullInt(m.user), m.direction, m.kind,
		m.from, m.to, m.body, m.segments, m.status, string(m.keyword), m.looksOptOut,
		m.provider, nullString(m.providerID), m.period, m.counted, nullInt(m.template), m.templateName, nullTime(m.sendAt), string(m.hold), m.bulk, m.now, m.now, m.now}
}

// countedText is the message as the daily activity counters see it.
func (m messageInsert) countedText() textCount {
	segments := m.segments
	if segments == 0 {
		segments = hiretext.CountSegments(m.body).Segments
	}
	return textCount{org: m.org, at: m.now, number: m.number, user: m.user, dir: m.direction, status: m.status, segments: segments}
}

// insertMessage inserts one message, counts it in tally, and returns its id.
func insertMessage(ctx context.Context, tx conn, tally *textTally, m messageInsert) (hiretext.MessageID, error) {
	tally.add(m.countedText())
	var id hiretext.MessageID
	err := tx.queryRow(ctx, messageInsertColumns+messageInsertRow+" RETURNING id", m.args()...).Scan(&id)
	return id, err
}

// insertMessageReturning inserts one message and returns it as a read of
// it would, in the same statement: it has no user, whose name a read joins.
func insertMessageReturning(ctx context.Context, tx conn, tally *textTally, m messageInsert) (*hiretext.Message, error) {
	tally.add(m.countedText())
	return scanMessage(tx.queryRow(ctx, messageInsertReturning, m.args()...))
}

// messageInsertReturning inserts a row (messageInsertRow) and returns
// messageReturning.
const messageInsertReturning = messageInsertColumns + messageInsertRow + " RETURNING " + messageReturning

// messageReturning is messageColumns for a RETURNING clause: unqualified
// (SQLite's RETURNING takes no table alias), and the user's name empty, as
// a RETURNING clause joins nothing. TestMessageReturningMatchesColumns
// keeps the two in step.
const messageReturning = `id, org_id, number_id, conversation_id, COALESCE(candidate_id, 0), COALESCE(user_id, 0),
	'', direction, kind, from_phone, to_phone, body, segments, status, error_code,
	error_message, keyword, looks_like_opt_out, provider, COALESCE(provider_message_id, ''), created_at, updated_at,
	(erased_at IS NOT NULL), COALESCE(template_id, 0), template_name, send_at, hold, bulk`

// insertMessages inserts messages, each in a different conversation, in one
// statement and returns their ids in the order of ms. (Neither database
// promises the order of RETURNING rows, so they are matched by
// conversation.) It counts them in tally.
func insertMessages(ctx context.Context, tx conn, tally *textTally, ms []messageInsert) ([]hiretext.MessageID, error) {
	var args []any
	index := make(map[hiretext.ConversationID]int, len(ms))
	for i, m := range ms {
		tally.add(m.countedText())
		args = append(args, m.args()...)
		index[m.conversation] = i
	}
	if len(index) != len(ms) {
		return nil, fmt.Errorf("store: insertMessages: %d messages in %d conversations", len(ms), len(index))
	}
	ids := make([]hiretext.MessageID, len(ms))
	err := queryEach(ctx, tx, func(row scanner) error {
		var id hiretext.MessageID
		var conv hiretext.ConversationID
		if err := row.Scan(&id, &conv); err != nil {
			return err
		}
		ids[index[conv]] = id
		return nil
	}, messageInsertColumns+repeatRows(messageInsertRow, len(ms))+" RETURNING id, conversation_id", args...)
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// firstWords shortens a message body for listings.
func firstWords(body string, n int) string {
	body = strings.Join(strings.Fields(body), " ")
	if r := []rune(body); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return body
}

// nullTime stores the zero time as NULL and any other in UTC.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return storedTime(t)
}
