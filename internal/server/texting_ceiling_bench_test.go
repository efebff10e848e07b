package server_test

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// runCeiling measures, on PostgreSQL, the cheapest way SQL allows to write
// the rows n inbound texts write, with none of the rules: transactions of
// size texts each, from writers goroutines, each transaction one round trip
// (a pgx batch from BEGIN to COMMIT) of one statement per table: the
// candidates with the senders' phones read, the messages inserted, their
// conversations updated, the response facts' conversations upserted, the
// events inserted with one NOTIFY, the number's counter row updated. No
// HTTP, no duplicate check, no response waits or daily counters, one event
// and one NOTIFY a group rather than one a text: a floor under what any
// arrangement of the webhook's storage could cost, to set beside the raw
// insert rate.
func (b *webhookBench) runCeiling(t *testing.T, writers, size, n int) {
	t.Helper()
	ctx := context.Background()
	_, w := b.db.Pools()
	convs := b.conversations(t, w)
	rate, machine := concurrently(t, writers, n, size, func(first int) error {
		c, err := w.Conn(ctx) // a connection a transaction, as a group's leader takes one
		if err != nil {
			return err
		}
		defer c.Close()
		return b.ceilingGroup(ctx, c, convs, first, min(size, n-first))
	})
	t.Logf("ceiling: texts' rows alone, %d a transaction in one round trip, %2d writers: %6.0f texts/s; machine CPU %.2f ms a text (%.0f%% busy)",
		size, writers, rate, machine.perOp(n), machine.percent())
}

// ceilingConversation is a conversation of the benchmark's number with one
// of its candidates.
type ceilingConversation struct {
	id, candidate int64
	phone         string
}

// conversations returns the number's conversations with candidates, one per
// phone of b.phones, which the webhook runs before created.
func (b *webhookBench) conversations(t *testing.T, w *sql.DB) []ceilingConversation {
	t.Helper()
	rows, err := w.Query(`SELECT v.id, v.candidate_id, c.main_phone FROM conversations v JOIN candidates c ON c.id = v.candidate_id
		WHERE v.number_id = $1 ORDER BY v.id`, b.numberID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []ceilingConversation
	for rows.Next() {
		var c ceilingConversation
		if err := rows.Scan(&c.id, &c.candidate, &c.phone); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil || len(out) == 0 {
		t.Fatalf("conversations: %d, %v", len(out), err)
	}
	return out
}

// ceilingGroup writes the rows of texts first to first+size-1 in one
// transaction, sent as one batch.
func (b *webhookBench) ceilingGroup(ctx context.Context, c *sql.Conn, convs []ceilingConversation, first, size int) error {
	now := time.Now().UTC()
	var ids, candidates []int64
	var phones, providerIDs, data []string
	for i := first; i < first+size; i++ {
		v := convs[i%len(convs)] // distinct within a group of at most len(convs)
		ids, candidates = append(ids, v.id), append(candidates, v.candidate)
		phones, providerIDs = append(phones, v.phone), append(providerIDs, "SMceiling"+strconv.Itoa(size)+"-"+strconv.Itoa(i))
		data = append(data, fmt.Sprintf(`{"conversation_id":%d}`, v.id))
	}
	period := now.Format("2006-01")
	return c.Raw(func(dc any) error {
		batch := &pgx.Batch{}
		batch.Queue("BEGIN")
		batch.Queue(`SELECT id, first_name, last_name, sms_status FROM candidates WHERE org_id = $1 AND main_phone = ANY($2)`, b.org, phones)
		batch.Queue(`INSERT INTO messages (org_id, number_id, conversation_id, candidate_id, direction, kind, from_phone, to_phone,
				body, segments, status, provider, provider_message_id, period, next_attempt_at, created_at, updated_at)
			SELECT $1, $2, u.conv, u.cand, 'inbound', 'inbound', u.phone, $3, $4, 1, 'received', 'simulator', u.pid, $5, $6, $6, $6
			FROM unnest($7::bigint[], $8::bigint[], $9::text[], $10::text[]) AS u(conv, cand, phone, pid) RETURNING id`,
			b.org, b.numberID, b.number, "Yes, Monday at 10 works for me. Thanks!", period, now, ids, candidates, phones, providerIDs)
		batch.Queue(`UPDATE conversations SET last_message_at = $1, unread = unread + 1, done_at = NULL,
			waiting_since = COALESCE(waiting_since, $1) WHERE id = ANY($2)`, now, ids)
		batch.Queue(`INSERT INTO response_conversations (conversation_id, org_id, last_at, stale) SELECT u, $1, $2, 0 FROM unnest($3::bigint[]) u
			ON CONFLICT (conversation_id) DO UPDATE SET prev_at = response_conversations.last_at, last_at = excluded.last_at`,
			b.org, now.Unix(), ids)
		batch.Queue(`WITH e AS (INSERT INTO events (org_id, number_id, user_id, kind, data, created_at)
				SELECT $1, $2, 0, 'message.inbound', d, $3 FROM unnest($4::text[]) d RETURNING id)
			SELECT pg_notify('hiretext_bench', MAX(id)::text) FROM e`, b.org, b.numberID, now, data)
		batch.Queue(`UPDATE number_usage SET used = used + $1 WHERE org_id = $2 AND number_id = $3 AND period = $4`, size, b.org, b.numberID, period)
		batch.Queue("COMMIT")
		return dc.(*stdlib.Conn).Conn().SendBatch(ctx, batch).Close()
	})
}
