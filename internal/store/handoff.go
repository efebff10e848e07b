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
//     to one candidate share the lock.
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
	case cand.TextingPhone() != dl.To:
		if ok, err := answersTextedFirst(ctx, c, cand, dl.To); !ok || err != nil {
			return false, err
		}
	}
	send()
	return true, nil
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
