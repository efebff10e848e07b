-- Two-way texting: conversations, messages (the outbox and the inbox), status
-- callbacks that raced their send, and texts to numbers no company owns.
CREATE TABLE conversations (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES organizations(id),
	number_id BIGINT NOT NULL REFERENCES numbers(id),
	candidate_id BIGINT REFERENCES candidates(id), -- NULL: an unknown sender
	phone TEXT NOT NULL,                             -- the remote phone
	last_message_at TIMESTAMPTZ NOT NULL,
	last_message_id BIGINT,
	last_outbound_at TIMESTAMPTZ,
	unread INTEGER NOT NULL DEFAULT 0,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX conversations_candidate ON conversations (number_id, candidate_id) WHERE candidate_id IS NOT NULL;
CREATE UNIQUE INDEX conversations_unknown ON conversations (number_id, phone) WHERE candidate_id IS NULL;
CREATE INDEX conversations_org_number_recent ON conversations (org_id, number_id, last_message_at);
CREATE INDEX conversations_org_candidate ON conversations (org_id, candidate_id);

CREATE TABLE messages (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES organizations(id),
	number_id BIGINT NOT NULL REFERENCES numbers(id),
	conversation_id BIGINT NOT NULL REFERENCES conversations(id),
	candidate_id BIGINT REFERENCES candidates(id),
	user_id BIGINT REFERENCES users(id),
	direction TEXT NOT NULL CHECK (direction IN ('outbound', 'inbound')),
	kind TEXT NOT NULL,
	from_phone TEXT NOT NULL,
	to_phone TEXT NOT NULL,
	body TEXT NOT NULL,
	segments INTEGER NOT NULL,
	status TEXT NOT NULL,
	error_code TEXT NOT NULL DEFAULT '',
	error_message TEXT NOT NULL DEFAULT '',
	keyword TEXT NOT NULL DEFAULT '',
	looks_like_opt_out BOOLEAN NOT NULL DEFAULT FALSE,
	provider TEXT NOT NULL,
	provider_message_id TEXT,
	period TEXT NOT NULL,                 -- the allowance month (YYYY-MM, company time) it counts against
	counted BOOLEAN NOT NULL DEFAULT TRUE,   -- whether it still holds a unit of that month's allowance
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at TIMESTAMPTZ NOT NULL,
	lease_until TIMESTAMPTZ,                -- set while a dispatcher has it in hand
	sent_at TIMESTAMPTZ,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX messages_provider_id ON messages (provider, provider_message_id);
CREATE INDEX messages_due ON messages (number_id, next_attempt_at) WHERE status = 'queued';
CREATE INDEX messages_conversation ON messages (org_id, conversation_id, created_at);
CREATE INDEX messages_candidate ON messages (org_id, number_id, candidate_id, created_at);
CREATE INDEX messages_org_created ON messages (org_id, created_at, id);

CREATE TABLE pending_reports (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	provider TEXT NOT NULL,
	provider_message_id TEXT NOT NULL,
	status TEXT NOT NULL,
	error_code TEXT NOT NULL,
	error_message TEXT NOT NULL,
	invalid_recipient BOOLEAN NOT NULL,
	opted_out BOOLEAN NOT NULL,
	received_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX pending_reports_message ON pending_reports (provider, provider_message_id);

CREATE TABLE unrouted_messages (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	provider TEXT NOT NULL,
	provider_message_id TEXT NOT NULL,
	from_phone TEXT NOT NULL,
	to_phone TEXT NOT NULL,
	body TEXT NOT NULL,
	received_at TIMESTAMPTZ NOT NULL,
	UNIQUE (provider, provider_message_id)
);
