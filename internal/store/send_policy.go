package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/hiretext/hiretext"
)

// SendPolicy returns org's send policy: the default until an administrator
// saves one.
func (db *DB) SendPolicy(ctx context.Context, org hiretext.OrgID) (*hiretext.SendPolicy, error) {
	return sendPolicy(ctx, db.reader(), org)
}

// sendPolicy is SendPolicy on q, for use inside a transaction (a send
// reads the policy its texts obey).
func sendPolicy(ctx context.Context, q conn, org hiretext.OrgID) (*hiretext.SendPolicy, error) {
	var quiet, states string
	var by sql.NullInt64
	u := hiretext.SendPolicyUpdate{}
	var p hiretext.SendPolicy
	err := q.queryRow(ctx, `SELECT quiet_hours, state_windows, reply_grace_minutes, attempt_limit, answer_texted_first,
		updated_at, updated_by FROM send_policies WHERE org_id = ?`, org).Scan(&quiet, &states, &u.ReplyGraceMinutes,
		&u.AttemptLimit, &u.AnswerTextedFirst, &p.UpdatedAt, &by)
	if errors.Is(err, sql.ErrNoRows) {
		return hiretext.DefaultSendPolicy(org), nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(quiet), &u.QuietHours); err != nil {
		return nil, err
	}
	if states != "" {
		u.StateWindows = strings.Split(states, ",")
	}
	stored, err := u.Policy(org)
	if err != nil {
		return nil, err // a row this code did not write
	}
	stored.UpdatedAt, stored.UpdatedBy = p.UpdatedAt, hiretext.UserID(by.Int64)
	return stored, nil
}

// UpdateSendPolicy validates u and replaces org's send policy; by is the
// administrator saving it, 0 for the system seeding it. An administrator's change is recorded in the audit trail with the
// names of the settings that changed.
func (db *DB) UpdateSendPolicy(ctx context.Context, org hiretext.OrgID, u hiretext.SendPolicyUpdate, by hiretext.UserID) (*hiretext.SendPolicy, error) {
	p, err := u.Policy(org)
	if err != nil {
		return nil, err
	}
	quiet, err := json.Marshal(p.Update().QuietHours)
	if err != nil {
		return nil, err
	}
	var out *hiretext.SendPolicy
	err = db.inTx(ctx, func(tx conn) error {
		before, err := sendPolicy(ctx, tx, org)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, upsertSendPolicy, org, string(quiet), strings.Join(p.StateWindows, ","),
			p.ReplyGraceMinutes, p.AttemptLimit, p.AnswerTextedFirst, db.now(), nullInt(by)); err != nil {
			return err
		}
		if out, err = sendPolicy(ctx, tx, org); err != nil {
			return err
		}
		// by 0 is a seed (the demo's), not an administrator's act.
		if changed := changedSendPolicy(before, out); len(changed) > 0 && by != 0 {
			return db.recordAudit(ctx, tx, org, hiretext.AuditTextingSettings, "texting_settings", hiretext.AuditDetails{"changed": changed})
		}
		return nil
	})
	return out, err
}

// changedSendPolicy names the settings that differ between a and b.
func changedSendPolicy(a, b *hiretext.SendPolicy) []string {
	changed := []string{}
	if !a.QuietHours.Equal(b.QuietHours) {
		changed = append(changed, "quiet_hours")
	}
	if !slices.Equal(a.StateWindows, b.StateWindows) {
		changed = append(changed, "state_windows")
	}
	if a.ReplyGraceMinutes != b.ReplyGraceMinutes {
		changed = append(changed, "reply_grace_minutes")
	}
	if a.AttemptLimit != b.AttemptLimit {
		changed = append(changed, "attempt_limit")
	}
	if a.AnswerTextedFirst != b.AnswerTextedFirst {
		changed = append(changed, "answer_texted_first")
	}
	return changed
}

const upsertSendPolicy = `INSERT INTO send_policies (org_id, quiet_hours, state_windows, reply_grace_minutes,
		attempt_limit, answer_texted_first, updated_at, updated_by)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (org_id) DO UPDATE SET quiet_hours = excluded.quiet_hours, state_windows = excluded.state_windows,
		reply_grace_minutes = excluded.reply_grace_minutes, attempt_limit = excluded.attempt_limit,
		answer_texted_first = excluded.answer_texted_first,
		updated_at = excluded.updated_at, updated_by = excluded.updated_by`
