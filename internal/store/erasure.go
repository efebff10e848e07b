package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/hiretext/hiretext"
)

// EraseCandidate removes every personal value hiretext holds about a
// candidate of org, in one transaction, and reports nothing but success:
// names, email, phones and the texts' bodies and phones of the candidate,
// of their applications, of their conversations (and of conversations with
// their phones that no other candidate holds), and the evidence beside their
// consent ledger entries. What stays carries no personal value: the
// candidate's row as a tombstone (its id is what the ledger, the texts and
// the counts refer to), the texts' counts for the SMS Activity report and
// the allowance (shown as "erased"), and the ledger with its keyed hashes,
// so an opt-out by the candidate's phone is still honoured (see
// phoneOptOut). A candidate opted in at erasure is opted out first (rule
// "erasure"). by is the administrator erasing, 0 from the command line. An
// erased or unknown candidate is not found.
func (db *DB) EraseCandidate(ctx context.Context, org hiretext.OrgID, id hiretext.CandidateID, by hiretext.UserID) error {
	return db.inTx(ctx, func(tx conn) error {
		if err := db.eraseCandidate(ctx, tx, org, id, by, db.now()); err != nil {
			return err
		}
		return db.recordAudit(ctx, tx, org, hiretext.AuditCandidateErased, auditTarget("candidate", id), nil)
	})
}

func (db *DB) eraseCandidate(ctx context.Context, tx conn, org hiretext.OrgID, id hiretext.CandidateID, by hiretext.UserID, now time.Time) error {
	c, err := candidateByID(ctx, tx, org, id)
	if err != nil {
		return err
	}
	if c.OptedIn() {
		if err := db.optOutForErasure(ctx, tx, c, by, now); err != nil {
			return err
		}
	}
	phones, err := erasedPhones(ctx, tx, c)
	if err != nil {
		return err
	}
	steps := []func(context.Context, conn, *hiretext.Candidate, []string, time.Time) error{
		eraseTexts, eraseApplications, eraseLedgerEvidence, eraseUnrouted, eraseEmails, eraseCandidateRow,
	}
	for _, step := range steps {
		if err := step(ctx, tx, c, phones, now); err != nil {
			return err
		}
	}
	return nil
}

// optOutForErasure appends the opt-out of a candidate who is erased while
// opted in: nobody may text a person who no longer exists here. It is
// appended directly (a recruiter's change needs a user, the command line
// has none) with the rule "erasure".
func (db *DB) optOutForErasure(ctx context.Context, tx conn, c *hiretext.Candidate, by hiretext.UserID, now time.Time) error {
	if _, err := tx.exec(ctx, "UPDATE candidates SET sms_status = ?, sms_phone = NULL, updated_at = ? WHERE org_id = ? AND id = ?",
		hiretext.SMSOptedOut, now, c.OrgID, c.ID); err != nil {
		return err
	}
	if c.LastApplicationID != 0 {
		if err := countPoolChange(ctx, tx, c.OrgID, c.SMSStatus, hiretext.SMSOptedOut); err != nil {
			return err
		}
	}
	return db.appendConsentEvent(ctx, tx, &hiretext.ConsentEvent{OrgID: c.OrgID, CandidateID: c.ID, Status: hiretext.SMSOptedOut,
		Phone: c.SMSPhone, PhoneNumber: c.TextingPhone(), Source: hiretext.ConsentRecruiter, UserID: by, Rule: "erasure", CreatedAt: now})
}

// erasedPhones lists every phone the candidate had: on the profile and in
// each application.
func erasedPhones(ctx context.Context, tx conn, c *hiretext.Candidate) ([]string, error) {
	seen := map[string]bool{}
	var phones []string
	add := func(p string) {
		if p != "" && !seen[p] {
			seen[p] = true
			phones = append(phones, p)
		}
	}
	add(c.MainPhone)
	add(c.AlternatePhone)
	err := queryEach(ctx, tx, func(s scanner) error {
		var main, alt string
		err := s.Scan(&main, &alt)
		add(main)
		add(alt)
		return err
	}, "SELECT main_phone, COALESCE(alternate_phone, '') FROM applications WHERE org_id = ? AND candidate_id = ?", c.OrgID, c.ID)
	return phones, err
}

// eraseTexts erases the bodies and the candidate's phone of every text in
// the candidate's conversations and in conversations with their phones that
// belong to no candidate (texts that arrived before anyone linked them) and
// that no other candidate holds; the texts themselves stay, counted. The
// internal notes on those conversations, which count nothing, are deleted.
// A conversation's phone becomes "erased-ID", unique as its index wants.
func eraseTexts(ctx context.Context, tx conn, c *hiretext.Candidate, phones []string, now time.Time) error {
	convs := []any{c.OrgID, c.ID}
	where := "candidate_id = ?"
	for _, p := range phones {
		others, err := candidatesByPhone(ctx, tx, c.OrgID, p)
		if err != nil {
			return err
		}
		if len(others) == 0 || (len(others) == 1 && others[0].ID == c.ID) {
			where += " OR (candidate_id IS NULL AND phone = ?)"
			convs = append(convs, p)
		}
	}
	ids, err := queryAll(ctx, tx, func(s scanner) (int64, error) {
		var id int64
		return id, s.Scan(&id)
	}, "SELECT id FROM conversations WHERE org_id = ? AND ("+where+")", convs...)
	if err != nil {
		return err
	}
	for _, conv := range ids {
		if _, err := tx.exec(ctx, `UPDATE messages SET body = '', error_message = '',
			from_phone = CASE WHEN direction = 'inbound' THEN '' ELSE from_phone END,
			to_phone = CASE WHEN direction = 'outbound' THEN '' ELSE to_phone END,
			erased_at = COALESCE(erased_at, ?) WHERE org_id = ? AND conversation_id = ?`, now, c.OrgID, conv); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, "DELETE FROM conversation_notes WHERE org_id = ? AND conversation_id = ?", c.OrgID, conv); err != nil {
			return err
		}
		if err := deleteConversationMedia(ctx, tx, c.OrgID, conv); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, "UPDATE conversations SET phone = ? WHERE org_id = ? AND id = ?",
			"erased-"+strconv.FormatInt(conv, 10), c.OrgID, conv); err != nil {
			return err
		}
	}
	return nil
}

// eraseApplications blanks the details each application was submitted
// with and its answers to the form, keeping its job, texting answer, form
// name, channel and time for the job's history, and takes the candidate
// off the jobs' applicant counts (their list no longer shows them).
func eraseApplications(ctx context.Context, tx conn, c *hiretext.Candidate, _ []string, _ time.Time) error {
	if _, err := tx.exec(ctx, `UPDATE jobs SET applicants = applicants - 1 WHERE org_id = ? AND applicants > 0 AND id IN
		(SELECT DISTINCT job_id FROM applications WHERE org_id = ? AND candidate_id = ?)`, c.OrgID, c.OrgID, c.ID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `UPDATE applications SET first_name = '', last_name = '', email = '', main_phone = '',
		alternate_phone = NULL, answers = '[]' WHERE org_id = ? AND candidate_id = ?`, c.OrgID, c.ID)
	return err
}

// eraseLedgerEvidence deletes the personal values beside the candidate's
// consent entries; the entries and their keyed hashes stay, so the chain
// still verifies.
func eraseLedgerEvidence(ctx context.Context, tx conn, c *hiretext.Candidate, _ []string, _ time.Time) error {
	_, err := tx.exec(ctx, `DELETE FROM consent_evidence WHERE org_id = ? AND event_id IN
		(SELECT id FROM consent_events WHERE org_id = ? AND candidate_id = ?)`, c.OrgID, c.OrgID, c.ID)
	return err
}

// eraseUnrouted blanks texts from the candidate's phones that reached a
// number no company owned.
func eraseUnrouted(ctx context.Context, tx conn, _ *hiretext.Candidate, phones []string, _ time.Time) error {
	for _, p := range phones {
		if _, err := tx.exec(ctx, "UPDATE unrouted_messages SET body = '', from_phone = '' WHERE from_phone = ?", p); err != nil {
			return err
		}
	}
	return nil
}

// eraseCandidateRow leaves the candidate's row as a tombstone: no name,
// email or phone, out of the pool (no position, no search terms), erased.
// The email becomes "erased-ID", unique per company as its index wants and
// never a real address.
func eraseCandidateRow(ctx context.Context, tx conn, c *hiretext.Candidate, _ []string, now time.Time) error {
	if _, err := tx.exec(ctx, "DELETE FROM candidate_terms WHERE org_id = ? AND candidate_id = ?", c.OrgID, c.ID); err != nil {
		return err
	}
	// Its status now, not c's: an erasure opts the candidate out first.
	var status hiretext.SMSStatus
	var inPool bool
	if err := tx.queryRow(ctx, "SELECT sms_status, last_application_id IS NOT NULL FROM candidates WHERE org_id = ? AND id = ?",
		c.OrgID, c.ID).Scan(&status, &inPool); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `UPDATE candidates SET first_name = '', last_name = '', email = ?, main_phone = '',
		alternate_phone = NULL, sms_status = ?, sms_phone = NULL, texted_first_at = NULL, last_application_id = NULL, erased_at = ?, updated_at = ?
		WHERE org_id = ? AND id = ?`, "erased-"+strconv.FormatInt(int64(c.ID), 10), hiretext.SMSOptedOut, now, now, c.OrgID, c.ID)
	if err != nil || !inPool {
		return err
	}
	return countPoolChange(ctx, tx, c.OrgID, status, "") // out of the pool
}

// RetentionSettings returns org's retention settings: off until saved.
func (db *DB) RetentionSettings(ctx context.Context, org hiretext.OrgID) (*hiretext.RetentionSettings, error) {
	if _, err := db.OrgByID(ctx, org); err != nil {
		return nil, err
	}
	return retentionSettings(ctx, db.reader(), org)
}

// retentionSettings is RetentionSettings on c, for use inside a transaction.
func retentionSettings(ctx context.Context, c conn, org hiretext.OrgID) (*hiretext.RetentionSettings, error) {
	s := &hiretext.RetentionSettings{OrgID: org}
	var msgs, cands, by sql.NullInt64
	err := c.queryRow(ctx, `SELECT message_months, candidate_months, updated_at, updated_by
		FROM retention_settings WHERE org_id = ?`, org).Scan(&msgs, &cands, &s.UpdatedAt, &by)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	s.MessageMonths, s.CandidateMonths, s.UpdatedBy = int(msgs.Int64), int(cands.Int64), hiretext.UserID(by.Int64)
	return s, nil
}

// UpdateRetentionSettings saves s for its company; by is the administrator.
func (db *DB) UpdateRetentionSettings(ctx context.Context, s hiretext.RetentionSettings, by hiretext.UserID) (*hiretext.RetentionSettings, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	months := func(n int) any {
		if n == 0 {
			return nil
		}
		return n
	}
	err := db.inTx(ctx, func(tx conn) error {
		before, err := retentionSettings(ctx, tx, s.OrgID)
		if err != nil {
			return err
		}
		_, err = tx.exec(ctx, `INSERT INTO retention_settings (org_id, message_months, candidate_months, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (org_id) DO UPDATE SET message_months = excluded.message_months,
			candidate_months = excluded.candidate_months, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			s.OrgID, months(s.MessageMonths), months(s.CandidateMonths), db.now(), nullInt(by))
		if err != nil || (before.MessageMonths == s.MessageMonths && before.CandidateMonths == s.CandidateMonths) {
			return err
		}
		return db.recordAudit(ctx, tx, s.OrgID, hiretext.AuditRetentionChanged, "retention", hiretext.AuditDetails{
			"message_months":   hiretext.Changed(before.MessageMonths, s.MessageMonths),
			"candidate_months": hiretext.Changed(before.CandidateMonths, s.CandidateMonths)})
	})
	if err != nil {
		return nil, err
	}
	return db.RetentionSettings(ctx, s.OrgID)
}

// retentionBatch bounds the candidates one retention transaction erases, so
// the job never holds the writer for long.
const retentionBatch = 100

// ApplyRetention erases, in every company with retention settings, the
// bodies of texts older than its message period and the candidates with no
// application and no text within its candidate period, as of now. It
// returns what it erased per company, in counts.
func (db *DB) ApplyRetention(ctx context.Context, now time.Time) ([]hiretext.RetentionRun, error) {
	settings, err := queryAll(ctx, db.reader(), func(s scanner) (*hiretext.RetentionSettings, error) {
		var r hiretext.RetentionSettings
		var msgs, cands sql.NullInt64
		err := s.Scan(&r.OrgID, &msgs, &cands)
		r.MessageMonths, r.CandidateMonths = int(msgs.Int64), int(cands.Int64)
		return &r, err
	}, `SELECT org_id, message_months, candidate_months FROM retention_settings
		WHERE message_months IS NOT NULL OR candidate_months IS NOT NULL ORDER BY org_id`)
	if err != nil {
		return nil, err
	}
	now = now.UTC().Truncate(time.Microsecond)
	var runs []hiretext.RetentionRun
	for _, s := range settings {
		run := hiretext.RetentionRun{OrgID: s.OrgID}
		if run.CandidatesErased, err = db.eraseInactive(ctx, s.OrgID, hiretext.RetentionCutoff(now, s.CandidateMonths), now); err != nil {
			return runs, err
		}
		if run.MessagesErased, err = db.eraseOldBodies(ctx, s.OrgID, hiretext.RetentionCutoff(now, s.MessageMonths), now); err != nil {
			return runs, err
		}
		runs = append(runs, run)
	}
	return runs, nil
}

// eraseOldBodies erases the bodies of org's texts created before cutoff
// (none for the zero cutoff), keeping the texts, counted.
func (db *DB) eraseOldBodies(ctx context.Context, org hiretext.OrgID, cutoff, now time.Time) (int64, error) {
	if cutoff.IsZero() {
		return 0, nil
	}
	var n int64
	err := db.inTx(ctx, func(tx conn) error {
		res, err := tx.exec(ctx, `UPDATE messages SET body = '', erased_at = ?
			WHERE org_id = ? AND created_at < ? AND erased_at IS NULL`, now, org, cutoff)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		// A text past the period loses its pictures with its words. A file
		// is written with its text, so its own time says the same without
		// reading the company's old texts every day.
		_, err = tx.exec(ctx, "DELETE FROM message_media WHERE org_id = ? AND created_at < ?", org, cutoff)
		return err
	})
	return n, err
}

// eraseInactive erases org's candidates whose newest application and
// newest text are both before cutoff (none for the zero cutoff), a batch
// per transaction.
func (db *DB) eraseInactive(ctx context.Context, org hiretext.OrgID, cutoff, now time.Time) (int64, error) {
	if cutoff.IsZero() {
		return 0, nil
	}
	var total int64
	for {
		ids, err := queryAll(ctx, db.reader(), func(s scanner) (hiretext.CandidateID, error) {
			var id hiretext.CandidateID
			return id, s.Scan(&id)
		}, `SELECT c.id FROM candidates c WHERE c.org_id = ? AND c.erased_at IS NULL
			AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.org_id = c.org_id AND a.candidate_id = c.id AND a.created_at >= ?)
			AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.org_id = c.org_id AND m.candidate_id = c.id AND m.created_at >= ?)
			ORDER BY c.id LIMIT ?`, org, cutoff, cutoff, retentionBatch)
		if err != nil || len(ids) == 0 {
			return total, err
		}
		err = db.inTx(ctx, func(tx conn) error {
			for _, id := range ids {
				if err := db.eraseCandidate(ctx, tx, org, id, 0, now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += int64(len(ids))
	}
}

// CandidateRecord gathers everything held about a candidate of org: the
// profile, applications, consent history, every text with any of the
// company's numbers and the internal notes on those conversations. An
// erased or unknown candidate is not found.
func (db *DB) CandidateRecord(ctx context.Context, org hiretext.OrgID, id hiretext.CandidateID) (*hiretext.CandidateRecord, error) {
	r := db.reader()
	c, err := candidateByID(ctx, r, org, id)
	if err != nil {
		return nil, err
	}
	rec := &hiretext.CandidateRecord{Candidate: c}
	if rec.Applications, err = db.CandidateApplications(ctx, org, id); err != nil {
		return nil, err
	}
	if rec.Consent, err = consentHistory(ctx, r, org, id); err != nil {
		return nil, err
	}
	rec.Messages, err = queryAll(ctx, r, scanMessage, "SELECT "+messageColumns+messageFrom+`
		WHERE m.org_id = ? AND m.conversation_id IN (SELECT id FROM conversations WHERE org_id = ? AND candidate_id = ?)
		ORDER BY m.created_at, m.id`, org, org, id)
	if rec.Messages, err = withMedia(ctx, r, org, rec.Messages, err); err != nil {
		return nil, err
	}
	if rec.Files, err = candidateMediaFiles(ctx, r, org, id); err != nil {
		return nil, err
	}
	rec.Notes, err = candidateNotes(ctx, r, org, id)
	return rec, err
}

// PossibleOptOuts lists replies that may mean "stop texting me" from
// candidates still opted in, newest first, at most limit.
func (db *DB) PossibleOptOuts(ctx context.Context, org hiretext.OrgID, limit int) ([]*hiretext.PossibleOptOut, error) {
	return queryAll(ctx, db.reader(), func(s scanner) (*hiretext.PossibleOptOut, error) {
		p := hiretext.PossibleOptOut{Message: &hiretext.Message{}}
		var err error
		if p.Candidate, err = scanCandidate(s, messageDest(p.Message)...); err != nil {
			return nil, err
		}
		return &p, nil
	}, "SELECT "+candidateColumns+", "+messageColumns+` FROM messages m
		JOIN candidates c ON c.org_id = m.org_id AND c.id = m.candidate_id
		LEFT JOIN users u ON u.id = m.user_id AND u.org_id = m.org_id
		WHERE m.org_id = ? AND m.looks_like_opt_out AND m.erased_at IS NULL AND c.sms_status = ?
		ORDER BY m.created_at DESC, m.id DESC LIMIT ?`, org, hiretext.SMSOptedIn, limit)
}
