package store

import (
	"context"
	"database/sql"

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
	if _, err := tx.exec(ctx, "UPDATE candidates SET sms_status = ?, sms_phone = ?, updated_at = ? WHERE org_id = ? AND id = ?",
		c.Status, smsPhone, now, org, cand.ID); err != nil {
		return err
	}
	_, err = tx.exec(ctx, insertConsentEvent, org, cand.ID, c.Status, nullString(string(which)), nullString(number),
		c.Source, nullInt(c.ApplicationID), nullString(c.Disclosure), nullString(c.IP), nullString(c.UserAgent),
		nullInt(c.UserID), nullString(c.Note), nullInt(c.MessageID), now)
	return err
}

const insertConsentEvent = `INSERT INTO consent_events (org_id, candidate_id, status, phone, phone_number, source,
	application_id, disclosure, ip, user_agent, user_id, note, message_id, created_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

const consentEventColumns = `e.id, e.org_id, e.candidate_id, e.status, e.phone, e.phone_number, e.source,
	e.application_id, e.disclosure, e.ip, e.user_agent, e.user_id, u.name, e.note, e.message_id, e.created_at`

// ConsentHistory lists a candidate's consent ledger, newest first. An
// unknown candidate is not found.
func (db *DB) ConsentHistory(ctx context.Context, org hiretext.OrgID, id hiretext.CandidateID) ([]*hiretext.ConsentEvent, error) {
	r := db.reader()
	if _, err := candidateByID(ctx, r, org, id); err != nil {
		return nil, err
	}
	return queryAll(ctx, r, scanConsentEvent, "SELECT "+consentEventColumns+` FROM consent_events e
		LEFT JOIN users u ON u.org_id = e.org_id AND u.id = e.user_id
		WHERE e.org_id = ? AND e.candidate_id = ? ORDER BY e.id DESC`, org, id)
}

func scanConsentEvent(s scanner) (*hiretext.ConsentEvent, error) {
	var e hiretext.ConsentEvent
	var phone, number, disclosure, ip, ua, userName, note sql.NullString
	var app, user, msg sql.NullInt64
	if err := s.Scan(&e.ID, &e.OrgID, &e.CandidateID, &e.Status, &phone, &number, &e.Source, &app, &disclosure,
		&ip, &ua, &user, &userName, &note, &msg, &e.CreatedAt); err != nil {
		return nil, err
	}
	e.Phone, e.PhoneNumber = hiretext.PhoneChoice(phone.String), number.String
	e.ApplicationID, e.UserID, e.MessageID = hiretext.ApplicationID(app.Int64), hiretext.UserID(user.Int64), msg.Int64
	e.Disclosure, e.IP, e.UserAgent, e.UserName, e.Note = disclosure.String, ip.String, ua.String, userName.String, note.String
	return &e, nil
}
