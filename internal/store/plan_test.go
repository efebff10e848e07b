package store

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
)

// TestHotQueriesUseIndexes fails when SQLite would scan a whole company's
// candidates, applications, terms or consent for a query that runs on every
// application or inbound text: at 100,000 candidates a scan costs tens of
// milliseconds where an index lookup costs microseconds. A search on org_id
// alone is such a scan, since most databases hold one company. Pool pages
// may walk the company in index order (they stop after a page), but never
// scan a table.
func TestHotQueriesUseIndexes(t *testing.T) {
	t.Parallel()
	db := migratedSQLite(t)
	org := hiretext.OrgID(1)
	queries := map[string][]any{
		candidateByEmailQuery: {org, "a@example.com"},
		"SELECT " + candidateColumns + ` FROM candidates c WHERE c.id IN (
			SELECT id FROM candidates WHERE org_id = ? AND main_phone = ?
			UNION SELECT id FROM candidates WHERE org_id = ? AND alternate_phone = ?)`: {org, "+1", org, "+1"},
		inboundCandidatesQuery(db.dialect, "?", "?", "?"):                        {1, org, "+1", org, "+1"},
		inboundCandidatesQuery(db.dialect, activeNumberID, activeNumberOrg, "?"): {"+1", "+1", "+1", "+1", "+1"},
		inboundNumberQuery(): {"p", "SM1", "+1"},
		"SELECT " + jobColumns + " FROM jobs j WHERE j.org_id = ? AND j.id = ?":                  {org, 1},
		"DELETE FROM candidate_terms WHERE org_id = ? AND candidate_id = ?":                      {org, 1},
		"SELECT COUNT(*) FROM applications WHERE org_id = ? AND job_id = ? AND candidate_id = ?": {org, 1, 1},
		"SELECT " + consentEventColumns + consentEventFrom + `
			WHERE e.org_id = ? AND e.candidate_id = ? ORDER BY e.id DESC`: {org, 1},
	}
	orgOnly := regexp.MustCompile(`SCAN |\(org_id=\?\)`)
	for sql, args := range queries {
		if plan := explain(t, db, sql, args); orgOnly.MatchString(plan) {
			t.Errorf("scan in\n%s\nplan:\n%s", sql, plan)
		}
	}
	pool := map[string][]any{}
	for _, q := range []hiretext.CandidateQuery{{}, {SMSStatus: hiretext.SMSOptedIn}, {JobID: 3}, {Text: "ann smith"}, {Text: "ann"},
		{Text: "ann", JobID: 3, SMSStatus: hiretext.SMSOptedOut, Cursor: "9"}} {
		for _, drive := range []int{-1, 0} {
			if drive == 0 && q.Text == "" {
				continue
			}
			q.Limit = 50
			for _, pos := range []keyRange{{after: 9}, {before: 9}} {
				sql, args := poolQuery(org, q, searchWords(q.Text), drive, driveLimit, pos)
				pool[sql] = args
			}
			if sql, args, ok := poolCount(org, q, searchWords(q.Text), drive); ok {
				pool[sql] = args
			}
		}
	}
	poolScan := regexp.MustCompile(`SCAN (c|a|j|s)\b|SEARCH (a|j|s)\b.*\(org_id=\?\)`)
	for sql, args := range pool {
		plan := explain(t, db, sql, args)
		t.Logf("%s\n%s", sql, plan)
		if poolScan.MatchString(plan) {
			t.Errorf("scan in\n%s\nplan:\n%s", sql, plan)
		}
	}
	// The dispatcher's release reads the range of messages_scheduled that
	// is due, in order: with a million texts scheduled for later it reads
	// only the due ones and sorts nothing.
	if plan := explain(t, db, releaseDueQuery, []any{time.Now(), 200}); !strings.Contains(plan, "USING INDEX messages_scheduled (send_at<?)") ||
		strings.Contains(plan, "TEMP B-TREE") {
		t.Errorf("the release does not read a range of messages_scheduled in order:\n%s", plan)
	} // A month's scheduled texts are a range of the company's scheduled ones.
	if plan := explain(t, db, scheduledInMonthQuery, []any{org, time.Now(), time.Now(), 1}); !strings.Contains(plan,
		"USING INDEX messages_org_scheduled (org_id=? AND send_at>? AND send_at<?)") {
		t.Errorf("the month's scheduled texts are not a range of messages_org_scheduled:\n%s", plan)
	}
}

// TestSendLookupsUseKeys fails when SQLite would read a send's candidates,
// their conversations or their newest jobs other than by key: with a
// thousand ids it takes an index on org_id (or org_id and number_id) for
// selective and walks every candidate of the company, or every
// conversation of the number, which a send to 1,000 candidates of a large
// company would pay on each of these lookups.
func TestSendLookupsUseKeys(t *testing.T) {
	t.Parallel()
	db := migratedSQLite(t)
	const n = hiretext.MaxBulkCandidates
	ids := make([]any, n)
	for i := range ids {
		ids[i] = i + 1
	}
	queries := map[string][]any{
		candidatesByIDsQuery(db.dialect, n):                        append([]any{1}, ids...),
		jobTitlesQuery(db.dialect, n):                              append([]any{1}, ids...),
		conversationsQuery(db.dialect, "candidate_id, id", n):      append([]any{1, 1}, ids...),
		conversationsQuery(db.dialect, "candidate_id", queueChunk): append([]any{1, 1}, ids[:queueChunk]...),
	}
	byKey := regexp.MustCompile(`^SEARCH c USING INTEGER PRIMARY KEY \(rowid=\?\)|^SEARCH conversations USING INDEX conversations_candidate \(number_id=\? AND candidate_id=\?\)`)
	for sql, args := range queries {
		if plan := explain(t, db, sql, args); !byKey.MatchString(plan) {
			t.Errorf("not by key:\n%.120s…\nplan:\n%s", sql, plan)
		}
	}
}

// TestInboxQueriesWalkAnIndex fails when a page of the inbox would read or
// sort all of a number's conversations: each part of the inbox, under every
// filter and with a search, must walk its index in order from the cursor
// and stop after a page.
func TestInboxQueriesWalkAnIndex(t *testing.T) {
	t.Parallel()
	db := migratedSQLite(t)
	pos := &inboxCursor{at: time.Now(), id: 9}
	for _, f := range hiretext.InboxFilters {
		for _, part := range inboxParts(f) {
			for _, text := range []string{"", "ana lo", "312 555"} {
				for _, pos := range []*inboxCursor{nil, pos} {
					sql, args := inboxQuery(db.dialect, 1, 2, part, inboxSearch(text), pos, 51, time.Now())
					plan := explain(t, db, sql, args)
					if !strings.Contains(plan, "SEARCH v USING INDEX "+part.index+" (org_id=? AND number_id=?") ||
						strings.Contains(plan, "TEMP B-TREE") || strings.Contains(plan, "SCAN ") {
						t.Errorf("filter %q part %c, search %q, cursor %v: want a walk of %s without sorting; plan:\n%s",
							f, part.key, text, pos != nil, part.index, plan)
					}
				}
			}
		}
	}
}

func explain(t *testing.T, db *DB, sql string, args []any) string {
	t.Helper()
	rows, err := db.read.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+sql, args...)
	if err != nil {
		t.Fatalf("explain %s: %v", sql, err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		b.WriteString(detail + "\n")
	}
	return b.String()
}

// TestEveryMessagesIndexIsUsed keeps the secondary indexes of messages to
// those a query reads: every text inserts into each index whose condition it
// meets, so an index no query uses costs every inbound webhook and every
// send for nothing. An index passes when the store names it in a string
// (an INDEXED BY, which SQLite refuses when it cannot use the index, so the
// query that names it reads it; report.go picks its index by name) or when
// SQLite's plan of the query below reads it.
func TestEveryMessagesIndexIsUsed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := migratedSQLite(t)
	named := map[string]bool{}
	sources, _ := filepath.Glob("*.go")
	for _, f := range sources {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`"(messages_\w+)"`).FindAllStringSubmatch(string(b), -1) {
			named[m[1]] = true
		}
	}
	planned := map[string]struct {
		sql  string
		args []any
	}{
		// The duplicate check of every inbound text and status callback.
		"messages_provider_id": {"SELECT " + messageColumns + messageFrom + " WHERE m.provider = ? AND m.provider_message_id = ?", []any{"p", "SM1"}},
		// The dispatcher's claim of a number's due texts (outbox.go).
		"messages_due": {"SELECT id FROM messages WHERE number_id = ? AND status = 'queued' AND next_attempt_at <= ? " +
			"AND (lease_until IS NULL OR lease_until < ?) ORDER BY next_attempt_at, id LIMIT ?", []any{1, time.Now(), time.Now(), 10}},
		// Reconciliation's oldest open send of a number (reconcile.go).
		"messages_open": {"SELECT created_at FROM messages WHERE number_id = ? AND status IN ('sending', 'sent') AND created_at >= ? " +
			"ORDER BY created_at LIMIT 1", []any{1, time.Now()}},
		// A conversation's newest text from the candidate (conversationColumns).
		"messages_conversation": {"SELECT body FROM messages i WHERE i.org_id = ? AND i.conversation_id = ? AND i.direction = 'inbound' " +
			"ORDER BY i.created_at DESC, i.id DESC LIMIT 1", []any{1, 1}},
		// A candidate's texts with a number (CandidateMessages).
		"messages_candidate": {"SELECT " + messageColumns + messageFrom + " WHERE m.org_id = ? AND m.number_id = ? " +
			"AND m.candidate_id = ? AND m.created_at >= ? ORDER BY m.created_at, m.id", []any{1, 1, 1, time.Now()}},
		// The release of held texts whose minute came (schedule.go).
		"messages_scheduled": {releaseDueQuery, []any{time.Now(), 200}},
		// A company's scheduled texts (schedule.go).
		"messages_org_scheduled": {"SELECT " + messageColumns + messageFrom + " WHERE m.org_id = ? AND m.status = 'scheduled' " +
			"ORDER BY m.send_at, m.id LIMIT ?", []any{1, 10}},
	}
	indexes, err := queryAll(ctx, db.reader(), scanValue[string],
		"SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'messages' AND sql IS NOT NULL ORDER BY name")
	if err != nil || len(indexes) == 0 {
		t.Fatalf("indexes of messages: %v %v", indexes, err)
	}
	for _, ix := range indexes {
		if named[ix] {
			continue
		}
		q, ok := planned[ix]
		if !ok {
			t.Errorf("no query names or plans index %s: drop it in a migration, or add the query that reads it here", ix)
			continue
		}
		if plan := explain(t, db, q.sql, q.args); !strings.Contains(plan, " INDEX "+ix+" ") {
			t.Errorf("index %s is not read by\n%s\nplan:\n%s", ix, q.sql, plan)
		}
	}
}

// TestMessageReturningMatchesColumns keeps the columns an inbound text's
// INSERT returns in step with those every read of a message scans.
func TestMessageReturningMatchesColumns(t *testing.T) {
	want := strings.ReplaceAll(strings.Replace(messageColumns, "COALESCE(u.name, '')", "''", 1), "m.", "")
	if strings.Join(strings.Fields(messageReturning), " ") != strings.Join(strings.Fields(want), " ") {
		t.Errorf("messageReturning\n%s\nis not messageColumns unqualified:\n%s", messageReturning, want)
	}
}

// TestBulkResultsReadRepliesByCandidate: whether each candidate of a bulk
// send replied is a key lookup on messages_candidate, not a range of the
// company's texts on the covering messages_report_time that SQLite's
// planner prefers without statistics.
func TestBulkResultsReadRepliesByCandidate(t *testing.T) {
	t.Parallel()
	db := migratedSQLite(t)
	plan := explain(t, db, bulkResultsQuery(db.dialect), []any{1, time.Now(), 1})
	if !strings.Contains(plan, "messages_candidate") || strings.Contains(plan, "messages_report_time") {
		t.Fatalf("the bulk results' reply lookup:\n%s", plan)
	}
}

// migratedSQLite opens a new SQLite database in a temporary file with every
// migration applied, closed when the test ends: what a query plan is read
// against.
func migratedSQLite(t *testing.T) *DB {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "t.db"), Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}
