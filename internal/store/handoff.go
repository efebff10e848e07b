package store

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"

	"github.com/hiretext/hiretext"
)

// No text may reach the provider after a STOP has committed. The
// dispatcher's last check of consent and its provider call together (a
// hand-off, WhileConsented) and any change of a candidate's consent
// therefore exclude each other:
//
//   - PostgreSQL: the hand-off reads the candidate FOR SHARE in a
//     transaction held open until the provider call returns, on a small pool
//     of its own (so hand-offs never take a connection pages need); a
//     consent change's UPDATE of the candidate waits for it, and a hand-off
//     that starts after a change committed reads the new consent. Hand-offs
//     to one candidate share the lock. The texts a dispatcher claims
//     together are handed off as a group (HoldConsent): one transaction
//     locks all their candidates, without waiting, and is held until the
//     last of their provider calls returns.
//   - SQLite: a transaction holding a lock would hold the one writer, which
//     the simulator's own send needs. The process's consentGate stands in
//     for the row lock: hand-offs share it, and every write that may change
//     a candidate's consent takes it alone before its transaction begins
//     (changingConsent). One process serves a SQLite database.
//
// A change that commits first is seen by the hand-off, which then cancels
// the text; a hand-off that began first finishes its provider call before
// the change commits, so the ledger's order is the order things happened.

// consentGate is SQLite's lock between hand-offs (shared) and consent
// changes (exclusive). waiting counts changes waiting for hand-offs, for
// tests that interleave them.
type consentGate struct {
	mu      sync.RWMutex
	waiting atomic.Int32
}

// handOffConns bounds PostgreSQL's hand-off pool: the provider calls in
// flight at once that hold a candidate's lock, as many as a dispatcher's
// default workers; more wait for a connection, holding nothing.
const handOffConns = 8

// openHandOffPool opens PostgreSQL's hand-off pool. Unlike the other small
// pools it keeps every connection once opened: a dispatcher hands texts off
// back to back, and a connection closed when it falls idle is a new server
// process, its login and cold catalog caches on the next hand-off (measured:
// half the hand-offs paid 1.4 ms to parse their one query on a fresh
// connection, besides the connection itself).
func openHandOffPool(d dialect, dsn string) (*sql.DB, error) {
	pool, err := d.openPool(dsn, handOffConns)
	if err != nil {
		return nil, err
	}
	pool.SetMaxIdleConns(handOffConns)
	return pool, nil
}

// WhileConsented calls send, the provider call of a delivery, only if the
// delivery may still go, and keeps the candidate's consent from changing
// until send returns. A recruiter's text may go only to a candidate still
// opted in on the very phone it is addressed to (or, while the policy
// allows it, one who texted first from it); automatic keyword replies
// always go (the FCC allows one confirmation). It reports whether send was
// called.
func (db *DB) WhileConsented(ctx context.Context, dl *hiretext.Delivery, send func()) (bool, error) {
	if dl.Kind == hiretext.KindKeywordReply {
		send()
		return true, nil
	}
	if db.gate != nil {
		db.gate.mu.RLock()
		defer db.gate.mu.RUnlock()
		return handOff(ctx, db.reader(), "", dl, send)
	}
	tx, err := db.handoff.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback() //nolint:errcheck // a read: ending it releases the lock, nothing to keep
	return handOff(ctx, conn{q: tx, d: db.dialect}, " FOR SHARE OF c", dl, send)
}

// handOff reads the delivery's candidate on c (with lock appended to the
// query) and calls send when the text may still go to them.
func handOff(ctx context.Context, c conn, lock string, dl *hiretext.Delivery, send func()) (bool, error) {
	cand, err := scanCandidate(c.queryRow(ctx, "SELECT "+candidateColumns+" FROM candidates c WHERE c.org_id = ? AND c.id = ?"+lock,
		dl.OrgID, dl.CandidateID))
	switch {
	case hiretext.ErrorCode(err) == hiretext.ENotFound:
		return false, nil
	case err != nil:
		return false, err
	}
	ok, err := mayGo(ctx, c, cand, dl)
	if ok && err == nil {
		send()
	}
	return ok, err
}

// HoldConsent is WhileConsented for several deliveries at once, the texts a
// dispatcher claimed together: it reports for each whether it may still go,
// and keeps their candidates' consent from changing until release is
// called, which the caller does once every provider call it then makes for
// them has returned. On PostgreSQL that is one transaction and one locking
// read for them all (three round trips for the group instead of three per
// text). The read does not wait for a lock: when some candidate's row is
// being changed it fails, holding nothing, and the caller hands the texts
// off one by one (WhileConsented), which waits; so a group never waits for
// one row while holding others, and cannot deadlock with a transaction
// that changes several candidates.
func (db *DB) HoldConsent(ctx context.Context, dls []*hiretext.Delivery) (ok []bool, release func(), err error) {
	if db.gate != nil {
		db.gate.mu.RLock()
		ok, err = consentOf(ctx, db.reader(), "", dls)
		if err != nil {
			db.gate.mu.RUnlock()
			return nil, nil, err
		}
		return ok, db.gate.mu.RUnlock, nil
	}
	tx, err := db.handoff.BeginTx(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	if ok, err = consentOf(ctx, conn{q: tx, d: db.dialect}, " ORDER BY c.id FOR SHARE OF c NOWAIT", dls); err != nil {
		_ = tx.Rollback()
		return nil, nil, err
	}
	// A read: ending it releases the locks, there is nothing to keep.
	return ok, func() { _ = tx.Rollback() }, nil
}

// consentOf reads the candidates of dls on c in one query (with lock
// appended to it) and says which deliveries may still go.
func consentOf(ctx context.Context, c conn, lock string, dls []*hiretext.Delivery) ([]bool, error) {
	var ids []any
	for _, dl := range dls {
		if dl.Kind != hiretext.KindKeywordReply {
			ids = append(ids, dl.CandidateID)
		}
	}
	cands := map[hiretext.CandidateID]*hiretext.Candidate{}
	if len(ids) > 0 {
		found, err := queryCandidates(ctx, c, "SELECT "+candidateColumns+" FROM candidates c WHERE c.id IN ("+placeholders(len(ids))+")"+lock, ids...)
		if err != nil {
			return nil, err
		}
		for _, cand := range found {
			cands[cand.ID] = cand
		}
	}
	ok := make([]bool, len(dls))
	for i, dl := range dls {
		if dl.Kind == hiretext.KindKeywordReply {
			ok[i] = true
			continue
		}
		cand := cands[dl.CandidateID]
		if cand == nil || cand.OrgID != dl.OrgID {
			continue // gone, or never this company's: not sent
		}
		var err error
		if ok[i], err = mayGo(ctx, c, cand, dl); err != nil {
			return nil, err
		}
	}
	return ok, nil
}

// mayGo reports whether dl may still go to cand: on the phone they are
// opted in on, or as an answer to one who texted first from it.
func mayGo(ctx context.Context, c conn, cand *hiretext.Candidate, dl *hiretext.Delivery) (bool, error) {
	if cand.TextingPhone() == dl.To {
		return true, nil
	}
	return answersTextedFirst(ctx, c, cand, dl.To)
}

// answersTextedFirst reports whether a text to phone to may go to cand, who
// is not opted in on it, as the answer to a candidate who texted first from
// it: while the company's send policy allows such answers. The policy is
// read only for such candidates, so other hand-offs cost no more.
func answersTextedFirst(ctx context.Context, c conn, cand *hiretext.Candidate, to string) (bool, error) {
	if !cand.TextedFirst() || cand.PhoneChoiceOf(to) == hiretext.PhoneNone {
		return false, nil
	}
	p, err := sendPolicy(ctx, c, cand.OrgID)
	if err != nil {
		return false, err
	}
	return p.AnswerTextedFirst, nil
}

// changingConsent runs fn, a write that may change a candidate's consent,
// once no hand-off is in flight on SQLite, keeping new ones out until it
// returns (see consentGate). On PostgreSQL the candidate's row lock does
// this inside fn's transaction.
func (db *DB) changingConsent(fn func() error) error {
	if db.gate != nil {
		db.gate.waiting.Add(1)
		db.gate.mu.Lock()
		db.gate.waiting.Add(-1)
		defer db.gate.mu.Unlock()
	}
	return fn()
}
