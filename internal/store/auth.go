package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"github.com/hiretext/hiretext"
)

// tokenPrefix marks hiretext API tokens so secret scanners can spot them.
const tokenPrefix = "ht_"

func errBadLogin() error {
	return hiretext.Errorf(hiretext.EUnauthorized, "The email or password is incorrect.")
}

// Authenticate returns the active user with email and password.
func (db *DB) Authenticate(ctx context.Context, email, password string) (*hiretext.User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	var hash string
	var u *hiretext.User
	row := db.reader().queryRow(ctx, "SELECT "+userColumns+", password_hash FROM users WHERE email = ?", email)
	u, err := scanUserWith(row, &hash)
	if err != nil && hiretext.ErrorCode(err) != hiretext.ENotFound {
		return nil, err
	}
	if u == nil {
		// One derivation either way, so the time taken does not tell which
		// emails have accounts (in any company: emails are global).
		hash = db.hasher.Unmatchable()
	}
	ok, err := db.hasher.Verify(ctx, hash, password)
	if err != nil {
		return nil, err
	}
	if u == nil || !ok || !u.Active {
		return nil, errBadLogin()
	}
	return u, nil
}

func scanUserWith(s scanner, extra ...any) (*hiretext.User, error) {
	var u hiretext.User
	var perms string
	dest := append([]any{&u.ID, &u.OrgID, &u.Email, &u.Name, &u.Role, &perms, &u.Active, &u.CreatedAt}, extra...)
	if err := s.Scan(dest...); err != nil {
		return nil, orNotFound(err, "User")
	}
	u.Permissions, _ = hiretext.ParsePermissions(perms)
	return &u, nil
}

// newSecret returns 32 random bytes, URL-safe base64 encoded.
func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashSecret is what is stored for a session or token secret. The secrets
// are 256-bit random values, so a fast hash is enough.
func hashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// CreateSession starts a session for u and returns its secret.
func (db *DB) CreateSession(ctx context.Context, u *hiretext.User) (string, error) {
	secret := newSecret()
	now := db.now()
	err := db.inTx(ctx, func(tx conn) error {
		// Housekeeping: expired sessions of this user go when a new one starts.
		if _, err := tx.exec(ctx, "DELETE FROM sessions WHERE org_id = ? AND user_id = ? AND expires_at < ?", u.OrgID, u.ID, now); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO sessions (secret_hash, org_id, user_id, created_at, last_seen_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?)`, hashSecret(secret), u.OrgID, u.ID, now, now, now.Add(db.sessions.Absolute))
		return err
	})
	return secret, err
}

// sessionTouchInterval limits how often a session's last-seen time is
// written: once a minute is precise enough for a 12-hour idle limit and
// keeps page views from being writes.
const sessionTouchInterval = time.Minute

// SessionUser returns the active user behind a session secret.
func (db *DB) SessionUser(ctx context.Context, secret string) (*hiretext.User, error) {
	if secret == "" {
		return nil, hiretext.Errorf(hiretext.EUnauthorized, "Please log in.")
	}
	var lastSeen, expires time.Time
	row := db.reader().queryRow(ctx, `SELECT u.id, u.org_id, u.email, u.name, u.role, u.permissions, u.active, u.created_at,
		s.last_seen_at, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id AND u.org_id = s.org_id
		WHERE s.secret_hash = ?`, hashSecret(secret))
	u, err := scanUserWith(row, &lastSeen, &expires)
	now := db.now()
	switch {
	case hiretext.ErrorCode(err) == hiretext.ENotFound:
		return nil, hiretext.Errorf(hiretext.EUnauthorized, "Your session has ended. Please log in again.")
	case err != nil:
		return nil, err
	case !u.Active || now.After(expires) || now.Sub(lastSeen) > db.sessions.Idle:
		return nil, hiretext.Errorf(hiretext.EUnauthorized, "Your session has ended. Please log in again.")
	}
	if now.Sub(lastSeen) > sessionTouchInterval {
		err = db.inTx(ctx, func(tx conn) error {
			_, err := tx.exec(ctx, "UPDATE sessions SET last_seen_at = ? WHERE secret_hash = ?", now, hashSecret(secret))
			return err
		})
	}
	return u, err
}

// DeleteSession ends a session.
func (db *DB) DeleteSession(ctx context.Context, secret string) error {
	return db.inTx(ctx, func(tx conn) error {
		_, err := tx.exec(ctx, "DELETE FROM sessions WHERE secret_hash = ?", hashSecret(secret))
		return err
	})
}

// CreateToken issues an API token for a user of org and returns its secret.
func (db *DB) CreateToken(ctx context.Context, org hiretext.OrgID, user hiretext.UserID, name string) (*hiretext.APIToken, string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "API token"
	}
	if err := hiretext.CheckText(name, hiretext.SingleLine); err != nil {
		return nil, "", hiretext.FieldError(hiretext.ErrorMessage(err), map[string]string{"name": hiretext.ErrorMessage(err)})
	}
	if len(name) > 100 {
		return nil, "", hiretext.FieldError("The name is too long.", map[string]string{"name": "Use at most 100 characters."})
	}
	secret := tokenPrefix + newSecret()
	t := &hiretext.APIToken{OrgID: org, UserID: user, Name: name, Prefix: secret[:len(tokenPrefix)+6], CreatedAt: db.now()}
	err := db.inTx(ctx, func(tx conn) error {
		var active bool
		err := tx.queryRow(ctx, "SELECT active FROM users WHERE org_id = ? AND id = ?", org, user).Scan(&active)
		if err != nil {
			return orNotFound(err, "User")
		}
		if !active {
			return hiretext.Errorf(hiretext.EInvalid, "The user is deactivated.")
		}
		if err := tx.queryRow(ctx, `INSERT INTO api_tokens (org_id, user_id, name, prefix, secret_hash, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, org, user, t.Name, t.Prefix, hashSecret(secret), t.CreatedAt).Scan(&t.ID); err != nil {
			return err
		}
		return db.recordAudit(ctx, tx, org, hiretext.AuditTokenCreated, auditTarget("token", t.ID),
			hiretext.AuditDetails{"user_id": idText(user), "name": t.Name})
	})
	if err != nil {
		return nil, "", err
	}
	return t, secret, nil
}

// TokenUser returns the active user behind a token secret.
func (db *DB) TokenUser(ctx context.Context, secret string) (*hiretext.User, error) {
	if !strings.HasPrefix(secret, tokenPrefix) {
		return nil, hiretext.Errorf(hiretext.EUnauthorized, "The API token is not valid.")
	}
	var id hiretext.TokenID
	var lastUsed sql.Null[time.Time]
	row := db.reader().queryRow(ctx, `SELECT u.id, u.org_id, u.email, u.name, u.role, u.permissions, u.active, u.created_at,
		t.id, t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id AND u.org_id = t.org_id
		WHERE t.secret_hash = ?`, hashSecret(secret))
	u, err := scanUserWith(row, &id, &lastUsed)
	if hiretext.ErrorCode(err) == hiretext.ENotFound || (err == nil && !u.Active) {
		return nil, hiretext.Errorf(hiretext.EUnauthorized, "The API token is not valid.")
	}
	if err != nil {
		return nil, err
	}
	now := db.now()
	if !lastUsed.Valid || now.Sub(lastUsed.V) > sessionTouchInterval {
		err = db.inTx(ctx, func(tx conn) error {
			_, err := tx.exec(ctx, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", now, id)
			return err
		})
	}
	return u, err
}

// ListTokens lists a user's tokens, newest first.
func (db *DB) ListTokens(ctx context.Context, org hiretext.OrgID, user hiretext.UserID) ([]*hiretext.APIToken, error) {
	return queryAll(ctx, db.reader(), scanToken, `SELECT id, org_id, user_id, name, prefix, created_at, last_used_at
		FROM api_tokens WHERE org_id = ? AND user_id = ? ORDER BY created_at DESC, id DESC`, org, user)
}

func scanToken(row scanner) (*hiretext.APIToken, error) {
	var t hiretext.APIToken
	var lastUsed sql.Null[time.Time]
	if err := row.Scan(&t.ID, &t.OrgID, &t.UserID, &t.Name, &t.Prefix, &t.CreatedAt, &lastUsed); err != nil {
		return nil, err
	}
	if lastUsed.Valid {
		t.LastUsedAt = &lastUsed.V
	}
	return &t, nil
}

// RevokeToken deletes one of a user's tokens.
func (db *DB) RevokeToken(ctx context.Context, org hiretext.OrgID, user hiretext.UserID, id hiretext.TokenID) error {
	return db.inTx(ctx, func(tx conn) error {
		var name string
		err := tx.queryRow(ctx, "DELETE FROM api_tokens WHERE org_id = ? AND user_id = ? AND id = ? RETURNING name", org, user, id).Scan(&name)
		if err != nil {
			return orNotFound(err, "Token")
		}
		return db.recordAudit(ctx, tx, org, hiretext.AuditTokenRevoked, auditTarget("token", id),
			hiretext.AuditDetails{"user_id": idText(user), "name": name})
	})
}
