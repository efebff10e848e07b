package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hiretext/hiretext"
)

// candidateConversation returns the conversation between a number and a
// candidate, creating it on first contact. phone is where the candidate is
// texted now (kept for display).
func candidateConversation(ctx context.Context, tx conn, org hiretext.OrgID, number hiretext.NumberID,
	candidate hiretext.CandidateID, phone string, now time.Time) (hiretext.ConversationID, error) {
	_, err := tx.exec(ctx, `INSERT INTO conversations (org_id, number_id, candidate_id, phone, last_message_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (number_id, candidate_id) WHERE candidate_id IS NOT NULL DO NOTHING`,
		org, number, candidate, phone, now, now)
	if err != nil {
		return 0, err
	}
	var id hiretext.ConversationID
	err = tx.queryRow(ctx, "SELECT id FROM conversations WHERE org_id = ? AND number_id = ? AND candidate_id = ?",
		org, number, candidate).Scan(&id)
	return id, err
}

// candidateConversations returns the conversations between a number and
// each target, by candidate, creating those that do not exist yet.
func candidateConversations(ctx context.Context, tx conn, org hiretext.OrgID, number hiretext.NumberID,
	targets []sendTarget, now time.Time) (map[hiretext.CandidateID]hiretext.ConversationID, error) {
	ins := make([]any, 0, 6*len(targets))
	sel := []any{org, number}
	for _, t := range targets {
		ins = append(ins, org, number, t.candidate, t.phone, now, now)
		sel = append(sel, t.candidate)
	}
	if _, err := tx.exec(ctx, `INSERT INTO conversations (org_id, number_id, candidate_id, phone, last_message_at, created_at)
		VALUES `+repeatRows("(?, ?, ?, ?, ?, ?)", len(targets))+` ON CONFLICT (number_id, candidate_id) WHERE candidate_id IS NOT NULL DO NOTHING`,
		ins...); err != nil {
		return nil, err
	}
	out := make(map[hiretext.CandidateID]hiretext.ConversationID, len(targets))
	err := queryEach(ctx, tx, func(row scanner) error {
		var c hiretext.CandidateID
		var id hiretext.ConversationID
		if err := row.Scan(&c, &id); err != nil {
			return err
		}
		out[c] = id
		return nil
	}, conversationsQuery(tx.d, "candidate_id, id", len(targets)), sel...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// conversationsQuery selects columns of the conversations between a number
// of a company and n candidates, by the number and candidate key: SQLite,
// without statistics, would otherwise walk every conversation of the
// number in conversations_org_number_recent.
func conversationsQuery(d dialect, columns string, n int) string {
	return "SELECT " + columns + " FROM conversations" + d.indexedBy("conversations_candidate") +
		" WHERE org_id = ? AND number_id = ? AND candidate_id IN (" + placeholders(n) + ")"
}

// unknownConversation returns the conversation between a number and a phone
// that belongs to no candidate, creating it on first contact.
func unknownConversation(ctx context.Context, tx conn, org hiretext.OrgID, number hiretext.NumberID,
	phone string, now time.Time) (hiretext.ConversationID, error) {
	_, err := tx.exec(ctx, `INSERT INTO conversations (org_id, number_id, candidate_id, phone, last_message_at, created_at)
		VALUES (?, ?, NULL, ?, ?, ?) ON CONFLICT (number_id, phone) WHERE candidate_id IS NULL DO NOTHING`,
		org, number, phone, now, now)
	if err != nil {
		return 0, err
	}
	var id hiretext.ConversationID
	err = tx.queryRow(ctx, "SELECT id FROM conversations WHERE org_id = ? AND number_id = ? AND phone = ? AND candidate_id IS NULL",
		org, number, phone).Scan(&id)
	return id, err
}

// touchKeyword records a keyword (STOP, START, HELP) the candidate sent
// on its conversation: one more unread, and it reopens a Done
// conversation, but it starts no wait for an answer. Texts without a
// keyword are recorded at the end of their transaction (touchInbounds).
func touchKeyword(ctx context.Context, tx conn, id hiretext.ConversationID, msg hiretext.MessageID, now time.Time) error {
	return tx.execLater(ctx, `UPDATE conversations SET last_message_at = ?, last_message_id = ?, unread = unread + 1, done_at = NULL
		WHERE id = ?`, now, msg, id)
}

// inboundTouch is what the texts without a keyword a group received in
// one conversation change on it (see txGroup.touchInbound).
type inboundTouch struct {
	conv  hiretext.ConversationID
	msg   hiretext.MessageID // the newest of them
	at    time.Time          // when the newest came
	since time.Time          // when the first came
	texts int
}

// touchInbounds records touches on their conversations, as touchInbound
// does each text without a keyword, in one statement: the newest text is
// the newest message, each one more unread, and a conversation that was
// not waiting waits from its first (which arms its escalation).
func touchInbounds(ctx context.Context, tx conn, touches []inboundTouch) error {
	if len(touches) == 0 {
		return nil
	}
	// In id order, the order every group takes conversation rows in, so
	// that two groups cannot deadlock on two conversations.
	touches = slices.SortedFunc(slices.Values(touches), func(a, b inboundTouch) int { return cmp.Compare(a.conv, b.conv) })
	args := make([]any, 0, 5*len(touches))
	for _, t := range touches {
		args = append(args, t.conv, t.at, t.msg, t.texts, t.since)
	}
	ts := tx.d.timestampParam()
	return tx.execLater(ctx, `UPDATE conversations SET last_message_at = v.column2, last_message_id = v.column3,
		unread = unread + v.column4, done_at = NULL`+armEscalation+`, waiting_since = COALESCE(waiting_since, v.column5)
		FROM (VALUES `+repeatRows("(CAST(? AS BIGINT), "+ts+", CAST(? AS BIGINT), CAST(? AS INTEGER), "+ts+")", len(touches))+`) AS v
		WHERE conversations.id = v.column1`, args...)
}

// touchReply records an automatic keyword reply on its conversation: when
// this number last texted (which decides where a reply from a shared phone
// goes). It answers nobody, so a wait goes on.
func touchReply(ctx context.Context, tx conn, id hiretext.ConversationID, msg hiretext.MessageID, now time.Time) error {
	_, err := tx.exec(ctx, `UPDATE conversations SET last_message_at = ?, last_message_id = ?, last_outbound_at = ? WHERE id = ?`,
		now, msg, now, id)
	return err
}

// touchOutbound records the texts users wrote (ids[i] being ms[i]'s) on
// their conversations, in one statement: each is the newest message and the
// newest user's text, answers the candidate and reopens the conversation if
// it was Done. The casts type the VALUES list for PostgreSQL; SQLite and
// PostgreSQL both name its columns column1, column2.
func touchOutbound(ctx context.Context, tx conn, ms []messageInsert, ids []hiretext.MessageID, now time.Time) error {
	args := []any{now, now}
	for i, m := range ms {
		args = append(args, m.conversation, ids[i])
	}
	_, err := tx.exec(ctx, `UPDATE conversations SET last_message_at = ?, last_outbound_at = ?, last_message_id = v.column2,
		last_outbound_id = v.column2, waiting_since = NULL, done_at = NULL
		FROM (VALUES `+repeatRows("(CAST(? AS BIGINT), CAST(? AS BIGINT))", len(ms))+`) AS v WHERE conversations.id = v.column1`, args...)
	return err
}

// conversationColumns include who wrote the newest message (its direction,
// kind and user) and its status, so previews can say so; and, for a
// conversation with unread texts whose newest message is ours (the answer
// to STOP, a text sent through the API), the candidate's newest text, which
// is what is unread. The subquery walks messages_conversation backwards
// from the newest message, past the few of ours.
const conversationColumns = `v.id, v.org_id, v.number_id, COALESCE(v.candidate_id, 0),
	CASE WHEN c.erased_at IS NULL THEN COALESCE(c.first_name || ' ' || c.last_name, '') ELSE '` + hiretext.ErasedCandidate + `' END,
	v.phone, CASE WHEN m.erased_at IS NULL THEN COALESCE(m.body, '') ELSE '` + hiretext.ErasedBody + `' END, COALESCE(m.direction, ''),
	COALESCE(m.kind, ''), COALESCE(m.user_id, 0), COALESCE(u.name, ''), COALESCE(m.status, ''),
	CASE WHEN v.unread > 0 AND m.direction = 'outbound' THEN COALESCE((SELECT CASE WHEN i.erased_at IS NULL THEN i.body ELSE '` +
	hiretext.ErasedBody + `' END FROM messages i WHERE i.org_id = v.org_id AND i.conversation_id = v.id AND i.direction = 'inbound'
		ORDER BY i.created_at DESC, i.id DESC LIMIT 1), '') ELSE '' END,
	v.last_message_at, v.unread, v.waiting_since, v.done_at, v.created_at`

const conversationFrom = ` FROM conversations v` + conversationJoins

// conversationJoins are conversationFrom's joins, for a query that names
// the index conversations are read through.
const conversationJoins = `
	LEFT JOIN candidates c ON c.id = v.candidate_id AND c.org_id = v.org_id
	LEFT JOIN messages m ON m.id = v.last_message_id
	LEFT JOIN users u ON u.id = m.user_id AND u.org_id = m.org_id`

func scanConversation(s scanner) (*hiretext.Conversation, error) {
	var v hiretext.Conversation
	var waiting, done sql.NullTime
	err := s.Scan(&v.ID, &v.OrgID, &v.NumberID, &v.CandidateID, &v.CandidateName, &v.Phone, &v.LastMessage,
		&v.LastDirection, &v.LastKind, &v.LastSenderID, &v.LastSender, &v.LastStatus, &v.UnreadPreview, &v.LastMessageAt, &v.Unread,
		&waiting, &done, &v.CreatedAt)
	if err != nil {
		return nil, orNotFound(err, "Conversation")
	}
	if waiting.Valid {
		v.WaitingSince = waiting.Time.UTC()
	}
	if done.Valid {
		v.DoneAt = done.Time.UTC()
	}
	v.LastMessage, v.UnreadPreview = firstWords(v.LastMessage, 80), firstWords(v.UnreadPreview, 80)
	v.CandidateName = strings.TrimSpace(v.CandidateName) // a mononym has no first name
	return &v, nil
}

// ListConversations lists a number's conversations, newest first; with
// unreadOnly, only those with unread inbound messages.
func (db *DB) ListConversations(ctx context.Context, org hiretext.OrgID, number hiretext.NumberID, unreadOnly bool, limit int) ([]*hiretext.Conversation, error) {
	q := "SELECT " + conversationColumns + conversationFrom + " WHERE v.org_id = ? AND v.number_id = ?"
	if unreadOnly {
		q += " AND v.unread > 0"
	}
	return queryAll(ctx, db.reader(), scanConversation, q+" ORDER BY v.last_message_at DESC, v.id DESC LIMIT ?", org, number, limit)
}

// Inbox returns one page of a number's conversations: by default the open
// ones with unread texts first, then the others, each part newest first
// with ties broken by id; a filter lists its conversations newest first.
// Each part is read on its own index from the cursor's position (see
// inboxQuery), so every page costs about the same however deep it is.
func (db *DB) Inbox(ctx context.Context, org hiretext.OrgID, number hiretext.NumberID, q hiretext.InboxQuery) (*hiretext.InboxPage, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	parts := inboxParts(q.Filter)
	pos, err := parseInboxCursor(q.Cursor, parts)
	if err != nil {
		return nil, err
	}
	want := q.Limit + 1 // one more than the page says whether another follows
	var convs []*hiretext.Conversation
	for _, part := range parts {
		if pos != nil && pos.part != part.key {
			continue // the cursor is in a later part
		}
		more, err := db.inboxPart(ctx, org, number, part, q.Text, pos, want-len(convs))
		if err != nil {
			return nil, err
		}
		convs, pos = append(convs, more...), nil // the next part starts from its top
		if len(convs) == want {
			break
		}
	}
	page := &hiretext.InboxPage{Conversations: convs}
	if len(convs) > q.Limit {
		page.Conversations = convs[:q.Limit]
		last := convs[q.Limit-1]
		key := parts[len(parts)-1].key
		if last.Unread > 0 {
			key = parts[0].key
		}
		page.NextCursor = inboxCursor{part: key, at: last.LastMessageAt, id: last.ID}.String()
	}
	return page, nil
}

// inboxPart reads up to limit conversations of one part of the inbox, after
// pos when it is not nil.
func (db *DB) inboxPart(ctx context.Context, org hiretext.OrgID, number hiretext.NumberID, part inboxSection,
	text string, pos *inboxCursor, limit int) ([]*hiretext.Conversation, error) {
	q, args := inboxQuery(db.dialect, org, number, part, inboxSearch(text), pos, limit, db.now())
	return queryAll(ctx, db.reader(), scanConversation, q, args...)
}

// inboxQuery is the statement reading one part of the inbox, walking the
// part's index backwards from pos. Conditions are written as the partial
// indexes' so that both databases use them, the redundant
// "last_message_at <=" bounds the index range and the OR breaks ties
// between conversations of the same microsecond.
func inboxQuery(d dialect, org hiretext.OrgID, number hiretext.NumberID, part inboxSection, search *sqlParts,
	pos *inboxCursor, limit int, now time.Time) (string, []any) {
	q := "SELECT " + conversationColumns + " FROM conversations v" + d.indexedBy(part.index) + conversationJoins +
		part.join + " WHERE v.org_id = ? AND v.number_id = ? AND " + part.cond
	args := []any{org, number}
	if part.now {
		args = append(args, now)
	}
	if len(search.conds) > 0 {
		q += " AND " + strings.Join(search.conds, " AND ")
		args = append(args, search.whereArgs...)
	}
	if pos != nil {
		q += " AND v.last_message_at <= ? AND (v.last_message_at < ? OR v.id < ?)"
		args = append(args, pos.at, pos.at, pos.id)
	}
	return q + " ORDER BY v.last_message_at DESC, v.id DESC LIMIT ?", append(args, limit)
}

// inboxCursor is a position in the inbox: the last conversation of a page
// and the part it belongs to.
type inboxCursor struct {
	part byte // inboxSection.key
	at   time.Time
	id   hiretext.ConversationID
}

// String encodes the cursor opaquely: the part's key, the time in Unix
// microseconds and the id, base64url-encoded.
func (c inboxCursor) String() string {
	raw := string(c.part) + strconv.FormatInt(c.at.UnixMicro(), 10) + "." + strconv.FormatInt(int64(c.id), 10)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// parseInboxCursor reads a cursor; "" is the first page (nil). A position
// in a part the filter does not list is refused.
func parseInboxCursor(s string, parts []inboxSection) (*inboxCursor, error) {
	if s == "" {
		return nil, nil
	}
	bad := hiretext.FieldError("The page cursor is not valid; start again from the first page.",
		map[string]string{"cursor": "Use the next_cursor of a previous page with the same filter."})
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) < 2 || !slices.ContainsFunc(parts, func(p inboxSection) bool { return p.key == raw[0] }) {
		return nil, bad
	}
	at, id, ok := strings.Cut(string(raw[1:]), ".")
	micros, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if !ok || err1 != nil || err2 != nil || n <= 0 {
		return nil, bad
	}
	return &inboxCursor{part: raw[0], at: time.UnixMicro(micros).UTC(), id: hiretext.ConversationID(n)}, nil
}

// UnreadConversations counts a number's conversations with unread messages.
func (db *DB) UnreadConversations(ctx context.Context, org hiretext.OrgID, number hiretext.NumberID) (int, error) {
	var n int
	err := db.reader().queryRow(ctx, "SELECT COUNT(*) FROM conversations WHERE org_id = ? AND number_id = ? AND unread > 0", org, number).Scan(&n)
	return n, err
}

// NotSentConversations lists a number's conversations whose newest message
// is an outbound text that failed or was not delivered, from since on,
// newest first. It starts from the company's failed texts
// (messages_report_status), which are few, not from its conversations.
func (db *DB) NotSentConversations(ctx context.Context, org hiretext.OrgID, number hiretext.NumberID, since time.Time,
	limit int) ([]*hiretext.Conversation, error) {
	q := "SELECT " + conversationColumns + conversationFrom + ` WHERE v.org_id = ? AND v.number_id = ? AND v.last_message_id IN
		(SELECT f.id FROM messages f WHERE f.org_id = ? AND f.status IN (?, ?) AND f.created_at >= ? AND f.number_id = ? AND f.direction = ?)
		ORDER BY v.last_message_at DESC, v.id DESC LIMIT ?`
	return queryAll(ctx, db.reader(), scanConversation, q, org, number, org, hiretext.StatusFailed, hiretext.StatusUndelivered,
		since.UTC(), number, hiretext.Outbound, limit)
}

// ConversationByID returns one conversation of a number.
func (db *DB) ConversationByID(ctx context.Context, org hiretext.OrgID, number hiretext.NumberID, id hiretext.ConversationID) (*hiretext.Conversation, error) {
	return scanConversation(db.reader().queryRow(ctx, "SELECT "+conversationColumns+conversationFrom+
		" WHERE v.org_id = ? AND v.number_id = ? AND v.id = ?", org, number, id))
}

// CandidateConversation returns the conversation between a number and a
// candidate, or a not-found error when they never texted.
func (db *DB) CandidateConversation(ctx context.Context, org hiretext.OrgID, number hiretext.NumberID, candidate hiretext.CandidateID) (*hiretext.Conversation, error) {
	return scanConversation(db.reader().queryRow(ctx, "SELECT "+conversationColumns+conversationFrom+
		" WHERE v.org_id = ? AND v.number_id = ? AND v.candidate_id = ?", org, number, candidate))
}

// ConversationMessages lists a conversation's messages, oldest first, from
// since on (zero for all).
func (db *DB) ConversationMessages(ctx context.Context, org hiretext.OrgID, id hiretext.ConversationID, since time.Time) ([]*hiretext.Message, error) {
	msgs, err := queryAll(ctx, db.reader(), scanMessage, "SELECT "+messageColumns+messageFrom+`
		WHERE m.org_id = ? AND m.conversation_id = ? AND m.created_at >= ? ORDER BY m.created_at, m.id`, org, id, since.UTC())
	return withMedia(ctx, db.reader(), org, msgs, err)
}

// TextedCandidates reports which of ids have a conversation with a number,
// so lists can tell "no texts yet" from "conversation exists".
func (db *DB) TextedCandidates(ctx context.Context, org hiretext.OrgID, number hiretext.NumberID, ids []hiretext.CandidateID) (map[hiretext.CandidateID]bool, error) {
	out := map[hiretext.CandidateID]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	args := []any{org, number}
	for _, id := range ids {
		args = append(args, id)
	}
	texted, err := queryAll(ctx, db.reader(), scanValue[hiretext.CandidateID], conversationsQuery(db.dialect, "candidate_id", len(ids)), args...)
	if err != nil {
		return nil, err
	}
	for _, id := range texted {
		out[id] = true
	}
	return out, nil
}

// MarkConversationRead marks a conversation read for every user of its
// number, and tells them so their bells update. Reading a read conversation
// changes nothing.
func (db *DB) MarkConversationRead(ctx context.Context, org hiretext.OrgID, number hiretext.NumberID, id hiretext.ConversationID) error {
	return db.changeConversation(ctx, org, number, id, hiretext.EventConversationRead,
		"UPDATE conversations SET unread = 0 WHERE org_id = ? AND number_id = ? AND id = ? AND unread > 0")
}

// LinkConversation attaches an unknown sender's conversation to a candidate
// of the company. When the candidate already has a conversation with the
// number, the messages move into it and the unknown one goes away. It
// returns the candidate's conversation.
func (db *DB) LinkConversation(ctx context.Context, org hiretext.OrgID, number hiretext.NumberID, id hiretext.ConversationID, candidate hiretext.CandidateID) (hiretext.ConversationID, error) {
	var target hiretext.ConversationID
	err := db.inEventTx(ctx, func(tx conn) error {
		v, err := scanConversation(tx.queryRow(ctx, "SELECT "+conversationColumns+conversationFrom+
			" WHERE v.org_id = ? AND v.number_id = ? AND v.id = ?", org, number, id))
		if err != nil {
			return err
		}
		if v.CandidateID != 0 {
			return hiretext.Errorf(hiretext.EConflict, "This conversation already belongs to a candidate.")
		}
		if _, err := candidateByID(ctx, tx, org, candidate); err != nil {
			return err
		}
		target, err = mergeConversation(ctx, tx, v, candidate, db.now())
		return err
	})
	return target, err
}

// mergeConversation moves an unknown conversation's messages and notes to
// candidate.
func mergeConversation(ctx context.Context, tx conn, v *hiretext.Conversation, candidate hiretext.CandidateID, now time.Time) (hiretext.ConversationID, error) {
	var existing hiretext.ConversationID
	err := tx.queryRow(ctx, "SELECT id FROM conversations WHERE org_id = ? AND number_id = ? AND candidate_id = ?",
		v.OrgID, v.NumberID, candidate).Scan(&existing)
	if errors.Is(err, sql.ErrNoRows) {
		_, err = tx.exec(ctx, "UPDATE conversations SET candidate_id = ? WHERE id = ?", candidate, v.ID)
		if err == nil {
			_, err = tx.exec(ctx, "UPDATE messages SET candidate_id = ? WHERE org_id = ? AND conversation_id = ?", candidate, v.OrgID, v.ID)
		}
		return v.ID, err
	}
	if err != nil {
		return 0, err
	}
	if _, err := tx.exec(ctx, "UPDATE messages SET candidate_id = ?, conversation_id = ? WHERE org_id = ? AND conversation_id = ?",
		candidate, existing, v.OrgID, v.ID); err != nil {
		return 0, err
	}
	if _, err := tx.exec(ctx, "UPDATE conversation_notes SET conversation_id = ? WHERE org_id = ? AND conversation_id = ?",
		existing, v.OrgID, v.ID); err != nil {
		return 0, err
	}
	if _, err := tx.exec(ctx, `UPDATE conversations SET unread = unread + ?,
		last_message_at = CASE WHEN last_message_at > ? THEN last_message_at ELSE ? END,
		last_message_id = (SELECT MAX(id) FROM messages WHERE conversation_id = ?) WHERE id = ?`,
		v.Unread, v.LastMessageAt.UTC(), v.LastMessageAt.UTC(), existing, existing); err != nil {
		return 0, err
	}
	if err := moveResponseFacts(ctx, tx, v.OrgID, v.ID, existing); err != nil {
		return 0, err
	}
	_, err = tx.exec(ctx, "DELETE FROM conversations WHERE id = ?", v.ID)
	return existing, err
}
