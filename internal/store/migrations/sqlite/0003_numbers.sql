-- Texting numbers, their users, the operator's entitlements, the monthly
-- allowance counters, notifications, and the built-in SMS simulator's state.

-- What the operator granted a company: how many numbers it may have and the
-- allowance its new numbers get.
CREATE TABLE number_entitlements (
	org_id INTEGER PRIMARY KEY REFERENCES organizations(id),
	max_numbers INTEGER NOT NULL CHECK (max_numbers >= 0),
	monthly_allowance INTEGER NOT NULL CHECK (monthly_allowance >= 0),
	updated_at TIMESTAMP NOT NULL
);

-- A released number keeps its row, so its history stays readable; only one
-- active row may hold a phone, since inbound texts find the company by it.
CREATE TABLE numbers (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES organizations(id),
	phone TEXT NOT NULL,
	provider TEXT NOT NULL,
	provider_id TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL CHECK (status IN ('active', 'released')),
	monthly_allowance INTEGER NOT NULL CHECK (monthly_allowance >= 0),
	created_at TIMESTAMP NOT NULL,
	released_at TIMESTAMP
);
CREATE UNIQUE INDEX numbers_active_phone ON numbers (phone) WHERE status = 'active';
CREATE INDEX numbers_org ON numbers (org_id, status, created_at);

-- At most one number per user (the unique index); at most three users per
-- number (checked in the assigning transaction, which locks the number row).
CREATE TABLE number_users (
	org_id INTEGER NOT NULL REFERENCES organizations(id),
	number_id INTEGER NOT NULL REFERENCES numbers(id),
	user_id INTEGER NOT NULL REFERENCES users(id),
	assigned_at TIMESTAMP NOT NULL,
	PRIMARY KEY (org_id, number_id, user_id)
);
CREATE UNIQUE INDEX number_users_one_number ON number_users (org_id, user_id);

-- One counter per number and period (the calendar month in the company's
-- time zone, "YYYY-MM"). Sends reserve with a conditional update
-- (used + n <= allowance); received messages add unconditionally, so used
-- may exceed allowance. warned_at / maxed_at record that the 90% and the
-- maximum alerts fired, once per period.
CREATE TABLE number_usage (
	org_id INTEGER NOT NULL REFERENCES organizations(id),
	number_id INTEGER NOT NULL REFERENCES numbers(id),
	period TEXT NOT NULL,
	allowance INTEGER NOT NULL CHECK (allowance >= 0),
	used INTEGER NOT NULL DEFAULT 0 CHECK (used >= 0),
	resets_at TIMESTAMP NOT NULL,
	warned_at TIMESTAMP,
	maxed_at TIMESTAMP,
	PRIMARY KEY (org_id, number_id, period)
);

-- Messages for one user (allowance alerts now; the real-time layer pushes
-- them and may add kinds, so kind is not constrained here).
CREATE TABLE notifications (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES organizations(id),
	user_id INTEGER NOT NULL REFERENCES users(id),
	number_id INTEGER REFERENCES numbers(id),
	kind TEXT NOT NULL,
	period TEXT,
	created_at TIMESTAMP NOT NULL,
	read_at TIMESTAMP
);
CREATE INDEX notifications_user ON notifications (org_id, user_id, created_at);

-- The built-in SMS simulator: the numbers it provisioned, flags on simulated
-- phones, each simulated handset's messages, and the webhooks it still has
-- to deliver (status callbacks and inbound texts), retried until answered.
CREATE TABLE sim_numbers (
	phone TEXT PRIMARY KEY,
	provider_id TEXT NOT NULL UNIQUE,
	created_at TIMESTAMP NOT NULL,
	released_at TIMESTAMP
);

CREATE TABLE sim_phones (
	phone TEXT PRIMARY KEY,
	flag TEXT NOT NULL CHECK (flag IN ('invalid', 'landline')),
	updated_at TIMESTAMP NOT NULL
);

CREATE TABLE sim_handset_messages (
	id INTEGER PRIMARY KEY,
	phone TEXT NOT NULL,
	counterpart TEXT NOT NULL,
	direction TEXT NOT NULL CHECK (direction IN ('received', 'sent')),
	body TEXT NOT NULL,
	message_id TEXT NOT NULL UNIQUE,
	reference TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX sim_handset_messages_phone ON sim_handset_messages (phone, id);
CREATE UNIQUE INDEX sim_handset_messages_reference ON sim_handset_messages (counterpart, reference) WHERE reference <> '';

CREATE TABLE sim_callbacks (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('status', 'inbound')),
	message_id TEXT NOT NULL,
	from_phone TEXT NOT NULL,
	to_phone TEXT NOT NULL,
	body TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT '',
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at TIMESTAMP NOT NULL,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX sim_callbacks_due ON sim_callbacks (next_attempt_at, id);
