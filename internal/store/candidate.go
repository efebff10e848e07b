package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
)

const candidateColumns = `c.id, c.org_id, c.first_name, c.last_name, c.email, c.main_phone, c.alternate_phone,
	c.sms_status, c.sms_phone, c.last_application_id, c.time_zone, c.texted_first_at, c.created_at, c.updated_at`

// CandidateByID returns one candidate of org.
func (db *DB) CandidateByID(ctx context.Context, org hiretext.OrgID, id hiretext.CandidateID) (*hiretext.Candidate, error) {
	return candidateByID(ctx, db.reader(), org, id)
}

func candidateByID(ctx context.Context, q conn, org hiretext.OrgID, id hiretext.CandidateID) (*hiretext.Candidate, error) {
	return scanCandidate(q.queryRow(ctx, "SELECT "+candidateColumns+" FROM candidates c WHERE c.org_id = ? AND c.id = ? AND c.erased_at IS NULL", org, id))
}

// candidateByEmailQuery finds a candidate by email. The empty email is
// nobody's (candidates made from a conversation have none), and saying so
// lets SQLite use candidates_org_email, which leaves it out.
const candidateByEmailQuery = "SELECT " + candidateColumns + " FROM candidates c WHERE c.org_id = ? AND c.email = ? AND c.email <> ''"

// candidateByEmail returns the candidate of org with a normalized email.
func candidateByEmail(ctx context.Context, q conn, org hiretext.OrgID, email string) (*hiretext.Candidate, error) {
	return scanCandidate(q.queryRow(ctx, candidateByEmailQuery, org, email))
}

// candidatesByPhone lists the candidates of org whose main or alternate
// phone is e164, most recently active first (several people may share a
// phone), on q: an inbound text or an application reads them in its
// transaction. Each half of the UNION is one lookup in its phone index;
// SQLite plans "main_phone = ? OR alternate_phone = ?" as a scan of the
// whole company instead.
func candidatesByPhone(ctx context.Context, q conn, org hiretext.OrgID, e164 string) ([]*hiretext.Candidate, error) {
	if e164 == "" {
		return nil, nil
	}
	return queryCandidates(ctx, q, "SELECT "+candidateColumns+` FROM candidates c WHERE c.id IN (
			SELECT id FROM candidates WHERE org_id = ? AND main_phone = ?
			UNION SELECT id FROM candidates WHERE org_id = ? AND alternate_phone = ?)
		ORDER BY c.last_application_id DESC, c.id DESC`, org, e164, org, e164)
}

// maxSelection bounds a bulk selection of candidates.
const maxSelection = 1000

// CandidatesByIDs returns the candidates of org among ids, newest
// application first; with a job, only those who applied to it.
func (db *DB) CandidatesByIDs(ctx context.Context, org hiretext.OrgID, ids []hiretext.CandidateID, job hiretext.JobID) ([]*hiretext.Candidate, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if len(ids) > maxSelection {
		return nil, hiretext.Errorf(hiretext.EInvalid, "Select at most %d candidates.", maxSelection)
	}
	args := []any{org}
	for _, id := range ids {
		args = append(args, id)
	}
	query := "SELECT " + candidateColumns + " FROM candidates c WHERE c.org_id = ? AND c.erased_at IS NULL AND c.id IN (?" +
		strings.Repeat(", ?", len(ids)-1) + ")"
	if job != 0 {
		query += " AND EXISTS (SELECT 1 FROM applications a WHERE a.org_id = c.org_id AND a.job_id = ? AND a.candidate_id = c.id)"
		args = append(args, job)
	}
	return queryCandidates(ctx, db.reader(), query+" ORDER BY c.last_application_id DESC", args...)
}

// queryCandidates reads the candidates query selects (candidateColumns).
func queryCandidates(ctx context.Context, q conn, query string, args ...any) ([]*hiretext.Candidate, error) {
	return queryAll(ctx, q, func(row scanner) (*hiretext.Candidate, error) { return scanCandidate(row) }, query, args...)
}

// UpdateCandidate changes a candidate's phones and texting consent in one
// transaction. A consent change by the user is recorded as from a recruiter;
// without one, changing or removing the phone the candidate consented to
// opts them out, because consent does not carry over to a new number.
func (db *DB) UpdateCandidate(ctx context.Context, org hiretext.OrgID, id hiretext.CandidateID, u hiretext.CandidateUpdate, by hiretext.UserID) (*hiretext.Candidate, error) {
	o, err := db.OrgByID(ctx, org)
	if err != nil {
		return nil, err
	}
	var out *hiretext.Candidate
	update := func(tx conn) error {
		before, err := candidateByID(ctx, tx, org, id)
		if err != nil {
			return err
		}
		after, err := u.Apply(*before, phone.Parse, o.Region)
		if err != nil {
			return err
		}
		if err := db.changeCandidate(ctx, tx, before, &after, consentForUpdate(before, &after, u, by)); err != nil {
			return err
		}
		out, err = candidateByID(ctx, tx, org, id)
		return err
	}
	err = db.changingConsent(func() error { return db.inTx(ctx, update) })
	return out, err
}

// changeCandidate writes new phones and a consent change in the order the
// schema allows: an opt-out before the phone it covered goes away, an opt-in
// after the phone it names exists.
func (db *DB) changeCandidate(ctx context.Context, tx conn, before, after *hiretext.Candidate, change *hiretext.ConsentChange) error {
	if change != nil && change.Status == hiretext.SMSOptedOut {
		if err := db.setConsent(ctx, tx, before.OrgID, *change); err != nil {
			return err
		}
	}
	if detailsChanged(before, after) {
		if err := db.updateCandidateDetails(ctx, tx, after); err != nil {
			return err
		}
	}
	if change != nil && change.Status == hiretext.SMSOptedIn {
		return db.setConsent(ctx, tx, before.OrgID, *change)
	}
	return nil
}

// detailsChanged reports whether names, email or phones differ.
func detailsChanged(before, after *hiretext.Candidate) bool {
	return before.FirstName != after.FirstName || before.LastName != after.LastName || before.Email != after.Email ||
		before.MainPhone != after.MainPhone || before.AlternatePhone != after.AlternatePhone
}

// consentForUpdate is the consent change an update makes, or nil.
func consentForUpdate(before, after *hiretext.Candidate, u hiretext.CandidateUpdate, by hiretext.UserID) *hiretext.ConsentChange {
	if u.SMS != nil {
		return &hiretext.ConsentChange{CandidateID: before.ID, Status: u.SMS.Status, Phone: u.SMS.Phone,
			Source: hiretext.ConsentRecruiter, UserID: by, Note: u.SMS.Note}
	}
	if !hiretext.PhoneChangeRevokes(before, after) {
		return nil
	}
	note := "The " + string(before.SMSPhone) + " phone changed from " + phone.Format(before.TextingPhone()) +
		" to " + phone.Format(after.Phone(before.SMSPhone)) + "; consent does not carry over to a new number."
	if after.Phone(before.SMSPhone) == "" {
		note = "The " + string(before.SMSPhone) + " phone " + phone.Format(before.TextingPhone()) + " was removed."
	}
	return &hiretext.ConsentChange{CandidateID: before.ID, Status: hiretext.SMSOptedOut, Phone: before.SMSPhone,
		Source: hiretext.ConsentRecruiter, UserID: by, Note: note}
}

// insertCandidate inserts c (without consent: a new candidate is opted out
// until setConsent says otherwise) and its search terms, setting c.ID.
func (db *DB) insertCandidate(ctx context.Context, tx conn, c *hiretext.Candidate) error {
	err := tx.queryRow(ctx, `INSERT INTO candidates (org_id, first_name, last_name, email, main_phone, alternate_phone,
			sms_status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.OrgID, c.FirstName, c.LastName, c.Email, c.MainPhone, nullString(c.AlternatePhone),
		hiretext.SMSOptedOut, c.CreatedAt, c.UpdatedAt).Scan(&c.ID)
	if err != nil {
		return err
	}
	return writeTerms(ctx, tx, c)
}

// updateCandidateDetails saves c's names, email and phones and rewrites its
// search terms.
func (db *DB) updateCandidateDetails(ctx context.Context, tx conn, c *hiretext.Candidate) error {
	_, err := tx.exec(ctx, `UPDATE candidates SET first_name = ?, last_name = ?, email = ?, main_phone = ?,
			alternate_phone = ?, updated_at = ? WHERE org_id = ? AND id = ?`,
		c.FirstName, c.LastName, c.Email, c.MainPhone, nullString(c.AlternatePhone), db.now(), c.OrgID, c.ID)
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, "DELETE FROM candidate_terms WHERE org_id = ? AND candidate_id = ?", c.OrgID, c.ID); err != nil {
		return err
	}
	return writeTerms(ctx, tx, c)
}

// writeTerms inserts c's search terms in one statement.
func writeTerms(ctx context.Context, tx conn, c *hiretext.Candidate) error {
	terms := searchTerms(c)
	if len(terms) == 0 {
		return nil
	}
	args := make([]any, 0, 3*len(terms))
	for _, t := range terms {
		args = append(args, c.OrgID, t, c.ID)
	}
	_, err := tx.exec(ctx, "INSERT INTO candidate_terms (org_id, term, candidate_id) VALUES (?, ?, ?)"+
		strings.Repeat(", (?, ?, ?)", len(terms)-1), args...)
	return err
}

// scanCandidate scans candidateColumns followed by extra destinations.
func scanCandidate(s scanner, extra ...any) (*hiretext.Candidate, error) {
	var c hiretext.Candidate
	var alt, smsPhone sql.NullString
	var last sql.NullInt64
	var textedFirst sql.NullTime
	dest := append([]any{&c.ID, &c.OrgID, &c.FirstName, &c.LastName, &c.Email, &c.MainPhone, &alt,
		&c.SMSStatus, &smsPhone, &last, &c.TimeZone, &textedFirst, &c.CreatedAt, &c.UpdatedAt}, extra...)
	if err := s.Scan(dest...); err != nil {
		return nil, orNotFound(err, "Candidate")
	}
	c.AlternatePhone, c.SMSPhone = alt.String, hiretext.PhoneChoice(smsPhone.String)
	c.LastApplicationID = hiretext.ApplicationID(last.Int64)
	if textedFirst.Valid {
		c.TextedFirstAt = textedFirst.Time.UTC()
	}
	return &c, nil
}

// nullString stores "" as NULL.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullInt stores 0 as NULL.
func nullInt[T ~int64](n T) any {
	if n == 0 {
		return nil
	}
	return int64(n)
}
