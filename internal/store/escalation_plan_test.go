package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestEscalationJobReadsOnlyDueConversations: the escalation job finds the
// conversations due through its partial index, in order, never scanning
// the conversations table, however many there are.
func TestEscalationJobReadsOnlyDueConversations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "t.db"), Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	plan := explain(t, db, dueForEscalation, []any{time.Now().UTC(), escalateBatch})
	if !strings.Contains(plan, "conversations_escalate_due") || strings.Contains(plan, "TEMP B-TREE") {
		t.Fatalf("the job's query does not walk conversations_escalate_due in order:\n%s", plan)
	}
}
