package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"slices"
	"time"

	"github.com/hiretext/hiretext"
)

// throttleKey is what throttle_keys stores for a key: its SHA-256, so the
// table holds no client addresses or emails.
func throttleKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// ThrottleWait returns how long the longest-blocked of keys must still wait.
func (db *DB) ThrottleWait(ctx context.Context, keys ...string) (time.Duration, error) {
	now := db.now()
	var wait time.Duration
	for _, k := range keys {
		var until sql.NullTime
		err := db.reader().queryRow(ctx, `SELECT blocked_until FROM throttle_keys WHERE key = ?`, throttleKey(k)).Scan(&until)
		if err != nil && err != sql.ErrNoRows {
			return 0, err
		}
		if until.Valid && until.Time.After(now) {
			wait = max(wait, until.Time.Sub(now))
		}
	}
	return wait, nil
}

// ThrottleCount counts one event against each key in one transaction. Each
// key's row is locked while it is counted, so concurrent failures on several
// instances all count; keys are taken in a fixed order so two counts of the
// same keys cannot deadlock. Rows nobody needs any more are deleted on the
// way, which bounds the table.
func (db *DB) ThrottleCount(ctx context.Context, rule hiretext.ThrottleRule, keys ...string) error {
	hashed := make([]string, len(keys))
	for i, k := range keys {
		hashed[i] = throttleKey(k)
	}
	slices.Sort(hashed)
	hashed = slices.Compact(hashed)
	now := db.now()
	return db.inTx(ctx, func(tx conn) error {
		for _, k := range hashed {
			if err := countThrottled(ctx, tx, rule, k, now); err != nil {
				return err
			}
		}
		_, err := tx.exec(ctx, `DELETE FROM throttle_keys WHERE expires_at < ?`, now)
		return err
	})
}

// countThrottled counts one event against the hashed key k.
func countThrottled(ctx context.Context, tx conn, rule hiretext.ThrottleRule, k string, now time.Time) error {
	var start time.Time
	var failures int
	var blocked sql.NullTime
	// The no-op update of an existing row is what locks it.
	err := tx.queryRow(ctx, `INSERT INTO throttle_keys (key, window_start, failures, expires_at) VALUES (?, ?, 0, ?)
		ON CONFLICT (key) DO UPDATE SET failures = throttle_keys.failures
		RETURNING window_start, failures, blocked_until`, k, now, now.Add(rule.Window)).Scan(&start, &failures, &blocked)
	if err != nil {
		return err
	}
	if !start.Add(rule.Window).After(now) {
		start, failures = now, 0 // the window has passed: this event starts a new one
	}
	failures++
	if failures >= rule.Limit {
		blocked = sql.NullTime{Time: now.Add(rule.Block), Valid: true}
		start, failures = now, 0
	}
	expires := start.Add(rule.Window)
	if blocked.Valid && blocked.Time.After(expires) {
		expires = blocked.Time
	}
	_, err = tx.exec(ctx, `UPDATE throttle_keys SET window_start = ?, failures = ?, blocked_until = ?, expires_at = ? WHERE key = ?`,
		start.UTC(), failures, nullUTC(blocked), expires.UTC(), k)
	return err
}

// nullUTC is t in UTC, or NULL.
func nullUTC(t sql.NullTime) any {
	if !t.Valid {
		return nil
	}
	return t.Time.UTC()
}

// ThrottleForget forgets key.
func (db *DB) ThrottleForget(ctx context.Context, key string) error {
	return db.inTx(ctx, func(tx conn) error {
		_, err := tx.exec(ctx, `DELETE FROM throttle_keys WHERE key = ?`, throttleKey(key))
		return err
	})
}
