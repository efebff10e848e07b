package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/hiretext/hiretext"
)

// Custom application forms are rows of application_forms; the built-in
// ones are the code's (hiretext.BuiltinForm). A job names its form in
// jobs.application_form: "standard", "dot" or a custom form's id as text.

const formColumns = `f.id, f.org_id, f.name, f.base, f.questions, f.next_question, f.created_at, f.updated_at,
	(SELECT COUNT(*) FROM jobs j WHERE j.org_id = f.org_id AND j.application_form = CAST(f.id AS TEXT))`

func scanForm(s scanner) (*hiretext.ApplicationForm, error) {
	var f hiretext.ApplicationForm
	var id int64
	var questions string
	if err := s.Scan(&id, &f.OrgID, &f.Name, &f.Base, &questions, &f.NextQuestion, &f.CreatedAt, &f.UpdatedAt, &f.Jobs); err != nil {
		return nil, orNotFound(err, "Application form")
	}
	f.ID = hiretext.CustomFormID(id)
	if err := json.Unmarshal([]byte(questions), &f.Questions); err != nil {
		return nil, err
	}
	return &f, nil
}

// ApplicationForms lists org's forms: the two built-in ones, then the
// custom ones by name, each with the number of jobs using it.
func (db *DB) ApplicationForms(ctx context.Context, org hiretext.OrgID) ([]*hiretext.ApplicationForm, error) {
	var out []*hiretext.ApplicationForm
	for _, id := range []hiretext.FormID{hiretext.FormStandard, hiretext.FormDOT} {
		f, err := applicationForm(ctx, db.reader(), org, id)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	custom, err := queryAll(ctx, db.reader(), scanForm, "SELECT "+formColumns+" FROM application_forms f WHERE f.org_id = ? ORDER BY f.name_key, f.id", org)
	return append(out, custom...), err
}

// ApplicationForm returns one of org's forms, built in or custom.
func (db *DB) ApplicationForm(ctx context.Context, org hiretext.OrgID, id hiretext.FormID) (*hiretext.ApplicationForm, error) {
	return applicationForm(ctx, db.reader(), org, id)
}

func applicationForm(ctx context.Context, c conn, org hiretext.OrgID, id hiretext.FormID) (*hiretext.ApplicationForm, error) {
	f, err := formWithoutSettings(ctx, c, org, id)
	if err != nil || f.Base != hiretext.FormDOT {
		return f, err
	}
	f.CollectSSN, err = collectSSN(ctx, c, org)
	return f, err
}

func formWithoutSettings(ctx context.Context, c conn, org hiretext.OrgID, id hiretext.FormID) (*hiretext.ApplicationForm, error) {
	if f := hiretext.BuiltinForm(org, id); f != nil {
		err := c.queryRow(ctx, "SELECT COUNT(*) FROM jobs WHERE org_id = ? AND application_form = ?", org, id).Scan(&f.Jobs)
		return f, err
	}
	n := id.Custom()
	if n == 0 {
		return nil, hiretext.Errorf(hiretext.ENotFound, "Application form not found.")
	}
	return scanForm(c.queryRow(ctx, "SELECT "+formColumns+" FROM application_forms f WHERE f.org_id = ? AND f.id = ?", org, n))
}

// collectSSN reports whether org's DOT driver application asks the Social
// Security number.
func collectSSN(ctx context.Context, c conn, org hiretext.OrgID) (bool, error) {
	var on bool
	err := c.queryRow(ctx, "SELECT collect_ssn FROM application_form_settings WHERE org_id = ?", org).Scan(&on)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return on, err
}

// SetCollectSSN turns on or off the Social Security number on org's DOT
// driver application (and the custom forms based on it), recording the
// change in the audit trail. Applications already received keep theirs.
func (db *DB) SetCollectSSN(ctx context.Context, org hiretext.OrgID, on bool) error {
	return db.inTx(ctx, func(tx conn) error {
		was, err := collectSSN(ctx, tx, org)
		if err != nil || was == on {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO application_form_settings (org_id, collect_ssn) VALUES (?, ?)
			ON CONFLICT (org_id) DO UPDATE SET collect_ssn = excluded.collect_ssn`, org, on); err != nil {
			return err
		}
		return db.recordAudit(ctx, tx, org, hiretext.AuditSSNCollection, "application_forms", hiretext.AuditDetails{"collect_ssn": hiretext.Changed(was, on)})
	})
}

// CreateApplicationForm validates and saves a custom form. A name the
// company already uses for a form is a field error.
func (db *DB) CreateApplicationForm(ctx context.Context, org hiretext.OrgID, in hiretext.FormInput) (*hiretext.ApplicationForm, error) {
	f, err := hiretext.NewCustomForm(org, in)
	if err != nil {
		return nil, err
	}
	questions, err := json.Marshal(f.Questions)
	if err != nil {
		return nil, err
	}
	f.CreatedAt, f.UpdatedAt = db.now(), db.now()
	var id int64
	err = db.inTx(ctx, func(tx conn) error {
		if err := tx.queryRow(ctx, `INSERT INTO application_forms (org_id, name, name_key, base, questions, next_question, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, org, f.Name, hiretext.TemplateNameKey(f.Name), f.Base, string(questions),
			f.NextQuestion, f.CreatedAt, f.UpdatedAt).Scan(&id); err != nil {
			return err
		}
		return db.recordAudit(ctx, tx, org, hiretext.AuditFormCreated, auditTarget("application_form", id),
			hiretext.AuditDetails{"name": f.Name, "base": f.Base, "questions": len(f.Questions)})
	})
	if db.dialect.isUniqueViolation(err) {
		return nil, duplicateFormName(f.Name)
	}
	if err != nil {
		return nil, err
	}
	f.ID = hiretext.CustomFormID(id)
	return f, nil
}

func duplicateFormName(name string) error {
	msg := "There is already a form called " + name + "."
	return hiretext.FieldError(msg, map[string]string{"name": msg})
}

// UpdateApplicationForm changes a custom form's name or questions.
// Applications already received keep their answers as asked; a built-in
// form cannot change (EConflict).
func (db *DB) UpdateApplicationForm(ctx context.Context, org hiretext.OrgID, id hiretext.FormID, u hiretext.FormUpdate) (*hiretext.ApplicationForm, error) {
	var out *hiretext.ApplicationForm
	err := db.inTx(ctx, func(tx conn) error {
		f, err := applicationForm(ctx, tx, org, id)
		if err != nil {
			return err
		}
		changed, err := u.Apply(*f)
		if err != nil {
			return err
		}
		questions, err := json.Marshal(changed.Questions)
		if err != nil {
			return err
		}
		changed.UpdatedAt = db.now()
		out = &changed
		before, err := json.Marshal(f.Questions)
		if err != nil || (changed.Name == f.Name && string(before) == string(questions)) {
			return err // nothing changed, nothing to record
		}
		if _, err = tx.exec(ctx, `UPDATE application_forms SET name = ?, name_key = ?, questions = ?, next_question = ?, updated_at = ?
			WHERE org_id = ? AND id = ?`, changed.Name, hiretext.TemplateNameKey(changed.Name), string(questions), changed.NextQuestion,
			changed.UpdatedAt, org, id.Custom()); err != nil {
			return err
		}
		details := hiretext.AuditDetails{"name": changed.Name, "questions": len(changed.Questions)}
		if changed.Name != f.Name {
			details["name"] = hiretext.Changed(f.Name, changed.Name)
		}
		if len(changed.Questions) != len(f.Questions) {
			details["questions"] = hiretext.Changed(len(f.Questions), len(changed.Questions))
		}
		return db.recordAudit(ctx, tx, org, hiretext.AuditFormChanged, auditTarget("application_form", id.Custom()), details)
	})
	if db.dialect.isUniqueViolation(err) {
		return nil, duplicateFormName(out.Name)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteApplicationForm deletes a custom form that no job uses; a form in
// use, or a built-in one, is EConflict. Applications keep its name and
// their answers.
func (db *DB) DeleteApplicationForm(ctx context.Context, org hiretext.OrgID, id hiretext.FormID) error {
	return db.inTx(ctx, func(tx conn) error {
		f, err := applicationForm(ctx, tx, org, id)
		if err != nil {
			return err
		}
		switch {
		case f.Builtin():
			return hiretext.Errorf(hiretext.EConflict, "The %s is built in and cannot be deleted.", f.Name)
		case f.Jobs == 1:
			return hiretext.Errorf(hiretext.EConflict, "A job uses %s: give the job another form first.", f.Name)
		case f.Jobs > 1:
			return hiretext.Errorf(hiretext.EConflict, "%d jobs use %s: give them another form first.", f.Jobs, f.Name)
		}
		if _, err = tx.exec(ctx, "DELETE FROM application_forms WHERE org_id = ? AND id = ?", org, id.Custom()); err != nil {
			return err
		}
		return db.recordAudit(ctx, tx, org, hiretext.AuditFormDeleted, auditTarget("application_form", id.Custom()), hiretext.AuditDetails{"name": f.Name})
	})
}

// jobForm checks that org has form id, for a job to use it: another
// company's form, or one that does not exist, is not found (as everywhere
// else), the error naming the field.
func jobForm(ctx context.Context, tx conn, org hiretext.OrgID, id hiretext.FormID) error {
	_, err := applicationForm(ctx, tx, org, id)
	if hiretext.ErrorCode(err) == hiretext.ENotFound {
		msg := "Application form not found: choose one of the company's application forms."
		return &hiretext.Error{Code: hiretext.ENotFound, Message: msg, Fields: map[string]string{"application_form_id": msg}}
	}
	return err
}
