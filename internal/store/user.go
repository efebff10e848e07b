package store

import (
	"context"
	"slices"
	"strings"

	"github.com/hiretext/hiretext"
)

const userColumns = "id, org_id, email, name, role, permissions, active, created_at"

// CreateUser creates a user with a hashed password; the email must be unused
// across all organizations, because login asks only for the email.
func (db *DB) CreateUser(ctx context.Context, n hiretext.NewUser) (*hiretext.User, error) {
	if err := n.Validate(); err != nil {
		return nil, db.withTakenEmail(ctx, n.Email, err)
	}
	// Hash before the transaction: argon2id takes tens of milliseconds and
	// must not hold the writer.
	hash, err := db.hasher.Hash(ctx, n.Password)
	if err != nil {
		return nil, err
	}
	u := &hiretext.User{OrgID: n.OrgID, Email: n.Email, Name: n.Name, Role: n.Role,
		Permissions: n.Permissions, Active: true, CreatedAt: db.now()}
	err = db.inTx(ctx, func(tx conn) error {
		if err := tx.queryRow(ctx, `INSERT INTO users (org_id, email, name, role, permissions, password_hash, active, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			u.OrgID, u.Email, u.Name, u.Role, joinPerms(u.Permissions), hash, true, u.CreatedAt).Scan(&u.ID); err != nil {
			return err
		}
		return db.recordAudit(ctx, tx, u.OrgID, hiretext.AuditUserCreated, auditTarget("user", u.ID), hiretext.AuditDetails{
			"email": u.Email, "name": u.Name, "role": u.Role, "permissions": auditPerms(u.Permissions)})
	})
	if db.dialect.isUniqueViolation(err) {
		return nil, hiretext.FieldError("That email is taken.", map[string]string{"email": emailTaken})
	}
	if err != nil {
		return nil, err
	}
	return u, nil
}

// emailTaken is the field error for an email another user has, in any company.
const emailTaken = "A user with this email already exists."

// withTakenEmail adds a taken email to the field errors of a new user who
// is invalid for other reasons, so a form reports every mistake at once.
// When the rest is valid, the insert's unique violation decides instead.
func (db *DB) withTakenEmail(ctx context.Context, email string, err error) error {
	fields := hiretext.ErrorFields(err)
	if fields == nil || fields["email"] != "" {
		return err
	}
	var n int
	if qerr := db.reader().queryRow(ctx, "SELECT COUNT(*) FROM users WHERE email = ?", email).Scan(&n); qerr != nil {
		return qerr
	}
	if n == 0 {
		return err
	}
	v := hiretext.Validation(fields)
	v.Add("email", emailTaken)
	return v.Err()
}

// UserByID returns one user of org.
func (db *DB) UserByID(ctx context.Context, org hiretext.OrgID, id hiretext.UserID) (*hiretext.User, error) {
	return scanUser(db.reader().queryRow(ctx, "SELECT "+userColumns+" FROM users WHERE org_id = ? AND id = ?", org, id))
}

// UserByEmail returns the user of org with email.
func (db *DB) UserByEmail(ctx context.Context, org hiretext.OrgID, email string) (*hiretext.User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	return scanUser(db.reader().queryRow(ctx, "SELECT "+userColumns+" FROM users WHERE org_id = ? AND email = ?", org, email))
}

// ListUsers lists the users of org by name.
func (db *DB) ListUsers(ctx context.Context, org hiretext.OrgID) ([]*hiretext.User, error) {
	return queryAll(ctx, db.reader(), scanUser, "SELECT "+userColumns+" FROM users WHERE org_id = ? ORDER BY name, id", org)
}

// UpdateUser applies u to one user of org. Deactivating a user ends their
// sessions and revokes their tokens in the same transaction, so they stop
// working at once.
func (db *DB) UpdateUser(ctx context.Context, org hiretext.OrgID, id hiretext.UserID, upd hiretext.UserUpdate) (*hiretext.User, error) {
	if err := upd.Validate(); err != nil {
		return nil, err
	}
	var out *hiretext.User
	err := db.inEventTx(ctx, func(tx conn) error {
		u, err := scanUser(tx.queryRow(ctx, "SELECT "+userColumns+" FROM users WHERE org_id = ? AND id = ?", org, id))
		if err != nil {
			return err
		}
		before := *u
		applyUserUpdate(u, upd)
		if _, err := tx.exec(ctx, "UPDATE users SET name = ?, role = ?, permissions = ?, active = ? WHERE org_id = ? AND id = ?",
			u.Name, u.Role, joinPerms(u.Permissions), u.Active, org, id); err != nil {
			return err
		}
		if !u.Active {
			if err := endUserAccess(ctx, tx, org, id); err != nil {
				return err
			}
		}
		out = u
		if err := db.auditUserUpdate(ctx, tx, &before, u); err != nil {
			return err
		}
		if upd.Role == nil && upd.Permissions == nil && upd.Active == nil {
			return nil // a new name changes nobody's access
		}
		return db.accessChanged(ctx, tx, org, id)
	})
	return out, err
}

// auditUserUpdate records what an update changed, one entry per kind of
// change: the name, the role or permissions, deactivation or reactivation.
// An update that changes nothing records nothing.
func (db *DB) auditUserUpdate(ctx context.Context, tx conn, before, after *hiretext.User) error {
	type entry struct {
		action  hiretext.AuditAction
		details hiretext.AuditDetails
	}
	var entries []entry
	if before.Name != after.Name {
		entries = append(entries, entry{hiretext.AuditUserRenamed, hiretext.AuditDetails{"name": hiretext.Changed(before.Name, after.Name)}})
	}
	if before.Role != after.Role || !slices.Equal(before.Permissions, after.Permissions) {
		entries = append(entries, entry{hiretext.AuditUserPermissions, hiretext.AuditDetails{"role": hiretext.Changed(before.Role, after.Role),
			"permissions": hiretext.Changed(auditPerms(before.Permissions), auditPerms(after.Permissions))}})
	}
	switch {
	case before.Active && !after.Active:
		entries = append(entries, entry{hiretext.AuditUserDeactivated, hiretext.AuditDetails{}})
	case !before.Active && after.Active:
		entries = append(entries, entry{hiretext.AuditUserActivated, hiretext.AuditDetails{}})
	}
	for _, e := range entries {
		e.details["email"] = after.Email
		if err := db.recordAudit(ctx, tx, after.OrgID, e.action, auditTarget("user", after.ID), e.details); err != nil {
			return err
		}
	}
	return nil
}

// auditPerms lists permissions for an audit entry: [] rather than null.
func auditPerms(ps []hiretext.Permission) []hiretext.Permission {
	if ps == nil {
		return []hiretext.Permission{}
	}
	return ps
}

func applyUserUpdate(u *hiretext.User, upd hiretext.UserUpdate) {
	if upd.Name != nil {
		u.Name = *upd.Name
	}
	if upd.Role != nil {
		u.Role = *upd.Role
	}
	if upd.Permissions != nil {
		u.Permissions = *upd.Permissions
	}
	if upd.Active != nil {
		u.Active = *upd.Active
	}
	if u.Role == hiretext.RoleAdmin {
		u.Permissions = []hiretext.Permission{}
	}
}

// endUserAccess deletes a user's sessions and tokens and takes them off
// their texting number, freeing the seat for someone else.
func endUserAccess(ctx context.Context, tx conn, org hiretext.OrgID, id hiretext.UserID) error {
	if _, err := tx.exec(ctx, "DELETE FROM sessions WHERE org_id = ? AND user_id = ?", org, id); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, "DELETE FROM number_users WHERE org_id = ? AND user_id = ?", org, id); err != nil {
		return err
	}
	_, err := tx.exec(ctx, "DELETE FROM api_tokens WHERE org_id = ? AND user_id = ?", org, id)
	return err
}

// SetPassword replaces a user's password and ends their other ways in (see
// hiretext.KeepAccess) in the same transaction: whoever knew the old
// password is out at once.
func (db *DB) SetPassword(ctx context.Context, org hiretext.OrgID, id hiretext.UserID, password string, keep hiretext.KeepAccess) error {
	if err := hiretext.ValidatePassword(password); err != nil {
		return hiretext.FieldError(hiretext.ErrorMessage(err), map[string]string{"password": hiretext.ErrorMessage(err)})
	}
	hash, err := db.hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	return db.inEventTx(ctx, func(tx conn) error {
		var email string
		err := tx.queryRow(ctx, "UPDATE users SET password_hash = ? WHERE org_id = ? AND id = ? RETURNING email", hash, org, id).Scan(&email)
		if err != nil {
			return orNotFound(err, "User")
		}
		// No session's secret is "", so keeping none deletes them all.
		if _, err := tx.exec(ctx, "DELETE FROM sessions WHERE org_id = ? AND user_id = ? AND secret_hash <> ?",
			org, id, hashSecret(keep.Session)); err != nil {
			return err
		}
		if !keep.Tokens {
			if _, err := tx.exec(ctx, "DELETE FROM api_tokens WHERE org_id = ? AND user_id = ?", org, id); err != nil {
				return err
			}
		}
		if err := db.accessChanged(ctx, tx, org, id); err != nil {
			return err
		}
		// A user changing their own password, or an administrator resetting it.
		action := hiretext.AuditUserPasswordReset
		if a := hiretext.ActorFrom(ctx); a.Kind == hiretext.ActorUser && a.UserID == id {
			action = hiretext.AuditUserPassword
		}
		return db.recordAudit(ctx, tx, org, action, auditTarget("user", id), hiretext.AuditDetails{"email": email, "api_tokens_kept": keep.Tokens})
	})
}

// accessChanged records, for each of users, that their access changed, so
// their open live-update streams check it again (on every instance).
func (db *DB) accessChanged(ctx context.Context, tx conn, org hiretext.OrgID, users ...hiretext.UserID) error {
	for _, u := range users {
		if err := db.insertEvent(ctx, tx, &hiretext.Event{OrgID: org, UserID: u, Kind: hiretext.EventAccessChanged}); err != nil {
			return err
		}
	}
	return nil
}

func scanUser(s scanner) (*hiretext.User, error) {
	var u hiretext.User
	var perms string
	if err := s.Scan(&u.ID, &u.OrgID, &u.Email, &u.Name, &u.Role, &perms, &u.Active, &u.CreatedAt); err != nil {
		return nil, orNotFound(err, "User")
	}
	u.Permissions, _ = hiretext.ParsePermissions(perms)
	return &u, nil
}

func joinPerms(ps []hiretext.Permission) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = string(p)
	}
	return strings.Join(s, ",")
}
