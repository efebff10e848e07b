-- Response facts (issue 22): what the SMS Activity report's response
-- figures need of the texts, kept in the transactions that write them, so
-- the report reads a few rows per exchange instead of every text of the
-- period. Times are Unix microseconds: the report reads hundreds of
-- thousands of them for a year, and integers cost nothing to decode. See
-- docs/architecture.md, "Response figures". No keys to
-- conversations: linking an unknown sender deletes theirs, and the store
-- rebuilds the facts of the conversation the texts moved to.

-- One row per conversation: the newest text its facts hold (a text older
-- than that, such as a held text that went, rebuilds them), and whether
-- they must be rebuilt from the texts before use (every conversation that
-- existed before this migration: the report rebuilds them on first use).
-- Writers lock this row (moving last_at on, in the one statement that
-- reads it) before changing the conversation's facts.
CREATE TABLE response_conversations (
	conversation_id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES organizations(id),
	last_at BIGINT,
	prev_at BIGINT, -- last_at before the last writer moved it on
	stale INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX response_conversations_stale ON response_conversations (org_id, conversation_id) WHERE stale = 1;
INSERT INTO response_conversations (conversation_id, org_id, last_at, stale) SELECT id, org_id, NULL, 1 FROM conversations;

-- A run of one user's texts (user_id 0: any user's, for the number's
-- figures) in a conversation between two of the candidate's texts, at most
-- 7 days long (a longer run is split, so a period's runs start at most 7
-- days before it), with the time of the candidate's next text. open = 1
-- for the run new texts extend.
CREATE TABLE response_segments (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES organizations(id),
	conversation_id BIGINT NOT NULL,
	number_id BIGINT NOT NULL,
	user_id BIGINT NOT NULL,
	first_at BIGINT NOT NULL,
	last_at BIGINT NOT NULL,
	reply_at BIGINT,
	open INTEGER NOT NULL
);
CREATE UNIQUE INDEX response_segments_open ON response_segments (conversation_id, user_id) WHERE open = 1;
CREATE INDEX response_segments_awaiting ON response_segments (conversation_id) WHERE reply_at IS NULL;
CREATE INDEX response_segments_pair ON response_segments (conversation_id, user_id, last_at);

-- Who texted whom: one row per conversation and user (user_id 0: any
-- user), with their first and last texts, so the report finds the
-- conversations a user texted in a period, and then the first run of each,
-- without reading every run.
CREATE TABLE response_pairs (
	conversation_id BIGINT NOT NULL,
	user_id BIGINT NOT NULL,
	org_id BIGINT NOT NULL REFERENCES organizations(id),
	number_id BIGINT NOT NULL,
	first_at BIGINT NOT NULL,
	last_at BIGINT NOT NULL,
	PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX response_pairs_period ON response_pairs (org_id, last_at);

-- A wait: a run of the candidate's texts from the first (since) to the
-- user's text that answered it (answered_at, answer_id, user_id; NULL while
-- nobody has).
CREATE TABLE response_waits (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES organizations(id),
	conversation_id BIGINT NOT NULL,
	number_id BIGINT NOT NULL,
	since BIGINT NOT NULL,
	answered_at BIGINT,
	answer_id BIGINT,
	user_id BIGINT
);
CREATE UNIQUE INDEX response_waits_open ON response_waits (conversation_id) WHERE answered_at IS NULL;
CREATE INDEX response_waits_conversation ON response_waits (conversation_id);
-- Covering: the report reads a year of answers from this index alone.
CREATE INDEX response_waits_answered ON response_waits (org_id, answered_at, since, user_id, number_id, conversation_id, answer_id)
	WHERE answered_at IS NOT NULL;
