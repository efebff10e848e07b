package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/hiretext/hiretext"
)

// OperationalStats reads what monitoring alerts on, across every company:
// the texts due to go out (through the partial index of queued messages) and
// the numbers whose current allowance is used up (their usage row for the
// period not yet reset). A scrape runs it, so it reads only small ranges.
func (db *DB) OperationalStats(ctx context.Context, now time.Time) (*hiretext.OperationalStats, error) {
	now = now.UTC()
	r := db.reader()
	out := &hiretext.OperationalStats{}
	const due = " FROM messages WHERE status = 'queued' AND next_attempt_at <= ?"
	if err := r.queryRow(ctx, "SELECT COUNT(*)"+due, now).Scan(&out.DueMessages); err != nil {
		return nil, err
	}
	// The column itself, not MIN(), so that SQLite's driver reads a time.
	var oldest time.Time
	err := r.queryRow(ctx, "SELECT next_attempt_at"+due+" ORDER BY next_attempt_at LIMIT 1", now).Scan(&oldest)
	switch {
	case err == nil:
		out.OldestDueAge = max(0, now.Sub(oldest))
	case !errors.Is(err, sql.ErrNoRows):
		return nil, err
	}
	err = r.queryRow(ctx, `SELECT COUNT(*) FROM number_usage u
		JOIN numbers n ON n.id = u.number_id AND n.org_id = u.org_id
		WHERE n.status = 'active' AND u.resets_at > ? AND u.allowance > 0 AND u.used >= u.allowance`, now).Scan(&out.NumbersAtMaximum)
	return out, err
}
