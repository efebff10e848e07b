package store

import (
	"context"
	"time"

	"github.com/hiretext/hiretext"
)

// QueueEmail queues a notification email, due now, in a transaction of its
// own; producers inside a change's transaction use queueEmail.
func (db *DB) QueueEmail(ctx context.Context, e hiretext.Email) (hiretext.EmailID, error) {
	var id hiretext.EmailID
	err := db.inTx(ctx, func(tx conn) error {
		var err error
		id, err = queueEmail(ctx, tx, e, db.now())
		return err
	})
	return id, err
}

// queueEmail inserts e into the outbox in tx, due at now.
func queueEmail(ctx context.Context, tx conn, e hiretext.Email, now time.Time) (hiretext.EmailID, error) {
	if err := e.Validate(); err != nil {
		return 0, err
	}
	var user any
	if e.UserID != 0 {
		user = e.UserID
	}
	var id hiretext.EmailID
	err := tx.queryRow(ctx, `INSERT INTO email_outbox (org_id, user_id, to_addr, subject, body_text, body_html, status,
		next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?) RETURNING id`,
		e.OrgID, user, e.To, e.Subject, e.Text, e.HTML, now, now).Scan(&id)
	return id, err
}

// ClaimEmails leases up to limit due emails, oldest first, each counting
// one more attempt. PostgreSQL skips rows another instance is claiming;
// SQLite has one writer.
func (db *DB) ClaimEmails(ctx context.Context, limit int, lease time.Duration) ([]*hiretext.Email, error) {
	var claimed []*hiretext.Email
	err := db.inTx(ctx, func(tx conn) error {
		now := db.now()
		if err := skipAwayReplies(ctx, tx, now); err != nil {
			return err
		}
		var err error
		claimed, err = queryAll(ctx, tx, scanEmail, `UPDATE email_outbox SET lease_until = ?, attempts = attempts + 1
			WHERE id IN (SELECT id FROM email_outbox WHERE status = 'queued' AND next_attempt_at <= ?
				AND (lease_until IS NULL OR lease_until < ?) ORDER BY next_attempt_at, id LIMIT ?`+db.dialect.skipLocked()+`)
			RETURNING id, org_id, COALESCE(user_id, 0), to_addr, subject, body_text, body_html, attempts, created_at`,
			now.Add(lease), now, now, limit)
		return err
	})
	return claimed, err
}

func scanEmail(row scanner) (*hiretext.Email, error) {
	e := &hiretext.Email{}
	err := row.Scan(&e.ID, &e.OrgID, &e.UserID, &e.To, &e.Subject, &e.Text, &e.HTML, &e.Attempts, &e.CreatedAt)
	return e, err
}

// EmailSent records that the SMTP server accepted an email.
func (db *DB) EmailSent(ctx context.Context, id hiretext.EmailID) error {
	return db.settleEmail(ctx, `UPDATE email_outbox SET status = 'sent', sent_at = ?, lease_until = NULL
		WHERE id = ? AND status = 'queued'`, db.now(), id)
}

// RetryEmail puts a claimed email back in the queue, due at at, keeping why
// the last try failed.
func (db *DB) RetryEmail(ctx context.Context, id hiretext.EmailID, at time.Time, reason string) error {
	return db.settleEmail(ctx, `UPDATE email_outbox SET next_attempt_at = ?, lease_until = NULL, last_error = ?
		WHERE id = ? AND status = 'queued'`, at.UTC(), reason, id)
}

// FailEmail gives an email up for good, keeping why.
func (db *DB) FailEmail(ctx context.Context, id hiretext.EmailID, reason string) error {
	return db.settleEmail(ctx, `UPDATE email_outbox SET status = 'failed', lease_until = NULL, last_error = ?
		WHERE id = ? AND status = 'queued'`, reason, id)
}

// settleEmail runs one update of a queued email in a transaction.
func (db *DB) settleEmail(ctx context.Context, update string, args ...any) error {
	return db.inTx(ctx, func(tx conn) error {
		_, err := tx.exec(ctx, update, args...)
		return err
	})
}

// EmailStatus returns an email's status ("queued", "sent" or "failed"),
// its attempts and the last error, for tests and operators.
func (db *DB) EmailStatus(ctx context.Context, id hiretext.EmailID) (status string, attempts int, lastError string, err error) {
	err = db.reader().queryRow(ctx, `SELECT status, attempts, last_error FROM email_outbox WHERE id = ?`, id).
		Scan(&status, &attempts, &lastError)
	return status, attempts, lastError, orNotFound(err, "Email")
}
