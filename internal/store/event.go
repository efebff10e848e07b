package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hiretext/hiretext"
)

// EventChannel is the PostgreSQL NOTIFY channel on which every committed
// event's id is announced to the other instances.
const EventChannel = "hiretext_events"

// NotifiesEvents reports whether committed events are announced on
// EventChannel, as they are on PostgreSQL, where several instances may share
// the database: a broker must LISTEN there to hear the others' events at
// once. On SQLite every event is this process's own.
func (db *DB) NotifiesEvents() bool { return db.dialect.notifyEvent() != "" }

const eventColumns = "id, org_id, number_id, user_id, kind, data, created_at"

// SetBroker names who to wake after a transaction that recorded events
// commits (the live-update broker). Call it before the DB is shared.
func (db *DB) SetBroker(w hiretext.Waker) { db.broker = w }

// insertEvent records ev inside tx, the transaction making the change it
// describes, so the event exists exactly when the change committed. On
// PostgreSQL it also queues a NOTIFY that the server delivers only at
// commit, and never for a rolled-back transaction. Run the transaction with
// inEventTx so this instance's broker is woken at once.
func (db *DB) insertEvent(ctx context.Context, tx conn, ev *hiretext.Event) error {
	args, err := db.eventArgs(ev)
	if err != nil {
		return err
	}
	if notify := db.dialect.notifyEvent(); notify != "" {
		// One statement, one round trip: the row and its NOTIFY. (pg_notify
		// returns void, which the IS NULL turns into a column to read.)
		var void bool
		err = tx.queryRow(ctx, "WITH e AS ("+eventInsert+" RETURNING id) SELECT id, "+notify+" IS NULL FROM e", args...).Scan(&ev.ID, &void)
	} else {
		err = tx.queryRow(ctx, eventInsert+" RETURNING id", args...).Scan(&ev.ID)
	}
	if err != nil {
		return fmt.Errorf("store: insert event: %w", err)
	}
	return nil
}

// queueEvent records ev as insertEvent does, but queued with the
// transaction's other writes (see execLater), for a caller that needs no
// id: ev.ID is left unset.
func (db *DB) queueEvent(ctx context.Context, tx conn, ev *hiretext.Event) error {
	return db.queueEvents(ctx, tx, []*hiretext.Event{ev})
}

// queueEvents records evs as queueEvent does each, in one statement (with
// its NOTIFYs on PostgreSQL) per chunk: the new-message events of a group
// of webhooks (see txGroup). Their ids are left unset.
func (db *DB) queueEvents(ctx context.Context, tx conn, evs []*hiretext.Event) error {
	for chunk := range chunks(evs, 200) {
		args := make([]any, 0, 6*len(chunk))
		for _, ev := range chunk {
			a, err := db.eventArgs(ev)
			if err != nil {
				return err
			}
			args = append(args, a...)
		}
		insert := eventInsertRows + repeatRows(eventRow, len(chunk))
		if notify := db.dialect.notifyEvent(); notify != "" {
			insert = "WITH e AS (" + insert + " RETURNING id) SELECT " + notify + " FROM e"
		}
		if err := tx.execLater(ctx, insert, args...); err != nil {
			return err
		}
	}
	return nil
}

// eventInsert inserts an event, its parameters given by eventArgs;
// eventInsertRows followed by eventRow repeated inserts several.
const (
	eventInsertRows = `INSERT INTO events (org_id, number_id, user_id, kind, data, created_at) VALUES `
	eventRow        = `(?, ?, ?, ?, ?, ?)`
	eventInsert     = eventInsertRows + eventRow
)

// eventArgs validates ev, dates it now if it has no time, and returns the
// parameters of eventInsert.
func (db *DB) eventArgs(ev *hiretext.Event) ([]any, error) {
	if err := ev.Validate(); err != nil {
		return nil, err
	}
	if ev.At.IsZero() {
		ev.At = db.now()
	}
	return []any{ev.OrgID, ev.NumberID, ev.UserID, ev.Kind, string(ev.Data), ev.At}, nil
}

// insertEvents records evs inside tx as insertEvent does each, in one
// INSERT (and one NOTIFY statement on PostgreSQL) per chunk however many
// there are: the statuses of a batch of sends recorded together. It does
// not set the events' ids.
func (db *DB) insertEvents(ctx context.Context, tx conn, evs []*hiretext.Event) error {
	for chunk := range chunks(evs, 200) {
		args := make([]any, 0, 6*len(chunk))
		for _, ev := range chunk {
			if err := ev.Validate(); err != nil {
				return err
			}
			if ev.At.IsZero() {
				ev.At = db.now()
			}
			args = append(args, ev.OrgID, ev.NumberID, ev.UserID, ev.Kind, string(ev.Data), ev.At)
		}
		ids, err := queryAll(ctx, tx, scanValue[int64], `INSERT INTO events (org_id, number_id, user_id, kind, data, created_at)
			VALUES `+repeatRows("(?, ?, ?, ?, ?, ?)", len(chunk))+` RETURNING id`, args...)
		if err != nil {
			return fmt.Errorf("store: insert events: %w", err)
		}
		if notify := db.dialect.notifyEvents(len(ids)); notify != "" && len(ids) > 0 {
			args := make([]any, len(ids))
			for i, id := range ids {
				args[i] = strconv.FormatInt(id, 10)
			}
			if _, err := tx.exec(ctx, notify, args...); err != nil {
				return fmt.Errorf("store: notify events: %w", err)
			}
		}
	}
	return nil
}

// inEventTx is inTx for a change that records events: once the transaction
// commits it wakes the broker, so subscribers hear of it at once rather
// than at the broker's next poll.
func (db *DB) inEventTx(ctx context.Context, fn func(tx conn) error) error {
	if err := db.inTx(ctx, fn); err != nil {
		return err
	}
	if db.broker != nil {
		db.broker.Wake()
	}
	return nil
}

// EventsAfter returns up to limit events of every organization with an id
// above afterID, in id order: what a broker fans out.
func (db *DB) EventsAfter(ctx context.Context, afterID int64, limit int) ([]hiretext.Event, error) {
	return db.queryEvents(ctx, "SELECT "+eventColumns+" FROM events WHERE id > ? ORDER BY id LIMIT ?", afterID, limit)
}

// EventsByID returns those of ids that name committed events, in id order:
// how a broker looks again for ids it has seen skipped.
func (db *DB) EventsByID(ctx context.Context, ids []int64) ([]hiretext.Event, error) {
	var out []hiretext.Event
	for chunk := range chunks(ids, 500) {
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		marks := strings.Repeat("?, ", len(chunk)-1) + "?"
		evs, err := db.queryEvents(ctx, "SELECT "+eventColumns+" FROM events WHERE id IN ("+marks+") ORDER BY id", args...)
		if err != nil {
			return nil, err
		}
		out = append(out, evs...)
	}
	return out, nil
}

// chunks yields s in pieces of at most n.
func chunks[T any](s []T, n int) func(func([]T) bool) {
	return func(yield func([]T) bool) {
		for len(s) > 0 {
			k := min(n, len(s))
			if !yield(s[:k]) {
				return
			}
			s = s[k:]
		}
	}
}

// noTarget stands in for a filter's absent number or user: no row has it,
// so "number_id = ?" cannot match the 0 that means "no number".
const noTarget = -1

// EventsFor returns up to limit events that f matches, with ids in
// (afterID, throughID], in id order: what a reconnecting client missed.
func (db *DB) EventsFor(ctx context.Context, f hiretext.EventFilter, afterID, throughID int64, limit int) ([]hiretext.Event, error) {
	number, user := int64(f.NumberID), int64(f.UserID)
	if number == 0 {
		number = noTarget
	}
	if user == 0 {
		user = noTarget
	}
	return db.queryEvents(ctx, "SELECT "+eventColumns+` FROM events
		WHERE org_id = ? AND id > ? AND id <= ? AND (number_id = ? OR user_id = ?)
		ORDER BY id LIMIT ?`, f.OrgID, afterID, throughID, number, user, limit)
}

// LatestEventID returns the highest event id, 0 when there is none.
func (db *DB) LatestEventID(ctx context.Context) (int64, error) {
	var id int64
	err := db.reader().queryRow(ctx, "SELECT COALESCE(MAX(id), 0) FROM events").Scan(&id)
	return id, err
}

// OldestEventID returns the lowest event id still kept, 0 when there is none.
func (db *DB) OldestEventID(ctx context.Context) (int64, error) {
	var id int64
	err := db.reader().queryRow(ctx, "SELECT COALESCE(MIN(id), 0) FROM events").Scan(&id)
	return id, err
}

// PruneEvents deletes events recorded before olderThan, returning how many.
// The newest event is always kept, so the table shows how far ids have gone
// and a client resuming from a pruned id can be told it missed some.
func (db *DB) PruneEvents(ctx context.Context, olderThan time.Time) (int64, error) {
	var n int64
	err := db.inTx(ctx, func(tx conn) error {
		res, err := tx.exec(ctx, `DELETE FROM events WHERE created_at < ?
			AND id < (SELECT MAX(id) FROM events)`, olderThan.UTC().Truncate(time.Microsecond))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

func (db *DB) queryEvents(ctx context.Context, query string, args ...any) ([]hiretext.Event, error) {
	out, err := queryAll(ctx, db.reader(), scanEvent, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: read events: %w", err)
	}
	return out, nil
}

func scanEvent(row scanner) (hiretext.Event, error) {
	var e hiretext.Event
	var data string
	if err := row.Scan(&e.ID, &e.OrgID, &e.NumberID, &e.UserID, &e.Kind, &data, &e.At); err != nil {
		return e, err
	}
	e.Data, e.At = json.RawMessage(data), e.At.UTC()
	return e, nil
}
