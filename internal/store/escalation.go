package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/hiretext/hiretext"
)

// EscalationPolicy returns org's escalation policy: the default (off)
// until an administrator saves one.
func (db *DB) EscalationPolicy(ctx context.Context, org hiretext.OrgID) (*hiretext.EscalationPolicy, error) {
	return escalationPolicy(ctx, db.reader(), org)
}

// escalationPolicy is EscalationPolicy on q, for use inside a transaction.
func escalationPolicy(ctx context.Context, q conn, org hiretext.OrgID) (*hiretext.EscalationPolicy, error) {
	var hours string
	var by sql.NullInt64
	var at time.Time
	u := hiretext.EscalationPolicyUpdate{}
	err := q.queryRow(ctx, `SELECT enabled, business_hours, team_after_hours, admins_after_hours, updated_at, updated_by
		FROM escalation_policies WHERE org_id = ?`, org).Scan(&u.Enabled, &hours, &u.TeamAfterHours, &u.AdminsAfterHours, &at, &by)
	if errors.Is(err, sql.ErrNoRows) {
		return hiretext.DefaultEscalationPolicy(org), nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(hours), &u.BusinessHours); err != nil {
		return nil, err
	}
	p, err := u.Policy(org)
	if err != nil {
		return nil, err // a row this code did not write
	}
	p.UpdatedAt, p.UpdatedBy = at.UTC(), hiretext.UserID(by.Int64)
	return p, nil
}

// UpdateEscalationPolicy validates u and replaces org's escalation policy;
// by is the administrator saving it. The conversations waiting now are
// timed again by the new policy (turning it on escalates replies already
// waiting; steps already taken are not taken again), and the change is
// recorded in the audit trail with the names of the settings that changed.
func (db *DB) UpdateEscalationPolicy(ctx context.Context, org hiretext.OrgID, u hiretext.EscalationPolicyUpdate, by hiretext.UserID) (*hiretext.EscalationPolicy, error) {
	p, err := u.Policy(org)
	if err != nil {
		return nil, err
	}
	hours, err := json.Marshal(p.BusinessHours.Spans())
	if err != nil {
		return nil, err
	}
	var out *hiretext.EscalationPolicy
	err = db.inTx(ctx, func(tx conn) error {
		before, err := escalationPolicy(ctx, tx, org)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, upsertEscalationPolicy, org, p.Enabled, string(hours), p.TeamAfterHours,
			p.AdminsAfterHours, db.now(), nullInt(by)); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE conversations SET escalate_at = CASE WHEN ? THEN waiting_since ELSE NULL END
			WHERE org_id = ? AND waiting_since IS NOT NULL`, p.Enabled, org); err != nil {
			return err
		}
		if out, err = escalationPolicy(ctx, tx, org); err != nil {
			return err
		}
		if changed := changedEscalationPolicy(before, out); len(changed) > 0 {
			return db.recordAudit(ctx, tx, org, hiretext.AuditTextingSettings, "texting_settings", hiretext.AuditDetails{"changed": changed})
		}
		return nil
	})
	return out, err
}

// changedEscalationPolicy names the settings that differ between a and b.
func changedEscalationPolicy(a, b *hiretext.EscalationPolicy) []string {
	changed := []string{}
	if a.Enabled != b.Enabled {
		changed = append(changed, "escalation_enabled")
	}
	if !a.BusinessHours.Equal(b.BusinessHours) {
		changed = append(changed, "business_hours")
	}
	if a.TeamAfterHours != b.TeamAfterHours {
		changed = append(changed, "team_after_hours")
	}
	if a.AdminsAfterHours != b.AdminsAfterHours {
		changed = append(changed, "admins_after_hours")
	}
	return changed
}

const upsertEscalationPolicy = `INSERT INTO escalation_policies (org_id, enabled, business_hours, team_after_hours,
		admins_after_hours, updated_at, updated_by)
	VALUES (?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (org_id) DO UPDATE SET enabled = excluded.enabled, business_hours = excluded.business_hours,
		team_after_hours = excluded.team_after_hours, admins_after_hours = excluded.admins_after_hours,
		updated_at = excluded.updated_at, updated_by = excluded.updated_by`

// armEscalation is the part of touchInbounds' update that starts the
// escalation clock when a wait starts: the job looks at the conversation
// first at the wait's start (v.column5, the first text's time) and then at
// each step's due time. Companies that do not escalate arm nothing.
const armEscalation = `, escalate_at = CASE WHEN waiting_since IS NULL AND EXISTS (SELECT 1 FROM escalation_policies p
	WHERE p.org_id = conversations.org_id AND p.enabled) THEN v.column5 ELSE escalate_at END`

// escalateBatch is how many due conversations one transaction of the job
// takes.
const escalateBatch = 100

// Escalate runs every escalation step due now and returns how many it ran.
// Each batch is one transaction; on PostgreSQL instances running it at once
// skip each other's rows, and the unique key on escalations makes a step
// happen once even so.
func (db *DB) Escalate(ctx context.Context) (int, error) {
	total := 0
	for {
		fired, taken, err := db.escalateOnce(ctx)
		total += fired
		if err != nil || taken < escalateBatch {
			return total, err
		}
	}
}

// dueForEscalation reads the conversations whose escalate_at has come,
// oldest first, through conversations_escalate_due.
const dueForEscalation = `SELECT id, org_id, number_id, waiting_since, COALESCE(last_outbound_id, 0)
	FROM conversations WHERE escalate_at <= ? ORDER BY escalate_at, id LIMIT ?`

// dueConversation is a conversation the escalation job looks at.
type dueConversation struct {
	id           hiretext.ConversationID
	org          hiretext.OrgID
	number       hiretext.NumberID
	waitingSince sql.NullTime
	lastOutbound int64
}

// escalateOnce takes one batch of due conversations, returning the steps
// it ran and how many conversations it took.
func (db *DB) escalateOnce(ctx context.Context) (fired, taken int, err error) {
	err = db.inEventTx(ctx, func(tx conn) error {
		fired = 0 // a retried transaction starts again
		now := db.now()
		due, err := queryAll(ctx, tx, scanDueConversation, dueForEscalation+db.dialect.skipLocked(), now, escalateBatch)
		if err != nil {
			return err
		}
		taken = len(due)
		policies := map[hiretext.OrgID]*orgEscalation{}
		for _, v := range due {
			n, err := db.escalateConversation(ctx, tx, v, policies, now)
			if err != nil {
				return err
			}
			fired += n
		}
		return nil
	})
	return fired, taken, err
}

func scanDueConversation(row scanner) (dueConversation, error) {
	var v dueConversation
	err := row.Scan(&v.id, &v.org, &v.number, &v.waitingSince, &v.lastOutbound)
	return v, err
}

// orgEscalation is a company's policy and time zone, read once per batch.
type orgEscalation struct {
	policy *hiretext.EscalationPolicy
	loc    *time.Location
}

func loadOrgEscalation(ctx context.Context, tx conn, org hiretext.OrgID, cache map[hiretext.OrgID]*orgEscalation) (*orgEscalation, error) {
	if e, ok := cache[org]; ok {
		return e, nil
	}
	p, err := escalationPolicy(ctx, tx, org)
	if err != nil {
		return nil, err
	}
	o, err := scanOrg(tx.queryRow(ctx, "SELECT "+orgColumns+" FROM organizations WHERE id = ?", org))
	if err != nil {
		return nil, err
	}
	cache[org] = &orgEscalation{policy: p, loc: o.Location()}
	return cache[org], nil
}

// escalateConversation runs v's next step if it is due, and moves its
// escalate_at to when the job should look again (none once the wait is
// over, the policy off, or both steps taken).
func (db *DB) escalateConversation(ctx context.Context, tx conn, v dueConversation, cache map[hiretext.OrgID]*orgEscalation, now time.Time) (int, error) {
	e, err := loadOrgEscalation(ctx, tx, v.org, cache)
	if err != nil {
		return 0, err
	}
	var next any // NULL: nothing more to do
	fired := 0
	if v.waitingSince.Valid && e.policy.Enabled {
		var taken int
		if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(e.step), 0) FROM escalations e JOIN conversations v
			ON v.id = e.conversation_id AND v.waiting_since = e.waiting_since WHERE v.id = ?`, v.id).Scan(&taken); err != nil {
			return 0, err
		}
		step := hiretext.EscalationStep(taken + 1)
		if at, ok := e.policy.Due(v.waitingSince.Time, step, e.loc); ok && step <= hiretext.EscalateAdmins {
			next = at
			if !now.Before(at) {
				if fired, err = db.fireEscalation(ctx, tx, v, step, e.policy, now); err != nil {
					return 0, err
				}
				next = nil
				if at, ok := e.policy.Due(v.waitingSince.Time, step+1, e.loc); ok && step < hiretext.EscalateAdmins {
					next = at
				}
			}
		}
	}
	_, err = tx.exec(ctx, "UPDATE conversations SET escalate_at = ? WHERE id = ?", next, v.id)
	return fired, err
}

// fireEscalation takes step for v: it records the step (once: a step
// another instance took already is left alone) and tells each recipient
// in the bell, live, and by email if they chose it. It returns 1 when it
// took the step.
func (db *DB) fireEscalation(ctx context.Context, tx conn, v dueConversation, step hiretext.EscalationStep, p *hiretext.EscalationPolicy, now time.Time) (int, error) {
	ids, err := queryAll(ctx, tx, scanValue[int64], `INSERT INTO escalations (org_id, conversation_id, waiting_since, step, created_at)
		SELECT org_id, id, waiting_since, ?, ? FROM conversations WHERE id = ? AND waiting_since IS NOT NULL
		ON CONFLICT (conversation_id, waiting_since, step) DO NOTHING RETURNING id`, step, now, v.id)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	recipients, err := escalationRecipients(ctx, tx, v, step)
	if err != nil {
		return 0, err
	}
	who, link, err := db.conversationLink(ctx, tx, v.id)
	if err != nil {
		return 0, err
	}
	kind, hours := hiretext.AlertEscalationTeam, p.TeamAfterHours
	if step == hiretext.EscalateAdmins {
		kind, hours = hiretext.AlertEscalationAdmins, p.TeamAfterHours+p.AdminsAfterHours
	}
	for _, r := range recipients {
		if err := db.tellEscalation(ctx, tx, v, ids[0], r, kind, now); err != nil {
			return 0, err
		}
		if r.email && link != "" {
			subject, text, html := hiretext.EscalationEmail(who, hours, link)
			if _, err := tx.exec(ctx, `INSERT INTO email_outbox (org_id, user_id, to_addr, subject, body_text, body_html, status,
				kind, conversation_id, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?)`,
				v.org, r.user.ID, r.user.Email, subject, text, html, hiretext.EmailKindEscalation, v.id, now, now); err != nil {
				return 0, err
			}
		}
	}
	// The number's open pages show who was told under the texts.
	return 1, db.insertEvent(ctx, tx, &hiretext.Event{OrgID: v.org, NumberID: v.number, Kind: hiretext.EventConversationChanged,
		At: now, Data: eventData(map[string]any{"conversation_id": v.id})})
}

// escalationRecipient is a user an escalation tells, and whether they
// chose email about candidates waiting.
type escalationRecipient struct {
	user  *hiretext.User
	email bool
}

// escalationRecipients are whom step tells: the number's active users who
// may read its texts, except the one whose text the candidate answered
// (they are the one keeping the candidate waiting); then the company's
// active administrators.
func escalationRecipients(ctx context.Context, tx conn, v dueConversation, step hiretext.EscalationStep) ([]escalationRecipient, error) {
	q, args := `SELECT `+userColumns+`, notify_away_reply FROM users WHERE org_id = ? AND active AND role = ? ORDER BY name, id`,
		[]any{v.org, hiretext.RoleAdmin}
	if step == hiretext.EscalateTeam {
		q = `SELECT ` + userColumns + `, notify_away_reply FROM users WHERE org_id = ? AND active
			AND id IN (SELECT user_id FROM number_users WHERE org_id = ? AND number_id = ?)
			AND id <> COALESCE((SELECT m.user_id FROM messages m WHERE m.id = ?), 0) ORDER BY name, id`
		args = []any{v.org, v.org, v.number, v.lastOutbound}
	}
	all, err := queryAll(ctx, tx, func(row scanner) (escalationRecipient, error) {
		var r escalationRecipient
		u := &hiretext.User{}
		var perms string
		err := row.Scan(&u.ID, &u.OrgID, &u.Email, &u.Name, &u.Role, &perms, &u.Active, &u.CreatedAt, &r.email)
		u.Permissions, _ = hiretext.ParsePermissions(perms)
		r.user = u
		return r, err
	}, q, args...)
	if err != nil {
		return nil, err
	}
	// Only those who may read the texts are told about one.
	return slices.DeleteFunc(all, func(r escalationRecipient) bool { return !r.user.SeesTexts() }), nil
}

// tellEscalation records that escalation id told r, and gives r a
// notification in the bell, live.
func (db *DB) tellEscalation(ctx context.Context, tx conn, v dueConversation, id int64, r escalationRecipient,
	kind hiretext.AlertKind, now time.Time) error {
	if _, err := tx.exec(ctx, "INSERT INTO escalation_recipients (escalation_id, user_id) VALUES (?, ?)", id, r.user.ID); err != nil {
		return err
	}
	var note hiretext.NotificationID
	if err := tx.queryRow(ctx, `INSERT INTO notifications (org_id, user_id, number_id, kind, conversation_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, v.org, r.user.ID, v.number, kind, v.id, now).Scan(&note); err != nil {
		return err
	}
	return db.insertEvent(ctx, tx, &hiretext.Event{OrgID: v.org, UserID: r.user.ID, Kind: hiretext.EventConversationEscalated, At: now,
		Data: eventData(map[string]any{"kind": string(kind), "conversation_id": v.id, "notification_id": note})})
}

// conversationLink names who waits in conversation id (the candidate, or
// the phone of an unknown sender) and links to the conversation; the link
// is "" when the store has no public URL.
func (db *DB) conversationLink(ctx context.Context, tx conn, id hiretext.ConversationID) (who, link string, err error) {
	var candidate int64
	err = tx.queryRow(ctx, `SELECT COALESCE(v.candidate_id, 0), CASE WHEN c.id IS NULL THEN v.phone
		WHEN c.erased_at IS NULL THEN c.first_name || ' ' || c.last_name ELSE ? END
		FROM conversations v LEFT JOIN candidates c ON c.id = v.candidate_id WHERE v.id = ?`, hiretext.ErasedCandidate, id).Scan(&candidate, &who)
	if err != nil || db.publicURL == "" {
		return who, "", err
	}
	if candidate != 0 {
		return who, db.publicURL + "/candidates/" + strconv.FormatInt(candidate, 10) + "/conversation", nil
	}
	return who, db.publicURL + "/conversations/" + strconv.FormatInt(int64(id), 10), nil
}

// ConversationEscalations lists the steps of conversation id's current
// wait, oldest first, with whom each told.
func (db *DB) ConversationEscalations(ctx context.Context, org hiretext.OrgID, id hiretext.ConversationID) ([]*hiretext.Escalation, error) {
	var out []*hiretext.Escalation
	err := queryEach(ctx, db.reader(), func(row scanner) error {
		var step hiretext.EscalationStep
		var at time.Time
		var name sql.NullString
		if err := row.Scan(&step, &at, &name); err != nil {
			return err
		}
		if len(out) == 0 || out[len(out)-1].Step != step {
			out = append(out, &hiretext.Escalation{ConversationID: id, Step: step, At: at.UTC()})
		}
		if name.Valid {
			out[len(out)-1].Told = append(out[len(out)-1].Told, name.String)
		}
		return nil
	}, `SELECT e.step, e.created_at, u.name FROM escalations e
		JOIN conversations v ON v.id = e.conversation_id AND v.waiting_since = e.waiting_since
		LEFT JOIN escalation_recipients r ON r.escalation_id = e.id LEFT JOIN users u ON u.id = r.user_id
		WHERE e.org_id = ? AND e.conversation_id = ? ORDER BY e.step, u.name`, org, id)
	return out, err
}
