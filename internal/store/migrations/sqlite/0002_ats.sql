-- The ATS core: job postings, candidates and their applications, the
-- append-only consent ledger, the search terms of the candidate pool and each
-- company's texting settings.
CREATE TABLE jobs (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES organizations(id),
	title TEXT NOT NULL,
	location TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
	applicants INTEGER NOT NULL DEFAULT 0, -- distinct candidates, counted in the application's transaction
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);
CREATE INDEX jobs_org_status ON jobs (org_id, status, id);

-- A candidate's texting consent: sms_status, and sms_phone (which phone) when
-- opted in. last_application_id orders the pool (newest application first)
-- and is its keyset; it is set in the transaction that creates the candidate.
CREATE TABLE candidates (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES organizations(id),
	first_name TEXT NOT NULL,
	last_name TEXT NOT NULL,
	email TEXT NOT NULL,
	main_phone TEXT NOT NULL,
	alternate_phone TEXT,
	sms_status TEXT NOT NULL DEFAULT 'opted_out' CHECK (sms_status IN ('opted_in', 'opted_out')),
	sms_phone TEXT CHECK (sms_phone IN ('main', 'alternate')),
	last_application_id INTEGER,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	CHECK ((sms_status = 'opted_in') = (sms_phone IS NOT NULL))
);
CREATE UNIQUE INDEX candidates_org_email ON candidates (org_id, email);
CREATE INDEX candidates_org_main_phone ON candidates (org_id, main_phone);
CREATE INDEX candidates_org_alternate_phone ON candidates (org_id, alternate_phone);
CREATE UNIQUE INDEX candidates_org_recent ON candidates (org_id, last_application_id);
CREATE INDEX candidates_org_sms_recent ON candidates (org_id, sms_status, last_application_id);

-- Each application as submitted; the candidate row holds the current details.
CREATE TABLE applications (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES organizations(id),
	candidate_id INTEGER NOT NULL REFERENCES candidates(id),
	job_id INTEGER NOT NULL REFERENCES jobs(id),
	first_name TEXT NOT NULL,
	last_name TEXT NOT NULL,
	email TEXT NOT NULL,
	main_phone TEXT NOT NULL,
	alternate_phone TEXT,
	sms_answer TEXT NOT NULL CHECK (sms_answer IN ('main', 'alternate', 'none', 'unanswered')),
	channel TEXT NOT NULL CHECK (channel IN ('form', 'api', 'import')),
	user_id INTEGER REFERENCES users(id),
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX applications_org_job ON applications (org_id, job_id, candidate_id, id);
CREATE INDEX applications_org_job_recent ON applications (org_id, job_id, id, candidate_id);
CREATE INDEX applications_org_candidate ON applications (org_id, candidate_id, id);

-- The consent ledger: one row per change of a candidate's texting consent,
-- with its evidence. Rows are never updated or deleted: a trigger refuses.
-- message_id will reference the inbound message once messages exist.
CREATE TABLE consent_events (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES organizations(id),
	candidate_id INTEGER NOT NULL REFERENCES candidates(id),
	status TEXT NOT NULL CHECK (status IN ('opted_in', 'opted_out')),
	phone TEXT CHECK (phone IN ('main', 'alternate')),
	phone_number TEXT,
	source TEXT NOT NULL CHECK (source IN ('application', 'recruiter', 'keyword', 'provider')),
	application_id INTEGER REFERENCES applications(id),
	disclosure TEXT,
	ip TEXT,
	user_agent TEXT,
	user_id INTEGER REFERENCES users(id),
	note TEXT,
	message_id INTEGER,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX consent_events_org_candidate ON consent_events (org_id, candidate_id, id);
CREATE TRIGGER consent_events_no_update BEFORE UPDATE ON consent_events
BEGIN
	SELECT RAISE(ABORT, 'consent_events is append-only');
END;
CREATE TRIGGER consent_events_no_delete BEFORE DELETE ON consent_events
BEGIN
	SELECT RAISE(ABORT, 'consent_events is append-only');
END;

-- Search terms of the pool: the folded words of each candidate's names and
-- email and the digit forms of their phones. A search is a range scan per
-- word on the primary key (prefix match), so it stays fast at any size.
CREATE TABLE candidate_terms (
	org_id INTEGER NOT NULL,
	term TEXT NOT NULL,
	candidate_id INTEGER NOT NULL REFERENCES candidates(id),
	PRIMARY KEY (org_id, term, candidate_id)
) WITHOUT ROWID;
CREATE INDEX candidate_terms_candidate ON candidate_terms (org_id, candidate_id);

-- A company's texting texts. No row means the defaults: the column defaults,
-- which are hiretext.DefaultTextingSettings (a test keeps the two equal).
CREATE TABLE texting_settings (
	org_id INTEGER PRIMARY KEY REFERENCES organizations(id),
	consent_disclosure TEXT NOT NULL DEFAULT 'By choosing a phone below, you agree that {Company} may text you at that number about your job application, such as interview scheduling and status updates. Message frequency varies. Message and data rates may apply. Reply STOP to opt out at any time and HELP for help. Consent is not a condition of applying.',
	optout_confirmation TEXT NOT NULL DEFAULT 'You''re unsubscribed from {Company} texts. No more messages will be sent. Reply START to resubscribe.',
	optout_confirmation_enabled BOOLEAN NOT NULL DEFAULT 1,
	optin_confirmation TEXT NOT NULL DEFAULT 'You''re subscribed to {Company} texts again. Reply STOP to opt out.',
	help_reply TEXT NOT NULL DEFAULT '{Company}: texts about your job application. Contact us at {Contact}. Msg & data rates may apply. Reply STOP to opt out.',
	help_contact TEXT NOT NULL DEFAULT '',
	updated_at TIMESTAMP NOT NULL,
	updated_by INTEGER REFERENCES users(id)
);
