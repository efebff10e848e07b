package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/hiretext/hiretext"
)

// TextingSettings returns org's texting settings: the defaults until an
// administrator saves them.
func (db *DB) TextingSettings(ctx context.Context, org hiretext.OrgID) (*hiretext.TextingSettings, error) {
	return textingSettings(ctx, db.reader(), org)
}

// textingSettings is TextingSettings on q, for use inside a transaction (an
// inbound STOP reads the confirmation it sends).
func textingSettings(ctx context.Context, q conn, org hiretext.OrgID) (*hiretext.TextingSettings, error) {
	o, err := scanOrg(q.queryRow(ctx, "SELECT "+orgColumns+" FROM organizations WHERE id = ?", org))
	if err != nil {
		return nil, err
	}
	s := hiretext.DefaultTextingSettings(o)
	var by sql.NullInt64
	err = q.queryRow(ctx, `SELECT consent_disclosure, optout_confirmation, optout_confirmation_enabled,
			optin_confirmation, help_reply, help_contact, optout_confirmation_es, optin_confirmation_es, help_reply_es,
			updated_at, updated_by FROM texting_settings WHERE org_id = ?`, org).
		Scan(&s.ConsentDisclosure, &s.OptOutConfirmation, &s.OptOutConfirmationEnabled, &s.OptInConfirmation,
			&s.HelpReply, &s.HelpContact, &s.OptOutConfirmationES, &s.OptInConfirmationES, &s.HelpReplyES, &s.UpdatedAt, &by)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	s.UpdatedBy = hiretext.UserID(by.Int64)
	return s, nil
}

// UpdateTextingSettings replaces org's texting settings; by is the
// administrator saving them.
func (db *DB) UpdateTextingSettings(ctx context.Context, org hiretext.OrgID, u hiretext.TextingSettingsUpdate, by hiretext.UserID) (*hiretext.TextingSettings, error) {
	if err := u.Validate(); err != nil {
		return nil, err
	}
	var out *hiretext.TextingSettings
	err := db.inTx(ctx, func(tx conn) error {
		before, err := textingSettings(ctx, tx, org)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, upsertTextingSettings, org, u.ConsentDisclosure, u.OptOutConfirmation,
			u.OptOutConfirmationEnabled, u.OptInConfirmation, u.HelpReply, u.HelpContact, u.OptOutConfirmationES,
			u.OptInConfirmationES, u.HelpReplyES, db.now(), nullInt(by)); err != nil {
			return err
		}
		if out, err = textingSettings(ctx, tx, org); err != nil {
			return err
		}
		if changed := changedTextingSettings(before, out); len(changed) > 0 {
			return db.recordAudit(ctx, tx, org, hiretext.AuditTextingSettings, "texting_settings", hiretext.AuditDetails{"changed": changed})
		}
		return nil
	})
	return out, err
}

// changedTextingSettings names the settings that differ between a and b.
// The audit trail records the names only: the texts are the company's
// words to candidates, read on the settings page, not in the trail.
func changedTextingSettings(a, b *hiretext.TextingSettings) []string {
	fields := []struct {
		name   string
		before any
		after  any
	}{
		{"consent_disclosure", a.ConsentDisclosure, b.ConsentDisclosure},
		{"optout_confirmation", a.OptOutConfirmation, b.OptOutConfirmation},
		{"optout_confirmation_enabled", a.OptOutConfirmationEnabled, b.OptOutConfirmationEnabled},
		{"optin_confirmation", a.OptInConfirmation, b.OptInConfirmation},
		{"help_reply", a.HelpReply, b.HelpReply},
		{"help_contact", a.HelpContact, b.HelpContact},
		{"optout_confirmation_es", a.OptOutConfirmationES, b.OptOutConfirmationES},
		{"optin_confirmation_es", a.OptInConfirmationES, b.OptInConfirmationES},
		{"help_reply_es", a.HelpReplyES, b.HelpReplyES},
	}
	changed := []string{}
	for _, f := range fields {
		if f.before != f.after {
			changed = append(changed, f.name)
		}
	}
	return changed
}

const upsertTextingSettings = `INSERT INTO texting_settings (org_id, consent_disclosure, optout_confirmation,
		optout_confirmation_enabled, optin_confirmation, help_reply, help_contact, optout_confirmation_es,
		optin_confirmation_es, help_reply_es, updated_at, updated_by)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (org_id) DO UPDATE SET consent_disclosure = excluded.consent_disclosure,
		optout_confirmation = excluded.optout_confirmation,
		optout_confirmation_enabled = excluded.optout_confirmation_enabled,
		optin_confirmation = excluded.optin_confirmation, help_reply = excluded.help_reply,
		help_contact = excluded.help_contact, optout_confirmation_es = excluded.optout_confirmation_es,
		optin_confirmation_es = excluded.optin_confirmation_es, help_reply_es = excluded.help_reply_es, updated_at = excluded.updated_at, updated_by = excluded.updated_by`
