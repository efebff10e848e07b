package store

import (
	"context"
	"strconv"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
)

// digestUser is a user who chose the daily digest, with what deciding
// whether theirs is due takes.
type digestUser struct {
	user    *hiretext.User
	zone    string // theirs, "" for the company's
	company string // the company's zone
	day     string // the local day whose digest was handled last
}

// QueueDigests queues the daily digests due now (see hiretext.DigestDay):
// for each active user who chose the digest and whose local day's digest
// is due and not yet handled, the conversations that need a reply which
// they can see, if there are any. Each user's day is claimed with a
// compare-and-set on users.digest_day in the transaction that queues the
// email, so of several instances (or a restarted one) only one queues it.
// The users are read once a call and the clock compared in Go: time zones
// are the application's, not the database's.
func (db *DB) QueueDigests(ctx context.Context) (int, error) {
	if db.publicURL == "" {
		return 0, nil // a digest is its links
	}
	now := db.now()
	users, err := queryAll(ctx, db.reader(), scanDigestUser, `SELECT u.id, u.org_id, u.email, u.name, u.role, u.permissions, u.active,
		u.created_at, u.time_zone, o.timezone, u.digest_day FROM users u JOIN organizations o ON o.id = u.org_id
		WHERE u.active AND u.notify_digest`)
	if err != nil {
		return 0, err
	}
	queued := 0
	for _, du := range users {
		company := (&hiretext.Organization{Timezone: du.company}).Location()
		loc := hiretext.NotifySettings{TimeZone: du.zone}.Location(company)
		day := hiretext.DigestDay(now, loc)
		if day == "" || day <= du.day {
			continue
		}
		sent, err := db.queueDigest(ctx, du.user, day, loc, now)
		if err != nil {
			return queued, err
		}
		if sent {
			queued++
		}
	}
	return queued, nil
}

func scanDigestUser(s scanner) (*digestUser, error) {
	var du digestUser
	var u hiretext.User
	var perms string
	if err := s.Scan(&u.ID, &u.OrgID, &u.Email, &u.Name, &u.Role, &perms, &u.Active, &u.CreatedAt,
		&du.zone, &du.company, &du.day); err != nil {
		return nil, err
	}
	u.Permissions, _ = hiretext.ParsePermissions(perms)
	du.user = &u
	return &du, nil
}

// queueDigest claims u's local day and, if it was not claimed before and
// conversations wait, queues their digest, all in one transaction; it
// reports whether an email was queued.
func (db *DB) queueDigest(ctx context.Context, u *hiretext.User, day string, loc *time.Location, now time.Time) (bool, error) {
	queued := false
	err := db.inTx(ctx, func(tx conn) error {
		res, err := tx.exec(ctx, "UPDATE users SET digest_day = ? WHERE id = ? AND digest_day < ?", day, u.ID, day)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 || !u.SeesTexts() {
			return nil // another instance had it; or the user may not read texts
		}
		items, total, err := db.digestItems(ctx, tx, u)
		if err != nil || total == 0 {
			return err // nothing waits: no email
		}
		subject, text, html := hiretext.DigestEmail(items, total, db.publicURL+"/inbox?filter="+string(hiretext.FilterNeedsReply), loc, now)
		_, err = tx.exec(ctx, `INSERT INTO email_outbox (org_id, user_id, to_addr, subject, body_text, body_html, status, kind,
			next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)`,
			u.OrgID, u.ID, u.Email, subject, text, html, hiretext.EmailKindDigest, now, now)
		queued = err == nil
		return err
	})
	return queued, err
}

// digestItems lists the conversations that need a reply on the numbers u
// is assigned to, longest waiting first, at most hiretext.MaxDigestItems,
// and counts them all.
func (db *DB) digestItems(ctx context.Context, tx conn, u *hiretext.User) ([]hiretext.DigestItem, int, error) {
	const visible = ` JOIN number_users nu ON nu.org_id = v.org_id AND nu.number_id = v.number_id AND nu.user_id = ?
		WHERE v.org_id = ? AND v.waiting_since IS NOT NULL`
	var total int
	if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM conversations v"+visible, u.ID, u.OrgID).Scan(&total); err != nil || total == 0 {
		return nil, 0, err
	}
	convs, err := queryAll(ctx, tx, scanConversation, "SELECT "+conversationColumns+conversationFrom+visible+
		" ORDER BY v.waiting_since, v.id LIMIT ?", u.ID, u.OrgID, hiretext.MaxDigestItems)
	if err != nil {
		return nil, 0, err
	}
	items := make([]hiretext.DigestItem, len(convs))
	for i, v := range convs {
		items[i] = hiretext.DigestItem{Who: phone.Format(v.Phone), WaitingSince: v.WaitingSince,
			Link: db.publicURL + "/conversations/" + strconv.FormatInt(int64(v.ID), 10)}
		if v.CandidateID != 0 {
			items[i].Who, items[i].Link = v.CandidateName, db.publicURL+candidateConversationPath(v.CandidateID)
		}
	}
	return items, total, nil
}
