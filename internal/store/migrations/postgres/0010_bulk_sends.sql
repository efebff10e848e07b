-- A send to several candidates ("Text selected") is recorded with the key
-- its form carried, so that posting the same form again (a reload, the back
-- button, a double click) shows the first send's results instead of texting
-- everyone twice, and so that its results page is an address that can be
-- reloaded and followed live.
CREATE TABLE bulk_sends (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES organizations(id),
	user_id BIGINT NOT NULL REFERENCES users(id),
	send_key TEXT NOT NULL,
	body TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX bulk_sends_key ON bulk_sends (user_id, send_key);

-- One row per requested candidate, in the order of the request.
CREATE TABLE bulk_send_results (
	bulk_send_id BIGINT NOT NULL REFERENCES bulk_sends(id),
	position INTEGER NOT NULL,
	candidate_id BIGINT NOT NULL,
	message_id BIGINT REFERENCES messages(id), -- NULL when skipped
	skipped TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (bulk_send_id, position)
);
