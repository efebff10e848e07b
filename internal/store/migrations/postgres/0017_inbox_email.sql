-- The inbox triages: a conversation needs a reply from the candidate's
-- first text after a user last wrote (waiting_since) until a user answers
-- or marks it Done; Done (done_at) closes it until the candidate writes
-- again; last_outbound_id is the newest text a user wrote, whose status
-- says whether the conversation is Failed or Scheduled.
ALTER TABLE conversations ADD COLUMN waiting_since TIMESTAMPTZ;
ALTER TABLE conversations ADD COLUMN done_at TIMESTAMPTZ;
ALTER TABLE conversations ADD COLUMN last_outbound_id BIGINT;
UPDATE conversations SET last_outbound_id = (SELECT MAX(m.id) FROM messages m
	WHERE m.conversation_id = conversations.id AND m.direction = 'outbound' AND m.kind = 'recruiter');
-- Texts the candidate sent since then, keywords (STOP, HELP…) aside,
-- are waiting; the automatic answer to a keyword is no answer.
UPDATE conversations SET waiting_since = (SELECT MIN(m.created_at) FROM messages m
	WHERE m.conversation_id = conversations.id AND m.direction = 'inbound' AND m.keyword = ''
	AND (conversations.last_outbound_id IS NULL OR m.id > conversations.last_outbound_id));
-- The Needs reply and Done filters walk their own partial indexes, as the
-- unread part of the inbox does (0009), so that a few waiting conversations
-- among thousands cost a few rows.
CREATE INDEX conversations_org_number_waiting ON conversations (org_id, number_id, last_message_at, id) WHERE waiting_since IS NOT NULL;
CREATE INDEX conversations_org_number_done ON conversations (org_id, number_id, last_message_at, id) WHERE done_at IS NOT NULL;

-- Notification emails are an outbox too: each is written in the transaction
-- of the change it tells about and sent by the mail worker, claimed with a
-- lease like a text (so several instances send each once, and one cut short
-- by a crash is sent again), retried with backoff, and kept with why when
-- given up.
CREATE TABLE email_outbox (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES organizations(id),
	user_id BIGINT REFERENCES users(id),
	to_addr TEXT NOT NULL,
	subject TEXT NOT NULL,
	body_text TEXT NOT NULL,
	body_html TEXT NOT NULL,
	-- skipped: an away-reply email whose user came back, or whose candidate
	-- was answered, before it was due
	status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed', 'skipped')),
	kind TEXT NOT NULL DEFAULT '',                  -- away_reply, allowance, or '' for an email sent as written
	conversation_id BIGINT,                         -- what an away-reply email is about (no key: linking an unknown sender removes theirs)
	candidate_id BIGINT,                            -- whose name it holds: erasure deletes it
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at TIMESTAMPTZ NOT NULL,
	lease_until TIMESTAMPTZ,
	last_error TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMPTZ NOT NULL,
	sent_at TIMESTAMPTZ
);
CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at, id) WHERE status = 'queued';
-- At most one away-reply email per conversation and user in a while.
CREATE INDEX email_outbox_conversation ON email_outbox (conversation_id, user_id, created_at);
CREATE INDEX email_outbox_candidate ON email_outbox (org_id, candidate_id);

-- Email when a candidate replies while the user is away: their choice
-- (on by default), and when they last had a hiretext page open (each
-- instance writes, once a minute, one statement for the users it streams
-- live updates to: never a write per request).
ALTER TABLE users ADD COLUMN notify_away_reply BOOLEAN NOT NULL DEFAULT TRUE;
-- Allowance alerts (90%, maximum) by email as well as in the bell: their choice, on by default.
ALTER TABLE users ADD COLUMN notify_allowance BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE users ADD COLUMN seen_at TIMESTAMPTZ;
