package store

import (
	"context"
	"database/sql"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/hiretext/hiretext"
)

// Response facts: what the report's response figures need of the texts,
// kept in the transactions that write them (migration 0026, and
// docs/architecture.md, "Response figures"). Per conversation they are
// runs of one user's texts between two of the candidate's texts
// (response_segments, with the time of the candidate's next text), and
// waits from the candidate's first text of a run to the user's text that
// answered it (response_waits). A text that comes after every text the
// facts hold extends them in a few statements; anything else (a held text
// that goes late, a text that fails, linking an unknown sender) rebuilds
// the conversation's facts from its texts, which are few.

// responseSegmentSpan bounds a run of texts: a longer one is split, so the
// runs a period needs start at most this long before it.
const responseSegmentSpan = hiretext.ResponseWindow

// responseTextWhere selects the texts the response figures count, as m: a
// user's text that went (a held one counts once it goes, a failed one not
// at all) and a candidate's text that is not a keyword.
const responseTextWhere = `((m.direction = 'inbound' AND m.keyword = '') OR (m.direction = 'outbound' AND m.kind = 'recruiter'
	AND m.user_id IS NOT NULL AND m.status IN ('queued', 'sending', 'sent', 'delivered')))`

// responseStatus reports whether a user's text in status s counts.
func responseStatus(s hiretext.MessageStatus) bool {
	switch s {
	case hiretext.StatusQueued, hiretext.StatusSending, hiretext.StatusSent, hiretext.StatusDelivered:
		return true
	}
	return false
}

// responseText is a text the response figures count, just written.
type responseText struct {
	org          hiretext.OrgID
	conversation hiretext.ConversationID
	number       hiretext.NumberID
	user         hiretext.UserID // 0 for the candidate's text
	id           hiretext.MessageID
	at           time.Time
}

// responseTextsOf lists the texts of ms (with their ids) the response
// figures count: users' texts that go now and candidates' non-keywords.
func responseTextsOf(ms []messageInsert, ids []hiretext.MessageID) []responseText {
	var out []responseText
	for i, m := range ms {
		counts := m.direction == hiretext.Inbound && m.keyword == hiretext.KeywordNone
		counts = counts || (m.direction == hiretext.Outbound && m.kind == hiretext.KindRecruiter && m.user != 0 && responseStatus(m.status))
		if counts {
			out = append(out, responseText{org: m.org, conversation: m.conversation, number: m.number,
				user: m.user, id: ids[i], at: storedTime(m.now)})
		}
	}
	return out
}

// byOrg splits texts by company, each company's in the order given, the
// companies in the order of their first text: recordResponseTexts takes
// one company's at a time.
func byOrg(texts []responseText) [][]responseText {
	var out [][]responseText
	index := map[hiretext.OrgID]int{}
	for _, t := range texts {
		i, ok := index[t.org]
		if !ok {
			i = len(out)
			index[t.org] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], t)
	}
	return out
}

// recordResponseTexts adds texts, already inserted in tx, to their
// conversations' response facts, in the order given. Each conversation's
// facts row is locked first (and moved on to its newest text), so writers
// of one conversation take turns.
func recordResponseTexts(ctx context.Context, tx conn, texts []responseText) error {
	if len(texts) == 0 {
		return nil
	}
	newest := make(map[hiretext.ConversationID]int64, len(texts))
	for _, t := range texts {
		newest[t.conversation] = max(newest[t.conversation], micros(t.at))
	}
	states, err := lockResponseConversations(ctx, tx, texts[0].org, newest)
	if err != nil {
		return err
	}
	// Candidates' texts alone (a group of inbound webhooks) extend their
	// facts together at the end, in two statements however many there are.
	together := !slices.ContainsFunc(texts, func(t responseText) bool { return t.user != 0 })
	var candidates []responseText
	rebuilt := map[hiretext.ConversationID]bool{}
	for _, t := range texts {
		if rebuilt[t.conversation] {
			continue // the rebuild read this text too
		}
		st := states[t.conversation]
		if st.stale || (st.lastAt.Valid && micros(t.at) < st.lastAt.Int64) {
			rebuilt[t.conversation] = true
			if err := rebuildResponseFacts(ctx, tx, t.org, t.conversation); err != nil {
				return err
			}
			continue
		}
		if together {
			candidates = append(candidates, t)
		} else if err := extendResponseFacts(ctx, tx, t); err != nil {
			return err
		}
		st.lastAt = sql.NullInt64{Int64: micros(t.at), Valid: true}
		states[t.conversation] = st
	}
	return awaitReplies(ctx, tx, candidates)
}

// awaitReplies extends the facts of the conversations of candidates'
// texts, in order, as extendResponseFacts does each, in two statements:
// the first text of a conversation ends the runs awaiting a reply and
// begins a wait unless one is open, which leaves nothing for its later
// texts to do.
func awaitReplies(ctx context.Context, tx conn, texts []responseText) error {
	seen := map[hiretext.ConversationID]bool{}
	var ends, waits []any
	for _, t := range texts {
		if seen[t.conversation] {
			continue
		}
		seen[t.conversation] = true
		ends = append(ends, t.conversation, micros(t.at))
		waits = append(waits, t.org, t.conversation, t.number, micros(t.at))
	}
	if len(seen) == 0 {
		return nil
	}
	if err := tx.execLater(ctx, `UPDATE response_segments SET reply_at = v.column2, open = 0
		FROM (VALUES `+repeatRows("(CAST(? AS BIGINT), CAST(? AS BIGINT))", len(seen))+`) AS v
		WHERE response_segments.conversation_id = v.column1 AND response_segments.reply_at IS NULL`, ends...); err != nil {
		return err
	}
	return tx.execLater(ctx, `INSERT INTO response_waits (org_id, conversation_id, number_id, since) VALUES `+
		repeatRows("(?, ?, ?, ?)", len(seen))+` ON CONFLICT (conversation_id) WHERE answered_at IS NULL DO NOTHING`, waits...)
}

// responseTextChanged keeps the facts of a user's text's conversation when
// its status moves from was to now: a text that stops counting (it failed)
// or starts (a held text went) rebuilds or extends them.
func responseTextChanged(ctx context.Context, tx conn, m *hiretext.Message, was, now hiretext.MessageStatus) error {
	if m.Direction != hiretext.Outbound || m.Kind != hiretext.KindRecruiter || m.UserID == 0 || m.ConversationID == 0 ||
		responseStatus(was) == responseStatus(now) {
		return nil
	}
	if responseStatus(now) {
		return recordResponseTexts(ctx, tx, []responseText{{org: m.OrgID, conversation: m.ConversationID, number: m.NumberID,
			user: m.UserID, id: m.ID, at: storedTime(m.CreatedAt)}})
	}
	return refreshResponseConversation(ctx, tx, m.OrgID, m.ConversationID)
}

// refreshResponseConversation rebuilds a conversation's facts from its
// texts (after they moved or stopped counting), with its row locked.
func refreshResponseConversation(ctx context.Context, tx conn, org hiretext.OrgID, conv hiretext.ConversationID) error {
	if _, err := lockResponseConversations(ctx, tx, org, map[hiretext.ConversationID]int64{conv: 0}); err != nil {
		return err
	}
	return rebuildResponseFacts(ctx, tx, org, conv)
}

// responseConversationState is a conversation's facts row as it was.
type responseConversationState struct {
	lastAt sql.NullInt64 // Unix microseconds
	stale  bool
}

// lockResponseConversations creates or locks the facts rows of the
// conversations of newest, moving each one's last_at on to its newest
// text (0: none), and returns them as they were, in one statement: the
// upsert keeps the previous last_at in prev_at, as RETURNING gives only
// the new row.
func lockResponseConversations(ctx context.Context, tx conn, org hiretext.OrgID, newest map[hiretext.ConversationID]int64) (map[hiretext.ConversationID]responseConversationState, error) {
	states := make(map[hiretext.ConversationID]responseConversationState, len(newest))
	args := make([]any, 0, 3*len(newest))
	for _, c := range slices.Sorted(maps.Keys(newest)) { // in id order, as conversations are locked
		at := newest[c]
		args = append(args, c, org, sql.NullInt64{Int64: at, Valid: at != 0})
	}
	// Read in a batch with the writes queued before it (the conversation's
	// update after an inbound text), which it follows: one round trip for
	// both on PostgreSQL.
	err := tx.readBatch(ctx, batchQuery(`INSERT INTO response_conversations (conversation_id, org_id, last_at, stale) VALUES `+
		repeatRows("(?, ?, ?, 0)", len(newest))+`
		ON CONFLICT (conversation_id) DO UPDATE SET prev_at = response_conversations.last_at,
			last_at = CASE WHEN response_conversations.last_at > excluded.last_at OR excluded.last_at IS NULL
				THEN response_conversations.last_at ELSE excluded.last_at END
		RETURNING conversation_id, prev_at, stale = 1`, func(row scanner) error {
		var conv hiretext.ConversationID
		var st responseConversationState
		if err := row.Scan(&conv, &st.lastAt, &st.stale); err != nil {
			return err
		}
		states[conv] = st
		return nil
	}, args...))
	return states, err
}

// extendResponseFacts adds t, newer than every text the facts of its
// conversation hold. The candidate's text ends the runs awaiting a reply
// and begins a wait unless one is open; a user's text answers the open
// wait and extends the user's run and the number's (any user's), or
// begins them.
func extendResponseFacts(ctx context.Context, tx conn, t responseText) error {
	at := micros(t.at)
	if t.user == 0 {
		if err := tx.execLater(ctx, "UPDATE response_segments SET reply_at = ?, open = 0 WHERE conversation_id = ? AND reply_at IS NULL",
			at, t.conversation); err != nil {
			return err
		}
		return tx.execLater(ctx, `INSERT INTO response_waits (org_id, conversation_id, number_id, since) VALUES (?, ?, ?, ?)
			ON CONFLICT (conversation_id) WHERE answered_at IS NULL DO NOTHING`, t.org, t.conversation, t.number, at)
	}
	if err := tx.execLater(ctx, `UPDATE response_waits SET answered_at = ?, answer_id = ?, user_id = ?
		WHERE conversation_id = ? AND answered_at IS NULL`, at, t.id, t.user, t.conversation); err != nil {
		return err
	}
	if err := tx.execLater(ctx, "UPDATE response_segments SET open = 0 WHERE conversation_id = ? AND open = 1 AND first_at < ?",
		t.conversation, micros(t.at.Add(-responseSegmentSpan))); err != nil {
		return err
	}
	pair := []any{t.org, t.conversation, t.number, t.user, at, at, t.org, t.conversation, t.number, at, at}
	if err := tx.execLater(ctx, `INSERT INTO response_segments (org_id, conversation_id, number_id, user_id, first_at, last_at, open)
		VALUES (?, ?, ?, ?, ?, ?, 1), (?, ?, ?, 0, ?, ?, 1)
		ON CONFLICT (conversation_id, user_id) WHERE open = 1 DO UPDATE SET last_at = excluded.last_at`, pair...); err != nil {
		return err
	}
	return tx.execLater(ctx, `INSERT INTO response_pairs (org_id, conversation_id, number_id, user_id, first_at, last_at)
		VALUES (?, ?, ?, ?, ?, ?), (?, ?, ?, 0, ?, ?)
		ON CONFLICT (conversation_id, user_id) DO UPDATE SET last_at = excluded.last_at`, pair...)
}

// responseSegment and responseWait are rows of the facts.
type responseSegment struct {
	number      hiretext.NumberID
	user        hiretext.UserID
	first, last time.Time
	reply       sql.NullInt64 // Unix microseconds
	open        bool
}

type responseWait struct {
	number   hiretext.NumberID
	since    time.Time
	answered sql.NullInt64 // Unix microseconds
	answerID hiretext.MessageID
	user     hiretext.UserID
}

// rebuildResponseFacts replaces a conversation's facts (its row locked by
// the caller) by those of its texts, read in time order, and marks them
// current.
func rebuildResponseFacts(ctx context.Context, tx conn, org hiretext.OrgID, conv hiretext.ConversationID) error {
	for _, table := range []string{"response_segments", "response_waits", "response_pairs"} {
		if _, err := tx.exec(ctx, "DELETE FROM "+table+" WHERE conversation_id = ?", conv); err != nil {
			return err
		}
	}
	var segs []*responseSegment
	var waits []*responseWait
	open := map[hiretext.UserID]*responseSegment{}
	var wait *responseWait
	var last sql.NullInt64
	err := queryEach(ctx, tx, func(row scanner) error {
		var t responseText
		if err := row.Scan(&t.id, &t.number, &t.user, &t.at); err != nil {
			return err
		}
		t.at = t.at.UTC()
		last = sql.NullInt64{Int64: micros(t.at), Valid: true}
		if t.user == 0 {
			for _, s := range segs { // every run awaiting a reply, split ones too
				if !s.reply.Valid {
					s.reply, s.open = last, false
				}
			}
			clear(open)
			if wait == nil {
				wait = &responseWait{number: t.number, since: t.at}
				waits = append(waits, wait)
			}
			return nil
		}
		if wait != nil {
			wait.answered, wait.answerID, wait.user = last, t.id, t.user
			wait = nil
		}
		for _, u := range []hiretext.UserID{t.user, 0} {
			s := open[u]
			if s != nil && s.first.Before(t.at.Add(-responseSegmentSpan)) {
				s.open = false
				s = nil
			}
			if s == nil {
				s = &responseSegment{number: t.number, user: u, first: t.at, open: true}
				segs = append(segs, s)
				open[u] = s
			}
			s.last = t.at
		}
		return nil
	}, `SELECT m.id, m.number_id, CASE WHEN m.direction = 'inbound' THEN 0 ELSE m.user_id END, m.created_at FROM messages m
		WHERE m.org_id = ? AND m.conversation_id = ? AND `+responseTextWhere+` ORDER BY m.created_at, m.id`, org, conv)
	if err != nil {
		return err
	}
	for _, s := range segs {
		if _, err := tx.exec(ctx, `INSERT INTO response_segments (org_id, conversation_id, number_id, user_id, first_at, last_at, reply_at, open)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, org, conv, s.number, s.user, micros(s.first), micros(s.last), s.reply, boolInt(s.open)); err != nil {
			return err
		}
	}
	if err := insertResponsePairs(ctx, tx, org, conv, segs); err != nil {
		return err
	}
	for _, w := range waits {
		if _, err := tx.exec(ctx, `INSERT INTO response_waits (org_id, conversation_id, number_id, since, answered_at, answer_id, user_id)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, org, conv, w.number, micros(w.since), w.answered, nullInt(w.answerID), nullInt(w.user)); err != nil {
			return err
		}
	}
	_, err = tx.exec(ctx, "UPDATE response_conversations SET last_at = ?, stale = 0 WHERE conversation_id = ?", last, conv)
	return err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// responseRebuildBatch is how many conversations one transaction of
// BuildResponseFacts rebuilds, so writers wait milliseconds, not the
// whole backfill.
const responseRebuildBatch = 200

// BuildResponseFacts rebuilds the response facts of org's conversations
// that have none yet (those that existed before migration 0026, or texts
// written without the store, as the benchmarks' generator does), a batch
// per transaction. serve builds them at start (BuildAllResponseFacts);
// ResponseReport calls it first too, so a report asked for before that
// finishes still counts every conversation.
func (db *DB) BuildResponseFacts(ctx context.Context, org hiretext.OrgID) error {
	for {
		convs, err := queryAll(ctx, db.reader(), scanValue[hiretext.ConversationID],
			"SELECT conversation_id FROM response_conversations WHERE org_id = ? AND stale = 1 ORDER BY conversation_id LIMIT "+
				strconv.Itoa(responseRebuildBatch), org)
		if err != nil || len(convs) == 0 {
			return err
		}
		err = db.inTx(ctx, func(tx conn) error {
			lock := make(map[hiretext.ConversationID]int64, len(convs))
			for _, c := range convs {
				lock[c] = 0
			}
			states, err := lockResponseConversations(ctx, tx, org, lock)
			if err != nil {
				return err
			}
			for _, c := range convs {
				if states[c].stale { // a writer may have rebuilt it meanwhile
					if err := rebuildResponseFacts(ctx, tx, org, c); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
}

// BuildAllResponseFacts is BuildResponseFacts for every company with
// conversations waiting for it: serve runs it once at start, so the facts
// of a history that predates them are built in the background rather than
// in the first report request after the upgrade.
func (db *DB) BuildAllResponseFacts(ctx context.Context) error {
	orgs, err := queryAll(ctx, db.reader(), scanValue[hiretext.OrgID],
		"SELECT DISTINCT org_id FROM response_conversations WHERE stale = 1 ORDER BY org_id")
	if err != nil {
		return err
	}
	for _, org := range orgs {
		if err := db.BuildResponseFacts(ctx, org); err != nil {
			return err
		}
	}
	return nil
}

// MarkResponseFactsStale marks every conversation of org for rebuilding by
// BuildResponseFacts: for texts written straight into the database.
func (db *DB) MarkResponseFactsStale(ctx context.Context, org hiretext.OrgID) error {
	return db.inTx(ctx, func(tx conn) error {
		_, err := tx.exec(ctx, `INSERT INTO response_conversations (conversation_id, org_id, stale)
			SELECT id, org_id, 1 FROM conversations WHERE org_id = ?
			ON CONFLICT (conversation_id) DO UPDATE SET stale = 1`, org)
		return err
	})
}

// responseMessageChanged is responseTextChanged for a message known by id
// whose status was was, read again after its update.
func responseMessageChanged(ctx context.Context, tx conn, id hiretext.MessageID, was hiretext.MessageStatus) error {
	m, err := scanMessage(tx.queryRow(ctx, "SELECT "+messageColumns+messageFrom+" WHERE m.id = ?", id))
	if err != nil {
		return err
	}
	return responseTextChanged(ctx, tx, m, was, m.Status)
}

// moveResponseFacts rebuilds the facts of conversation to after the texts
// of from moved into it, and drops from's.
func moveResponseFacts(ctx context.Context, tx conn, org hiretext.OrgID, from, to hiretext.ConversationID) error {
	if err := refreshResponseConversation(ctx, tx, org, to); err != nil {
		return err
	}
	for _, table := range []string{"response_segments", "response_waits", "response_pairs", "response_conversations"} {
		if _, err := tx.exec(ctx, "DELETE FROM "+table+" WHERE conversation_id = ?", from); err != nil {
			return err
		}
	}
	return nil
}

// insertResponsePairs writes who texted the conversation, from its runs
// (in time order).
func insertResponsePairs(ctx context.Context, tx conn, org hiretext.OrgID, conv hiretext.ConversationID, segs []*responseSegment) error {
	firsts := map[hiretext.UserID]*responseSegment{}
	lasts := map[hiretext.UserID]*responseSegment{}
	var users []hiretext.UserID
	for _, s := range segs {
		if firsts[s.user] == nil {
			firsts[s.user] = s
			users = append(users, s.user)
		}
		lasts[s.user] = s
	}
	for _, u := range users {
		if _, err := tx.exec(ctx, `INSERT INTO response_pairs (org_id, conversation_id, number_id, user_id, first_at, last_at)
			VALUES (?, ?, ?, ?, ?, ?)`, org, conv, firsts[u].number, u, micros(firsts[u].first), micros(lasts[u].last)); err != nil {
			return err
		}
	}
	return nil
}

// micros and fromMicros convert the facts' times, Unix microseconds.
func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }
