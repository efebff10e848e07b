package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

// TestQueuedWritesAreOneTransaction: writes queued with execLater (sent in
// batches on PostgreSQL) are seen by the transaction's later reads, whether
// run alone or batched with them, commit with it, and when one fails the
// whole transaction fails with that statement's own error and leaves
// nothing behind, whether a read or the commit comes next.
func TestQueuedWritesAreOneTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for _, batched := range []bool{false, true} {
			t.Run(fmt.Sprintf("batched=%v", batched), func(t *testing.T) { testQueuedWrites(t, db, batched) })
		}
	})
}

func testQueuedWrites(t *testing.T, db *store.DB, batched bool) {
	ctx := context.Background()
	table := fmt.Sprintf("pipe_probe_%v", batched)
	count := "SELECT COUNT(*) FROM " + table
	// A batch's statements are prepared before any runs: the table must
	// exist before the batch that uses it.
	if _, err := db.ExecLaterThenCount(ctx, []string{"CREATE TABLE " + table + " (id INTEGER PRIMARY KEY)"}, "", false); err != nil {
		t.Fatal(err)
	}
	insert := func(id int) string { return fmt.Sprintf("INSERT INTO %s (id) VALUES (%d)", table, id) }
	n, err := db.ExecLaterThenCount(ctx, []string{insert(1), insert(2)}, count, batched)
	if err != nil || n != 2 {
		t.Fatalf("queued writes then a read: %d rows, %v; want 2", n, err)
	}
	failing := [][]string{{insert(3), insert(1), insert(4)}, {insert(5), insert(5)}}
	for _, next := range []string{count, ""} { // a read after the queue, or only the commit
		for _, stmts := range failing {
			if _, err := db.ExecLaterThenCount(ctx, stmts, next, batched); !db.IsUniqueViolation(err) {
				t.Errorf("%q then %q: error %v, want the duplicate's unique violation", stmts, next, err)
			}
		}
	}
	if n, err := db.ExecLaterThenCount(ctx, nil, count, batched); err != nil || n != 2 {
		t.Errorf("after the failed transactions: %d rows, %v; want the 2 committed before", n, err)
	}
}
