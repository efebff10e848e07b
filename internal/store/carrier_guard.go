package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
)

// The carrier filtering guard (hiretext.CarrierGuard). Errors are counted
// in the transaction that records them (a status callback, or a send the
// provider refused), under a lock on the number's carrier_guards row, so
// concurrent callbacks on any number of instances count one after the
// other and exactly one of them trips the guard.

// guardedOut is the condition, on a row of messages, that the guard holds
// it back: a bulk or user-scheduled text of a paused number. The dispatcher
// does not claim such texts and the scheduler does not release them.
const guardedOut = `(bulk OR hold = 'schedule') AND number_id IN (SELECT number_id FROM carrier_guards WHERE paused_at IS NOT NULL)`

// carrierErrorsKept is how long counted errors are kept: the longest
// window a company may set.
const carrierErrorsKept = hiretext.MaxCarrierWindowMinutes * time.Minute

// CarrierGuard returns org's guard setting: the default until an
// administrator saves one.
func (db *DB) CarrierGuard(ctx context.Context, org hiretext.OrgID) (*hiretext.CarrierGuard, error) {
	return carrierGuard(ctx, db.reader(), org)
}

func carrierGuard(ctx context.Context, q conn, org hiretext.OrgID) (*hiretext.CarrierGuard, error) {
	g := hiretext.DefaultCarrierGuard(org)
	var by sql.NullInt64
	err := q.queryRow(ctx, `SELECT error_limit, window_minutes, updated_at, updated_by FROM carrier_guard_settings WHERE org_id = ?`, org).
		Scan(&g.ErrorLimit, &g.WindowMinutes, &g.UpdatedAt, &by)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	g.UpdatedBy = hiretext.UserID(by.Int64)
	return g, nil
}

// UpdateCarrierGuard validates u and replaces org's guard setting; by is
// the administrator saving it. A change is recorded in the audit trail as
// a change of the texting settings, by name.
func (db *DB) UpdateCarrierGuard(ctx context.Context, org hiretext.OrgID, u hiretext.CarrierGuardUpdate, by hiretext.UserID) (*hiretext.CarrierGuard, error) {
	if err := u.Validate(); err != nil {
		return nil, err
	}
	var out *hiretext.CarrierGuard
	err := db.inTx(ctx, func(tx conn) error {
		before, err := carrierGuard(ctx, tx, org)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO carrier_guard_settings (org_id, error_limit, window_minutes, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (org_id) DO UPDATE SET error_limit = excluded.error_limit,
			window_minutes = excluded.window_minutes, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			org, u.ErrorLimit, u.WindowMinutes, db.now(), nullInt(by)); err != nil {
			return err
		}
		if out, err = carrierGuard(ctx, tx, org); err != nil {
			return err
		}
		changed := []string{}
		if before.ErrorLimit != out.ErrorLimit {
			changed = append(changed, "carrier_guard.error_limit")
		}
		if before.WindowMinutes != out.WindowMinutes {
			changed = append(changed, "carrier_guard.window_minutes")
		}
		if len(changed) == 0 {
			return nil
		}
		return db.recordAudit(ctx, tx, org, hiretext.AuditTextingSettings, "texting_settings", hiretext.AuditDetails{"changed": changed})
	})
	return out, err
}

// guardCarrierError counts a carrier error of message m (code) toward its
// number's guard, in the transaction recording the error, and pauses the
// number when the window holds more errors than the company allows. The
// status callback's transaction and a refused send's both call it, once
// per error; codes the guard does not watch cost nothing.
func (db *DB) guardCarrierError(ctx context.Context, tx conn, m *hiretext.Message, code string, now time.Time) error {
	problem, ok := hiretext.GuardedProblem(code)
	if !ok || m.Direction != hiretext.Outbound {
		return nil
	}
	g, err := carrierGuard(ctx, tx, m.OrgID)
	if err != nil || g.ErrorLimit == 0 {
		return err
	}
	// The upsert's no-op update takes the row's lock until commit: the
	// next error of this number waits here, then counts this one.
	var paused, since sql.NullTime
	if err := tx.queryRow(ctx, `INSERT INTO carrier_guards (number_id, org_id) VALUES (?, ?)
		ON CONFLICT (number_id) DO UPDATE SET org_id = carrier_guards.org_id RETURNING paused_at, counted_since`,
		m.NumberID, m.OrgID).Scan(&paused, &since); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO carrier_errors (message_id, org_id, number_id, code, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (message_id) DO NOTHING`, m.ID, m.OrgID, m.NumberID, code, now); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `DELETE FROM carrier_errors WHERE number_id = ? AND created_at < ?`,
		m.NumberID, now.Add(-carrierErrorsKept)); err != nil {
		return err
	}
	if paused.Valid {
		return nil
	}
	from := now.Add(-g.Window())
	if since.Valid && since.Time.After(from) {
		from = since.Time
	}
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM carrier_errors WHERE number_id = ? AND created_at > ?`,
		m.NumberID, from).Scan(&n); err != nil {
		return err
	}
	if n <= g.ErrorLimit {
		return nil
	}
	if _, err := tx.exec(ctx, `UPDATE carrier_guards SET paused_at = ?, problem = ?, code = ?, errors = ? WHERE number_id = ?`,
		now, problem, code, n, m.NumberID); err != nil {
		return err
	}
	pause := &hiretext.CarrierPause{OrgID: m.OrgID, NumberID: m.NumberID, Phone: m.From, Problem: problem, Code: code, Errors: n, Since: now}
	return db.alertPause(ctx, tx, pause, now)
}

// alertPause tells the number's users and the company's administrators
// that the guard paused it: a notification in each one's bell (raised again,
// unread, if an earlier pause this month left one), a live event, and an
// email to those who chose email alerts.
func (db *DB) alertPause(ctx context.Context, tx conn, p *hiretext.CarrierPause, now time.Time) error {
	users, err := queryAll(ctx, tx, scanValue[hiretext.UserID], `SELECT id FROM users WHERE org_id = ? AND active
		AND (role = 'admin' OR id IN (SELECT user_id FROM number_users WHERE org_id = ? AND number_id = ?)) ORDER BY id`,
		p.OrgID, p.OrgID, p.NumberID)
	if err != nil {
		return err
	}
	org, err := scanOrg(tx.queryRow(ctx, "SELECT "+orgColumns+" FROM organizations WHERE id = ?", p.OrgID))
	if err != nil {
		return err
	}
	kind := hiretext.PauseAlertKind(p.Problem)
	period := hiretext.Period(storedTime(now), org.Location())
	for _, u := range users {
		var id hiretext.NotificationID
		if err := tx.queryRow(ctx, `INSERT INTO notifications (org_id, user_id, number_id, kind, period, created_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (org_id, user_id, number_id, kind, period) DO UPDATE SET created_at = excluded.created_at, read_at = NULL
			RETURNING id`, p.OrgID, u, p.NumberID, kind, period, now).Scan(&id); err != nil {
			return err
		}
		if err := db.recordGuardEvent(ctx, tx, p.OrgID, u, p.NumberID, true, id, now); err != nil {
			return err
		}
	}
	return db.queuePauseEmails(ctx, tx, p, users, now)
}

// recordGuardEvent tells user's open pages that number paused (with the
// notification raised) or resumed.
func (db *DB) recordGuardEvent(ctx context.Context, tx conn, org hiretext.OrgID, user hiretext.UserID, number hiretext.NumberID,
	paused bool, note hiretext.NotificationID, now time.Time) error {
	data := map[string]any{"number_id": number, "paused": paused}
	if note != 0 {
		data["notification_id"] = note
	}
	return db.insertEvent(ctx, tx, &hiretext.Event{OrgID: org, UserID: user, Kind: hiretext.EventCarrierGuard, At: now, Data: eventData(data)})
}

// queuePauseEmails emails the pause to those of users who chose email
// alerts of their number (users.notify_allowance: the number's alerts).
// Administrators' emails link to Text Message Numbers, where they resume;
// the others' to hiretext, as that page is not theirs.
func (db *DB) queuePauseEmails(ctx context.Context, tx conn, p *hiretext.CarrierPause, users []hiretext.UserID, now time.Time) error {
	if db.publicURL == "" || len(users) == 0 {
		return nil
	}
	for _, to := range []struct {
		admins bool
		link   string
	}{{true, db.publicURL + "/admin/numbers"}, {false, db.publicURL + "/"}} {
		subject, text, html := hiretext.CarrierPauseEmail(p, phone.Format(p.Phone), to.link)
		args := []any{p.OrgID, subject, text, html, hiretext.EmailKindCarrierPause, now, now, p.OrgID, to.admins}
		for _, u := range users {
			args = append(args, u)
		}
		if _, err := tx.exec(ctx, `INSERT INTO email_outbox (org_id, user_id, to_addr, subject, body_text, body_html, status, kind,
			next_attempt_at, created_at) SELECT ?, id, email, ?, ?, ?, 'queued', ?, ?, ? FROM users
			WHERE org_id = ? AND active AND notify_allowance AND (role = 'admin') = ? AND id IN (`+placeholders(len(users))+`)`, args...); err != nil {
			return err
		}
	}
	return nil
}

const pauseColumns = `g.org_id, g.number_id, n.phone, g.problem, g.code, g.errors, g.paused_at
	FROM carrier_guards g JOIN numbers n ON n.org_id = g.org_id AND n.id = g.number_id`

func scanPause(row scanner) (*hiretext.CarrierPause, error) {
	p := &hiretext.CarrierPause{}
	err := row.Scan(&p.OrgID, &p.NumberID, &p.Phone, &p.Problem, &p.Code, &p.Errors, &p.Since)
	p.Since = p.Since.UTC()
	return p, err
}

// CarrierPauses lists org's paused numbers, by number.
func (db *DB) CarrierPauses(ctx context.Context, org hiretext.OrgID) (map[hiretext.NumberID]*hiretext.CarrierPause, error) {
	list, err := queryAll(ctx, db.reader(), scanPause, `SELECT `+pauseColumns+` WHERE g.org_id = ? AND g.paused_at IS NOT NULL`, org)
	if err != nil {
		return nil, err
	}
	out := make(map[hiretext.NumberID]*hiretext.CarrierPause, len(list))
	for _, p := range list {
		out[p.NumberID] = p
	}
	return out, nil
}

// ResumeNumber ends the guard's pause of org's number; see
// hiretext.CarrierGuardService. The errors counted so far are not counted
// again (counted_since), so the next error does not pause it at once.
func (db *DB) ResumeNumber(ctx context.Context, org hiretext.OrgID, number hiretext.NumberID, by hiretext.UserID) error {
	err := db.inEventTx(ctx, func(tx conn) error {
		var e164 string
		if err := tx.queryRow(ctx, `SELECT phone FROM numbers WHERE org_id = ? AND id = ?`, org, number).Scan(&e164); err != nil {
			return orNotFound(err, "Number")
		}
		now := db.now()
		res, err := tx.exec(ctx, `UPDATE carrier_guards SET paused_at = NULL, counted_since = ?, resumed_at = ?, resumed_by = ?
			WHERE org_id = ? AND number_id = ? AND paused_at IS NOT NULL`, now, now, nullInt(by), org, number)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return hiretext.Errorf(hiretext.EConflict, "Texts from %s are not paused.", phone.Format(e164))
		}
		if err := db.announceResume(ctx, tx, org, number, now); err != nil {
			return err
		}
		return db.recordAudit(ctx, tx, org, hiretext.AuditNumberResumed, auditTarget("number", number), hiretext.AuditDetails{"phone": e164})
	})
	if err == nil {
		db.wakeDispatcher()
	}
	return err
}

// announceResume marks the pause's notifications read (the pause is over)
// and tells the users who got them.
func (db *DB) announceResume(ctx context.Context, tx conn, org hiretext.OrgID, number hiretext.NumberID, now time.Time) error {
	users, err := queryAll(ctx, tx, scanValue[hiretext.UserID], `UPDATE notifications SET read_at = ?
		WHERE org_id = ? AND number_id = ? AND kind IN (?, ?) AND read_at IS NULL RETURNING user_id`,
		now, org, number, hiretext.AlertCarrierFiltered, hiretext.AlertCarrierRegistration)
	if err != nil {
		return err
	}
	for _, u := range users {
		if err := db.recordGuardEvent(ctx, tx, org, u, number, false, 0, now); err != nil {
			return err
		}
	}
	return nil
}
