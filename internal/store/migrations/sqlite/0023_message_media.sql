-- Files (pictures) a candidate sends with a text (MMS). The provider's
-- webhook announces each by URL and declared type; the row is written in
-- the inbound text's transaction (status pending) and the file fetched by
-- the media worker, claimed with a lease like the email outbox, retried
-- with backoff, and kept here (content) once checked, or refused/failed
-- with why. Erasure deletes a candidate's files with their texts.
CREATE TABLE message_media (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES organizations(id),
	message_id INTEGER NOT NULL REFERENCES messages(id),
	position INTEGER NOT NULL,
	provider TEXT NOT NULL,
	provider_url TEXT NOT NULL,
	declared_type TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('pending', 'stored', 'refused', 'failed')),
	content_type TEXT NOT NULL DEFAULT '',
	size INTEGER NOT NULL DEFAULT 0,
	content BLOB,
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at TIMESTAMP NOT NULL,
	lease_until TIMESTAMP,
	last_error TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL,
	fetched_at TIMESTAMP,
	UNIQUE (message_id, position)
);
CREATE INDEX message_media_due ON message_media (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX message_media_message ON message_media (org_id, message_id, position);

-- The simulator's own copy of a file a simulated phone attached to a text:
-- it serves it at its media URL, as a carrier does, so hiretext fetches
-- it by the same path as a Twilio picture.
CREATE TABLE sim_media (
	media_id TEXT PRIMARY KEY,
	message_id TEXT NOT NULL,
	position INTEGER NOT NULL,
	content_type TEXT NOT NULL,
	content BLOB NOT NULL,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX sim_media_message ON sim_media (message_id, position);

-- How many files a text came with, kept on the text so the SMS Activity
-- report and its exports list attachments without reading message_media
-- for every row. It stays after erasure deletes the files, like the text.
ALTER TABLE messages ADD COLUMN media_count INTEGER NOT NULL DEFAULT 0;
