package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/hiretext/hiretext"
)

// markWrongNumber records that phone answered "wrong number", by keyed
// hash, so every profile holding it shows the mark, even after erasure.
func (db *DB) markWrongNumber(ctx context.Context, tx conn, org hiretext.OrgID, phone string, msg hiretext.MessageID, now time.Time) error {
	key, err := db.ledgerKeyOn(ctx, tx)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO wrong_numbers (org_id, phone_hash, message_id, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (org_id, phone_hash) DO UPDATE SET message_id = excluded.message_id, created_at = excluded.created_at`,
		org, hiretext.KeyedHash(key, phone), msg, now)
	return err
}

// clearWrongNumber lifts the mark when the phone's owner opts in.
func (db *DB) clearWrongNumber(ctx context.Context, tx conn, org hiretext.OrgID, phone string) error {
	key, err := db.ledgerKeyOn(ctx, tx)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, "DELETE FROM wrong_numbers WHERE org_id = ? AND phone_hash = ?", org, hiretext.KeyedHash(key, phone))
	return err
}

// PhoneNotices tells what org's records say about each of phones (E.164)
// beyond one candidate: that it answered "wrong number", or that its newest
// consent entry is an opt-out, possibly of a candidate since erased. Phones
// with nothing to say are left out.
func (db *DB) PhoneNotices(ctx context.Context, org hiretext.OrgID, phones ...string) (map[string]hiretext.PhoneNotice, error) {
	out := map[string]hiretext.PhoneNotice{}
	r := db.reader()
	key, err := db.existingLedgerKey(ctx, r)
	if err != nil || key == nil {
		return out, err // no key: nothing was ever hashed
	}
	for _, p := range phones {
		n, err := db.phoneNotice(ctx, r, org, p)
		if err != nil {
			return nil, err
		}
		if n != (hiretext.PhoneNotice{}) {
			out[p] = n
		}
	}
	return out, nil
}

func (db *DB) phoneNotice(ctx context.Context, tx conn, org hiretext.OrgID, phone string) (hiretext.PhoneNotice, error) {
	var n hiretext.PhoneNotice
	if phone == "" {
		return n, nil
	}
	key, err := db.ledgerKeyOn(ctx, tx)
	if err != nil {
		return n, err
	}
	var at time.Time
	err = tx.queryRow(ctx, "SELECT created_at FROM wrong_numbers WHERE org_id = ? AND phone_hash = ?",
		org, hiretext.KeyedHash(key, phone)).Scan(&at)
	switch {
	case err == nil:
		n.WrongNumberAt = at
	case !errors.Is(err, sql.ErrNoRows):
		return n, err
	}
	out, err := db.phoneOptOut(ctx, tx, org, phone)
	if out != nil {
		n.OptedOutAt = *out
	}
	return n, err
}
