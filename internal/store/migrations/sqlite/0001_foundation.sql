-- Companies (tenants), their users, browser sessions and API tokens.
CREATE TABLE organizations (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	slug TEXT NOT NULL UNIQUE,
	timezone TEXT NOT NULL,
	region TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);

CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES organizations(id),
	email TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	role TEXT NOT NULL CHECK (role IN ('admin', 'user')),
	permissions TEXT NOT NULL DEFAULT '',
	password_hash TEXT NOT NULL,
	active BOOLEAN NOT NULL DEFAULT 1,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX users_org_name ON users (org_id, name);

CREATE TABLE sessions (
	secret_hash TEXT PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES organizations(id),
	user_id INTEGER NOT NULL REFERENCES users(id),
	created_at TIMESTAMP NOT NULL,
	last_seen_at TIMESTAMP NOT NULL,
	expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_org_user ON sessions (org_id, user_id);

CREATE TABLE api_tokens (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES organizations(id),
	user_id INTEGER NOT NULL REFERENCES users(id),
	name TEXT NOT NULL,
	prefix TEXT NOT NULL,
	secret_hash TEXT NOT NULL UNIQUE,
	created_at TIMESTAMP NOT NULL,
	last_used_at TIMESTAMP
);
CREATE INDEX api_tokens_org_user ON api_tokens (org_id, user_id);

-- Random keys the service generates once and shares across instances (for
-- example the key that signs flash messages).
CREATE TABLE app_secrets (
	name TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
