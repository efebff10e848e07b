package store

import (
	"context"

	"github.com/hiretext/hiretext"
)

const jobColumns = "j.id, j.org_id, j.title, j.location, j.description, j.status, j.created_at, j.updated_at, j.applicants, j.application_form"

// CreateJob creates an open job posting using one of org's forms.
func (db *DB) CreateJob(ctx context.Context, org hiretext.OrgID, n hiretext.NewJob) (*hiretext.Job, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	now := db.now()
	j := &hiretext.Job{OrgID: org, Title: n.Title, Location: n.Location, Description: n.Description,
		Status: hiretext.JobOpen, Form: n.Form, CreatedAt: now, UpdatedAt: now}
	err := db.inTx(ctx, func(tx conn) error {
		if err := jobForm(ctx, tx, org, j.Form); err != nil {
			return err
		}
		return tx.queryRow(ctx, `INSERT INTO jobs (org_id, title, location, description, status, application_form, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			org, j.Title, j.Location, j.Description, j.Status, j.Form, now, now).Scan(&j.ID)
	})
	if err != nil {
		return nil, err
	}
	return j, nil
}

// JobByID returns one job of org.
func (db *DB) JobByID(ctx context.Context, org hiretext.OrgID, id hiretext.JobID) (*hiretext.Job, error) {
	return jobByID(ctx, db.reader(), org, id)
}

func jobByID(ctx context.Context, q conn, org hiretext.OrgID, id hiretext.JobID) (*hiretext.Job, error) {
	return scanJob(q.queryRow(ctx, "SELECT "+jobColumns+" FROM jobs j WHERE j.org_id = ? AND j.id = ?", org, id))
}

// ListJobs lists the jobs of org, open ones first, newest first within each.
func (db *DB) ListJobs(ctx context.Context, org hiretext.OrgID) ([]*hiretext.Job, error) {
	return queryAll(ctx, db.reader(), scanJob, "SELECT "+jobColumns+` FROM jobs j WHERE j.org_id = ?
		ORDER BY CASE j.status WHEN 'open' THEN 0 ELSE 1 END, j.id DESC`, org)
}

// UpdateJob changes a job's text, status or form: only a form of org.
func (db *DB) UpdateJob(ctx context.Context, org hiretext.OrgID, id hiretext.JobID, u hiretext.JobUpdate) (*hiretext.Job, error) {
	var out *hiretext.Job
	err := db.inTx(ctx, func(tx conn) error {
		j, err := jobByID(ctx, tx, org, id)
		if err != nil {
			return err
		}
		changed, err := u.Apply(*j)
		if err != nil {
			return err
		}
		if changed.Form != j.Form {
			if err := jobForm(ctx, tx, org, changed.Form); err != nil {
				return err
			}
		}
		changed.UpdatedAt = db.now()
		_, err = tx.exec(ctx, `UPDATE jobs SET title = ?, location = ?, description = ?, status = ?, application_form = ?, updated_at = ?
			WHERE org_id = ? AND id = ?`, changed.Title, changed.Location, changed.Description, changed.Status, changed.Form,
			changed.UpdatedAt, org, id)
		out = &changed
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func scanJob(s scanner) (*hiretext.Job, error) {
	var j hiretext.Job
	err := s.Scan(&j.ID, &j.OrgID, &j.Title, &j.Location, &j.Description, &j.Status, &j.CreatedAt, &j.UpdatedAt, &j.Applicants, &j.Form)
	if err != nil {
		return nil, orNotFound(err, "Job")
	}
	return &j, nil
}
