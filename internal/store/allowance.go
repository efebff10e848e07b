package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
)

// The allowance is a counter row per (number, period) in number_usage. The
// helpers below take the transaction they run in, so the texting code can
// reserve allowance in the same transaction that inserts its messages: both
// commit or neither does. Each returns the alerts it fired, for the caller to
// publish after commit.
//
// Every text to and from a number updates its counter row, and on
// PostgreSQL the row stays locked from that update until the commit. So
// transactions update it last, after any candidate, conversation or message
// row they lock: concurrent texts to one number then wait for each other
// only for the end of a transaction, and no transaction holds the counter
// while waiting for a row another holds before taking the counter (a
// deadlock).

// usageTarget is what the allowance helpers need to know of a number.
type usageTarget struct {
	phone     string
	status    hiretext.NumberStatus
	allowance int // the number's monthly allowance, for a period's first row
	loc       *time.Location
	created   time.Time // when the company added the number: its first period
}

func loadUsageTarget(ctx context.Context, c conn, org hiretext.OrgID, number hiretext.NumberID) (usageTarget, error) {
	var t usageTarget
	var tz string
	err := c.queryRow(ctx, `SELECT n.phone, n.status, n.monthly_allowance, n.created_at, o.timezone
		FROM numbers n JOIN organizations o ON o.id = n.org_id WHERE n.org_id = ? AND n.id = ?`, org, number).
		Scan(&t.phone, &t.status, &t.allowance, &t.created, &tz)
	if err != nil {
		return t, orNotFound(err, "Number")
	}
	t.loc = location(tz)
	return t, nil
}

// openPeriod makes sure the counter row of the period containing now exists
// (a new month starts at zero with the number's allowance: no carry-over) and
// returns that period's Usage with Used and Allowance still to be read.
func openPeriod(ctx context.Context, tx conn, org hiretext.OrgID, number hiretext.NumberID, t usageTarget, now time.Time) (hiretext.Usage, error) {
	u := hiretext.Usage{NumberID: number, Period: hiretext.Period(now, t.loc), ResetsAt: hiretext.PeriodResetsAt(now, t.loc)}
	err := tx.execLater(ctx, `INSERT INTO number_usage (org_id, number_id, period, allowance, used, resets_at)
		VALUES (?, ?, ?, ?, 0, ?) ON CONFLICT (org_id, number_id, period) DO NOTHING`,
		org, number, u.Period, t.allowance, u.ResetsAt.UTC())
	return u, err
}

// reserveAllowance takes n messages from number's allowance (t is its usage
// target) for the period containing now. The conditional UPDATE (used + n <=
// allowance) is atomic in both databases, so concurrent reservations, in one
// process or several, can never overspend; when it matches no row the send
// does not fit and the EAllowanceExceeded error says how many remain and
// when the allowance resets. Keep the returned Usage.Period: a release goes
// back to that period.
func reserveAllowance(ctx context.Context, tx conn, org hiretext.OrgID, number hiretext.NumberID, t usageTarget, n int, now time.Time) (hiretext.UsageChange, error) {
	if n < 1 {
		return hiretext.UsageChange{}, hiretext.Errorf(hiretext.EInvalid, "Reserve at least one message.")
	}
	now = storedTime(now)
	if t.status != hiretext.NumberActive {
		return hiretext.UsageChange{}, hiretext.Errorf(hiretext.EConflict, "%s was released; it can no longer send.", phone.Format(t.phone))
	}
	u, err := openPeriod(ctx, tx, org, number, t, now)
	if err != nil {
		return hiretext.UsageChange{}, err
	}
	err = tx.queryRow(ctx, `UPDATE number_usage SET used = used + ?
		WHERE org_id = ? AND number_id = ? AND period = ? AND used + ? <= allowance RETURNING used, allowance`,
		n, org, number, u.Period, n).Scan(&u.Used, &u.Allowance)
	if errors.Is(err, sql.ErrNoRows) {
		if err := readUsage(ctx, tx, org, number, &u); err != nil {
			return hiretext.UsageChange{}, err
		}
		return hiretext.UsageChange{}, hiretext.AllowanceExceeded(u, n, t.loc)
	}
	if err != nil {
		return hiretext.UsageChange{}, err
	}
	alerts, err := fireAlerts(ctx, tx, org, t, u, now)
	return hiretext.UsageChange{Usage: u, Count: n, Alerts: alerts}, err
}

// releaseAllowance gives back n messages reserved in period for messages
// that were never sent. It never takes usage below zero.
func releaseAllowance(ctx context.Context, tx conn, org hiretext.OrgID, number hiretext.NumberID, period string, n int) error {
	if n < 1 {
		return hiretext.Errorf(hiretext.EInvalid, "Release at least one message.")
	}
	if _, err := hiretext.PeriodStart(period, time.UTC); err != nil {
		return err
	}
	res, err := tx.exec(ctx, `UPDATE number_usage SET used = CASE WHEN used > ? THEN used - ? ELSE 0 END
		WHERE org_id = ? AND number_id = ? AND period = ?`, n, n, org, number, period)
	if err != nil {
		return err
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return hiretext.Errorf(hiretext.ENotFound, "Nothing was reserved for this number in %s.", period)
	}
	return nil
}

// countInbound counts n received messages to number (t is its usage
// target) in the period containing now, unconditionally: received messages
// are always stored and always counted, even beyond the allowance and on a
// released number.
func countInbound(ctx context.Context, tx conn, org hiretext.OrgID, number hiretext.NumberID, t usageTarget, n int, now time.Time) (hiretext.UsageChange, error) {
	if n < 1 {
		return hiretext.UsageChange{}, hiretext.Errorf(hiretext.EInvalid, "Count at least one message.")
	}
	now = storedTime(now)
	u, err := openPeriod(ctx, tx, org, number, t, now)
	if err != nil {
		return hiretext.UsageChange{}, err
	}
	// In one batch with the period's upsert (queued by openPeriod) and the
	// writes queued before it: one round trip on PostgreSQL.
	found := false
	err = tx.readBatch(ctx, batchQuery(`UPDATE number_usage SET used = used + ?
		WHERE org_id = ? AND number_id = ? AND period = ? RETURNING used, allowance`, func(row scanner) error {
		found = true
		return row.Scan(&u.Used, &u.Allowance)
	}, n, org, number, u.Period))
	if err == nil && !found {
		err = fmt.Errorf("store: the allowance counter of number %d for %s is missing", number, u.Period)
	}
	if err != nil {
		return hiretext.UsageChange{}, err
	}
	alerts, err := fireAlerts(ctx, tx, org, t, u, now)
	return hiretext.UsageChange{Usage: u, Count: n, Alerts: alerts}, err
}

// readUsage fills u.Used and u.Allowance from u's counter row.
func readUsage(ctx context.Context, c conn, org hiretext.OrgID, number hiretext.NumberID, u *hiretext.Usage) error {
	return c.queryRow(ctx, "SELECT used, allowance FROM number_usage WHERE org_id = ? AND number_id = ? AND period = ?",
		org, number, u.Period).Scan(&u.Used, &u.Allowance)
}

// thresholds are the alerts, in the order they fire; each marks its column
// on the counter row so it fires once per number per period.
var thresholds = []struct {
	kind   hiretext.AlertKind
	column string
	cond   string
	hit    func(hiretext.Usage) bool
}{
	{hiretext.AlertAllowance90, "warned_at", "used * 100 >= allowance * " + strconv.Itoa(hiretext.WarnPercent), hiretext.Usage.NearLimit},
	{hiretext.AlertAllowanceMax, "maxed_at", "used >= allowance", hiretext.Usage.Exhausted},
}

// fireAlerts fires the thresholds u has reached and that have not fired this
// period: it marks them on the counter row (a conditional UPDATE, so two
// transactions cannot both fire one) and notifies each assigned user.
func fireAlerts(ctx context.Context, tx conn, org hiretext.OrgID, t usageTarget, u hiretext.Usage, now time.Time) ([]hiretext.AllowanceAlert, error) {
	var out []hiretext.AllowanceAlert
	for _, th := range thresholds {
		if !th.hit(u) {
			continue
		}
		res, err := tx.exec(ctx, "UPDATE number_usage SET "+th.column+" = ? WHERE org_id = ? AND number_id = ? AND period = ? AND "+
			th.column+" IS NULL AND "+th.cond, now, org, u.NumberID, u.Period)
		if err != nil {
			return nil, err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			continue
		}
		users, notes, err := notifyUsers(ctx, tx, org, u, th.kind, now)
		if err != nil {
			return nil, err
		}
		out = append(out, hiretext.AllowanceAlert{OrgID: org, NumberID: u.NumberID, Phone: t.phone, Kind: th.kind,
			Period: u.Period, Used: u.Used, Allowance: u.Allowance, ResetsAt: u.ResetsAt, UserIDs: users, NotificationIDs: notes})
	}
	return out, nil
}

// notifyUsers records a notification of kind for each user of u's number,
// returning the users and their notifications' ids in the same order.
func notifyUsers(ctx context.Context, tx conn, org hiretext.OrgID, u hiretext.Usage, kind hiretext.AlertKind, now time.Time) ([]hiretext.UserID, []hiretext.NotificationID, error) {
	users, err := numberUserIDs(ctx, tx, org, u.NumberID)
	if err != nil {
		return nil, nil, err
	}
	ids := make([]hiretext.NotificationID, len(users))
	for i, id := range users {
		err := tx.queryRow(ctx, `INSERT INTO notifications (org_id, user_id, number_id, kind, period, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, org, id, u.NumberID, kind, u.Period, now).Scan(&ids[i])
		if err != nil {
			return nil, nil, err
		}
	}
	return users, ids, nil
}

// recordAlertEvents records, for each allowance alert, one event per
// notified user, carrying their notification: their bell, banner and Send
// buttons change live. Those who chose it are emailed the alert too. The events are the users' own (no number), so each
// user's streams get their notification once, not once per teammate.
func (db *DB) recordAlertEvents(ctx context.Context, tx conn, alerts []hiretext.AllowanceAlert, now time.Time) error {
	for _, a := range alerts {
		for i, u := range a.UserIDs {
			ev := &hiretext.Event{OrgID: a.OrgID, UserID: u, Kind: hiretext.EventAllowanceAlert, At: now,
				Data: eventData(map[string]any{"kind": string(a.Kind), "number_id": a.NumberID, "notification_id": a.NotificationIDs[i],
					"period": a.Period, "used": a.Used, "allowance": a.Allowance})}
			if err := db.insertEvent(ctx, tx, ev); err != nil {
				return err
			}
		}
	}
	return db.queueAllowanceEmails(ctx, tx, alerts, now)
}

// recordAllowanceChanged records that number's allowance is now u's, for
// the open pages of its users to redraw what depends on it. The events are
// each user's own: every user of the number sees its banner, including
// those who do not follow its texts (hiretext.User.FollowsNumber).
func (db *DB) recordAllowanceChanged(ctx context.Context, tx conn, org hiretext.OrgID, u hiretext.Usage, now time.Time) error {
	users, err := numberUserIDs(ctx, tx, org, u.NumberID)
	if err != nil {
		return err
	}
	data := eventData(map[string]any{"number_id": u.NumberID, "period": u.Period, "used": u.Used, "allowance": u.Allowance})
	for _, user := range users {
		ev := &hiretext.Event{OrgID: org, UserID: user, Kind: hiretext.EventAllowanceChanged, At: now, Data: data}
		if err := db.insertEvent(ctx, tx, ev); err != nil {
			return err
		}
	}
	return nil
}

// storedTime is t as the database stores it: UTC, in microseconds.
func storedTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// Usage returns number's usage in period ("YYYY-MM", "" for the current
// month). A month without a counter row used nothing, against the number's
// current allowance. Months before the number was added and months that
// have not started are refused, saying which months are available.
func (db *DB) Usage(ctx context.Context, org hiretext.OrgID, number hiretext.NumberID, period string) (hiretext.Usage, error) {
	t, err := loadUsageTarget(ctx, db.reader(), org, number)
	if err != nil {
		return hiretext.Usage{}, err
	}
	current := hiretext.Period(db.now(), t.loc)
	if period == "" {
		period = current
	}
	start, err := hiretext.UsagePeriodStart(period, hiretext.Period(t.created, t.loc), current, t.loc)
	if err != nil {
		return hiretext.Usage{}, err
	}
	u := hiretext.Usage{NumberID: number, Period: period, Allowance: t.allowance, ResetsAt: hiretext.PeriodResetsAt(start, t.loc)}
	if err := readUsage(ctx, db.reader(), org, number, &u); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return hiretext.Usage{}, err
	}
	return u, nil
}

// MonthOutlook returns a number's allowance in period, the current month or
// a later one, with how much of it is used (a later month's counter row
// does not exist until it starts: nothing used) and how many of the
// number's texts are scheduled into it: held, neither sent nor canceled,
// their minute inside the month in the company's time zone. The count reads
// the company's range of messages_org_scheduled for the month.
func (db *DB) MonthOutlook(ctx context.Context, org hiretext.OrgID, number hiretext.NumberID, period string) (hiretext.MonthOutlook, error) {
	c := db.reader()
	t, err := loadUsageTarget(ctx, c, org, number)
	if err != nil {
		return hiretext.MonthOutlook{}, err
	}
	start, err := hiretext.PeriodStart(period, t.loc)
	if err != nil {
		return hiretext.MonthOutlook{}, err
	}
	if current := hiretext.Period(db.now(), t.loc); period < current {
		return hiretext.MonthOutlook{}, hiretext.FieldError("That month is over; texts can be scheduled from "+current+" on.",
			map[string]string{"month": "Use " + current + " or a later month."})
	}
	end := hiretext.PeriodResetsAt(start, t.loc)
	o := hiretext.MonthOutlook{Usage: hiretext.Usage{NumberID: number, Period: period, Allowance: t.allowance, ResetsAt: end}}
	if err := readUsage(ctx, c, org, number, &o.Usage); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return hiretext.MonthOutlook{}, err
	}
	err = c.queryRow(ctx, scheduledInMonthQuery, org, start.UTC(), end.UTC(), number).Scan(&o.Scheduled)
	return o, err
}

// scheduledInMonthQuery counts a number's texts waiting to go between two
// instants. The status is written out, as the partial index's is, so that
// SQLite reads the company's range of messages_org_scheduled.
const scheduledInMonthQuery = `SELECT COUNT(*) FROM messages WHERE org_id = ? AND status = 'scheduled'
	AND send_at >= ? AND send_at < ? AND number_id = ?`

// Entitlement returns what the operator granted org; a company never granted
// anything may have no numbers, and its numbers would get the default allowance.
func (db *DB) Entitlement(ctx context.Context, org hiretext.OrgID) (*hiretext.Entitlement, error) {
	return readEntitlement(ctx, db.reader(), org, "")
}

// lockEntitlement reads org's entitlement, locking its row for the rest of
// the transaction so concurrent AddNumber calls count one after another.
func lockEntitlement(ctx context.Context, tx conn, org hiretext.OrgID) (*hiretext.Entitlement, error) {
	return readEntitlement(ctx, tx, org, "UPDATE number_entitlements SET max_numbers = max_numbers WHERE org_id = ? RETURNING max_numbers, monthly_allowance, updated_at")
}

// readEntitlement reads org's entitlement with query (default: a plain
// SELECT) and counts its active numbers.
func readEntitlement(ctx context.Context, c conn, org hiretext.OrgID, query string) (*hiretext.Entitlement, error) {
	if query == "" {
		query = "SELECT max_numbers, monthly_allowance, updated_at FROM number_entitlements WHERE org_id = ?"
	}
	e := &hiretext.Entitlement{OrgID: org, MonthlyAllowance: hiretext.DefaultMonthlyAllowance}
	err := c.queryRow(ctx, query, org).Scan(&e.MaxNumbers, &e.MonthlyAllowance, &e.UpdatedAt)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	err = c.queryRow(ctx, "SELECT COUNT(*) FROM numbers WHERE org_id = ? AND status = 'active'", org).Scan(&e.InUse)
	return e, err
}

// SetEntitlement grants org maxNumbers numbers, new ones getting
// monthlyAllowance messages a month, and returns the entitlement before and
// after. Numbers org already has keep their allowance; a grant below the
// numbers in use stops new ones until some are released.
func (db *DB) SetEntitlement(ctx context.Context, org hiretext.OrgID, maxNumbers, monthlyAllowance int) (before, after *hiretext.Entitlement, err error) {
	if err := hiretext.ValidateEntitlement(maxNumbers, monthlyAllowance); err != nil {
		return nil, nil, err
	}
	if _, err := db.OrgByID(ctx, org); err != nil {
		return nil, nil, err
	}
	now := db.now()
	err = db.inTx(ctx, func(tx conn) error {
		if before, err = lockEntitlement(ctx, tx, org); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO number_entitlements (org_id, max_numbers, monthly_allowance, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (org_id) DO UPDATE SET max_numbers = excluded.max_numbers,
				monthly_allowance = excluded.monthly_allowance, updated_at = excluded.updated_at`,
			org, maxNumbers, monthlyAllowance, now)
		if err != nil || (before.MaxNumbers == maxNumbers && before.MonthlyAllowance == monthlyAllowance) {
			return err
		}
		return db.recordAudit(ctx, tx, org, hiretext.AuditEntitlementChanged, "entitlement", hiretext.AuditDetails{
			"max_numbers":       hiretext.Changed(before.MaxNumbers, maxNumbers),
			"monthly_allowance": hiretext.Changed(before.MonthlyAllowance, monthlyAllowance)})
	})
	if err != nil {
		return nil, nil, err
	}
	after = &hiretext.Entitlement{OrgID: org, MaxNumbers: maxNumbers, MonthlyAllowance: monthlyAllowance, InUse: before.InUse, UpdatedAt: now}
	return before, after, nil
}

// SetAllowance sets the monthly allowance of the active number phone (in
// whichever company; the operator names numbers by phone). It applies at once
// to the current month's counter, so sending resumes or stops immediately,
// and fires any alert the new allowance makes usage cross. Like a send, it
// records the alerts' events, and allowance.changed for each user of the
// number when the allowance changed, so their open pages follow at once.
func (db *DB) SetAllowance(ctx context.Context, e164 string, monthly int) (*hiretext.AllowanceSet, error) {
	if err := hiretext.ValidateAllowance(monthly); err != nil {
		return nil, err
	}
	p, err := phone.Parse(e164, "")
	if err != nil {
		return nil, hiretext.FieldError("Give the number in E.164 form, e.g. +13125550142.", map[string]string{"number": "Use E.164, e.g. +13125550142."})
	}
	out := &hiretext.AllowanceSet{}
	var org hiretext.OrgID
	var id hiretext.NumberID
	err = db.inEventTx(ctx, func(tx conn) error {
		now := db.now()
		err := tx.queryRow(ctx, "SELECT id, org_id, monthly_allowance FROM numbers WHERE phone = ? AND status = 'active'", p).
			Scan(&id, &org, &out.Previous)
		if errors.Is(err, sql.ErrNoRows) {
			return hiretext.Errorf(hiretext.ENotFound, "No company has an active texting number %s.", p)
		}
		if err != nil {
			return err
		}
		ch, err := applyAllowance(ctx, tx, org, id, monthly, now)
		if err != nil {
			return err
		}
		out.Alerts = ch.Alerts
		// The same live events a send records, so open pages follow.
		if err := db.recordAlertEvents(ctx, tx, ch.Alerts, now); err != nil || out.Previous == monthly {
			return err
		}
		if err := db.recordAllowanceChanged(ctx, tx, org, ch.Usage, now); err != nil {
			return err
		}
		return db.recordAudit(ctx, tx, org, hiretext.AuditAllowanceChanged, auditTarget("number", id),
			hiretext.AuditDetails{"phone": p, "monthly": hiretext.Changed(out.Previous, monthly)})
	})
	if err != nil {
		return nil, err
	}
	out.Number, err = db.NumberByID(ctx, org, id)
	return out, err
}

// applyAllowance stores number's new allowance and applies it to the
// current period's counter, returning that period's usage and the alerts
// it fired.
func applyAllowance(ctx context.Context, tx conn, org hiretext.OrgID, number hiretext.NumberID, monthly int, now time.Time) (hiretext.UsageChange, error) {
	if _, err := tx.exec(ctx, "UPDATE numbers SET monthly_allowance = ? WHERE org_id = ? AND id = ?", monthly, org, number); err != nil {
		return hiretext.UsageChange{}, err
	}
	t, err := loadUsageTarget(ctx, tx, org, number)
	if err != nil {
		return hiretext.UsageChange{}, err
	}
	u, err := openPeriod(ctx, tx, org, number, t, now)
	if err != nil {
		return hiretext.UsageChange{}, err
	}
	err = tx.queryRow(ctx, "UPDATE number_usage SET allowance = ? WHERE org_id = ? AND number_id = ? AND period = ? RETURNING used, allowance",
		monthly, org, number, u.Period).Scan(&u.Used, &u.Allowance)
	if err != nil {
		return hiretext.UsageChange{}, err
	}
	alerts, err := fireAlerts(ctx, tx, org, t, u, now)
	return hiretext.UsageChange{Usage: u, Alerts: alerts}, err
}
