-- Internal notes on a conversation: written by the number's users for one
-- another, never sent (so neither the allowance nor the SMS Activity report
-- counts them). A note is about the candidate: their export holds it and
-- their erasure deletes it; linking an unknown sender's conversation to a
-- candidate moves its notes with its texts.
CREATE TABLE conversation_notes (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES organizations(id),
	conversation_id BIGINT NOT NULL REFERENCES conversations(id),
	user_id BIGINT NOT NULL REFERENCES users(id),
	body TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX conversation_notes_conversation ON conversation_notes (org_id, conversation_id, created_at, id);
