package store

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
)

// SetPublicURL gives the store the service's public URL, which the links
// in the emails it queues start with. Without one it queues no away-reply
// email: a link that leads nowhere would be worse than none.
func (db *DB) SetPublicURL(u *url.URL) { db.publicURL = u.String() }

// queueAwayReplies queues, for each user of the number who may read its
// texts, chose away-reply emails and was not emailed about this
// conversation in hiretext.AwayEmailGap, an email due hiretext.AwayDelay
// from now; whether it goes is decided then (see skipAwayReplies).
func (r *inboundRun) queueAwayReplies(ctx context.Context) error {
	if r.db.publicURL == "" {
		return nil
	}
	users, err := queryAll(ctx, r.tx, scanUser, "SELECT "+userColumns+` FROM users
		WHERE id IN (SELECT user_id FROM number_users WHERE org_id = ? AND number_id = ?) AND active AND notify_away_reply
		AND NOT EXISTS (SELECT 1 FROM email_outbox e WHERE e.conversation_id = ? AND e.user_id = users.id
			AND e.kind = ? AND e.status <> 'skipped' AND e.created_at > ?)`,
		r.num.OrgID, r.num.ID, r.conv, hiretext.EmailKindAwayReply, r.now.Add(-hiretext.AwayEmailGap))
	if err != nil {
		return err
	}
	who, link, candidate := r.in.From, r.db.publicURL+"/conversations/"+strconv.FormatInt(int64(r.conv), 10), any(nil)
	if r.candidate != nil {
		who, candidate = r.candidate.Name(), r.candidate.ID
		link = r.db.publicURL + candidateConversationPath(r.candidate.ID)
	}
	subject, text, html := hiretext.AwayReplyEmail(who, link)
	var args []any
	rows := 0
	for _, u := range users {
		if u.SeesTexts() {
			rows++
			args = append(args, u.OrgID, u.ID, u.Email, subject, text, html, hiretext.EmailKindAwayReply, r.conv, candidate,
				r.now.Add(hiretext.AwayDelay), r.now)
		}
	}
	if rows == 0 {
		return nil
	}
	// One statement for all the number's users: a reply costs notifications
	// one query and at most one insert, however many users are connected.
	return r.tx.execLater(ctx, `INSERT INTO email_outbox (org_id, user_id, to_addr, subject, body_text, body_html, status,
		kind, conversation_id, candidate_id, next_attempt_at, created_at) VALUES `+
		repeatRows("(?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?)", rows), args...)
}

// skipAwayReplies sets aside the away-reply emails due now whose user is
// not away after all (a page of theirs was open within hiretext.AwayDelay,
// or they turned the email off or were deactivated) or whose conversation
// no longer waits (someone answered, or marked it Done).
func skipAwayReplies(ctx context.Context, tx conn, now time.Time) error {
	_, err := tx.exec(ctx, `UPDATE email_outbox SET status = 'skipped'
		WHERE status = 'queued' AND kind = ? AND attempts = 0 AND next_attempt_at <= ? AND (
			EXISTS (SELECT 1 FROM users u WHERE u.id = email_outbox.user_id AND (u.seen_at >= ? OR NOT u.active OR NOT u.notify_away_reply))
			OR NOT EXISTS (SELECT 1 FROM conversations v WHERE v.id = email_outbox.conversation_id AND v.waiting_since IS NOT NULL))`,
		hiretext.EmailKindAwayReply, now, now.Add(-hiretext.AwayDelay))
	return err
}

// queueAllowanceEmails queues, for each alert, an email to each notified
// user who chose allowance emails, due now.
func (db *DB) queueAllowanceEmails(ctx context.Context, tx conn, alerts []hiretext.AllowanceAlert, now time.Time) error {
	if db.publicURL == "" {
		return nil
	}
	for _, a := range alerts {
		if len(a.UserIDs) == 0 {
			continue
		}
		org, err := scanOrg(tx.queryRow(ctx, "SELECT "+orgColumns+" FROM organizations WHERE id = ?", a.OrgID))
		if err != nil {
			return err
		}
		subject, text, html := hiretext.AllowanceEmail(a, phone.Format(a.Phone), db.publicURL+"/", org.Location())
		args := []any{a.OrgID, subject, text, html, hiretext.EmailKindAllowance, now, now, a.OrgID}
		for _, u := range a.UserIDs {
			args = append(args, u)
		}
		if _, err := tx.exec(ctx, `INSERT INTO email_outbox (org_id, user_id, to_addr, subject, body_text, body_html, status, kind,
			next_attempt_at, created_at) SELECT ?, id, email, ?, ?, ?, 'queued', ?, ?, ? FROM users
			WHERE org_id = ? AND active AND notify_allowance AND id IN (`+placeholders(len(a.UserIDs))+`)`, args...); err != nil {
			return err
		}
	}
	return nil
}

// eraseEmails deletes the emails that name the candidate, sent or not: the
// away-reply emails about them (candidate_id) and the digests that list
// them, found by the link to their conversation, which holds their id
// between slashes (a digest names many candidates, so it has no one
// candidate_id; erasure is rare, and scans only the company's digests).
func eraseEmails(ctx context.Context, tx conn, c *hiretext.Candidate, _ []string, _ time.Time) error {
	if _, err := tx.exec(ctx, "DELETE FROM email_outbox WHERE org_id = ? AND candidate_id = ?", c.OrgID, c.ID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, "DELETE FROM email_outbox WHERE org_id = ? AND kind = ? AND body_text LIKE ?",
		c.OrgID, hiretext.EmailKindDigest, "%"+candidateConversationPath(c.ID)+"%")
	return err
}

// candidateConversationPath is the path of a candidate's conversation
// page, which emails link to.
func candidateConversationPath(id hiretext.CandidateID) string {
	return "/candidates/" + strconv.FormatInt(int64(id), 10) + "/conversation"
}

// NotifySettings returns a user's email choices and time zone.
func (db *DB) NotifySettings(ctx context.Context, org hiretext.OrgID, user hiretext.UserID) (hiretext.NotifySettings, error) {
	var s hiretext.NotifySettings
	err := db.reader().queryRow(ctx, `SELECT notify_away_reply, notify_allowance, notify_digest, time_zone
		FROM users WHERE org_id = ? AND id = ?`, org, user).Scan(&s.AwayReply, &s.Allowance, &s.Digest, &s.TimeZone)
	return s, orNotFound(err, "User")
}

// SetNotifySettings changes a user's email choices and time zone; an
// unknown zone is a field error and changes nothing.
func (db *DB) SetNotifySettings(ctx context.Context, org hiretext.OrgID, user hiretext.UserID, s hiretext.NotifySettings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx conn) error {
		res, err := tx.exec(ctx, `UPDATE users SET notify_away_reply = ?, notify_allowance = ?, notify_digest = ?, time_zone = ?
			WHERE org_id = ? AND id = ?`, s.AwayReply, s.Allowance, s.Digest, s.TimeZone, org, user)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("User")
		}
		return nil
	})
}

// SeeUsers records that users had a hiretext page open at at, in one
// statement (each instance runs it once every hiretext.PresenceInterval
// for the users it streams live updates to).
func (db *DB) SeeUsers(ctx context.Context, users []hiretext.UserID, at time.Time) error {
	if len(users) == 0 {
		return nil
	}
	args := []any{at.UTC()}
	for _, u := range users {
		args = append(args, u)
	}
	return db.inTx(ctx, func(tx conn) error {
		_, err := tx.exec(ctx, "UPDATE users SET seen_at = ? WHERE id IN ("+placeholders(len(users))+")", args...)
		return err
	})
}
