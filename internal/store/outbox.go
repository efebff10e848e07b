package store

import (
	"context"
	"slices"
	"time"

	"github.com/hiretext/hiretext"
)

// DueNumbers lists the numbers with messages ready to send now, so the
// dispatcher can claim from each at that number's rate. The texts the
// carrier guard holds back (guardedOut) are not ready.
func (db *DB) DueNumbers(ctx context.Context, now time.Time) ([]hiretext.NumberID, error) {
	return queryAll(ctx, db.reader(), scanValue[hiretext.NumberID], `SELECT DISTINCT number_id FROM messages
		WHERE status = 'queued' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)
			AND NOT (`+guardedOut+`)`, now.UTC(), now.UTC())
}

// ClaimDeliveries leases up to limit due messages of one number for lease,
// but not the bulk and scheduled texts of a number the carrier guard paused.
// A message whose lease expires unresolved (the process died mid-call)
// becomes due again: it may be sent twice, never lost.
func (db *DB) ClaimDeliveries(ctx context.Context, number hiretext.NumberID, limit int, lease time.Duration) ([]*hiretext.Delivery, error) {
	var claimed []*hiretext.Delivery
	err := db.inTx(ctx, func(tx conn) error {
		var err error
		claimed, err = db.claimDeliveries(ctx, tx, number, limit, lease, db.now())
		return err
	})
	return claimed, err
}

func (db *DB) claimDeliveries(ctx context.Context, tx conn, number hiretext.NumberID, limit int, lease time.Duration, now time.Time) ([]*hiretext.Delivery, error) {
	return queryAll(ctx, tx, scanDelivery, claimQuery(db.dialect)+" RETURNING "+deliveryColumns, claimArgs(number, limit, lease, now)...)
}

// claimQuery leases due messages of a number (claimArgs are its
// arguments). A claim is about to call the provider: from now on the
// provider may hold the message, so doubt_since is set if it was not.
// in_doubt takes the value doubt_since had before (SET sees the row as it
// was): an earlier call whose outcome is unknown.
func claimQuery(d dialect) string {
	return `UPDATE messages SET lease_until = ?, attempts = attempts + 1, updated_at = ?,
			in_doubt = (doubt_since IS NOT NULL), doubt_since = COALESCE(doubt_since, ?)
		WHERE id IN (SELECT id FROM messages WHERE number_id = ? AND status = 'queued' AND next_attempt_at <= ?
			AND (lease_until IS NULL OR lease_until < ?) AND NOT (` + guardedOut + `)
			ORDER BY next_attempt_at, id LIMIT ?` + d.skipLocked() + `)`
}

// deliveryColumns are the columns of a claimed message scanDelivery reads.
const deliveryColumns = `id, org_id, number_id, COALESCE(candidate_id, 0), kind, provider, from_phone, to_phone, body,
	attempts, period, created_at, in_doubt, doubt_since`

// claimArgs are claimQuery's arguments.
func claimArgs(number hiretext.NumberID, limit int, lease time.Duration, now time.Time) []any {
	return []any{now.Add(lease), now, now, number, now, now, limit}
}

// claimAndPace is claimDeliveries that also moves the number's next_free
// on from next by an interval per text claimed, in the same statement on
// PostgreSQL (one round trip fewer per claim); SQLite, whose UPDATE cannot
// be a CTE, runs the two statements.
func (db *DB) claimAndPace(ctx context.Context, tx conn, number hiretext.NumberID, n int, lease, interval time.Duration,
	next, now time.Time) ([]*hiretext.Delivery, error) {
	if db.dialect.singleWriter() {
		claimed, err := db.claimDeliveries(ctx, tx, number, n, lease, now)
		if err != nil {
			return nil, err
		}
		_, err = tx.exec(ctx, `UPDATE number_send_pace SET next_free = ? WHERE number_id = ?`,
			next.Add(time.Duration(len(claimed))*interval), number)
		return claimed, err
	}
	// next is in whole microseconds (read from the row, or now); the
	// interval's nanoseconds are added as the Go code would, truncated to
	// the microseconds a timestamp keeps.
	args := append(claimArgs(number, n, lease, now), next, int64(interval), number)
	return queryAll(ctx, tx, scanDelivery, `WITH claimed AS (`+claimQuery(db.dialect)+` RETURNING `+deliveryColumns+`),
		paced AS (UPDATE number_send_pace
			SET next_free = CAST(? AS TIMESTAMPTZ) + ((SELECT count(*) FROM claimed) * CAST(? AS BIGINT) / 1000) * INTERVAL '1 microsecond'
			WHERE number_id = ?)
		SELECT * FROM claimed`, args...)
}

func scanDelivery(row scanner) (*hiretext.Delivery, error) {
	dl := &hiretext.Delivery{}
	err := row.Scan(&dl.ID, &dl.OrgID, &dl.NumberID, &dl.CandidateID, &dl.Kind, &dl.Provider, &dl.From, &dl.To,
		&dl.Body, &dl.Attempts, &dl.Period, &dl.CreatedAt, &dl.InDoubt, &dl.DoubtSince)
	dl.DoubtSince = dl.DoubtSince.UTC()
	return dl, err
}

// ClaimPaced is ClaimDeliveries within the number's pace, which every
// dispatcher on the database shares: however many instances claim, the
// number sends at most pace.Burst at once and pace.Rate a second on average
// (the generic cell rate algorithm on number_send_pace.next_free). Without
// a pace, or with one faster than the timestamps' microseconds can keep, it
// claims unpaced.
func (db *DB) ClaimPaced(ctx context.Context, number hiretext.NumberID, limit int, lease time.Duration, pace hiretext.SendPace) (hiretext.DeliveryClaim, error) {
	var c hiretext.DeliveryClaim
	err := db.inTx(ctx, func(tx conn) error {
		var err error
		c, err = db.claimPaced(ctx, tx, hiretext.ClaimRequest{Number: number, Limit: limit, Lease: lease, Pace: pace}, db.now())
		return err
	})
	return c, err
}

// claimPaced is ClaimPaced's claim inside tx.
func (db *DB) claimPaced(ctx context.Context, tx conn, r hiretext.ClaimRequest, now time.Time) (hiretext.DeliveryClaim, error) {
	number, limit, lease, pace := r.Number, r.Limit, r.Lease, r.Pace
	interval := pace.Interval()
	if interval < time.Microsecond {
		claimed, err := db.claimDeliveries(ctx, tx, number, limit, lease, now)
		return hiretext.DeliveryClaim{Deliveries: claimed}, err
	}
	var c hiretext.DeliveryClaim
	err := func() error {
		next, err := lockPace(ctx, tx, number, now)
		if err != nil {
			return err
		}
		if next.Before(now) {
			next = now // a quiet number has only its burst, never more
		}
		// The texts that fit: each takes an interval, and next_free may run
		// ahead of now by at most a burst's worth of them.
		fit := int(now.Add(time.Duration(pace.Burst)*interval).Sub(next) / interval)
		if n := min(limit, fit); n > 0 {
			if c.Deliveries, err = db.claimAndPace(ctx, tx, number, n, lease, interval, next, now); err != nil {
				return err
			}
			next = next.Add(time.Duration(len(c.Deliveries)) * interval)
		}
		c.NextAt = next.Add(-time.Duration(pace.Burst-1) * interval)
		return nil
	}()
	return c, err
}

// lockPace returns the number's next_free, creating its row on first use,
// and holds the row until the transaction ends so that claims of the number
// take turns. The upsert's no-op update is what takes the lock.
func lockPace(ctx context.Context, tx conn, number hiretext.NumberID, now time.Time) (time.Time, error) {
	var next time.Time
	err := tx.queryRow(ctx, `INSERT INTO number_send_pace (number_id, next_free) VALUES (?, ?)
		ON CONFLICT (number_id) DO UPDATE SET next_free = number_send_pace.next_free
		RETURNING next_free`, number, now).Scan(&next)
	return next.UTC(), err
}

// RecordSentBatch records that the provider accepted deliveries, and
// applies any status callback that arrived before this record did. It
// records them in one transaction, so a dispatcher whose calls finish
// together pays for one commit (one fsync) instead of one each, and records
// all of them or none. In the same transaction it claims what next asks
// (see hiretext.ClaimRequest) and returns those deliveries: leased by the
// same durable commit, before any provider call for them.
func (db *DB) RecordSentBatch(ctx context.Context, sent []hiretext.SentDelivery, next []hiretext.ClaimRequest) ([]*hiretext.Delivery, error) {
	keys := make([]any, len(sent))
	for i, s := range sent {
		keys[i] = providerMessageKey(s.Delivery.Provider, s.ProviderID)
	}
	var claimed []*hiretext.Delivery
	err := db.inEventTx(ctx, func(tx conn) error {
		claimed = nil
		if err := db.lockProviderMessages(ctx, tx, keys); err != nil {
			return err
		}
		now := db.now()
		var tally textTally
		pending := newPendingLookup(sent)
		if err := recordSent(ctx, tx, &tally, sent, now, pending.reads()...); err != nil {
			return err
		}
		if err := db.applyPendingReports(ctx, tx, &tally, pending, now); err != nil {
			return err
		}
		for _, r := range next {
			c, err := db.claimPaced(ctx, tx, r, now)
			if err != nil {
				return err
			}
			claimed = append(claimed, c.Deliveries...)
		}
		if err := db.recordSentEvents(ctx, tx, sent, now); err != nil {
			return err
		}
		return db.countTexts(ctx, tx, &tally) // last: see countTexts
	})
	if err != nil {
		return nil, err
	}
	return claimed, nil
}

// recordSentEvents tells the numbers' users that the sent messages changed
// status. On PostgreSQL the events and their NOTIFY are queued (execLater)
// with the transaction's last writes, the daily counters, and go with them
// in one round trip before the commit instead of two of their own; SQLite,
// with no round trip to save, inserts them in one statement.
func (db *DB) recordSentEvents(ctx context.Context, tx conn, sent []hiretext.SentDelivery, now time.Time) error {
	evs := make([]*hiretext.Event, len(sent))
	for i, s := range sent {
		evs[i] = statusEvent(s.Delivery.OrgID, s.Delivery.NumberID, s.Delivery.ID, now)
	}
	if db.dialect.singleWriter() {
		return db.insertEvents(ctx, tx, evs)
	}
	for _, ev := range evs {
		if err := db.queueEvent(ctx, tx, ev); err != nil {
			return err
		}
	}
	return nil
}

// recordSent marks queued deliveries handed to the provider, with the
// provider's id and the status it answered (sending at most: "sent" and
// beyond come from status callbacks), in one statement per chunk however
// many there are, and counts them in tally. The statements go in one batch
// with the writes queued before them and then the reads also (on
// PostgreSQL one round trip for all).
func recordSent(ctx context.Context, tx conn, tally *textTally, sent []hiretext.SentDelivery, now time.Time, also ...batchRead) error {
	var reads []batchRead
	var n int
	for chunk := range chunks(sent, 200) {
		args := make([]any, 0, 3*len(chunk)+2)
		for _, s := range chunk {
			status := s.Status
			if !hiretext.StatusSending.Advances(status) {
				status = hiretext.StatusSending // handed to the provider, not yet reported sent
			}
			args = append(args, s.Delivery.ID, status, s.ProviderID)
		}
		args = append(args, now, now)
		reads = append(reads, tally.countedRead(hiretext.StatusQueued, &n, `WITH sent (mid, st, pid) AS (VALUES `+
			repeatRows("(CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT))", len(chunk))+`)
			UPDATE messages SET status = sent.st, provider_message_id = sent.pid, lease_until = NULL, error_code = '',
				error_message = '', sent_at = ?, updated_at = ?
			FROM sent WHERE messages.id = sent.mid AND messages.status = 'queued'
			RETURNING `+countedColumns, args...))
	}
	if err := tx.readBatch(ctx, append(reads, also...)...); err != nil {
		return err
	}
	for _, s := range sent {
		if !responseStatus(s.Status) && hiretext.StatusSending.Advances(s.Status) {
			// It failed at once: no longer one the response figures count.
			if err := responseMessageChanged(ctx, tx, s.Delivery.ID, hiretext.StatusQueued); err != nil {
				return err
			}
		}
	}
	return nil
}

// RetryDelivery puts a delivery back in the queue, due at at, after a
// transient failure. Unless uncertain (the provider may have taken the
// message: a timeout, a reset, a 5xx), the failure was certain and the
// message is no longer in doubt; an uncertain one stays in doubt from its
// first such attempt, so the next attempt looks it up before sending.
func (db *DB) RetryDelivery(ctx context.Context, dl *hiretext.Delivery, at time.Time, code, reason string, uncertain bool) error {
	return db.inTx(ctx, func(tx conn) error {
		_, err := tx.exec(ctx, `UPDATE messages SET lease_until = NULL, next_attempt_at = ?, error_code = ?, error_message = ?,
			updated_at = ?, doubt_since = CASE WHEN ? THEN doubt_since END WHERE id = ? AND status = 'queued'`,
			at.UTC(), code, reason, db.now(), uncertain, dl.ID)
		return err
	})
}

// KnownProviderMessages returns, of a provider's message ids, those some
// message here already holds, with that message's status: a message found
// by a lookup is adopted only if no other message is that one, and
// reconciliation imports only what is missing or behind. It reads in
// chunks, so any number of ids fits the databases' limits on parameters.
func (db *DB) KnownProviderMessages(ctx context.Context, provider string, ids []string) (map[string]hiretext.MessageStatus, error) {
	known := map[string]hiretext.MessageStatus{}
	for chunk := range slices.Chunk(ids, 500) {
		args := []any{provider}
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := queryAll(ctx, db.reader(), func(s scanner) ([2]string, error) {
			var r [2]string
			err := s.Scan(&r[0], &r[1])
			return r, err
		}, `SELECT provider_message_id, status FROM messages
			WHERE provider = ? AND provider_message_id IN (`+placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			known[r[0]] = hiretext.MessageStatus(r[1])
		}
	}
	return known, nil
}

// FailDelivery marks a delivery failed (or canceled) for good, releasing its
// unit of allowance: the allowance counts messages sent. With optOut the
// candidate is opted out, source provider (the carrier said they opted out).
// A filtering or registration error counts toward the number's carrier
// guard, as a status callback's does.
func (db *DB) FailDelivery(ctx context.Context, dl *hiretext.Delivery, status hiretext.MessageStatus, code, reason string, optOut bool) error {
	if optOut || code == hiretext.BlockedCode {
		return db.changingConsent(func() error { return db.failDelivery(ctx, dl, status, code, reason, optOut) })
	}
	return db.failDelivery(ctx, dl, status, code, reason, optOut)
}

func (db *DB) failDelivery(ctx context.Context, dl *hiretext.Delivery, status hiretext.MessageStatus, code, reason string, optOut bool) error {
	return db.inEventTx(ctx, func(tx conn) error {
		now := db.now()
		var tally textTally
		n, err := tally.updateCounted(ctx, tx, hiretext.StatusQueued, `UPDATE messages SET status = ?, lease_until = NULL, error_code = ?,
			error_message = ?, counted = ?, updated_at = ? WHERE id = ? AND status = 'queued' RETURNING `+countedColumns,
			status, code, reason, false, now, dl.ID)
		if err != nil {
			return err
		}
		if n == 0 {
			return nil // already resolved elsewhere
		}
		if err := responseMessageChanged(ctx, tx, dl.ID, hiretext.StatusQueued); err != nil {
			return err
		}
		if optOut && dl.CandidateID != 0 {
			if err := db.providerOptOut(ctx, tx, dl.OrgID, dl.CandidateID, dl.ID); err != nil {
				return err
			}
		}
		if code == hiretext.BlockedCode && dl.CandidateID != 0 {
			if err := db.carrierBlock(ctx, tx, dl.OrgID, dl.CandidateID, dl.ID); err != nil {
				return err
			}
		}
		if err := db.recordStatusEvent(ctx, tx, dl.OrgID, dl.NumberID, dl.ID, now); err != nil {
			return err
		}
		sent := &hiretext.Message{ID: dl.ID, OrgID: dl.OrgID, NumberID: dl.NumberID, Direction: hiretext.Outbound, From: dl.From}
		if err := db.guardCarrierError(ctx, tx, sent, code, now); err != nil {
			return err
		}
		if err := releaseAllowance(ctx, tx, dl.OrgID, dl.NumberID, dl.Period, 1); err != nil { // the counter rows last: see allowance.go
			return err
		}
		return db.countTexts(ctx, tx, &tally) // and the report's after it: see countTexts
	})
}

// providerOptOut records the carrier's word that a candidate opted out.
func (db *DB) providerOptOut(ctx context.Context, tx conn, org hiretext.OrgID, candidate hiretext.CandidateID, msg hiretext.MessageID) error {
	c, err := candidateByID(ctx, tx, org, candidate)
	if err != nil || c.SMSStatus == hiretext.SMSOptedOut {
		return err
	}
	return db.setConsent(ctx, tx, org, hiretext.ConsentChange{CandidateID: candidate, Status: hiretext.SMSOptedOut,
		Source: hiretext.ConsentProvider, MessageID: int64(msg),
		Note: "The carrier reported that the recipient opted out (for example by replying STOP to the carrier)."})
}

// carrierBlock records the carrier's word that the candidate's phone blocks
// this number's texts (30004) as an opt-out by the provider, rule
// RuleCarrierBlock: nothing more is sent to them until they write, which
// ends it (endCarrierBlock).
func (db *DB) carrierBlock(ctx context.Context, tx conn, org hiretext.OrgID, candidate hiretext.CandidateID, msg hiretext.MessageID) error {
	c, err := candidateByID(ctx, tx, org, candidate)
	if err != nil || c.SMSStatus == hiretext.SMSOptedOut {
		return err
	}
	return db.setConsent(ctx, tx, org, hiretext.ConsentChange{CandidateID: candidate, Status: hiretext.SMSOptedOut,
		Source: hiretext.ConsentProvider, MessageID: int64(msg), Rule: hiretext.RuleCarrierBlock,
		Note: "The carrier reported that the candidate's phone blocks texts from this number (error 30004). " +
			"No more texts are sent to them until they write to the number."})
}

// recordStatusEvent tells the number's users a message changed status.
func (db *DB) recordStatusEvent(ctx context.Context, tx conn, org hiretext.OrgID, number hiretext.NumberID, msg hiretext.MessageID, now time.Time) error {
	return db.insertEvent(ctx, tx, statusEvent(org, number, msg, now))
}

// statusEvent is the event saying a message's status changed.
func statusEvent(org hiretext.OrgID, number hiretext.NumberID, msg hiretext.MessageID, now time.Time) *hiretext.Event {
	return &hiretext.Event{OrgID: org, NumberID: number, Kind: hiretext.EventMessageStatus,
		Data: eventData(map[string]any{"message_id": msg}), At: now}
}
