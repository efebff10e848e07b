package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/hiretext/hiretext"
)

// Templates are the company's (owner_id NULL) or one user's; a user sees the
// company's and their own. Every query filters on both, so another company's
// or another user's template is simply not found.

const templateColumns = `t.id, t.org_id, COALESCE(t.owner_id, 0), t.name, t.body, t.created_at, t.updated_at`

// templateVisible is the condition for the templates user may see.
const templateVisible = ` t.org_id = ? AND (t.owner_id IS NULL OR t.owner_id = ?)`

func scanTemplate(s scanner) (*hiretext.Template, error) {
	var t hiretext.Template
	if err := s.Scan(&t.ID, &t.OrgID, &t.OwnerID, &t.Name, &t.Body, &t.CreatedAt, &t.UpdatedAt); err != nil {
		return nil, orNotFound(err, "Template")
	}
	t.Scope = hiretext.ScopeCompany
	if t.OwnerID != 0 {
		t.Scope = hiretext.ScopePersonal
	}
	return &t, nil
}

// CreateTemplate validates and saves a template: the company's, or user's
// own. A name its owner already uses is a field error.
func (db *DB) CreateTemplate(ctx context.Context, org hiretext.OrgID, user hiretext.UserID, in hiretext.TemplateInput) (*hiretext.Template, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	now := db.now()
	t := &hiretext.Template{OrgID: org, Scope: in.Scope, Name: in.Name, Body: in.Body, CreatedAt: now, UpdatedAt: now}
	if in.Scope == hiretext.ScopePersonal {
		t.OwnerID = user
	}
	err := db.inTx(ctx, func(tx conn) error {
		if err := tx.queryRow(ctx, `INSERT INTO message_templates (org_id, owner_id, name, name_key, body, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, org, nullInt(t.OwnerID), t.Name, hiretext.TemplateNameKey(t.Name),
			t.Body, now, now).Scan(&t.ID); err != nil {
			return err
		}
		return db.auditTemplate(ctx, tx, t, hiretext.AuditTemplateCreated, hiretext.AuditDetails{"name": t.Name})
	})
	if db.dialect.isUniqueViolation(err) {
		return nil, hiretext.DuplicateTemplateName(t.Scope, t.Name)
	}
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Templates lists the company's templates, then user's own, each by name.
func (db *DB) Templates(ctx context.Context, org hiretext.OrgID, user hiretext.UserID) ([]*hiretext.Template, error) {
	return queryAll(ctx, db.reader(), scanTemplate, "SELECT "+templateColumns+" FROM message_templates t WHERE"+templateVisible+`
		ORDER BY CASE WHEN t.owner_id IS NULL THEN 0 ELSE 1 END, t.name_key, t.id`, org, user)
}

// TemplateByID returns a template user may see: the company's, or their own.
func (db *DB) TemplateByID(ctx context.Context, org hiretext.OrgID, user hiretext.UserID, id hiretext.TemplateID) (*hiretext.Template, error) {
	return templateByID(ctx, db.reader(), org, user, id)
}

func templateByID(ctx context.Context, c conn, org hiretext.OrgID, user hiretext.UserID, id hiretext.TemplateID) (*hiretext.Template, error) {
	return scanTemplate(c.queryRow(ctx, "SELECT "+templateColumns+" FROM message_templates t WHERE t.id = ? AND"+templateVisible,
		id, org, user))
}

// UpdateTemplate changes a template's name or body. Texts already sent keep
// their own body and the name the template had.
func (db *DB) UpdateTemplate(ctx context.Context, org hiretext.OrgID, user hiretext.UserID, id hiretext.TemplateID,
	u hiretext.TemplateUpdate) (*hiretext.Template, error) {
	var out *hiretext.Template
	err := db.inTx(ctx, func(tx conn) error {
		t, err := templateByID(ctx, tx, org, user, id)
		if err != nil {
			return err
		}
		changed, err := u.Apply(*t)
		if err != nil {
			return err
		}
		changed.UpdatedAt = db.now()
		out = &changed
		if changed.Name == t.Name && changed.Body == t.Body {
			return nil // nothing changed, nothing to record
		}
		if _, err := tx.exec(ctx, `UPDATE message_templates SET name = ?, name_key = ?, body = ?, updated_at = ? WHERE org_id = ? AND id = ?`,
			changed.Name, hiretext.TemplateNameKey(changed.Name), changed.Body, changed.UpdatedAt, org, id); err != nil {
			return err
		}
		details := hiretext.AuditDetails{"name": changed.Name, "text_changed": changed.Body != t.Body}
		if changed.Name != t.Name {
			details["name"] = hiretext.Changed(t.Name, changed.Name)
		}
		return db.auditTemplate(ctx, tx, &changed, hiretext.AuditTemplateChanged, details)
	})
	if db.dialect.isUniqueViolation(err) {
		return nil, hiretext.DuplicateTemplateName(out.Scope, out.Name)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteTemplate deletes a template user may see. Texts sent from it keep
// its name.
func (db *DB) DeleteTemplate(ctx context.Context, org hiretext.OrgID, user hiretext.UserID, id hiretext.TemplateID) error {
	return db.inTx(ctx, func(tx conn) error {
		t, err := templateByID(ctx, tx, org, user, id)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, "DELETE FROM message_templates WHERE org_id = ? AND id = ?", org, id); err != nil {
			return err
		}
		return db.auditTemplate(ctx, tx, t, hiretext.AuditTemplateDeleted, hiretext.AuditDetails{"name": t.Name})
	})
}

// auditTemplate records an act on a company template in the audit trail;
// a user's own templates are theirs alone and are not recorded. The words
// of a template are never recorded, only its name.
func (db *DB) auditTemplate(ctx context.Context, tx conn, t *hiretext.Template, action hiretext.AuditAction,
	details hiretext.AuditDetails) error {
	if t.Scope != hiretext.ScopeCompany {
		return nil
	}
	return db.recordAudit(ctx, tx, t.OrgID, action, auditTarget("template", t.ID), details)
}

// Signature returns user's signature; none when they never set one.
func (db *DB) Signature(ctx context.Context, org hiretext.OrgID, user hiretext.UserID) (hiretext.Signature, error) {
	return signature(ctx, db.reader(), org, user)
}

func signature(ctx context.Context, c conn, org hiretext.OrgID, user hiretext.UserID) (hiretext.Signature, error) {
	var s hiretext.Signature
	err := c.queryRow(ctx, `SELECT body, every_text FROM user_signatures WHERE org_id = ? AND user_id = ?`, org, user).Scan(&s.Text, &s.Every)
	if errors.Is(err, sql.ErrNoRows) {
		return hiretext.Signature{}, nil
	}
	return s, err
}

// SetSignature validates and saves user's signature; an empty text
// removes it.
func (db *DB) SetSignature(ctx context.Context, org hiretext.OrgID, user hiretext.UserID, s hiretext.Signature) (hiretext.Signature, error) {
	if err := s.Validate(); err != nil {
		return hiretext.Signature{}, err
	}
	err := db.inTx(ctx, func(tx conn) error {
		if s.Text == "" {
			_, err := tx.exec(ctx, `DELETE FROM user_signatures WHERE org_id = ? AND user_id = ?`, org, user)
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO user_signatures (user_id, org_id, body, every_text, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET body = excluded.body, every_text = excluded.every_text, updated_at = excluded.updated_at
			WHERE user_signatures.org_id = excluded.org_id`,
			user, org, s.Text, s.Every, db.now())
		return err
	})
	if err != nil {
		return hiretext.Signature{}, err
	}
	return s, nil
}
