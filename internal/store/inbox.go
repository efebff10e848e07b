package store

import (
	"context"
	"strings"

	"github.com/hiretext/hiretext"
)

// inboxSection is one part of the inbox as one filter lists it: the
// conversations meeting cond, read newest first on index.
type inboxSection struct {
	key   byte   // names the part in a cursor
	index string // the index the part walks (SQLite; PostgreSQL plans freely)
	join  string // tables cond needs beyond conversationJoins
	cond  string // on conversations v
	now   bool   // cond takes the current time as its one argument
}

// lastOutbound joins the newest text a user wrote in the conversation.
const lastOutbound = " JOIN messages o ON o.id = v.last_outbound_id"

// The conditions of the inbox's filters. A Done conversation is read and
// waits for nobody (MarkConversationDone makes it so, and whatever changes
// that reopens it), so only the open conditions test done_at. The statuses
// are hiretext.StatusFailed, StatusUndelivered and StatusQueued.
const (
	condFailed    = "v.done_at IS NULL AND o.status IN ('failed', 'undelivered')"
	condScheduled = "v.done_at IS NULL AND o.status = 'queued' AND o.next_attempt_at > ?"
)

// inboxParts returns the parts a filter lists, in order.
func inboxParts(f hiretext.InboxFilter) []inboxSection {
	unread := inboxSection{key: 'u', index: "conversations_org_number_unread", cond: "v.unread > 0"}
	switch f {
	case hiretext.FilterUnread:
		return []inboxSection{unread}
	case hiretext.FilterNeedsReply:
		return []inboxSection{{key: 'w', index: "conversations_org_number_waiting", cond: "v.waiting_since IS NOT NULL"}}
	case hiretext.FilterDone:
		return []inboxSection{{key: 'd', index: "conversations_org_number_done", cond: "v.done_at IS NOT NULL"}}
	case hiretext.FilterFailed:
		return []inboxSection{{key: 'f', index: "conversations_org_number_recent", join: lastOutbound, cond: condFailed}}
	case hiretext.FilterScheduled:
		return []inboxSection{{key: 's', index: "conversations_org_number_recent", join: lastOutbound, cond: condScheduled, now: true}}
	}
	return []inboxSection{unread, {key: 'r', index: "conversations_org_number_recent", cond: "v.unread = 0 AND v.done_at IS NULL"}}
}

// inboxSearch returns the conditions on conversations v that text asks
// for: each word starts a word of the candidate's name (as the candidate
// pool's search, on candidate_terms), or, for a phone number, its digits
// start one of the candidate's phones' digit forms or appear in the
// conversation's phone (which finds unknown senders too).
func inboxSearch(text string) *sqlParts {
	b := &sqlParts{}
	term := `EXISTS (SELECT 1 FROM candidate_terms s
		WHERE s.org_id = v.org_id AND s.candidate_id = v.candidate_id AND s.term >= ? AND s.term < ?)`
	words := searchWords(text)
	if looksLikePhone(text) && len(words) == 1 {
		b.where("("+term+" OR v.phone LIKE ?)", words[0], prefixEnd(words[0]), "%"+words[0]+"%")
		return b
	}
	for _, w := range words {
		b.where(term, w, prefixEnd(w))
	}
	return b
}

// InboxCounts counts a number's conversations matching text under each of
// the inbox's filters, in one pass over the number's conversations.
func (db *DB) InboxCounts(ctx context.Context, org hiretext.OrgID, number hiretext.NumberID, text string) (hiretext.InboxCounts, error) {
	q := hiretext.InboxQuery{Text: text}
	if err := q.Validate(); err != nil {
		return nil, err
	}
	stmt := "SELECT " + strings.Join([]string{countWhen("v.done_at IS NULL"), countWhen("v.waiting_since IS NOT NULL"),
		countWhen("v.unread > 0"), countWhen(condFailed), countWhen(condScheduled), countWhen("v.done_at IS NOT NULL")}, ", ") +
		" FROM conversations v LEFT" + lastOutbound + " WHERE v.org_id = ? AND v.number_id = ?"
	args := []any{db.now(), org, number}
	search := inboxSearch(text)
	if len(search.conds) > 0 {
		stmt += " AND " + strings.Join(search.conds, " AND ")
		args = append(args, search.whereArgs...)
	}
	n := make([]int, len(hiretext.InboxFilters))
	dest := make([]any, len(n))
	for i := range n {
		dest[i] = &n[i]
	}
	if err := db.reader().queryRow(ctx, stmt, args...).Scan(dest...); err != nil {
		return nil, err
	}
	counts := hiretext.InboxCounts{}
	for i, f := range hiretext.InboxFilters {
		counts[f] = n[i]
	}
	return counts, nil
}

// countWhen counts the rows meeting cond.
func countWhen(cond string) string {
	return "COALESCE(SUM(CASE WHEN " + cond + " THEN 1 ELSE 0 END), 0)"
}

// MarkConversationUnread marks a conversation unread for every user of its
// number, reopening it if it was Done, and tells them so. An unread
// conversation stays as it is.
func (db *DB) MarkConversationUnread(ctx context.Context, org hiretext.OrgID, number hiretext.NumberID, id hiretext.ConversationID) error {
	return db.changeConversation(ctx, org, number, id, hiretext.EventConversationChanged,
		"UPDATE conversations SET unread = 1, done_at = NULL WHERE org_id = ? AND number_id = ? AND id = ? AND unread = 0")
}

// MarkConversationDone closes a conversation until the candidate writes
// again: it is read, and no longer waits for a reply (which ends any
// escalation). A Done conversation stays as it is.
func (db *DB) MarkConversationDone(ctx context.Context, org hiretext.OrgID, number hiretext.NumberID, id hiretext.ConversationID) error {
	return db.changeConversation(ctx, org, number, id, hiretext.EventConversationChanged, "UPDATE conversations SET done_at = ?, unread = 0, waiting_since = NULL "+
		"WHERE org_id = ? AND number_id = ? AND id = ? AND done_at IS NULL", db.now())
}

// changeConversation runs update (whose last arguments are org, number and
// id) and, when it changed the conversation, records the event of kind
// telling the number's users.
func (db *DB) changeConversation(ctx context.Context, org hiretext.OrgID, number hiretext.NumberID, id hiretext.ConversationID,
	kind hiretext.EventKind, update string, args ...any) error {
	return db.inEventTx(ctx, func(tx conn) error {
		res, err := tx.exec(ctx, update, append(args, org, number, id)...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return db.insertEvent(ctx, tx, &hiretext.Event{OrgID: org, NumberID: number, Kind: kind,
			Data: eventData(map[string]any{"conversation_id": id})})
	})
}
