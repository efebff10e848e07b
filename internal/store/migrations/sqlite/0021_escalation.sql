-- Escalation (issue 18): a company's policy for replies nobody answers.
-- Business hours are kept as the send windows' quiet hours are (0015): a
-- JSON week of clock times, read in the company's time zone.
CREATE TABLE escalation_policies (
	org_id INTEGER PRIMARY KEY REFERENCES organizations(id),
	enabled BOOLEAN NOT NULL,
	business_hours TEXT NOT NULL,
	team_after_hours INTEGER NOT NULL,
	admins_after_hours INTEGER NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	updated_by INTEGER REFERENCES users(id)
);

-- When the escalation job next looks at a waiting conversation: set when
-- the wait starts (if the company escalates), then moved to each step's due
-- time. The job walks this partial index from its oldest entry, so a run
-- reads the few conversations due, never the whole table.
ALTER TABLE conversations ADD COLUMN escalate_at TIMESTAMP;
CREATE INDEX conversations_escalate_due ON conversations (escalate_at, id) WHERE escalate_at IS NOT NULL;

-- Each step of an escalation, once per wait: the unique key makes it so
-- however many instances run the job at once. No key to conversations:
-- linking an unknown sender deletes theirs, and the history may stay.
CREATE TABLE escalations (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES organizations(id),
	conversation_id INTEGER NOT NULL,
	waiting_since TIMESTAMP NOT NULL,
	step INTEGER NOT NULL CHECK (step IN (1, 2)),
	created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX escalations_once ON escalations (conversation_id, waiting_since, step);

-- Whom each step told, for the conversation page.
CREATE TABLE escalation_recipients (
	escalation_id INTEGER NOT NULL REFERENCES escalations(id),
	user_id INTEGER NOT NULL REFERENCES users(id),
	PRIMARY KEY (escalation_id, user_id)
);

-- An escalation's notification names its conversation (no key, as above).
ALTER TABLE notifications ADD COLUMN conversation_id INTEGER;
