package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// recipientSeq makes MustRecipients' phones and emails unique within a test
// binary.
var recipientSeq atomic.Int64

// recipientBatch is the rows per INSERT: 9 parameters each stays far below
// both databases' limits on parameters per statement.
const recipientBatch = 500

// MustRecipients inserts n candidates of the company, each opted in on a
// distinct main phone, straight into the candidates table with multi-row
// INSERTs, and returns them. It is the fixture of tests and benchmarks that
// need many recipients: a thousand through MustApply take half a minute
// under the race detector, because each application runs a dozen statements.
// These candidates have no application, search terms or consent-ledger row;
// tests of those rules use MustApply.
func (fx *Texting) MustRecipients(tb testing.TB, db *store.DB, n int) []*hiretext.Candidate {
	tb.Helper()
	ctx := context.Background()
	_, write := db.Pools()
	now := time.Now().UTC().Truncate(time.Microsecond)
	var ids []hiretext.CandidateID
	for start := 0; start < n; start += recipientBatch {
		k := min(recipientBatch, n-start)
		var rows []string
		var args []any
		for range k {
			seq := recipientSeq.Add(1)
			rows = append(rows, "(?, ?, ?, ?, ?, 'opted_in', 'main', ?, ?)")
			args = append(args, fx.Org.ID, "R"+strconv.FormatInt(seq, 10), "Recipient",
				fmt.Sprintf("recipient-%d-%s@example.com", seq, randomHex(3)), recipientPhone(seq), now, now)
		}
		q := `INSERT INTO candidates (org_id, first_name, last_name, email, main_phone, sms_status, sms_phone, created_at, updated_at)
			VALUES ` + strings.Join(rows, ", ") + " RETURNING id"
		got, err := queryIDs(ctx, db, write, q, args...)
		if err != nil {
			tb.Fatalf("insert recipients: %v", err)
		}
		ids = append(ids, got...)
	}
	cs, err := candidatesByIDs(ctx, db, fx.Org.ID, ids)
	if err != nil {
		tb.Fatalf("read recipients: %v", err)
	}
	return cs
}

// recipientPhone returns a distinct valid US mobile-format number for each
// seq below 3,550,000. Exchanges run from 200 to 554, so none is in the
// 555-01XX range that MustApply's applicants use.
func recipientPhone(seq int64) string {
	v := seq % 3_550_000
	return fmt.Sprintf("+1872%03d%04d", 200+v/10_000, v%10_000)
}

// candidatesByIDs reads candidates through the store, in the order given.
func candidatesByIDs(ctx context.Context, db *store.DB, org hiretext.OrgID, ids []hiretext.CandidateID) ([]*hiretext.Candidate, error) {
	out := make([]*hiretext.Candidate, 0, len(ids))
	for start := 0; start < len(ids); start += recipientBatch {
		chunk := ids[start:min(start+recipientBatch, len(ids))]
		cs, err := db.CandidatesByIDs(ctx, org, chunk, 0)
		if err != nil {
			return nil, err
		}
		byID := make(map[hiretext.CandidateID]*hiretext.Candidate, len(cs))
		for _, c := range cs {
			byID[c.ID] = c
		}
		for _, id := range chunk {
			if byID[id] == nil {
				return nil, fmt.Errorf("candidate %d not found", id)
			}
			out = append(out, byID[id])
		}
	}
	return out, nil
}

// StatusCounts counts the company's messages of kind by status, in one
// query: polling a thousand messages one by one costs seconds under the
// race detector.
func (fx *Texting) StatusCounts(tb testing.TB, db *store.DB, kind hiretext.MessageKind) map[hiretext.MessageStatus]int {
	tb.Helper()
	read, _ := db.Pools()
	rows, err := read.QueryContext(context.Background(), db.Rebind(
		"SELECT status, COUNT(*) FROM messages WHERE org_id = ? AND kind = ? GROUP BY status"), fx.Org.ID, kind)
	if err != nil {
		tb.Fatalf("count messages: %v", err)
	}
	defer rows.Close()
	out := map[hiretext.MessageStatus]int{}
	for rows.Next() {
		var st hiretext.MessageStatus
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			tb.Fatalf("count messages: %v", err)
		}
		out[st] = n
	}
	if err := rows.Err(); err != nil {
		tb.Fatalf("count messages: %v", err)
	}
	return out
}

// queryIDs runs q on c and returns its single column of ids.
func queryIDs(ctx context.Context, db *store.DB, c *sql.DB, q string, args ...any) ([]hiretext.CandidateID, error) {
	rows, err := c.QueryContext(ctx, db.Rebind(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []hiretext.CandidateID
	for rows.Next() {
		var id hiretext.CandidateID
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
