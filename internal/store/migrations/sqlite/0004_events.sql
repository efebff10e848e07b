-- Live-update events (issue 7): one row per change browsers are told about, written in the
-- transaction that makes the change and kept for a day so reconnecting clients catch up.
-- AUTOINCREMENT: an id is never reused, even after pruning, because clients resume by id.
CREATE TABLE events (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	org_id INTEGER NOT NULL REFERENCES organizations(id),
	number_id INTEGER NOT NULL DEFAULT 0,
	user_id INTEGER NOT NULL DEFAULT 0,
	kind TEXT NOT NULL,
	data TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX events_org_id ON events (org_id, id);
CREATE INDEX events_created_at ON events (created_at, id);
