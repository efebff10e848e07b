package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/hiretext/hiretext"
)

// Notifications are written by fireAlerts (allowance.go), in the
// transaction that crosses a threshold; here they are read and dismissed.

// An escalation's notification names its conversation and who waits in
// it: the candidate, or an unknown sender's phone.
const notificationColumns = `x.id, x.org_id, x.user_id, COALESCE(x.number_id, 0), COALESCE(n.phone, ''), x.kind,
	COALESCE(x.period, ''), x.created_at, x.read_at, COALESCE(x.conversation_id, 0), COALESCE(v.candidate_id, 0),
	CASE WHEN c.id IS NULL THEN COALESCE(v.phone, '') WHEN c.erased_at IS NULL THEN c.first_name || ' ' || c.last_name
		ELSE '` + hiretext.ErasedCandidate + `' END`

const notificationFrom = ` FROM notifications x LEFT JOIN numbers n ON n.org_id = x.org_id AND n.id = x.number_id
	LEFT JOIN conversations v ON v.id = x.conversation_id LEFT JOIN candidates c ON c.id = v.candidate_id`

// ListNotifications lists user's newest notifications, newest first.
func (db *DB) ListNotifications(ctx context.Context, org hiretext.OrgID, user hiretext.UserID) ([]*hiretext.Notification, error) {
	return queryAll(ctx, db.reader(), scanNotification, "SELECT "+notificationColumns+notificationFrom+`
		WHERE x.org_id = ? AND x.user_id = ? ORDER BY x.created_at DESC, x.id DESC LIMIT ?`,
		org, user, hiretext.MaxListedNotifications)
}

// MarkNotificationRead marks user's notification id read, keeping the time
// it was first read, and records notification.read for the user's open
// pages when that changed something.
func (db *DB) MarkNotificationRead(ctx context.Context, org hiretext.OrgID, user hiretext.UserID, id hiretext.NotificationID) (*hiretext.Notification, error) {
	var out *hiretext.Notification
	err := db.inEventTx(ctx, func(tx conn) error {
		now := db.now()
		res, err := tx.exec(ctx, "UPDATE notifications SET read_at = ? WHERE org_id = ? AND user_id = ? AND id = ? AND read_at IS NULL",
			now, org, user, id)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k > 0 {
			ev := &hiretext.Event{OrgID: org, UserID: user, Kind: hiretext.EventNotificationRead, At: now,
				Data: eventData(map[string]any{"notification_id": id})}
			if err := db.insertEvent(ctx, tx, ev); err != nil {
				return err
			}
		}
		out, err = scanNotification(tx.queryRow(ctx, "SELECT "+notificationColumns+notificationFrom+
			" WHERE x.org_id = ? AND x.user_id = ? AND x.id = ?", org, user, id))
		if errors.Is(err, sql.ErrNoRows) {
			return hiretext.Errorf(hiretext.ENotFound, "Notification not found.")
		}
		return err
	})
	return out, err
}

func scanNotification(row scanner) (*hiretext.Notification, error) {
	var n hiretext.Notification
	var read sql.NullTime
	if err := row.Scan(&n.ID, &n.OrgID, &n.UserID, &n.NumberID, &n.Phone, &n.Kind, &n.Period, &n.CreatedAt, &read,
		&n.ConversationID, &n.CandidateID, &n.Who); err != nil {
		return nil, err
	}
	n.CreatedAt = n.CreatedAt.UTC()
	if read.Valid {
		t := read.Time.UTC()
		n.ReadAt = &t
	}
	return &n, nil
}
