-- The audit trail of administrative acts: who (a user, the operator on the
-- command line, or hiretext itself), what (a dotted action such as
-- number.generated), when, on what, with which particulars (JSON; never a
-- password, a token or the words of a text) and from which address. Each
-- entry is written in the transaction that makes its change. Rows are never
-- updated or deleted: a trigger refuses.
CREATE TABLE audit_events (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES organizations(id),
	at TIMESTAMPTZ NOT NULL,
	actor_kind TEXT NOT NULL CHECK (actor_kind IN ('user', 'operator', 'system')),
	actor_user_id BIGINT REFERENCES users(id),
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
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit_events is append-only';
END
$$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
	FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
