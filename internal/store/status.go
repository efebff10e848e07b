package store

import (
	"context"
	"time"

	"github.com/hiretext/hiretext"
)

// ApplyDeliveryReport moves a sent message forward by a provider's status
// callback. A late or repeated status never moves it backwards. A report for
// a message not recorded yet (the callback raced the send's record) is kept
// and applied when the send is recorded. A failure saying the recipient is
// invalid releases the message's unit of allowance; a carrier opt-out opts
// the candidate out.
func (db *DB) ApplyDeliveryReport(ctx context.Context, r hiretext.DeliveryReport) (*hiretext.StatusResult, error) {
	var res *hiretext.StatusResult
	err := db.inEventTx(ctx, func(tx conn) error {
		var err error
		res, err = db.applyReport(ctx, tx, r, db.now())
		return err
	})
	return res, err
}

func (db *DB) applyReport(ctx context.Context, tx conn, r hiretext.DeliveryReport, now time.Time) (*hiretext.StatusResult, error) {
	m, err := knownProviderMessage(ctx, tx, r.Provider, r.ProviderMessageID)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return &hiretext.StatusResult{Pending: true}, keepPendingReport(ctx, tx, r, now)
	}
	if m.Direction != hiretext.Outbound || !m.Status.Advances(r.Status) {
		return &hiretext.StatusResult{Message: m}, nil
	}
	reason := r.ErrorMessage
	if r.InvalidRecipient {
		reason = "Not sent: invalid phone number"
		if r.ErrorMessage != "" {
			reason += " (" + r.ErrorMessage + ")"
		}
	}
	if _, err := tx.exec(ctx, `UPDATE messages SET status = ?, error_code = ?, error_message = ?, updated_at = ? WHERE id = ?`,
		r.Status, r.ErrorCode, reason, now, m.ID); err != nil {
		return nil, err
	}
	if err := db.settleFailure(ctx, tx, m, r); err != nil {
		return nil, err
	}
	m.Status, m.ErrorCode, m.ErrorMessage = r.Status, r.ErrorCode, reason
	return &hiretext.StatusResult{Message: m, Changed: true}, db.recordStatusEvent(ctx, tx, m.OrgID, m.NumberID, m.ID, now)
}

// settleFailure releases the allowance of a message that never reached the
// phone because the number is invalid or it never left the provider, and
// honours a carrier opt-out.
func (db *DB) settleFailure(ctx context.Context, tx conn, m *hiretext.Message, r hiretext.DeliveryReport) error {
	if r.Status != hiretext.StatusFailed && !(r.InvalidRecipient && r.Status == hiretext.StatusUndelivered) {
		return nil
	}
	var period string
	var counted bool
	if err := tx.queryRow(ctx, "SELECT period, counted FROM messages WHERE id = ?", m.ID).Scan(&period, &counted); err != nil {
		return err
	}
	if counted {
		if _, err := tx.exec(ctx, "UPDATE messages SET counted = ? WHERE id = ?", false, m.ID); err != nil {
			return err
		}
		if err := releaseAllowance(ctx, tx, m.OrgID, m.NumberID, period, 1); err != nil {
			return err
		}
	}
	if r.OptedOut && m.CandidateID != 0 {
		return db.providerOptOut(ctx, tx, m.OrgID, m.CandidateID, m.ID)
	}
	return nil
}

// keepPendingReport stores a report for a message not recorded yet.
func keepPendingReport(ctx context.Context, tx conn, r hiretext.DeliveryReport, now time.Time) error {
	_, err := tx.exec(ctx, `INSERT INTO pending_reports (provider, provider_message_id, status, error_code, error_message,
		invalid_recipient, opted_out, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Provider, r.ProviderMessageID, r.Status, r.ErrorCode, r.ErrorMessage, r.InvalidRecipient, r.OptedOut, now)
	return err
}

// applyPendingReports applies, in arrival order, the reports that arrived
// for a message before its send was recorded.
func (db *DB) applyPendingReports(ctx context.Context, tx conn, provider, providerID string, now time.Time) error {
	rows, err := tx.query(ctx, `SELECT status, error_code, error_message, invalid_recipient, opted_out FROM pending_reports
		WHERE provider = ? AND provider_message_id = ? ORDER BY id`, provider, providerID)
	if err != nil {
		return err
	}
	var reports []hiretext.DeliveryReport
	for rows.Next() {
		r := hiretext.DeliveryReport{Provider: provider, ProviderMessageID: providerID}
		if err := rows.Scan(&r.Status, &r.ErrorCode, &r.ErrorMessage, &r.InvalidRecipient, &r.OptedOut); err != nil {
			rows.Close()
			return err
		}
		reports = append(reports, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range reports {
		if _, err := db.applyReport(ctx, tx, r, now); err != nil {
			return err
		}
	}
	_, err = tx.exec(ctx, "DELETE FROM pending_reports WHERE provider = ? AND provider_message_id = ?", provider, providerID)
	return err
}
