package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
)

// numberSelect reads numbers with their company's time zone, which decides
// the allowance period.
const numberSelect = `SELECT n.id, n.org_id, n.phone, n.provider, n.provider_id, n.status, n.monthly_allowance,
	n.created_at, n.released_at, o.timezone
	FROM numbers n JOIN organizations o ON o.id = n.org_id `

// numberUserSelect reads the users of a company's numbers; the user columns
// are in scanUser's order.
const numberUserSelect = `SELECT nu.number_id, u.id, u.org_id, u.email, u.name, u.role, u.permissions, u.active, u.created_at
	FROM number_users nu JOIN users u ON u.id = nu.user_id WHERE nu.org_id = ?`

// ListNumbers lists org's numbers, active ones first, oldest first, each with
// its users and this month's usage.
func (db *DB) ListNumbers(ctx context.Context, org hiretext.OrgID) ([]*hiretext.Number, error) {
	return db.readNumbers(ctx, db.reader(), numberSelect+`WHERE n.org_id = ?
		ORDER BY CASE WHEN n.status = 'active' THEN 0 ELSE 1 END, n.created_at, n.id`, org)
}

// NumberByID returns one of org's numbers.
func (db *DB) NumberByID(ctx context.Context, org hiretext.OrgID, id hiretext.NumberID) (*hiretext.Number, error) {
	return db.readNumber(ctx, db.reader(), numberSelect+"WHERE n.org_id = ? AND n.id = ?", org, id)
}

// NumberForUser returns the number user is assigned to, or an ENotAssigned
// error.
func (db *DB) NumberForUser(ctx context.Context, org hiretext.OrgID, user hiretext.UserID) (*hiretext.Number, error) {
	n, err := db.readNumber(ctx, db.reader(), numberSelect+`JOIN number_users nu ON nu.number_id = n.id
		WHERE nu.org_id = ? AND nu.user_id = ?`, org, user)
	if hiretext.ErrorCode(err) == hiretext.ENotFound {
		return nil, hiretext.Errorf(hiretext.ENotAssigned, "You are not assigned to a texting number. Ask your administrator to assign you one.")
	}
	return n, err
}

// NumberByPhone returns the active number with phone (E.164), whichever
// company owns it. It is the one deliberate cross-tenant lookup: an inbound
// webhook names only the number it was sent to, and that number identifies
// the company. Only one active number may hold a phone.
func (db *DB) NumberByPhone(ctx context.Context, phone string) (*hiretext.Number, error) {
	return db.readNumber(ctx, db.reader(), numberSelect+"WHERE n.phone = ? AND n.status = 'active'", phone)
}

func (db *DB) readNumber(ctx context.Context, c conn, query string, args ...any) (*hiretext.Number, error) {
	nums, err := db.readNumbers(ctx, c, query, args...)
	if err != nil {
		return nil, err
	}
	if len(nums) == 0 {
		return nil, notFound("Number")
	}
	return nums[0], nil
}

// readNumbers runs a numberSelect query, whose rows all belong to one
// company, and fills each number's users and current usage.
func (db *DB) readNumbers(ctx context.Context, c conn, query string, args ...any) ([]*hiretext.Number, error) {
	var nums []*hiretext.Number
	var loc *time.Location
	err := queryEach(ctx, c, func(row scanner) error {
		n, l, err := scanNumber(row)
		if err != nil {
			return err
		}
		nums, loc = append(nums, n), l
		return nil
	}, query, args...)
	if err != nil {
		return nil, err
	}
	if len(nums) == 0 {
		return nums, nil
	}
	if err := fillNumberUsers(ctx, c, nums); err != nil {
		return nil, err
	}
	return nums, fillNumberUsage(ctx, c, nums, loc, db.now())
}

func scanNumber(s scanner) (*hiretext.Number, *time.Location, error) {
	var n hiretext.Number
	var released sql.NullTime
	var tz string
	if err := s.Scan(&n.ID, &n.OrgID, &n.Phone, &n.Provider, &n.ProviderID, &n.Status, &n.MonthlyAllowance,
		&n.CreatedAt, &released, &tz); err != nil {
		return nil, nil, orNotFound(err, "Number")
	}
	if released.Valid {
		n.ReleasedAt = &released.Time
	}
	return &n, location(tz), nil
}

// location returns a company's time zone from its IANA name.
func location(tz string) *time.Location {
	return (&hiretext.Organization{Timezone: tz}).Location()
}

// fillNumberUsers sets the Users of nums (one company's numbers), by name.
func fillNumberUsers(ctx context.Context, c conn, nums []*hiretext.Number) error {
	byID := map[hiretext.NumberID]*hiretext.Number{}
	for _, n := range nums {
		n.Users, byID[n.ID] = []*hiretext.User{}, n
	}
	query, args := numberUserSelect, []any{nums[0].OrgID}
	if len(nums) == 1 {
		query, args = query+" AND nu.number_id = ?", append(args, nums[0].ID)
	}
	return queryEach(ctx, c, func(row scanner) error {
		var id hiretext.NumberID
		u, err := scanUser(prefixed{row, &id})
		if err != nil {
			return err
		}
		if n := byID[id]; n != nil {
			n.Users = append(n.Users, u)
		}
		return nil
	}, query+" ORDER BY u.name, u.id", args...)
}

// prefixed scans one leading column into first, then the rest into the
// destinations it is given, so a row helper like scanUser can read a join.
type prefixed struct {
	s     scanner
	first any
}

func (p prefixed) Scan(dest ...any) error { return p.s.Scan(append([]any{p.first}, dest...)...) }

// fillNumberUsage sets the Usage of nums (one company's numbers) for the
// period containing now. A number without a counter row has used nothing.
func fillNumberUsage(ctx context.Context, c conn, nums []*hiretext.Number, loc *time.Location, now time.Time) error {
	period, resets := hiretext.Period(now, loc), hiretext.PeriodResetsAt(now, loc)
	byID := map[hiretext.NumberID]*hiretext.Number{}
	for _, n := range nums {
		byID[n.ID] = n
		n.Usage = hiretext.Usage{NumberID: n.ID, Period: period, Allowance: n.MonthlyAllowance, ResetsAt: resets}
	}
	return queryEach(ctx, c, func(row scanner) error {
		var id hiretext.NumberID
		var allowance, used int
		if err := row.Scan(&id, &allowance, &used); err != nil {
			return err
		}
		if n := byID[id]; n != nil {
			n.Usage.Allowance, n.Usage.Used = allowance, used
		}
		return nil
	}, "SELECT number_id, allowance, used FROM number_usage WHERE org_id = ? AND period = ?", nums[0].OrgID, period)
}

// AddNumber records a number just provisioned for org. Within the
// transaction it locks the company's entitlement row, so two administrators
// adding at once cannot exceed it; the number gets the entitlement's allowance.
func (db *DB) AddNumber(ctx context.Context, org hiretext.OrgID, nn hiretext.NewNumber) (*hiretext.Number, error) {
	e164, err := phone.Parse(nn.Phone, "")
	if err != nil || nn.Provider == "" {
		return nil, hiretext.FieldError("The number must be an E.164 phone number from a provider.",
			map[string]string{"phone_number": "Use E.164, e.g. +13125550142."})
	}
	var id hiretext.NumberID
	err = db.inTx(ctx, func(tx conn) error {
		ent, err := lockEntitlement(ctx, tx, org)
		if err != nil {
			return err
		}
		if !ent.CanAddNumber() {
			return hiretext.EntitlementExceeded(ent)
		}
		if err := tx.queryRow(ctx, `INSERT INTO numbers (org_id, phone, provider, provider_id, status, monthly_allowance, created_at)
			VALUES (?, ?, ?, ?, 'active', ?, ?) RETURNING id`,
			org, e164, nn.Provider, nn.ProviderID, ent.MonthlyAllowance, db.now()).Scan(&id); err != nil {
			return err
		}
		return db.recordAudit(ctx, tx, org, hiretext.AuditNumberGenerated, auditTarget("number", id), hiretext.AuditDetails{
			"phone": e164, "provider": nn.Provider, "monthly_allowance": ent.MonthlyAllowance})
	})
	if db.dialect.isUniqueViolation(err) {
		return nil, hiretext.Errorf(hiretext.EConflict, "%s is already in use.", phone.Format(e164))
	}
	if err != nil {
		return nil, err
	}
	return db.NumberByID(ctx, org, id)
}

// ReleaseNumber marks one of org's numbers released and unassigns its users.
// The row, its usage and (later) its messages stay, so history is readable.
func (db *DB) ReleaseNumber(ctx context.Context, org hiretext.OrgID, id hiretext.NumberID) (*hiretext.Number, error) {
	err := db.inEventTx(ctx, func(tx conn) error {
		res, err := tx.exec(ctx, "UPDATE numbers SET status = 'released', released_at = ? WHERE org_id = ? AND id = ? AND status = 'active'",
			db.now(), org, id)
		if err != nil {
			return err
		}
		released, _ := res.RowsAffected()
		if released == 0 {
			if _, err := lockNumber(ctx, tx, org, id); err != nil {
				return err
			}
		}
		users, err := numberUserIDs(ctx, tx, org, id)
		if err != nil {
			return err
		}
		if _, err = tx.exec(ctx, "DELETE FROM number_users WHERE org_id = ? AND number_id = ?", org, id); err != nil {
			return err
		}
		if err := db.accessChanged(ctx, tx, org, users...); err != nil || released == 0 {
			return err
		}
		var e164 string
		if err := tx.queryRow(ctx, "SELECT phone FROM numbers WHERE org_id = ? AND id = ?", org, id).Scan(&e164); err != nil {
			return err
		}
		return db.recordAudit(ctx, tx, org, hiretext.AuditNumberReleased, auditTarget("number", id), hiretext.AuditDetails{"phone": e164})
	})
	if err != nil {
		return nil, err
	}
	return db.NumberByID(ctx, org, id)
}

// lockNumber locks one of org's active numbers for the rest of the
// transaction and returns its phone. The no-op UPDATE takes PostgreSQL's row
// lock, so concurrent assignments to one number queue behind each other;
// SQLite's single writer already serializes them.
func lockNumber(ctx context.Context, tx conn, org hiretext.OrgID, id hiretext.NumberID) (string, error) {
	var e164 string
	var status hiretext.NumberStatus
	err := tx.queryRow(ctx, "UPDATE numbers SET status = status WHERE org_id = ? AND id = ? RETURNING phone, status", org, id).Scan(&e164, &status)
	if err != nil {
		return "", orNotFound(err, "Number")
	}
	if status != hiretext.NumberActive {
		return "", hiretext.Errorf(hiretext.EConflict, "%s was released.", phone.Format(e164))
	}
	return e164, nil
}

// AssignUser adds user to one of org's numbers. The number row is locked
// first, so the count of its users cannot change under us; the unique index
// on (org_id, user_id) settles two numbers claiming one user at once.
// Assigning a user to the number they already have changes nothing.
func (db *DB) AssignUser(ctx context.Context, org hiretext.OrgID, number hiretext.NumberID, user hiretext.UserID) error {
	return db.inEventTx(ctx, func(tx conn) error {
		e164, err := lockNumber(ctx, tx, org, number)
		if err != nil {
			return err
		}
		current, err := numberUserIDs(ctx, tx, org, number)
		if err != nil || slices.Contains(current, user) {
			return err
		}
		u, err := assignableUser(ctx, tx, org, number, user)
		if err != nil {
			return err
		}
		if len(current) >= hiretext.MaxUsersPerNumber {
			return tooManyUsers(e164)
		}
		if err := insertAssignment(ctx, tx, org, number, u, db.now()); err != nil {
			return err
		}
		if err := db.accessChanged(ctx, tx, org, user); err != nil {
			return err
		}
		return db.auditNumberUsers(ctx, tx, org, number, e164, []hiretext.UserID{user}, nil)
	})
}

// UnassignUser removes user from one of org's numbers.
func (db *DB) UnassignUser(ctx context.Context, org hiretext.OrgID, number hiretext.NumberID, user hiretext.UserID) error {
	return db.inEventTx(ctx, func(tx conn) error {
		e164, err := lockNumber(ctx, tx, org, number)
		if err != nil {
			return err
		}
		res, err := tx.exec(ctx, "DELETE FROM number_users WHERE org_id = ? AND number_id = ? AND user_id = ?", org, number, user)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return hiretext.Errorf(hiretext.ENotFound, "That user is not assigned to this number.")
		}
		if err := db.accessChanged(ctx, tx, org, user); err != nil {
			return err
		}
		return db.auditNumberUsers(ctx, tx, org, number, e164, nil, []hiretext.UserID{user})
	})
}

// SetNumberUsers makes users exactly the users of one of org's numbers,
// under the same limits and locking as AssignUser. Users already on the
// number keep their assignment.
func (db *DB) SetNumberUsers(ctx context.Context, org hiretext.OrgID, number hiretext.NumberID, users []hiretext.UserID) (*hiretext.Number, error) {
	want := slices.Compact(slices.Sorted(slices.Values(users)))
	if len(want) > hiretext.MaxUsersPerNumber {
		return nil, hiretext.Errorf(hiretext.ETooManyUsers, "A number can have at most %d users; the list has %d.",
			hiretext.MaxUsersPerNumber, len(want))
	}
	err := db.inEventTx(ctx, func(tx conn) error {
		e164, err := lockNumber(ctx, tx, org, number)
		if err != nil {
			return err
		}
		current, err := numberUserIDs(ctx, tx, org, number)
		if err != nil {
			return err
		}
		var added, removed []hiretext.UserID
		for _, id := range current {
			if !slices.Contains(want, id) {
				if _, err := tx.exec(ctx, "DELETE FROM number_users WHERE org_id = ? AND number_id = ? AND user_id = ?", org, number, id); err != nil {
					return err
				}
				if err := db.accessChanged(ctx, tx, org, id); err != nil {
					return err
				}
				removed = append(removed, id)
			}
		}
		for _, id := range want {
			if slices.Contains(current, id) {
				continue
			}
			u, err := assignableUser(ctx, tx, org, number, id)
			if err != nil {
				return err
			}
			if err := insertAssignment(ctx, tx, org, number, u, db.now()); err != nil {
				return err
			}
			if err := db.accessChanged(ctx, tx, org, id); err != nil {
				return err
			}
			added = append(added, id)
		}
		return db.auditNumberUsers(ctx, tx, org, number, e164, added, removed)
	})
	if err != nil {
		return nil, err
	}
	return db.NumberByID(ctx, org, number)
}

// auditNumberUsers records the users added to and removed from a number
// ("added" and "removed", each present only when not empty), unless there
// are none.
func (db *DB) auditNumberUsers(ctx context.Context, tx conn, org hiretext.OrgID, number hiretext.NumberID, e164 string,
	added, removed []hiretext.UserID) error {
	if len(added) == 0 && len(removed) == 0 {
		return nil
	}
	details := hiretext.AuditDetails{"phone": e164}
	for key, ids := range map[string][]hiretext.UserID{"added": added, "removed": removed} {
		if len(ids) == 0 {
			continue
		}
		users := []map[string]any{}
		for _, id := range ids {
			u, err := auditUser(ctx, tx, org, id)
			if err != nil {
				return err
			}
			users = append(users, u)
		}
		details[key] = users
	}
	return db.recordAudit(ctx, tx, org, hiretext.AuditNumberUsersChanged, auditTarget("number", number), details)
}

// numberUserIDs lists the users of a number.
func numberUserIDs(ctx context.Context, tx conn, org hiretext.OrgID, number hiretext.NumberID) ([]hiretext.UserID, error) {
	return queryAll(ctx, tx, scanValue[hiretext.UserID], "SELECT user_id FROM number_users WHERE org_id = ? AND number_id = ?", org, number)
}

// assignableUser returns user when they may join number: an active user of
// org who is on no other number.
func assignableUser(ctx context.Context, tx conn, org hiretext.OrgID, number hiretext.NumberID, user hiretext.UserID) (*hiretext.User, error) {
	u, err := scanUser(tx.queryRow(ctx, "SELECT "+userColumns+" FROM users WHERE org_id = ? AND id = ?", org, user))
	if hiretext.ErrorCode(err) == hiretext.ENotFound {
		return nil, hiretext.FieldError(fmt.Sprintf("There is no user %d in your company.", user), map[string]string{"user_ids": "Unknown user."})
	}
	if err != nil {
		return nil, err
	}
	if !u.Active {
		return nil, hiretext.Errorf(hiretext.EInvalid, "%s is deactivated; reactivate them before assigning a number.", u.Name)
	}
	var other string
	err = tx.queryRow(ctx, `SELECT n.phone FROM number_users nu JOIN numbers n ON n.id = nu.number_id
		WHERE nu.org_id = ? AND nu.user_id = ? AND nu.number_id <> ?`, org, user, number).Scan(&other)
	switch {
	case err == nil:
		return nil, userOnOtherNumber(u.Name, other)
	case !errors.Is(err, sql.ErrNoRows):
		return nil, err
	}
	return u, nil
}

// insertAssignment adds u to number. The unique index on (org_id, user_id)
// catches another number claiming u since assignableUser looked.
func insertAssignment(ctx context.Context, tx conn, org hiretext.OrgID, number hiretext.NumberID, u *hiretext.User, now time.Time) error {
	_, err := tx.exec(ctx, "INSERT INTO number_users (org_id, number_id, user_id, assigned_at) VALUES (?, ?, ?, ?)", org, number, u.ID, now)
	if tx.d.isUniqueViolation(err) {
		return &hiretext.Error{Code: hiretext.EUserOnOtherNumber,
			Message: u.Name + " was just assigned to another number; a user belongs to at most one number."}
	}
	return err
}

func tooManyUsers(e164 string) error {
	return hiretext.Errorf(hiretext.ETooManyUsers, "%s already has %d users, the most a number can have. Unassign someone first.",
		phone.Format(e164), hiretext.MaxUsersPerNumber)
}

func userOnOtherNumber(name, e164 string) error {
	return hiretext.Errorf(hiretext.EUserOnOtherNumber, "%s already texts from %s; a user belongs to at most one number. Unassign them there first.",
		name, phone.Format(e164))
}
