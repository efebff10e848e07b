package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"strconv"
	"time"

	"github.com/hiretext/hiretext"
)

// setConsent is the one way a candidate's texting consent changes: it
// updates the candidate and appends the change with its evidence to the
// consent ledger, on tx, so it composes with whatever else the transaction
// does (an application, an inbound STOP). Every change is appended, even one
// that repeats the current status: each is evidence in its own right.
func (db *DB) setConsent(ctx context.Context, tx conn, org hiretext.OrgID, c hiretext.ConsentChange) error {
	if err := c.Validate(); err != nil {
		return err
	}
	cand, err := candidateByID(ctx, tx, org, c.CandidateID)
	if err != nil {
		return err
	}
	which := c.Phone
	if which == hiretext.PhoneNone && c.Status == hiretext.SMSOptedOut && cand.SMSStatus == hiretext.SMSOptedIn {
		which = cand.SMSPhone // record the number the opt-out covers
	}
	number := cand.Phone(which)
	var smsPhone any
	if c.Status == hiretext.SMSOptedIn {
		if number == "" {
			msg := "The candidate has no " + string(which) + " phone."
			return hiretext.FieldError(msg, map[string]string{"sms_phone": msg})
		}
		smsPhone = string(which)
	}
	now := db.now()
	// Any consent the candidate gives or withdraws ends "texted us first".
	if _, err := tx.exec(ctx, "UPDATE candidates SET sms_status = ?, sms_phone = ?, texted_first_at = NULL, updated_at = ? WHERE org_id = ? AND id = ?",
		c.Status, smsPhone, now, org, cand.ID); err != nil {
		return err
	}
	if cand.LastApplicationID != 0 {
		if err := countPoolChange(ctx, tx, org, cand.SMSStatus, c.Status); err != nil {
			return err
		}
	}
	e := &hiretext.ConsentEvent{OrgID: org, CandidateID: cand.ID, Status: c.Status, Phone: which, PhoneNumber: number,
		Source: c.Source, ApplicationID: c.ApplicationID, Disclosure: c.Disclosure, IP: c.IP, UserAgent: c.UserAgent,
		UserID: c.UserID, Note: c.Note, MessageID: c.MessageID, Rule: c.Rule, CreatedAt: now}
	return db.appendConsentEvent(ctx, tx, e)
}

// appendConsentEvent appends e to the ledger: the entry, its evidence beside
// it, and its link in the company's hash chain.
func (db *DB) appendConsentEvent(ctx context.Context, tx conn, e *hiretext.ConsentEvent) error {
	err := tx.queryRow(ctx, `INSERT INTO consent_events (org_id, candidate_id, status, phone, source, application_id,
		disclosure, user_id, message_id, rule, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		e.OrgID, e.CandidateID, e.Status, nullString(string(e.Phone)), e.Source, nullInt(e.ApplicationID),
		nullString(e.Disclosure), nullInt(e.UserID), nullInt(e.MessageID), e.Rule, e.CreatedAt).Scan(&e.ID)
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO consent_evidence (event_id, org_id, phone_number, ip, user_agent, note)
		VALUES (?, ?, ?, ?, ?, ?)`, e.ID, e.OrgID, e.PhoneNumber, e.IP, e.UserAgent, e.Note); err != nil {
		return err
	}
	return db.chainConsentEvent(ctx, tx, e)
}

// chainConsentEvent links e into its company's hash chain. The company's
// head row is locked by the UPDATE until tx ends, so concurrent appends
// (two STOPs at once) take turns and each chains onto the one before; the
// chain's order is the order in which they committed.
func (db *DB) chainConsentEvent(ctx context.Context, tx conn, e *hiretext.ConsentEvent) error {
	key, err := db.ledgerKeyOn(ctx, tx)
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO consent_chain_heads (org_id, seq, hash) VALUES (?, 0, '')
		ON CONFLICT (org_id) DO NOTHING`, e.OrgID); err != nil {
		return err
	}
	l := hiretext.LedgerEntry{OrgID: e.OrgID, EventID: e.ID, CandidateID: e.CandidateID, Status: e.Status, Phone: e.Phone,
		PhoneHash: hiretext.KeyedHash(key, e.PhoneNumber), Source: e.Source, ApplicationID: e.ApplicationID,
		Disclosure: e.Disclosure, UserID: e.UserID, MessageID: e.MessageID, Rule: e.Rule, CreatedAt: e.CreatedAt,
		EvidenceHash: hiretext.ConsentEvidence{PhoneNumber: e.PhoneNumber, IP: e.IP, UserAgent: e.UserAgent, Note: e.Note}.Hash(key)}
	if err := tx.queryRow(ctx, `UPDATE consent_chain_heads SET seq = seq + 1 WHERE org_id = ? RETURNING seq, hash`,
		e.OrgID).Scan(&l.Seq, &l.PrevHash); err != nil {
		return err
	}
	l.Hash = l.ComputeHash()
	if _, err := tx.exec(ctx, `INSERT INTO consent_chain (event_id, org_id, seq, phone_hash, evidence_hash, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, l.EventID, l.OrgID, l.Seq, l.PhoneHash, l.EvidenceHash, l.PrevHash, l.Hash); err != nil {
		return err
	}
	_, err = tx.exec(ctx, "UPDATE consent_chain_heads SET hash = ? WHERE org_id = ?", l.Hash, e.OrgID)
	e.Seq, e.PhoneHash, e.EvidenceHash, e.PrevHash, e.Hash = l.Seq, l.PhoneHash, l.EvidenceHash, l.PrevHash, l.Hash
	return err
}

// ledgerKeyName is the app secret the ledger's keyed hashes use.
const ledgerKeyName = "consent_ledger"

// ledgerKeyOn returns the installation's ledger key, creating it on first
// use, on tx (a write transaction cannot wait for another connection). A
// key this transaction created is not remembered until a later one reads
// it back: if tx rolled back, another instance may create a different one.
func (db *DB) ledgerKeyOn(ctx context.Context, tx conn) ([]byte, error) {
	k, err := db.existingLedgerKey(ctx, tx)
	if err != nil || k != nil {
		return k, err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	if _, err := tx.exec(ctx, "INSERT INTO app_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
		ledgerKeyName, hex.EncodeToString(b)); err != nil {
		return nil, err
	}
	var value string
	if err := tx.queryRow(ctx, "SELECT value FROM app_secrets WHERE name = ?", ledgerKeyName).Scan(&value); err != nil {
		return nil, err
	}
	return hex.DecodeString(value)
}

// existingLedgerKey returns the ledger key, or nil when none was made yet,
// on q, which may be a read-only connection.
func (db *DB) existingLedgerKey(ctx context.Context, q conn) ([]byte, error) {
	if k := db.ledgerKey.Load(); k != nil {
		return *k, nil
	}
	var value string
	err := q.queryRow(ctx, "SELECT value FROM app_secrets WHERE name = ?", ledgerKeyName).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	k, err := hex.DecodeString(value)
	if err == nil {
		db.ledgerKey.Store(&k)
	}
	return k, err
}

// sealLedgers chains, on tx, the consent events no chain entry covers yet:
// those a database held before the chain existed (the migration that made
// it cannot compute keyed hashes in SQL). Migrate calls it while it holds
// the migration lock; it finds nothing to do otherwise.
func (db *DB) sealLedgers(ctx context.Context, tx conn) error {
	events, err := queryAll(ctx, tx, scanConsentEvent, "SELECT "+consentEventColumns+consentEventFrom+
		" WHERE k.event_id IS NULL ORDER BY e.org_id, e.id")
	if err != nil {
		return err
	}
	for _, e := range events {
		if err := db.chainConsentEvent(ctx, tx, e); err != nil {
			return err
		}
	}
	return nil
}

const consentEventColumns = `e.id, e.org_id, e.candidate_id, e.status, e.phone, e.source, e.application_id, e.disclosure,
	e.user_id, u.name, e.message_id, e.rule, e.created_at, v.event_id, v.phone_number, v.ip, v.user_agent, v.note,
	k.seq, k.phone_hash, k.evidence_hash, k.prev_hash, k.hash`

const consentEventFrom = ` FROM consent_events e
	LEFT JOIN users u ON u.org_id = e.org_id AND u.id = e.user_id
	LEFT JOIN consent_evidence v ON v.event_id = e.id
	LEFT JOIN consent_chain k ON k.event_id = e.id`

// ConsentHistory lists a candidate's consent ledger, newest first. An
// unknown candidate is not found.
func (db *DB) ConsentHistory(ctx context.Context, org hiretext.OrgID, id hiretext.CandidateID) ([]*hiretext.ConsentEvent, error) {
	r := db.reader()
	if _, err := candidateByID(ctx, r, org, id); err != nil {
		return nil, err
	}
	return consentHistory(ctx, r, org, id)
}

func consentHistory(ctx context.Context, q conn, org hiretext.OrgID, id hiretext.CandidateID) ([]*hiretext.ConsentEvent, error) {
	return queryAll(ctx, q, scanConsentEvent, "SELECT "+consentEventColumns+consentEventFrom+`
		WHERE e.org_id = ? AND e.candidate_id = ? ORDER BY e.id DESC`, org, id)
}

func scanConsentEvent(s scanner) (*hiretext.ConsentEvent, error) {
	var e hiretext.ConsentEvent
	var phone, disclosure, userName, number, ip, ua, note, phoneHash, evidenceHash, prev, hash sql.NullString
	var app, user, msg, evidence, seq sql.NullInt64
	if err := s.Scan(&e.ID, &e.OrgID, &e.CandidateID, &e.Status, &phone, &e.Source, &app, &disclosure, &user, &userName,
		&msg, &e.Rule, &e.CreatedAt, &evidence, &number, &ip, &ua, &note, &seq, &phoneHash, &evidenceHash, &prev, &hash); err != nil {
		return nil, err
	}
	e.Phone, e.PhoneNumber = hiretext.PhoneChoice(phone.String), number.String
	e.ApplicationID, e.UserID, e.MessageID = hiretext.ApplicationID(app.Int64), hiretext.UserID(user.Int64), msg.Int64
	e.Disclosure, e.IP, e.UserAgent, e.UserName, e.Note = disclosure.String, ip.String, ua.String, userName.String, note.String
	e.Erased = !evidence.Valid
	e.Seq, e.PhoneHash, e.EvidenceHash, e.PrevHash, e.Hash = seq.Int64, phoneHash.String, evidenceHash.String, prev.String, hash.String
	return &e, nil
}

// VerifyConsentLedger checks org's whole hash chain in order: each entry's
// hash, its link to the one before, the evidence still held against its
// keyed hashes, that every consent event is in the chain, and that the
// company's head is the last entry. It reads the chain as one snapshot.
func (db *DB) VerifyConsentLedger(ctx context.Context, org hiretext.OrgID) (*hiretext.LedgerReport, error) {
	if _, err := db.OrgByID(ctx, org); err != nil {
		return nil, err
	}
	rep := &hiretext.LedgerReport{}
	err := db.inTx(ctx, func(tx conn) error {
		key, err := db.ledgerKeyOn(ctx, tx)
		if err != nil {
			return err
		}
		v := &hiretext.LedgerVerifier{Key: key}
		err = queryEach(ctx, tx, func(s scanner) error {
			e, err := scanConsentEvent(s)
			if err != nil || rep.Problem != "" {
				return err
			}
			var evidence *hiretext.ConsentEvidence
			if !e.Erased {
				evidence = &hiretext.ConsentEvidence{PhoneNumber: e.PhoneNumber, IP: e.IP, UserAgent: e.UserAgent, Note: e.Note}
			}
			if err := v.Check(ledgerEntry(e), evidence); err != nil {
				rep.Problem = err.Error()
			}
			rep.Head = e.Hash
			return nil
		}, "SELECT "+consentEventColumns+` FROM consent_chain k
			JOIN consent_events e ON e.id = k.event_id
			LEFT JOIN users u ON u.org_id = e.org_id AND u.id = e.user_id
			LEFT JOIN consent_evidence v ON v.event_id = e.id
			WHERE k.org_id = ? ORDER BY k.seq`, org)
		if err != nil {
			return err
		}
		rep.Entries = v.Entries
		return db.checkLedgerEnds(ctx, tx, org, rep)
	})
	return rep, err
}

// checkLedgerEnds finds what a chain walk cannot: consent events outside
// the chain, and a head that is not the chain's last entry.
func (db *DB) checkLedgerEnds(ctx context.Context, tx conn, org hiretext.OrgID, rep *hiretext.LedgerReport) error {
	var unsealed sql.NullInt64
	if err := tx.queryRow(ctx, `SELECT MIN(e.id) FROM consent_events e LEFT JOIN consent_chain k ON k.event_id = e.id
		WHERE e.org_id = ? AND k.event_id IS NULL`, org).Scan(&unsealed); err != nil {
		return err
	}
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM consent_events e LEFT JOIN consent_chain k ON k.event_id = e.id
		WHERE e.org_id = ? AND k.event_id IS NULL`, org).Scan(&rep.Unsealed); err != nil {
		return err
	}
	if rep.Problem == "" && unsealed.Valid {
		rep.Problem = "consent event " + strconv.FormatInt(unsealed.Int64, 10) + " is not in the chain"
	}
	var seq int64
	var hash string
	err := tx.queryRow(ctx, "SELECT seq, hash FROM consent_chain_heads WHERE org_id = ?", org).Scan(&seq, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		seq, err = 0, nil
	}
	if err != nil {
		return err
	}
	if rep.Problem == "" && (seq != rep.Entries || hash != rep.Head) {
		rep.Problem = "the chain ends at entry " + strconv.FormatInt(rep.Entries, 10) + " but the company's head says " + strconv.FormatInt(seq, 10)
	}
	return nil
}

// ledgerEntry is e as the chain covers it.
func ledgerEntry(e *hiretext.ConsentEvent) *hiretext.LedgerEntry {
	return &hiretext.LedgerEntry{OrgID: e.OrgID, Seq: e.Seq, EventID: e.ID, CandidateID: e.CandidateID, Status: e.Status,
		Phone: e.Phone, PhoneHash: e.PhoneHash, Source: e.Source, ApplicationID: e.ApplicationID, Disclosure: e.Disclosure,
		UserID: e.UserID, MessageID: e.MessageID, Rule: e.Rule, EvidenceHash: e.EvidenceHash, CreatedAt: e.CreatedAt,
		PrevHash: e.PrevHash, Hash: e.Hash}
}

// phoneOptOut returns when phone opted out if the newest entry of org's ledger about phone (by its keyed
// hash, so it outlives the erasure of whoever had the phone) is an
// opt-out, or nil: an opted-out phone stays opted out until someone with it
// opts in again.
func (db *DB) phoneOptOut(ctx context.Context, tx conn, org hiretext.OrgID, phone string) (*time.Time, error) {
	if phone == "" {
		return nil, nil
	}
	key, err := db.ledgerKeyOn(ctx, tx)
	if err != nil {
		return nil, err
	}
	var status hiretext.SMSStatus
	var at time.Time
	err = tx.queryRow(ctx, `SELECT e.status, e.created_at FROM consent_chain k JOIN consent_events e ON e.id = k.event_id
		WHERE k.org_id = ? AND k.phone_hash = ? ORDER BY k.seq DESC LIMIT 1`, org, hiretext.KeyedHash(key, phone)).Scan(&status, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil || status != hiretext.SMSOptedOut {
		return nil, err
	}
	return &at, nil
}
