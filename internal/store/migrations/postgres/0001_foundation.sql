-- Companies (tenants), their users, browser sessions and API tokens.
CREATE TABLE organizations (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name TEXT NOT NULL,
	slug TEXT NOT NULL UNIQUE,
	timezone TEXT NOT NULL,
	region TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE users (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES organizations(id),
	email TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	role TEXT NOT NULL CHECK (role IN ('admin', 'user')),
	permissions TEXT NOT NULL DEFAULT '',
	password_hash TEXT NOT NULL,
	active BOOLEAN NOT NULL DEFAULT TRUE,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX users_org_name ON users (org_id, name);

CREATE TABLE sessions (
	secret_hash TEXT PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES organizations(id),
	user_id BIGINT NOT NULL REFERENCES users(id),
	created_at TIMESTAMPTZ NOT NULL,
	last_seen_at TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_org_user ON sessions (org_id, user_id);

CREATE TABLE api_tokens (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES organizations(id),
	user_id BIGINT NOT NULL REFERENCES users(id),
	name TEXT NOT NULL,
	prefix TEXT NOT NULL,
	secret_hash TEXT NOT NULL UNIQUE,
	created_at TIMESTAMPTZ NOT NULL,
	last_used_at TIMESTAMPTZ
);
CREATE INDEX api_tokens_org_user ON api_tokens (org_id, user_id);

-- Random keys the service generates once and shares across instances (for
-- example the key that signs flash messages).
CREATE TABLE app_secrets (
	name TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
