package store

// Test hooks: methods that tests in other packages (storetest's suite, the
// server's and the binary's tests) call to set up or inspect state, and that
// PRODUCTION CODE MUST NOT CALL. The application reserves and counts
// allowance, looks candidates up by phone and records events and sends only
// inside the transactions that make the change they belong to; these run
// the same helpers in a transaction of their own, which in production would
// split one change over two commits. No domain interface lists them.

import (
	"context"
	"database/sql"
	"time"

	"github.com/hiretext/hiretext"
)

// ReserveAllowance reserves n messages of number's allowance this month in
// a transaction of its own; see reserveAllowance.
func (db *DB) ReserveAllowance(ctx context.Context, org hiretext.OrgID, number hiretext.NumberID, n int) (hiretext.UsageChange, error) {
	return db.changeUsage(ctx, org, number, n, reserveAllowance)
}

// CountInbound counts n received messages this month in a transaction of
// its own; see countInbound.
func (db *DB) CountInbound(ctx context.Context, org hiretext.OrgID, number hiretext.NumberID, n int) (hiretext.UsageChange, error) {
	return db.changeUsage(ctx, org, number, n, countInbound)
}

// usageChange is reserveAllowance or countInbound.
type usageChange func(ctx context.Context, tx conn, org hiretext.OrgID, number hiretext.NumberID, t usageTarget, n int, now time.Time) (hiretext.UsageChange, error)

// changeUsage loads number's usage target and applies change for n
// messages, in a transaction of its own.
func (db *DB) changeUsage(ctx context.Context, org hiretext.OrgID, number hiretext.NumberID, n int, change usageChange) (hiretext.UsageChange, error) {
	var ch hiretext.UsageChange
	err := db.inTx(ctx, func(tx conn) error {
		t, err := loadUsageTarget(ctx, tx, org, number)
		if err != nil {
			return err
		}
		ch, err = change(ctx, tx, org, number, t, n, db.now())
		return err
	})
	return ch, err
}

// ReleaseAllowance gives back n messages reserved in period; see releaseAllowance.
func (db *DB) ReleaseAllowance(ctx context.Context, org hiretext.OrgID, number hiretext.NumberID, period string, n int) error {
	return db.inTx(ctx, func(tx conn) error { return releaseAllowance(ctx, tx, org, number, period, n) })
}

// CandidatesByPhone lists the candidates of org whose main or alternate phone
// is e164, most recently active first; see candidatesByPhone.
func (db *DB) CandidatesByPhone(ctx context.Context, org hiretext.OrgID, e164 string) ([]*hiretext.Candidate, error) {
	return candidatesByPhone(ctx, db.reader(), org, e164)
}

// RecordSent records that the provider accepted one delivery; see
// RecordSentBatch, which the dispatcher calls.
func (db *DB) RecordSent(ctx context.Context, dl *hiretext.Delivery, providerID string, status hiretext.MessageStatus) error {
	_, err := db.RecordSentBatch(ctx, []hiretext.SentDelivery{{Delivery: dl, ProviderID: providerID, Status: status}}, nil)
	return err
}

// RecordEvent records one event in its own transaction. Changes record
// their events inside their own transaction instead (insertEvent).
func (db *DB) RecordEvent(ctx context.Context, ev *hiretext.Event) error {
	return db.inEventTx(ctx, func(tx conn) error { return db.insertEvent(ctx, tx, ev) })
}

// ConsentChangesWaiting counts the consent changes waiting for a hand-off
// (see handoff.go): on SQLite those waiting for the consent gate; on
// PostgreSQL the backends blocked while holding a lock on this schema's
// candidates table. Tests that interleave a STOP with a send wait for it.
func (db *DB) ConsentChangesWaiting(ctx context.Context) (int, error) {
	if db.gate != nil {
		return int(db.gate.waiting.Load()), nil
	}
	var n int
	err := db.reader().queryRow(ctx, `SELECT COUNT(*) FROM pg_stat_activity a
		WHERE a.datname = current_database() AND cardinality(pg_blocking_pids(a.pid)) > 0
		AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.relation = CAST('candidates' AS regclass))`).Scan(&n)
	return n, err
}

// UserSeenAt returns when a user last had a hiretext page open, as the
// instances recorded it (zero for never).
func (db *DB) UserSeenAt(ctx context.Context, org hiretext.OrgID, user hiretext.UserID) (time.Time, error) {
	var seen sql.NullTime
	err := db.reader().queryRow(ctx, "SELECT seen_at FROM users WHERE org_id = ? AND id = ?", org, user).Scan(&seen)
	return seen.Time, orNotFound(err, "User")
}

// HoldWebhookGroups keeps webhooks (inbound texts and status callbacks)
// from starting a group transaction: they queue (see WebhooksQueued) until
// the returned function is called, which runs every one queued, up to the
// group's bound, in one group, as if they had all arrived while the
// previous group committed. Call it when no webhook is in flight.
func (db *DB) HoldWebhookGroups() (release func()) {
	gc := db.groups
	for range cap(gc.slots) {
		gc.slots <- struct{}{}
	}
	return func() {
		for range cap(gc.slots) - 1 {
			<-gc.slots
		}
		gc.lead() // with the last slot, which it passes on or frees
	}
}

// WebhooksQueued counts the webhooks waiting for a group transaction.
func (db *DB) WebhooksQueued() int {
	db.groups.mu.Lock()
	defer db.groups.mu.Unlock()
	return len(db.groups.queue)
}

// WebhookGroups returns how many group transactions have committed and
// how many webhooks they held.
func (db *DB) WebhookGroups() (groups, members int64) {
	return db.groups.groups.Load(), db.groups.members.Load()
}

// FailInWebhookGroup runs, in the next group transaction, work that breaks
// a constraint after writing (a text kept as unrouted, then one without its
// sender), as a webhook whose rules fail would; it returns that failure.
func (db *DB) FailInWebhookGroup(ctx context.Context, providerID string) error {
	return db.groups.do(ctx, func(ctx context.Context, tx conn, _ *txGroup) error {
		if err := storeUnrouted(ctx, tx, hiretext.IncomingText{Provider: "test", ProviderMessageID: providerID,
			From: "+13125550199", To: "+19995550100", Body: "kept?"}, db.now()); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO unrouted_messages (provider, provider_message_id, from_phone, to_phone, body, received_at)
			VALUES ('test', ?, NULL, '+19995550100', 'no sender', ?)`, providerID+"-2", db.now())
		return err
	}, nil)
}

// StaleResponseFacts counts the conversations of org whose response facts
// wait to be built (BuildResponseFacts).
func (db *DB) StaleResponseFacts(ctx context.Context, org hiretext.OrgID) (int, error) {
	var n int
	err := db.reader().queryRow(ctx, "SELECT COUNT(*) FROM response_conversations WHERE org_id = ? AND stale = 1", org).Scan(&n)
	return n, err
}
