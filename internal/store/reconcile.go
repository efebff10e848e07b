package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/hiretext/hiretext"
)

// openLookback bounds how far back reconciliation looks for a text still
// waiting for a final status: one handed over three days ago and never
// reported on is left as it is.
const openLookback = 72 * time.Hour

// ReconcileTargets lists every company's active numbers with how far
// their history has been reconciled: to the last check (or, never checked,
// from when the number was added), or earlier, to the oldest text of the
// last three days still waiting for a final status (sending or sent), so
// a status that was lost after the check looked is still found.
func (db *DB) ReconcileTargets(ctx context.Context) ([]hiretext.ReconcileTarget, error) {
	targets, err := queryAll(ctx, db.reader(), func(row scanner) (hiretext.ReconcileTarget, error) {
		var t hiretext.ReconcileTarget
		var checked sql.NullTime
		err := row.Scan(&t.NumberID, &t.OrgID, &t.Phone, &t.Provider, &t.Since, &checked)
		if checked.Valid {
			t.Since = checked.Time
		}
		t.Since = t.Since.UTC()
		return t, err
	}, `SELECT n.id, n.org_id, n.phone, n.provider, n.created_at, c.checked_at
		FROM numbers n LEFT JOIN reconcile_checkpoints c ON c.number_id = n.id
		WHERE n.status = 'active' ORDER BY n.id`)
	if err != nil {
		return nil, err
	}
	after := db.now().Add(-openLookback)
	for i, t := range targets {
		open, err := queryAll(ctx, db.reader(), scanValue[time.Time], `SELECT created_at FROM messages
			WHERE number_id = ? AND status IN ('sending', 'sent') AND created_at >= ? ORDER BY created_at LIMIT 1`, t.NumberID, after)
		if err != nil {
			return nil, err
		}
		if len(open) == 1 && open[0].Before(t.Since) {
			targets[i].Since = open[0].UTC()
		}
	}
	return targets, nil
}

// SaveReconcileCheck records that a number's history was imported up to
// checkedAt, and what the check found missing.
func (db *DB) SaveReconcileCheck(ctx context.Context, t hiretext.ReconcileTarget, check hiretext.ReconcileCheck) error {
	return db.inTx(ctx, func(tx conn) error {
		_, err := tx.exec(ctx, `INSERT INTO reconcile_checkpoints (number_id, org_id, checked_at, missing) VALUES (?, ?, ?, ?)
			ON CONFLICT (number_id) DO UPDATE SET checked_at = excluded.checked_at, missing = excluded.missing`,
			t.NumberID, t.OrgID, check.CheckedAt.UTC(), check.Missing)
		return err
	})
}

// ReconcileChecks returns where the reconciliation of each of a company's
// numbers stands; a number never checked is absent.
func (db *DB) ReconcileChecks(ctx context.Context, org hiretext.OrgID) (map[hiretext.NumberID]hiretext.ReconcileCheck, error) {
	type row struct {
		id hiretext.NumberID
		c  hiretext.ReconcileCheck
	}
	rows, err := queryAll(ctx, db.reader(), func(s scanner) (row, error) {
		var r row
		err := s.Scan(&r.id, &r.c.CheckedAt, &r.c.Missing)
		return r, err
	}, `SELECT number_id, checked_at, missing FROM reconcile_checkpoints WHERE org_id = ?`, org)
	out := make(map[hiretext.NumberID]hiretext.ReconcileCheck, len(rows))
	for _, r := range rows {
		out[r.id] = r.c
	}
	return out, err
}

// TakeReconcileLease gives holder the right to reconcile for d, if no other
// instance holds it (or its lease ran out): reconciliation runs on one
// instance at a time when several share the database. A holder renews its
// own lease.
func (db *DB) TakeReconcileLease(ctx context.Context, holder string, d time.Duration) (bool, error) {
	var got bool
	err := db.inTx(ctx, func(tx conn) error {
		now := db.now()
		res, err := tx.exec(ctx, `INSERT INTO reconcile_lease (id, holder, lease_until) VALUES (1, ?, ?)
			ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until
			WHERE reconcile_lease.lease_until < ? OR reconcile_lease.holder = excluded.holder`, holder, now.Add(d), now)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		got = n == 1
		return err
	})
	return got, err
}
