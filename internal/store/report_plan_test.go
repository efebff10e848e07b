package store

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
)

// TestReportQueriesUseIndexes fails when SQLite would read the SMS Activity
// report's pages other than by walking an index in the report's order: a
// table scan, or a sort of every text of the period before the first page
// (USE TEMP B-TREE FOR ORDER BY), costs seconds at a million texts where the
// index walk stops after a page. The summary must read the period's range of
// the covering index alone, never the table's rows.
func TestReportQueriesUseIndexes(t *testing.T) {
	t.Parallel()
	db := migratedSQLite(t)
	org := hiretext.OrgID(1)
	loc, _ := time.LoadLocation("America/Chicago")
	period, err := hiretext.NewReportPeriod("2026-01-01", "2026-06-30", loc, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cursor := activityCursor{at: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), id: 9}
	bad := regexp.MustCompile(`SCAN m\b|TEMP B-TREE FOR ORDER BY|SCAN (n|u|c)\b`)
	for _, f := range []hiretext.ActivityFilter{
		{}, {OldestFirst: true}, {NumberID: 2}, {UserID: 3}, {CandidateID: 4}, {Status: hiretext.StatusFailed},
		{Direction: hiretext.Inbound}, {NumberID: 2, UserID: 3, OldestFirst: true}, {CandidateID: 4, Status: hiretext.StatusDelivered},
	} {
		f.Period = period
		where, args := activityWhere(org, f)
		for _, withCursor := range []bool{false, true} {
			w, a := where, args
			if withCursor {
				cursor.oldest = f.OldestFirst
				op := map[bool]string{false: "<", true: ">"}[f.OldestFirst]
				w += " AND m.created_at " + op + "= ? AND (m.created_at " + op + " ? OR m.id " + op + " ?)"
				a = append(a, cursor.at, cursor.at, cursor.id)
			}
			sql := "SELECT " + activityColumns + db.activityFrom(f) + w + activityOrder(f.OldestFirst) + " LIMIT 51"
			plan := explain(t, db, sql, a)
			t.Logf("%+v cursor=%v\n%s", f, withCursor, plan)
			if bad.MatchString(plan) || !strings.Contains(plan, "SEARCH m USING INDEX "+activityIndex(f)+" ") {
				t.Errorf("filter %+v (cursor %v) does not walk an index:\n%s", f, withCursor, plan)
			}
		}
		sql := db.summarySelect(f) + where
		plan := explain(t, db, sql, args)
		t.Logf("summary %+v\n%s", f, plan)
		if f.CandidateID == 0 && !strings.Contains(plan, "SEARCH m USING COVERING INDEX messages_report_time (org_id=? AND created_at>? AND created_at<?)\n") {
			t.Errorf("summary of %+v does not read the covering index alone:\n%s", f, plan)
		}
	}
}
