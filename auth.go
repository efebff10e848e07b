package hiretext

import (
	"context"
	"time"
)

// Session is a logged-in browser. The cookie carries a random secret; only
// its hash is stored.
type Session struct {
	UserID     UserID
	OrgID      OrgID
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// SessionPolicy bounds how long a session lives.
type SessionPolicy struct {
	Idle     time.Duration // ends after this long without a request
	Absolute time.Duration // ends this long after login, whatever happens
}

// DefaultSessionPolicy is a working day of idleness and a week at most.
var DefaultSessionPolicy = SessionPolicy{Idle: 12 * time.Hour, Absolute: 7 * 24 * time.Hour}

// APIToken is a bearer token for the JSON API. Only its hash is stored; the
// secret is shown once, when it is created.
type APIToken struct {
	ID         TokenID
	OrgID      OrgID
	UserID     UserID
	Name       string
	Prefix     string // the first characters of the secret, to tell tokens apart
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

// AuthService authenticates people and API clients.
type AuthService interface {
	// Authenticate returns the active user with this email and password, or
	// an EUnauthorized error that does not say which of the two was wrong.
	Authenticate(ctx context.Context, email, password string) (*User, error)
	// CreateSession starts a session for user and returns its secret.
	CreateSession(ctx context.Context, user *User) (secret string, err error)
	// SessionUser returns the user behind a session secret, extending its
	// idle expiry; EUnauthorized when it is unknown, expired or the user is
	// deactivated.
	SessionUser(ctx context.Context, secret string) (*User, error)
	// DeleteSession ends a session (logout).
	DeleteSession(ctx context.Context, secret string) error
	// CreateToken issues an API token for a user and returns its secret.
	CreateToken(ctx context.Context, org OrgID, user UserID, name string) (*APIToken, string, error)
	// TokenUser returns the active user behind a token secret.
	TokenUser(ctx context.Context, secret string) (*User, error)
	// ListTokens lists a user's live tokens.
	ListTokens(ctx context.Context, org OrgID, user UserID) ([]*APIToken, error)
	// RevokeToken deletes one of a user's tokens.
	RevokeToken(ctx context.Context, org OrgID, user UserID, id TokenID) error
}
