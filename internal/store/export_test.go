package store

import (
	"context"

	"github.com/hiretext/hiretext"
)

// RecordEventThenFail records ev in a transaction that then fails with fail,
// as a change that breaks a rule after recording its event would.
func (db *DB) RecordEventThenFail(ctx context.Context, ev *hiretext.Event, fail error) error {
	return db.inEventTx(ctx, func(tx conn) error {
		if err := db.insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		return fail
	})
}

// BeginEvent records ev in a transaction left open until finish commits it
// (true) or rolls it back, so tests can commit events out of id order.
func (db *DB) BeginEvent(ctx context.Context, ev *hiretext.Event) (finish func(commit bool) error, err error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	if err := db.insertEvent(ctx, conn{q: tx, d: db.dialect}, ev); err != nil {
		_ = tx.Rollback()
		return nil, err
	}
	return func(commit bool) error {
		if commit {
			return tx.Commit()
		}
		return tx.Rollback()
	}, nil
}

// ExecLaterThenCount runs stmts with execLater in one write transaction,
// then, unless count is "", the query count (in a batch with the queued
// statements when batched, see readBatch), and returns its number.
func (db *DB) ExecLaterThenCount(ctx context.Context, stmts []string, count string, batched bool) (n int64, err error) {
	err = db.inTx(ctx, func(tx conn) error {
		for _, s := range stmts {
			if err := tx.execLater(ctx, s); err != nil {
				return err
			}
		}
		switch {
		case count == "":
			return nil
		case batched:
			return tx.readBatch(ctx, batchQuery(count, func(row scanner) error { return row.Scan(&n) }))
		default:
			return tx.queryRow(ctx, count).Scan(&n)
		}
	})
	return n, err
}

// IsUniqueViolation reports whether err is the database's unique violation.
func (db *DB) IsUniqueViolation(err error) bool { return db.dialect.isUniqueViolation(err) }
