package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/hiretext/hiretext"
)

// SendBulk sends as SendMessages does and records the send under the form's
// key in the same transaction, so a send either happened with its record or
// not at all. A key already recorded sends nothing: its send is returned.
func (db *DB) SendBulk(ctx context.Context, req hiretext.SendRequest, key string) (hiretext.BulkSendID, bool, error) {
	id, _, repeated, err := db.SendBulkResults(ctx, req, key)
	return id, repeated, err
}

// SendBulkResults is SendBulk returning each candidate's result too (nil
// when the key was recorded before).
func (db *DB) SendBulkResults(ctx context.Context, req hiretext.SendRequest, key string) (hiretext.BulkSendID, []hiretext.SendResult, bool, error) {
	if err := req.Validate(); err != nil {
		return 0, nil, false, err
	}
	if key == "" || len(key) > hiretext.MaxSendKeyLength {
		return 0, nil, false, hiretext.Errorf(hiretext.EBadRequest, "This form is out of date; open it again.")
	}
	if id, err := bulkSendByKey(ctx, db.reader(), req.UserID, key); err != nil || id != 0 {
		return id, nil, id != 0, err
	}
	var id hiretext.BulkSendID
	var results []hiretext.SendResult
	err := db.inEventTx(ctx, func(tx conn) error {
		var err error
		results, err = db.send(ctx, tx, req, true)
		if err != nil {
			return err
		}
		if _, req.Body, err = sendBody(ctx, tx, req); err != nil { // the template's, when req has none
			return err
		}
		id, err = recordBulkSend(ctx, tx, req, key, results, db.now())
		return err
	})
	if err != nil && db.dialect.isUniqueViolation(err) {
		// The same form posted twice at once: the other post sent it.
		if first, ferr := bulkSendByKey(ctx, db.reader(), req.UserID, key); ferr == nil && first != 0 {
			return first, nil, true, nil
		}
	}
	if err != nil {
		return 0, nil, false, err
	}
	db.wakeDispatcher()
	return id, results, false, nil
}

// bulkSendByKey returns the id of user's send under key, or 0.
func bulkSendByKey(ctx context.Context, c conn, user hiretext.UserID, key string) (hiretext.BulkSendID, error) {
	var id hiretext.BulkSendID
	err := c.queryRow(ctx, `SELECT id FROM bulk_sends WHERE user_id = ? AND send_key = ?`, user, key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// recordBulkSend stores the send and one row per requested candidate.
func recordBulkSend(ctx context.Context, tx conn, req hiretext.SendRequest, key string, results []hiretext.SendResult,
	now time.Time) (hiretext.BulkSendID, error) {
	var id hiretext.BulkSendID
	if err := tx.queryRow(ctx, `INSERT INTO bulk_sends (org_id, user_id, send_key, body, created_at) VALUES (?, ?, ?, ?, ?)
		RETURNING id`, req.OrgID, req.UserID, key, req.Body, now).Scan(&id); err != nil {
		return 0, err
	}
	// One multi-row statement per chunk, like the messages themselves: a
	// send to 1,000 candidates must not cost 1,000 more round trips.
	position := 0
	for chunk := range chunks(results, queueChunk) {
		args := make([]any, 0, 5*len(chunk))
		for _, r := range chunk {
			var msg any
			if r.Queued {
				msg = r.MessageID
			}
			args = append(args, id, position, r.CandidateID, msg, string(r.Skipped))
			position++
		}
		values := strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?), ", len(chunk)), ", ")
		if _, err := tx.exec(ctx, `INSERT INTO bulk_send_results (bulk_send_id, position, candidate_id, message_id, skipped)
			VALUES `+values, args...); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// BulkSendByID returns user's bulk send with its texts' current statuses,
// and for each candidate whether they texted the number since their text
// went (its minute when it was scheduled or held: before that it had not
// reached them; by key on messages_candidate, bulkResultsQuery) and whether they opted out after the send
// (on consent_events_org_candidate); another user's, or another company's,
// is not found.
func (db *DB) BulkSendByID(ctx context.Context, org hiretext.OrgID, user hiretext.UserID, id hiretext.BulkSendID) (*hiretext.BulkSend, error) {
	c := db.reader()
	b := &hiretext.BulkSend{ID: id, OrgID: org, UserID: user}
	err := c.queryRow(ctx, `SELECT body, created_at FROM bulk_sends WHERE id = ? AND org_id = ? AND user_id = ?`, id, org, user).
		Scan(&b.Body, &b.CreatedAt)
	if err != nil {
		return nil, orNotFound(err, "Send")
	}
	b.Results, err = queryAll(ctx, c, scanBulkResult, bulkResultsQuery(db.dialect), org, b.CreatedAt, id)
	if err != nil {
		return nil, err
	}
	b.Paused, err = bulkPause(ctx, c, org, id)
	return b, err
}

// bulkPause returns the carrier guard's pause of the number bulk send id
// is from, or nil. All its texts are from one number: the sender's.
func bulkPause(ctx context.Context, c conn, org hiretext.OrgID, id hiretext.BulkSendID) (*hiretext.CarrierPause, error) {
	p, err := scanPause(c.queryRow(ctx, `SELECT `+pauseColumns+` WHERE g.org_id = ? AND g.paused_at IS NOT NULL
		AND g.number_id = (SELECT m.number_id FROM bulk_send_results r JOIN messages m ON m.id = r.message_id
			WHERE r.bulk_send_id = ? LIMIT 1)`, org, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil // the number's texts go
	}
	return p, err
}

// bulkResultsQuery reads a bulk send's results (its parameters: the
// company, the send's time, the send). Whether a candidate replied is a
// key lookup on messages_candidate, named for SQLite: without statistics
// it took the covering messages_report_time instead, scanning the
// company's texts since each text (TestBulkResultsReadRepliesByCandidate).
func bulkResultsQuery(d dialect) string {
	return `SELECT r.candidate_id, COALESCE(r.message_id, 0), r.skipped,
		COALESCE(m.status, ''), COALESCE(m.error_message, ''), m.send_at,
		CASE WHEN EXISTS (SELECT 1 FROM messages i` + d.indexedBy("messages_candidate") + ` WHERE i.org_id = m.org_id AND i.number_id = m.number_id
			AND i.candidate_id = m.candidate_id AND i.created_at > COALESCE(m.send_at, m.created_at) AND i.direction = 'inbound') THEN 1 ELSE 0 END,
		CASE WHEN EXISTS (SELECT 1 FROM consent_events e WHERE e.org_id = ? AND e.candidate_id = r.candidate_id
			AND e.status = 'opted_out' AND e.created_at > ?) THEN 1 ELSE 0 END
		FROM bulk_send_results r LEFT JOIN messages m ON m.id = r.message_id
		WHERE r.bulk_send_id = ? ORDER BY r.position`
}

func scanBulkResult(row scanner) (hiretext.BulkResult, error) {
	var r hiretext.BulkResult
	err := row.Scan(&r.CandidateID, &r.MessageID, &r.Skipped, &r.Status, &r.ErrorMessage, optionalTime{&r.SendAt}, &r.Replied, &r.OptedOut)
	return r, err
}
