-- Live-update events (issue 7): one row per change browsers are told about, written in the
-- transaction that makes the change and kept for a day so reconnecting clients catch up.
-- The same transaction runs pg_notify('hiretext_events', id), which PostgreSQL delivers to
-- every instance's listener only when it commits.
CREATE TABLE events (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES organizations(id),
	number_id BIGINT NOT NULL DEFAULT 0,
	user_id BIGINT NOT NULL DEFAULT 0,
	kind TEXT NOT NULL,
	data TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX events_org_id ON events (org_id, id);
CREATE INDEX events_created_at ON events (created_at, id);
