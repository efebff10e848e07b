package store_test

import (
	"context"
	"testing"

	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

// TestQueuedWritesAreOneTransaction: writes queued with execLater (sent in
// batches on PostgreSQL) are seen by the transaction's later reads, commit
// with it, and when one fails the whole transaction fails with that
// statement's own error and leaves nothing behind, whether a read or the
// commit comes next.
func TestQueuedWritesAreOneTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const count = "SELECT COUNT(*) FROM pipe_probe"
		// A batch's statements are prepared before any runs: the table
		// must exist before the batch that uses it.
		if _, err := db.ExecLaterThenCount(ctx, []string{"CREATE TABLE pipe_probe (id INTEGER PRIMARY KEY)"}, ""); err != nil {
			t.Fatal(err)
		}
		n, err := db.ExecLaterThenCount(ctx, []string{
			"INSERT INTO pipe_probe (id) VALUES (1)",
			"INSERT INTO pipe_probe (id) VALUES (2)",
		}, count)
		if err != nil || n != 2 {
			t.Fatalf("queued writes then a read: %d rows, %v; want 2", n, err)
		}
		failing := [][]string{
			{"INSERT INTO pipe_probe (id) VALUES (3)", "INSERT INTO pipe_probe (id) VALUES (1)", "INSERT INTO pipe_probe (id) VALUES (4)"},
			{"INSERT INTO pipe_probe (id) VALUES (5)", "INSERT INTO pipe_probe (id) VALUES (5)"},
		}
		for _, next := range []string{count, ""} { // a read after the queue, or only the commit
			for _, stmts := range failing {
				if _, err := db.ExecLaterThenCount(ctx, stmts, next); !db.IsUniqueViolation(err) {
					t.Errorf("%q then %q: error %v, want the duplicate's unique violation", stmts, next, err)
				}
			}
		}
		if n, err := db.ExecLaterThenCount(ctx, nil, count); err != nil || n != 2 {
			t.Errorf("after the failed transactions: %d rows, %v; want the 2 committed before", n, err)
		}
	})
}
