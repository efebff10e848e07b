package store

import (
	"strings"
	"testing"
	"time"
)

// TestEscalationJobReadsOnlyDueConversations: the escalation job finds the
// conversations due through its partial index, in order, never scanning
// the conversations table, however many there are.
func TestEscalationJobReadsOnlyDueConversations(t *testing.T) {
	t.Parallel()
	db := migratedSQLite(t)
	plan := explain(t, db, dueForEscalation, []any{time.Now().UTC(), escalateBatch})
	if !strings.Contains(plan, "conversations_escalate_due") || strings.Contains(plan, "TEMP B-TREE") {
		t.Fatalf("the job's query does not walk conversations_escalate_due in order:\n%s", plan)
	}
}
