package store

import (
	"cmp"
	"context"
	"database/sql/driver"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/hiretext/hiretext"
	"modernc.org/sqlite"
)

// The SMS Activity report's summary and chart read daily counters
// (activity_daily, migration 0025) instead of every text of the period: the
// texts of a company per day of its time zone, number, sender, direction
// and status, and their segments. Every transaction that inserts texts or
// changes their status collects its changes in a textTally and applies them
// with countTexts, so the counters always equal a count of the texts
// (TestActivityCountersEqualTheTexts). Nothing else the counters count by
// ever changes: a text's company, time, number, sender, direction and
// segments are written once, texts are never deleted (erasure blanks the
// body), and a company's time zone is fixed when it is created.

// textCount is a text as the daily counters see it.
type textCount struct {
	org      hiretext.OrgID
	at       time.Time // created_at
	number   hiretext.NumberID
	user     hiretext.UserID // 0: none (automatic replies, inbound texts)
	dir      hiretext.Direction
	status   hiretext.MessageStatus
	segments int
}

// countedColumns are the columns of messages that scanCounted reads, for
// the RETURNING clause of an update of statuses.
const countedColumns = "org_id, created_at, number_id, COALESCE(user_id, 0), direction, status, segments"

func scanCounted(s scanner) (textCount, error) {
	var c textCount
	err := s.Scan(&c.org, &c.at, &c.number, &c.user, &c.dir, &c.status, &c.segments)
	return c, err
}

// textTally collects a transaction's changes to the daily counters, to be
// applied at its end by countTexts.
type textTally struct{ changes []tallyChange }

type tallyChange struct {
	text textCount
	n    int // +1 or -1
}

// add counts a new text.
func (t *textTally) add(c textCount) { t.changes = append(t.changes, tallyChange{c, 1}) }

// move counts a text whose status changed from from to c.status.
func (t *textTally) move(c textCount, from hiretext.MessageStatus) {
	if c.status == from {
		return
	}
	old := c
	old.status = from
	t.changes = append(t.changes, tallyChange{old, -1}, tallyChange{c, 1})
}

// updateCounted runs an UPDATE of messages' status that ends in
// "RETURNING "+countedColumns and counts each row it changed as moved from
// the status from (which its WHERE clause must require).
func (t *textTally) updateCounted(ctx context.Context, tx conn, from hiretext.MessageStatus, query string, args ...any) (int, error) {
	n := 0
	// In a batch with the writes queued before it (a send's record takes
	// its advisory locks so): one round trip for both on PostgreSQL.
	err := tx.readBatch(ctx, t.countedRead(from, &n, query, args...))
	return n, err
}

// countedRead is updateCounted's statement as a read of readBatch, adding
// the rows it changed to *n.
func (t *textTally) countedRead(from hiretext.MessageStatus, n *int, query string, args ...any) batchRead {
	return batchQuery(query, func(row scanner) error {
		c, err := scanCounted(row)
		if err != nil {
			return err
		}
		t.move(c, from)
		*n++
		return nil
	}, args...)
}

// dailyKey is one row of activity_daily.
type dailyKey struct {
	org    hiretext.OrgID
	day    int64
	number hiretext.NumberID
	user   hiretext.UserID
	dir    hiretext.Direction
	status hiretext.MessageStatus
}

func compareDailyKeys(a, b dailyKey) int {
	return cmp.Or(cmp.Compare(a.org, b.org), cmp.Compare(a.day, b.day), cmp.Compare(a.number, b.number),
		cmp.Compare(a.user, b.user), cmp.Compare(a.dir, b.dir), cmp.Compare(a.status, b.status))
}

// countTexts applies a transaction's tally to the daily counters and empties
// it. It must be the transaction's last write, after the number's allowance
// counter (number_usage) too: on PostgreSQL a counter row stays locked from
// its update until the commit, and a day's row of a number is shared by all
// its texts of that day, so it is held for the shortest time; and as every
// transaction takes these rows last and in key order, none waits for
// another in a cycle.
func (db *DB) countTexts(ctx context.Context, tx conn, t *textTally) error {
	if t == nil || len(t.changes) == 0 {
		return nil
	}
	sums := map[dailyKey]activityCount{}
	for _, ch := range t.changes {
		loc, err := db.orgLocation(ctx, tx, ch.text.org)
		if err != nil {
			return err
		}
		c := ch.text
		k := dailyKey{org: c.org, day: epochDay(c.at.In(loc)), number: c.number, user: c.user, dir: c.dir, status: c.status}
		s := sums[k]
		s.n, s.segments = s.n+ch.n, s.segments+ch.n*c.segments
		sums[k] = s
	}
	t.changes = t.changes[:0]
	keys := make([]dailyKey, 0, len(sums))
	for k, s := range sums {
		if s != (activityCount{}) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, compareDailyKeys)
	for chunk := range slices.Chunk(keys, 100) {
		args := make([]any, 0, 8*len(chunk))
		for _, k := range chunk {
			s := sums[k]
			args = append(args, k.org, k.day, k.number, k.user, k.dir, k.status, s.n, s.segments)
		}
		if err := tx.execLater(ctx, `INSERT INTO activity_daily (org_id, day, number_id, user_id, direction, status, texts, segments)
			VALUES `+repeatRows("(?, ?, ?, ?, ?, ?, ?, ?)", len(chunk))+`
			ON CONFLICT (org_id, day, number_id, user_id, direction, status) DO UPDATE
			SET texts = activity_daily.texts + excluded.texts, segments = activity_daily.segments + excluded.segments`, args...); err != nil {
			return err
		}
	}
	return nil
}

// RecountActivity counts a company's texts into the daily counters afresh,
// in one transaction: for texts written around the store, as the activity
// generator of the benchmarks bulk-loads them. Migration 0025 did the same
// for every company.
func (db *DB) RecountActivity(ctx context.Context, org hiretext.OrgID) error {
	return db.inTx(ctx, func(tx conn) error {
		if _, err := tx.exec(ctx, "DELETE FROM activity_daily WHERE org_id = ?", org); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO activity_daily (org_id, day, number_id, user_id, direction, status, texts, segments)
			SELECT m.org_id, `+db.dialect.localDay("m.created_at", "o.timezone")+`, m.number_id, COALESCE(m.user_id, 0),
				m.direction, m.status, COUNT(*), SUM(m.segments)
			FROM messages m JOIN organizations o ON o.id = m.org_id WHERE m.org_id = ?
			GROUP BY 1, 2, 3, 4, 5, 6`, org)
		return err
	})
}

// orgLocation returns the time zone of a company, which never changes, so
// it is read once per process.
func (db *DB) orgLocation(ctx context.Context, c conn, org hiretext.OrgID) (*time.Location, error) {
	if loc, ok := db.locations.Load(org); ok {
		return loc.(*time.Location), nil
	}
	var o hiretext.Organization
	if err := c.queryRow(ctx, "SELECT timezone FROM organizations WHERE id = ?", org).Scan(&o.Timezone); err != nil {
		return nil, fmt.Errorf("store: time zone of company %d: %w", org, err)
	}
	loc := o.Location()
	db.locations.Store(org, loc)
	return loc, nil
}

// localDayFunction is hiretext_local_day(unix_seconds, time_zone): the day,
// counted from 1970-01-01, on which an instant falls in a time zone (UTC
// for a name Go does not know, as Organization.Location). Migration 0025
// counts the existing texts with it; SQLite has no time zones of its own.
func localDayFunction(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	sec, ok := args[0].(int64)
	name, ok2 := args[1].(string)
	if !ok || !ok2 {
		return nil, fmt.Errorf("hiretext_local_day(%T, %T): want an integer and a text", args[0], args[1])
	}
	loc, ok := localDayZones.Load(name)
	if !ok {
		loc, _ = localDayZones.LoadOrStore(name, (&hiretext.Organization{Timezone: name}).Location())
	}
	return epochDay(time.Unix(sec, 0).In(loc.(*time.Location))), nil
}

// localDayZones caches the zones localDayFunction has loaded by name:
// loading one reads the zone database.
var localDayZones sync.Map

func init() {
	sqlite.MustRegisterDeterministicScalarFunction("hiretext_local_day", 2, localDayFunction)
}
