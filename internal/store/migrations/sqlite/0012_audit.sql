-- The audit trail of administrative acts: who (a user, the operator on the
-- command line, or hiretext itself), what (a dotted action such as
-- number.generated), when, on what, with which particulars (JSON; never a
-- password, a token or the words of a text) and from which address. Each
-- entry is written in the transaction that makes its change. Rows are never
-- updated or deleted: triggers refuse. AUTOINCREMENT, so ids never go back.
CREATE TABLE audit_events (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	org_id INTEGER NOT NULL REFERENCES organizations(id),
	at TIMESTAMP NOT NULL,
	actor_kind TEXT NOT NULL CHECK (actor_kind IN ('user', 'operator', 'system')),
	actor_user_id INTEGER REFERENCES users(id),
	ip TEXT NOT NULL DEFAULT '',
	action TEXT NOT NULL,
	target TEXT NOT NULL DEFAULT '',
	details TEXT NOT NULL DEFAULT '{}',
	CHECK ((actor_kind = 'user') = (actor_user_id IS NOT NULL))
);
-- The page and the API read a company's entries newest first, by time or by
-- action within a time range.
CREATE INDEX audit_events_org_time ON audit_events (org_id, at, id);
CREATE INDEX audit_events_org_action ON audit_events (org_id, action, at, id);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
	SELECT RAISE(ABORT, 'audit_events is append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
	SELECT RAISE(ABORT, 'audit_events is append-only');
END;
