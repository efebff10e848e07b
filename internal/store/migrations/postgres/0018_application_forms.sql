-- Application forms: a company's custom forms (the built-in Standard and DOT
-- driver applications live in the code), the form each job uses, and the
-- answers each application holds.
--
-- A custom form starts from a built-in one (base) and adds its own
-- questions, kept as JSON ([{"id","label","help","type","required",
-- "choices"}]); next_question numbers the next question added, so a removed
-- question's ID is never reused. Names are unique per company, compared by
-- name_key (as message_templates).
CREATE TABLE application_forms (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES organizations(id),
	name TEXT NOT NULL,
	name_key TEXT NOT NULL,
	base TEXT NOT NULL CHECK (base IN ('standard', 'dot')),
	questions TEXT NOT NULL,
	next_question INTEGER NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX application_forms_org_name ON application_forms (org_id, name_key);

-- The job's form: 'standard', 'dot', or a custom form's id as text. The
-- store checks the form is the company's when a job is given one, and
-- refuses to delete a form a job uses.
ALTER TABLE jobs ADD COLUMN application_form TEXT NOT NULL DEFAULT 'standard';
CREATE INDEX jobs_org_form ON jobs (org_id, application_form);

-- Each application keeps the form's name and its answers as asked
-- ([{"key","question","type","values"}]): editing or deleting the form later
-- changes neither. Erasure empties the answers.
ALTER TABLE applications ADD COLUMN form_name TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN answers TEXT NOT NULL DEFAULT '[]';

-- Whether the DOT driver application asks the Social Security number
-- (391.21(b)(2)); no row: it does not. The number is kept encrypted with
-- the installation's key (app_secrets "answers") inside the answers.
CREATE TABLE application_form_settings (
	org_id BIGINT PRIMARY KEY REFERENCES organizations(id),
	collect_ssn BOOLEAN NOT NULL
);
