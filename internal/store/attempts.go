package store

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/hiretext/hiretext"
)

// The attempt limit counts the texts users started to a candidate, from any
// of the company's numbers, that went or will go in the 24 hours before a
// text's minute, since the candidate's newest text (hiretext.NextAttempt).
// Texts that were canceled or failed do not count; automatic replies are
// not attempts. It is checked when a text is written (at the minute it
// will go) and again when a held text is released.

// attemptHistory is what the attempt limit reads of one candidate.
type attemptHistory struct {
	sent      []time.Time // when users' texts went or will go
	lastReply time.Time   // the candidate's newest text
}

// attemptStatuses are the statuses of texts that count as attempts.
var attemptStatuses = map[hiretext.MessageStatus]bool{
	hiretext.StatusScheduled: true, hiretext.StatusQueued: true, hiretext.StatusSending: true, hiretext.StatusSent: true,
	hiretext.StatusDelivered: true, hiretext.StatusUndelivered: true,
}

// attemptHistories reads the attempts and replies of the candidates among
// ids since since, leaving out the message skip (a held text being
// released). It reads each candidate's conversations by
// conversations_org_candidate and their recent texts by
// messages_conversation, whichever number they were on.
func attemptHistories(ctx context.Context, tx conn, org hiretext.OrgID, ids []hiretext.CandidateID, since time.Time,
	skip hiretext.MessageID) (map[hiretext.CandidateID]*attemptHistory, error) {
	out := map[hiretext.CandidateID]*attemptHistory{}
	for chunk := range chunks(ids, queueChunk) {
		args := []any{storedTime(since), storedTime(since), skip, org}
		for _, id := range chunk {
			args = append(args, id)
		}
		err := queryEach(ctx, tx, func(row scanner) error {
			var id hiretext.CandidateID
			var dir hiretext.Direction
			var kind hiretext.MessageKind
			var status hiretext.MessageStatus
			var at time.Time
			var sendAt time.Time
			if err := row.Scan(&id, &dir, &kind, &status, &at, optionalTime{&sendAt}); err != nil {
				return err
			}
			h := out[id]
			if h == nil {
				h = &attemptHistory{}
				out[id] = h
			}
			h.add(dir, kind, status, at, sendAt)
			return nil
		}, `SELECT v.candidate_id, m.direction, m.kind, m.status, m.created_at, m.send_at
			FROM conversations v JOIN messages m ON m.org_id = v.org_id AND m.conversation_id = v.id
				AND (m.created_at > ? OR m.send_at > ?) AND m.id <> ?
			WHERE v.org_id = ? AND v.candidate_id IN (`+placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// add records one text of the candidate's conversations.
func (h *attemptHistory) add(dir hiretext.Direction, kind hiretext.MessageKind, status hiretext.MessageStatus, at, sendAt time.Time) {
	switch {
	case dir == hiretext.Inbound:
		if at.After(h.lastReply) {
			h.lastReply = at
		}
	case kind == hiretext.KindRecruiter && attemptStatuses[status]:
		if !sendAt.IsZero() {
			at = sendAt // it went, or goes, at its minute
		}
		h.sent = append(h.sent, at)
	}
}

// next applies the limit at at: whether a text may go then and, when not,
// the first time one may.
func (h *attemptHistory) next(limit int, at time.Time) (bool, time.Time) {
	if h == nil {
		return true, at
	}
	return hiretext.NextAttempt(limit, h.sent, h.lastReply, at)
}

// applyAttemptLimit skips the targets whose text would go over limit at its
// minute, recording when their next text is allowed.
func applyAttemptLimit(ctx context.Context, tx conn, org hiretext.OrgID, limit int, plan *sendPlan) error {
	if limit <= 0 || len(plan.targets) == 0 {
		return nil
	}
	ids := make([]hiretext.CandidateID, len(plan.targets))
	earliest := plan.targets[0].timing.At
	for i, t := range plan.targets {
		ids[i] = t.candidate
		if t.timing.At.Before(earliest) {
			earliest = t.timing.At
		}
	}
	if err := lockAttempts(ctx, tx, ids); err != nil {
		return err
	}
	hist, err := attemptHistories(ctx, tx, org, ids, earliest.Add(-hiretext.AttemptWindow), 0)
	if err != nil {
		return err
	}
	kept := plan.targets[:0]
	for _, t := range plan.targets {
		if ok, next := hist[t.candidate].next(limit, t.timing.At); !ok {
			plan.skipped[t.candidate] = hiretext.SkipAttemptLimit
			plan.nextAttempt[t.candidate] = next
			continue
		}
		kept = append(kept, t)
	}
	plan.targets = kept
	return nil
}

// attemptLockClass namespaces the advisory locks on candidates' attempts.
const attemptLockClass = 0x6861 // "ha"

// lockAttempts takes, on PostgreSQL, a transaction-scoped advisory lock on
// each candidate's attempts, in candidate order (so two sends to
// overlapping candidates never wait on each other in opposite orders).
// Writers that count attempts and add one take it before they read the
// history, so two numbers texting one candidate at the same instant count
// each other's texts: under READ COMMITTED each would otherwise miss the
// other's uncommitted text and both would go over the limit. SQLite's
// single writer serializes them already.
func lockAttempts(ctx context.Context, tx conn, ids []hiretext.CandidateID) error {
	if tx.d.lockKeys(1) == "" || len(ids) == 0 {
		return nil
	}
	sorted := slices.Clone(ids)
	slices.SortFunc(sorted, func(a, b hiretext.CandidateID) int { return cmp.Compare(a, b) })
	sorted = slices.Compact(sorted)
	for chunk := range chunks(sorted, queueChunk) {
		keys := make([]any, 0, len(chunk)+1)
		keys = append(keys, attemptLockClass)
		for _, id := range chunk {
			keys = append(keys, strconv.FormatInt(int64(id), 10))
		}
		if _, err := tx.exec(ctx, tx.d.lockKeys(len(chunk)), keys...); err != nil {
			return err
		}
	}
	return nil
}
