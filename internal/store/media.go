package store

import (
	"context"
	"time"

	"github.com/hiretext/hiretext"
)

// mediaColumns are the columns scanMedia reads, without the content.
const mediaColumns = `id, org_id, message_id, position, provider, provider_url, declared_type, status, content_type, size,
	last_error, attempts, created_at`

func scanMedia(s scanner) (*hiretext.Media, error) {
	var m hiretext.Media
	err := s.Scan(&m.ID, &m.OrgID, &m.MessageID, &m.Index, &m.Provider, &m.ProviderURL, &m.DeclaredType, &m.Status,
		&m.ContentType, &m.Size, &m.Error, &m.Attempts, &m.CreatedAt)
	return &m, orNotFound(err, "Media")
}

// storeInboundMedia records the files a provider announced with an inbound
// message, pending, in the message's own transaction, so a picture is never
// lost between the webhook's answer and its fetch. Announcements past
// hiretext.MaxMediaItems are recorded as refused.
func storeInboundMedia(ctx context.Context, tx conn, org hiretext.OrgID, msg hiretext.MessageID, provider string,
	media []hiretext.IncomingMedia, now time.Time) error {
	for i, f := range media {
		status, reason := hiretext.MediaPending, ""
		if i >= hiretext.MaxMediaItems {
			status, reason = hiretext.MediaRefused, "More than 10 files in one message."
		}
		if _, err := tx.exec(ctx, `INSERT INTO message_media (org_id, message_id, position, provider, provider_url, declared_type,
			status, last_error, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			org, msg, i, provider, f.URL, f.ContentType, status, reason, now, now); err != nil {
			return err
		}
	}
	if len(media) == 0 {
		return nil
	}
	_, err := tx.exec(ctx, "UPDATE messages SET media_count = ? WHERE id = ?", len(media), msg)
	return err
}

// ClaimMediaFetches leases up to limit of provider's pending files due now,
// oldest first, each counting one more attempt. PostgreSQL skips rows
// another instance is claiming; SQLite has one writer.
func (db *DB) ClaimMediaFetches(ctx context.Context, provider string, limit int, lease time.Duration) ([]*hiretext.Media, error) {
	var claimed []*hiretext.Media
	err := db.inTx(ctx, func(tx conn) error {
		now := db.now()
		var err error
		claimed, err = queryAll(ctx, tx, scanMedia, `UPDATE message_media SET lease_until = ?, attempts = attempts + 1
			WHERE id IN (SELECT id FROM message_media WHERE status = 'pending' AND provider = ? AND next_attempt_at <= ?
				AND (lease_until IS NULL OR lease_until < ?) ORDER BY next_attempt_at, id LIMIT ?`+db.dialect.skipLocked()+`)
			RETURNING `+mediaColumns, now.Add(lease), provider, now, now, limit)
		return err
	})
	return claimed, err
}

// StoreMediaContent keeps a fetched, checked file as contentType. A file
// no longer pending (erased meanwhile, or given up) is left as it is.
// Open conversations redraw to show it.
func (db *DB) StoreMediaContent(ctx context.Context, id hiretext.MediaID, contentType string, content []byte) error {
	return db.finishMedia(ctx, id, `UPDATE message_media SET status = 'stored', content_type = ?, size = ?, content = ?,
		fetched_at = ?, lease_until = NULL, last_error = '' WHERE id = ? AND status = 'pending'`,
		contentType, len(content), content, db.now(), id)
}

// RetryMediaFetch puts a claimed file back in the queue, due at at,
// keeping why the last fetch failed.
func (db *DB) RetryMediaFetch(ctx context.Context, id hiretext.MediaID, at time.Time, reason string) error {
	return db.settleMedia(ctx, `UPDATE message_media SET next_attempt_at = ?, lease_until = NULL, last_error = ?
		WHERE id = ? AND status = 'pending'`, at.UTC(), reason, id)
}

// GiveUpMedia records that a file is refused or failed for good, and why.
func (db *DB) GiveUpMedia(ctx context.Context, id hiretext.MediaID, status hiretext.MediaStatus, reason string) error {
	if status != hiretext.MediaRefused && status != hiretext.MediaFailed {
		return hiretext.Errorf(hiretext.EInvalid, "A file is given up as refused or failed, not %q.", string(status))
	}
	return db.finishMedia(ctx, id, `UPDATE message_media SET status = ?, lease_until = NULL, last_error = ?
		WHERE id = ? AND status = 'pending'`, status, reason, id)
}

// finishMedia runs the update that ends a file's fetch and, when it
// changed the file, tells the number's users that its conversation changed,
// so an open thread replaces "on its way" with the picture or the reason.
func (db *DB) finishMedia(ctx context.Context, id hiretext.MediaID, update string, args ...any) error {
	return db.inEventTx(ctx, func(tx conn) error {
		res, err := tx.exec(ctx, update, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		var org hiretext.OrgID
		var number hiretext.NumberID
		var conv hiretext.ConversationID
		var msg hiretext.MessageID
		if err := tx.queryRow(ctx, `SELECT m.org_id, m.number_id, m.conversation_id, m.id FROM message_media mm
			JOIN messages m ON m.id = mm.message_id WHERE mm.id = ?`, id).Scan(&org, &number, &conv, &msg); err != nil {
			return err
		}
		return db.insertEvent(ctx, tx, &hiretext.Event{OrgID: org, NumberID: number, Kind: hiretext.EventConversationChanged,
			Data: eventData(map[string]any{"conversation_id": conv, "message_id": msg}), At: db.now()})
	})
}

func (db *DB) settleMedia(ctx context.Context, update string, args ...any) error {
	return db.inTx(ctx, func(tx conn) error {
		_, err := tx.exec(ctx, update, args...)
		return err
	})
}

// MediaFile returns one of org's files with its content and the number its
// message belongs to (the caller checks the reader may see that number's
// texts). Another company's file is not found.
func (db *DB) MediaFile(ctx context.Context, org hiretext.OrgID, id hiretext.MediaID) (*hiretext.MediaFile, error) {
	var f hiretext.MediaFile
	err := db.reader().queryRow(ctx, `SELECT mm.id, mm.org_id, mm.message_id, mm.position, mm.provider, mm.provider_url,
		mm.declared_type, mm.status, mm.content_type, mm.size, mm.last_error, mm.attempts, mm.created_at, m.number_id, mm.content
		FROM message_media mm JOIN messages m ON m.id = mm.message_id AND m.org_id = mm.org_id
		WHERE mm.org_id = ? AND mm.id = ?`, org, id).Scan(&f.ID, &f.OrgID, &f.MessageID, &f.Index, &f.Provider, &f.ProviderURL,
		&f.DeclaredType, &f.Status, &f.ContentType, &f.Size, &f.Error, &f.Attempts, &f.CreatedAt, &f.NumberID, &f.Content)
	if err != nil {
		return nil, orNotFound(err, "File")
	}
	return &f, nil
}

// attachMedia fills in the files of msgs (all of org), one query for all.
func attachMedia(ctx context.Context, c conn, org hiretext.OrgID, msgs []*hiretext.Message) error {
	byID := map[hiretext.MessageID]*hiretext.Message{}
	var ids []any
	for _, m := range msgs {
		byID[m.ID] = m
		ids = append(ids, m.ID)
	}
	// Chunks keep the statement under SQLite's parameter limit for the
	// longest histories.
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		media, err := queryAll(ctx, c, scanMedia, "SELECT "+mediaColumns+` FROM message_media
			WHERE org_id = ? AND message_id IN (`+placeholders(len(chunk))+`) ORDER BY message_id, position`,
			append([]any{org}, chunk...)...)
		if err != nil {
			return err
		}
		for _, f := range media {
			byID[f.MessageID].Media = append(byID[f.MessageID].Media, f)
		}
	}
	return nil
}

// withMedia returns msgs with their files attached.
func withMedia(ctx context.Context, c conn, org hiretext.OrgID, msgs []*hiretext.Message, err error) ([]*hiretext.Message, error) {
	if err != nil || len(msgs) == 0 {
		return msgs, err
	}
	return msgs, attachMedia(ctx, c, org, msgs)
}

// candidateMediaFiles returns the stored files of a candidate's
// conversations with their content, for their subject-access export.
func candidateMediaFiles(ctx context.Context, c conn, org hiretext.OrgID, candidate hiretext.CandidateID) ([]*hiretext.MediaFile, error) {
	return queryAll(ctx, c, func(s scanner) (*hiretext.MediaFile, error) {
		var f hiretext.MediaFile
		err := s.Scan(&f.ID, &f.OrgID, &f.MessageID, &f.Index, &f.DeclaredType, &f.Status, &f.ContentType, &f.Size,
			&f.CreatedAt, &f.NumberID, &f.Content)
		return &f, err
	}, `SELECT mm.id, mm.org_id, mm.message_id, mm.position, mm.declared_type, mm.status, mm.content_type, mm.size,
		mm.created_at, m.number_id, mm.content FROM message_media mm JOIN messages m ON m.id = mm.message_id AND m.org_id = mm.org_id
		WHERE mm.org_id = ? AND mm.status = 'stored' AND m.conversation_id IN
			(SELECT id FROM conversations WHERE org_id = ? AND candidate_id = ?)
		ORDER BY mm.message_id, mm.position`, org, org, candidate)
}

// deleteConversationMedia deletes the files of a conversation's texts
// (erasure: the texts stay, counted, without their words or pictures).
func deleteConversationMedia(ctx context.Context, tx conn, org hiretext.OrgID, conv int64) error {
	_, err := tx.exec(ctx, `DELETE FROM message_media WHERE org_id = ? AND message_id IN
		(SELECT id FROM messages WHERE org_id = ? AND conversation_id = ?)`, org, org, conv)
	return err
}
