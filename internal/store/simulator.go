package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/hiretext/hiretext/internal/sms/simulator/simstate"
)

// SimulatorStore is where the built-in SMS simulator keeps its state
// (tables sim_*): it implements the simulator's Store with simstate's
// records. The simulator plays the provider, so its rows belong to no
// company: like a carrier account, one simulator serves every company on
// the database.
type SimulatorStore struct{ db *DB }

// Simulator returns the simulator's store on db.
func (db *DB) Simulator() *SimulatorStore { return &SimulatorStore{db: db} }

// AppSecret returns the random key stored under name, creating it once; see
// DB.AppSecret.
func (s *SimulatorStore) AppSecret(ctx context.Context, name string) ([]byte, error) {
	return s.db.AppSecret(ctx, name)
}

// NumberActive reports whether the simulator has phone provisioned.
func (s *SimulatorStore) NumberActive(ctx context.Context, phone string) (bool, error) {
	var n int
	err := s.db.reader().queryRow(ctx, "SELECT COUNT(*) FROM sim_numbers WHERE phone = ? AND released_at IS NULL", phone).Scan(&n)
	return n > 0, err
}

// ProvisionNumber provisions phone unless it is already provisioned; a
// released phone may be provisioned again, as carriers recycle numbers.
func (s *SimulatorStore) ProvisionNumber(ctx context.Context, phone, providerID string, at time.Time) (bool, error) {
	var n int64
	err := s.db.inTx(ctx, func(tx conn) error {
		res, err := tx.exec(ctx, `INSERT INTO sim_numbers (phone, provider_id, created_at) VALUES (?, ?, ?)
			ON CONFLICT (phone) DO UPDATE SET provider_id = excluded.provider_id, created_at = excluded.created_at, released_at = NULL
			WHERE sim_numbers.released_at IS NOT NULL`, phone, providerID, storedTime(at))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n == 1, err
}

// ReleaseNumber releases phone; releasing a released or unknown phone does
// nothing.
func (s *SimulatorStore) ReleaseNumber(ctx context.Context, phone string, at time.Time) error {
	return s.db.inTx(ctx, func(tx conn) error {
		_, err := tx.exec(ctx, "UPDATE sim_numbers SET released_at = ? WHERE phone = ? AND released_at IS NULL", storedTime(at), phone)
		return err
	})
}

// PhoneFlag returns how the simulated network treats phone.
func (s *SimulatorStore) PhoneFlag(ctx context.Context, phone string) (simstate.Flag, error) {
	var f simstate.Flag
	err := s.db.reader().queryRow(ctx, "SELECT flag FROM sim_phones WHERE phone = ?", phone).Scan(&f)
	if errors.Is(err, sql.ErrNoRows) {
		return simstate.FlagNone, nil
	}
	return f, err
}

// SetPhoneFlag sets phone's flag, or clears it with FlagNone.
func (s *SimulatorStore) SetPhoneFlag(ctx context.Context, phone string, flag simstate.Flag, at time.Time) error {
	return s.db.inTx(ctx, func(tx conn) error {
		if flag == simstate.FlagNone {
			_, err := tx.exec(ctx, "DELETE FROM sim_phones WHERE phone = ?", phone)
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO sim_phones (phone, flag, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (phone) DO UPDATE SET flag = excluded.flag, updated_at = excluded.updated_at`, phone, flag, storedTime(at))
		return err
	})
}

// Enqueue stores a handset message and the webhook reporting it in one
// transaction.
func (s *SimulatorStore) Enqueue(ctx context.Context, m simstate.HandsetMessage, cb simstate.Callback) (simstate.Callback, error) {
	err := s.db.inTx(ctx, func(tx conn) error {
		if _, err := tx.exec(ctx, `INSERT INTO sim_handset_messages (phone, counterpart, direction, body, message_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, m.Phone, m.Counterpart, m.Direction, m.Body, m.MessageID, storedTime(m.CreatedAt)); err != nil {
			return err
		}
		for _, f := range m.Media {
			if _, err := tx.exec(ctx, `INSERT INTO sim_media (media_id, message_id, position, content_type, content, created_at)
				VALUES (?, ?, ?, ?, ?, ?)`, f.ID, m.MessageID, f.Index, f.ContentType, f.Content, storedTime(m.CreatedAt)); err != nil {
				return err
			}
		}
		return tx.queryRow(ctx, `INSERT INTO sim_callbacks (kind, message_id, from_phone, to_phone, body, status, attempts, next_attempt_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?) RETURNING id`, cb.Kind, cb.MessageID, cb.From, cb.To, cb.Body, cb.Status,
			storedTime(cb.Due), storedTime(cb.CreatedAt)).Scan(&cb.ID)
	})
	return cb, err
}

// MessageMedia lists the files simulated phones sent with the messages,
// each message's in order, without their content.
func (s *SimulatorStore) MessageMedia(ctx context.Context, messageIDs ...string) ([]simstate.Media, error) {
	var out []simstate.Media
	for chunk := range chunks(messageIDs, 500) {
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		media, err := queryAll(ctx, s.db.reader(), func(row scanner) (simstate.Media, error) {
			var m simstate.Media
			return m, row.Scan(&m.ID, &m.MessageID, &m.Index, &m.ContentType)
		}, "SELECT media_id, message_id, position, content_type FROM sim_media WHERE message_id IN ("+placeholders(len(chunk))+
			") ORDER BY message_id, position", args...)
		if err != nil {
			return nil, err
		}
		out = append(out, media...)
	}
	return out, nil
}

// MediaByID returns one file a simulated phone sent, with its content.
func (s *SimulatorStore) MediaByID(ctx context.Context, id string) (simstate.Media, error) {
	var m simstate.Media
	err := s.db.reader().queryRow(ctx, "SELECT media_id, message_id, position, content_type, content FROM sim_media WHERE media_id = ?", id).
		Scan(&m.ID, &m.MessageID, &m.Index, &m.ContentType, &m.Content)
	return m, orNotFound(err, "File")
}

const simCallbackReturning = ` RETURNING id, kind, message_id, from_phone, to_phone, body, status, attempts, next_attempt_at, created_at`

// ClaimCallbacks leases due webhooks. Repeating "next_attempt_at <= ?" outside
// the subquery matters on PostgreSQL: a claimer that waited for another's
// row lock re-checks it against the updated row and skips what was taken.
func (s *SimulatorStore) ClaimCallbacks(ctx context.Context, now, leaseUntil time.Time, limit int) ([]simstate.Callback, error) {
	now, leaseUntil = storedTime(now), storedTime(leaseUntil)
	var out []simstate.Callback
	err := s.db.inTx(ctx, func(tx conn) error {
		var err error
		out, err = queryAll(ctx, tx, scanCallback, `UPDATE sim_callbacks SET attempts = attempts + 1, next_attempt_at = ?
			WHERE next_attempt_at <= ? AND id IN (SELECT id FROM sim_callbacks WHERE next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?)`+
			simCallbackReturning, leaseUntil, now, now, limit)
		return err
	})
	slices.SortFunc(out, func(a, b simstate.Callback) int { return cmp.Compare(a.ID, b.ID) })
	return out, err
}

func scanCallback(row scanner) (simstate.Callback, error) {
	var cb simstate.Callback
	err := row.Scan(&cb.ID, &cb.Kind, &cb.MessageID, &cb.From, &cb.To, &cb.Body, &cb.Status, &cb.Attempts, &cb.Due, &cb.CreatedAt)
	return cb, err
}

// AdvanceCallback moves a status webhook on to its next status.
func (s *SimulatorStore) AdvanceCallback(ctx context.Context, id int64, status string, due time.Time) error {
	return s.execTx(ctx, "UPDATE sim_callbacks SET status = ?, next_attempt_at = ?, attempts = 0 WHERE id = ?", status, storedTime(due), id)
}

// RetryCallback makes a webhook due again at due.
func (s *SimulatorStore) RetryCallback(ctx context.Context, id int64, due time.Time) error {
	return s.execTx(ctx, "UPDATE sim_callbacks SET next_attempt_at = ? WHERE id = ?", storedTime(due), id)
}

// FinishCallback deletes a webhook that was delivered or given up.
func (s *SimulatorStore) FinishCallback(ctx context.Context, id int64) error {
	return s.execTx(ctx, "DELETE FROM sim_callbacks WHERE id = ?", id)
}

// execTx runs one statement in a transaction of its own.
func (s *SimulatorStore) execTx(ctx context.Context, query string, args ...any) error {
	return s.db.inTx(ctx, func(tx conn) error {
		_, err := tx.exec(ctx, query, args...)
		return err
	})
}

// HandsetMessages lists a simulated phone's latest 500 messages, oldest first.
func (s *SimulatorStore) HandsetMessages(ctx context.Context, phone string) ([]simstate.HandsetMessage, error) {
	out, err := queryAll(ctx, s.db.reader(), scanHandsetMessage, `SELECT phone, counterpart, direction, body, message_id, created_at
		FROM sim_handset_messages WHERE phone = ? ORDER BY id DESC LIMIT 500`, phone)
	slices.Reverse(out)
	return out, err
}

// CounterpartMessages lists the texts exchanged with a hiretext number
// since a time, oldest first, at most limit.
func (s *SimulatorStore) CounterpartMessages(ctx context.Context, counterpart string, since time.Time, limit int) ([]simstate.HandsetMessage, error) {
	return queryAll(ctx, s.db.reader(), scanHandsetMessage, `SELECT phone, counterpart, direction, body, message_id, created_at
		FROM sim_handset_messages WHERE counterpart = ? AND created_at >= ? ORDER BY created_at, id LIMIT ?`,
		counterpart, storedTime(since), limit)
}

func scanHandsetMessage(row scanner) (simstate.HandsetMessage, error) {
	var m simstate.HandsetMessage
	err := row.Scan(&m.Phone, &m.Counterpart, &m.Direction, &m.Body, &m.MessageID, &m.CreatedAt)
	return m, err
}

// Listing the phones whose latest texts are newest needs each phone's
// latest id, which the (phone, id) index gives one phone at a time. Most
// often the newest texts hold enough phones, so HandsetPhones reads those
// first (simRecentHandsets: a bounded scan of the primary key) and walks
// every phone (simAllHandsets) only when a few phones sent and received all
// of the newest texts.
const (
	// simRecentHandsets gives the latest id and texts of each phone among
	// the newest texts.
	simRecentHandsets = `SELECT MAX(id), COUNT(*) FROM (
		SELECT phone, id FROM sim_handset_messages ORDER BY id DESC LIMIT ?) recent GROUP BY phone`
	// simAllHandsets gives the latest ids of the phones texted most
	// recently. Its recursive part jumps from one distinct phone of the
	// (phone, id) index to the next (a loose index scan, which neither
	// database plans by itself), so it costs a seek per phone, not a row per
	// text. Its second column, 0, only gives it simRecentHandsets' shape.
	simAllHandsets = `WITH RECURSIVE phones (phone) AS (
		SELECT MIN(phone) FROM sim_handset_messages
		UNION ALL
		SELECT (SELECT MIN(n.phone) FROM sim_handset_messages n WHERE n.phone > phones.phone)
		FROM phones WHERE phones.phone IS NOT NULL
	), latest (phone, id) AS (
		SELECT phone, (SELECT MAX(l.id) FROM sim_handset_messages l WHERE l.phone = phones.phone)
		FROM phones WHERE phones.phone IS NOT NULL
	)
	SELECT id, 0 FROM latest ORDER BY id DESC LIMIT ?`
	// simHandsetSummaries reads the latest texts by id with their phones'
	// counts, which stop at a bound so a phone with a long history costs no
	// more than one with a short one.
	simHandsetSummaries = `SELECT m.phone, m.counterpart, m.created_at,
		(SELECT COUNT(*) FROM (SELECT 1 FROM sim_handset_messages c WHERE c.phone = m.phone LIMIT ?) counted)
		FROM sim_handset_messages m WHERE m.id IN (`
)

// HandsetPhones lists up to limit simulated phones with texts, the one with
// the latest text first.
func (s *SimulatorStore) HandsetPhones(ctx context.Context, limit int) ([]simstate.HandsetSummary, error) {
	window := 20 * limit // the newest texts read first
	latest, scanned, err := latestHandsetIDs(ctx, s.db.reader(), simRecentHandsets, window)
	if err != nil {
		return nil, err
	}
	if len(latest) < limit && scanned == window {
		// Older texts may hold more phones.
		if latest, _, err = latestHandsetIDs(ctx, s.db.reader(), simAllHandsets, limit); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(latest, func(a, b int64) int { return cmp.Compare(b, a) })
	if len(latest) > limit {
		latest = latest[:limit]
	}
	return handsetSummaries(ctx, s.db.reader(), latest)
}

// latestHandsetIDs runs simRecentHandsets or simAllHandsets and returns the
// latest ids and how many texts they counted.
func latestHandsetIDs(ctx context.Context, c conn, query string, limit int) ([]int64, int, error) {
	var ids []int64
	var total int
	err := queryEach(ctx, c, func(row scanner) error {
		var id int64
		var n int
		if err := row.Scan(&id, &n); err != nil {
			return err
		}
		ids, total = append(ids, id), total+n
		return nil
	}, query, limit)
	if err != nil {
		return nil, 0, err
	}
	return ids, total, nil
}

// handsetSummaries reads the texts with ids as their phones' summaries,
// latest first.
func handsetSummaries(ctx context.Context, c conn, ids []int64) ([]simstate.HandsetSummary, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := []any{simstate.MaxCountedTexts + 1}
	for _, id := range ids {
		args = append(args, id)
	}
	// By time, as the page shows them: ids are handed out as texts are
	// stored, which concurrent sends may do in another order than their times.
	return queryAll(ctx, c, scanHandsetSummary, simHandsetSummaries+placeholders(len(ids))+") ORDER BY m.created_at DESC, m.id DESC", args...)
}

func scanHandsetSummary(row scanner) (simstate.HandsetSummary, error) {
	var h simstate.HandsetSummary
	err := row.Scan(&h.Phone, &h.LastCounterpart, &h.LastAt, &h.Count)
	return h, err
}
