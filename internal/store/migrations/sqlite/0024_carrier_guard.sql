-- The carrier filtering guard: when carriers filter a number's texts (30007)
-- or refuse them for its registration (30032, 30034) more often than the
-- company allows, the number's bulk and scheduled texts pause until an
-- administrator resumes them. One-to-one texts keep going.

-- A text sent to several candidates at once (a bulk send): the guard pauses
-- these, and a user's scheduled texts (hold 'schedule'), not one-to-one texts.
ALTER TABLE messages ADD COLUMN bulk BOOLEAN NOT NULL DEFAULT 0;

-- A company without a row has the defaults (hiretext.DefaultCarrierGuard):
-- more than error_limit errors in window_minutes pause; error_limit 0 turns
-- the guard off.
CREATE TABLE carrier_guard_settings (
	org_id INTEGER PRIMARY KEY REFERENCES organizations(id),
	error_limit INTEGER NOT NULL,
	window_minutes INTEGER NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	updated_by INTEGER REFERENCES users(id)
);

-- One row per number that ever had such an error. The row is also the lock
-- that makes concurrent status callbacks count one after the other, so the
-- guard trips once. paused_at is set while paused; problem and code say
-- why; errors is how many errors the window held when it tripped. Errors
-- before counted_since (the last resume) are not counted again.
CREATE TABLE carrier_guards (
	number_id INTEGER PRIMARY KEY REFERENCES numbers(id),
	org_id INTEGER NOT NULL REFERENCES organizations(id),
	paused_at TIMESTAMP,
	problem TEXT NOT NULL DEFAULT '',
	code TEXT NOT NULL DEFAULT '',
	errors INTEGER NOT NULL DEFAULT 0,
	counted_since TIMESTAMP,
	resumed_at TIMESTAMP,
	resumed_by INTEGER REFERENCES users(id)
);
CREATE INDEX carrier_guards_org ON carrier_guards (org_id);

-- The errors counted, one per message (a repeated callback counts once).
-- Rows older than the longest window are deleted as new ones arrive. No key
-- to messages: retention may delete the message first.
CREATE TABLE carrier_errors (
	message_id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES organizations(id),
	number_id INTEGER NOT NULL,
	code TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX carrier_errors_number ON carrier_errors (number_id, created_at);
