package store

import (
	"context"

	"github.com/hiretext/hiretext"
)

// The pool's "Showing 1–50 of N candidates" counts from pool_count_deltas
// (migration 0025): a row of +1 or -1 per SMS status for each candidate
// entering the pool (insertApplication), leaving it (eraseCandidateRow) or
// changing status (setConsent, optOutForErasure), written in the same
// transaction. Rows are only inserted, so no two transactions wait for each
// other on them, whatever else they lock. Counting sums a company's rows
// through the index; countPool folds them into one per status once there
// are more than poolFoldAt, so the sum reads a bounded number of rows
// however large the pool.

// poolFoldAt is how many rows of changes a company's count reads before
// they are folded into one per status.
const poolFoldAt = 500

// countPoolChange records that a candidate left status from (if not "")
// and entered status to (if not ""), in or out of the pool.
func countPoolChange(ctx context.Context, tx conn, org hiretext.OrgID, from, to hiretext.SMSStatus) error {
	if from == to {
		return nil
	}
	if from != "" {
		if _, err := tx.exec(ctx, "INSERT INTO pool_count_deltas (org_id, sms_status, delta) VALUES (?, ?, ?)", org, from, -1); err != nil {
			return err
		}
	}
	if to != "" {
		if _, err := tx.exec(ctx, "INSERT INTO pool_count_deltas (org_id, sms_status, delta) VALUES (?, ?, ?)", org, to, 1); err != nil {
			return err
		}
	}
	return nil
}

// countPool returns the number of candidates in org's pool with status, or
// all of them for "". When the sum read more than poolFoldAt rows, it folds
// them so the next count reads few.
func (db *DB) countPool(ctx context.Context, r conn, org hiretext.OrgID, status hiretext.SMSStatus) (int, error) {
	query, args := `SELECT COUNT(*), COALESCE(SUM(delta), 0) FROM pool_count_deltas WHERE org_id = ?`, []any{org}
	if status != "" {
		query += " AND sms_status = ?"
		args = append(args, status)
	}
	var rows, n int
	if err := r.queryRow(ctx, query, args...).Scan(&rows, &n); err != nil {
		return 0, err
	}
	if rows > poolFoldAt {
		if err := db.foldPoolCounts(ctx, org); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// foldPoolCounts replaces a company's rows of changes by their sum per
// status. The rows it deletes are the ones it adds up (DELETE … RETURNING),
// so a change committed meanwhile is neither lost nor counted twice, and
// two folds at once each fold the rows they deleted.
func (db *DB) foldPoolCounts(ctx context.Context, org hiretext.OrgID) error {
	return db.inTx(ctx, func(tx conn) error { return foldPoolCountsIn(ctx, tx, org) })
}

// foldPoolCountsIn is foldPoolCounts inside tx: an import of many
// candidates folds the rows it wrote before it commits, so that the first
// count after it does not read (and fold) a row per candidate.
func foldPoolCountsIn(ctx context.Context, tx conn, org hiretext.OrgID) error {
	sums := map[hiretext.SMSStatus]int{}
	err := queryEach(ctx, tx, func(row scanner) error {
		var status hiretext.SMSStatus
		var delta int
		if err := row.Scan(&status, &delta); err != nil {
			return err
		}
		sums[status] += delta
		return nil
	}, "DELETE FROM pool_count_deltas WHERE org_id = ? RETURNING sms_status, delta", org)
	if err != nil {
		return err
	}
	for _, status := range []hiretext.SMSStatus{hiretext.SMSOptedIn, hiretext.SMSOptedOut} {
		if n, ok := sums[status]; ok {
			if _, err := tx.exec(ctx, "INSERT INTO pool_count_deltas (org_id, sms_status, delta) VALUES (?, ?, ?)", org, status, n); err != nil {
				return err
			}
			delete(sums, status)
		}
	}
	for status, n := range sums { // a status this version does not know keeps its sum too
		if _, err := tx.exec(ctx, "INSERT INTO pool_count_deltas (org_id, sms_status, delta) VALUES (?, ?, ?)", org, status, n); err != nil {
			return err
		}
	}
	return nil
}
