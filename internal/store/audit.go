package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/hiretext/hiretext"
)

// recordAudit appends an entry to org's audit trail inside tx, the
// transaction that makes the change it records, so the entry exists exactly
// when the change committed. Who acted comes from ctx (hiretext.ActorFrom).
func (db *DB) recordAudit(ctx context.Context, tx conn, org hiretext.OrgID, action hiretext.AuditAction, target string,
	details hiretext.AuditDetails) error {
	if details == nil {
		details = hiretext.AuditDetails{}
	}
	raw, err := json.Marshal(details)
	if err != nil {
		return fmt.Errorf("store: audit details of %s: %w", action, err)
	}
	a := hiretext.ActorFrom(ctx)
	var user sql.NullInt64
	if a.Kind == hiretext.ActorUser {
		user = sql.NullInt64{Int64: int64(a.UserID), Valid: true}
	}
	_, err = tx.exec(ctx, `INSERT INTO audit_events (org_id, at, actor_kind, actor_user_id, ip, action, target, details)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, org, db.now(), a.Kind, user, a.IP, action, target, string(raw))
	return err
}

// auditTarget writes an entry's target "kind:id".
func auditTarget[T ~int64](kind string, id T) string { return kind + ":" + idText(id) }

// idText writes an id as the API does, a string of digits.
func idText[T ~int64](id T) string { return strconv.FormatInt(int64(id), 10) }

// auditUser names a user in an entry's details: {"id", "name"}, so the
// trail reads well after the user is renamed.
func auditUser(ctx context.Context, tx conn, org hiretext.OrgID, id hiretext.UserID) (map[string]any, error) {
	var name string
	if err := tx.queryRow(ctx, "SELECT name FROM users WHERE org_id = ? AND id = ?", org, id).Scan(&name); err != nil {
		return nil, orNotFound(err, "User")
	}
	return map[string]any{"id": idText(id), "name": name}, nil
}

// RecordAudit records an act that changes nothing stored, such as a
// download of a candidate's data, in its own transaction.
func (db *DB) RecordAudit(ctx context.Context, org hiretext.OrgID, action hiretext.AuditAction, target string,
	details hiretext.AuditDetails) error {
	if !action.Valid() {
		return fmt.Errorf("store: unknown audit action %q", action)
	}
	return db.inTx(ctx, func(tx conn) error { return db.recordAudit(ctx, tx, org, action, target, details) })
}

const auditColumns = `a.id, a.org_id, a.at, a.actor_kind, COALESCE(a.actor_user_id, 0), COALESCE(u.name, ''), a.ip,
	a.action, a.target, a.details FROM audit_events a LEFT JOIN users u ON u.id = a.actor_user_id`

// auditWhere is the WHERE clause of f for org, and its arguments.
func auditWhere(org hiretext.OrgID, f hiretext.AuditFilter) (string, []any) {
	var b strings.Builder
	b.WriteString(" WHERE a.org_id = ? AND a.at >= ? AND a.at < ?")
	args := []any{org, f.Period.Start().UTC(), f.Period.End().UTC()}
	if f.Action != "" {
		b.WriteString(" AND a.action = ?")
		args = append(args, f.Action)
	}
	if f.ActorKind != "" {
		b.WriteString(" AND a.actor_kind = ?")
		args = append(args, f.ActorKind)
	}
	if f.ActorKind == hiretext.ActorUser && f.ActorUser != 0 {
		b.WriteString(" AND a.actor_user_id = ?")
		args = append(args, f.ActorUser)
	}
	return b.String(), args
}

const auditOrder = " ORDER BY a.at DESC, a.id DESC"

// AuditLog returns one page of org's audit trail, newest first, and the
// cursor of the next page.
func (db *DB) AuditLog(ctx context.Context, org hiretext.OrgID, q hiretext.AuditQuery) (*hiretext.AuditPage, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = hiretext.DefaultAuditLimit
	}
	limit = min(limit, hiretext.MaxAuditLimit)
	where, args := auditWhere(org, q.AuditFilter)
	if q.Cursor != "" {
		c, err := parseActivityCursor(q.Cursor, false)
		if err != nil {
			return nil, err
		}
		where += " AND a.at <= ? AND (a.at < ? OR a.id < ?)"
		args = append(args, c.at, c.at, c.id)
	}
	entries, err := queryAll(ctx, db.reader(), scanAudit, "SELECT "+auditColumns+where+auditOrder+" LIMIT ?", append(args, limit+1)...)
	if err != nil {
		return nil, err
	}
	page := &hiretext.AuditPage{Entries: entries}
	if len(entries) > limit {
		page.Entries = entries[:limit]
		last := page.Entries[limit-1]
		page.NextCursor = activityCursor{at: last.At, id: int64(last.ID)}.String()
	}
	return page, nil
}

// EachAudit calls each with every entry of org's trail that f selects,
// newest first, as the rows arrive, on the export pool (a download holds its
// connection for as long as its client reads).
func (db *DB) EachAudit(ctx context.Context, org hiretext.OrgID, f hiretext.AuditFilter, each func(*hiretext.AuditEntry) error) error {
	if err := f.Validate(); err != nil {
		return err
	}
	where, args := auditWhere(org, f)
	return queryEach(ctx, db.exporter(), func(row scanner) error {
		e, err := scanAudit(row)
		if err != nil {
			return err
		}
		return each(e)
	}, "SELECT "+auditColumns+where+auditOrder, args...)
}

func scanAudit(row scanner) (*hiretext.AuditEntry, error) {
	var e hiretext.AuditEntry
	var user int64
	var details string
	if err := row.Scan(&e.ID, &e.OrgID, &e.At, &e.Actor.Kind, &user, &e.ActorName, &e.Actor.IP, &e.Action, &e.Target, &details); err != nil {
		return nil, err
	}
	e.Actor.UserID = hiretext.UserID(user)
	dec := json.NewDecoder(bytes.NewReader([]byte(details)))
	dec.UseNumber() // ids and counts stay exact
	if err := dec.Decode(&e.Details); err != nil {
		return nil, fmt.Errorf("store: audit entry %d: details: %w", e.ID, err)
	}
	return &e, nil
}
