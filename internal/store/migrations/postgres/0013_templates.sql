-- Text templates, signatures, and the template each text came from.
--
-- A template is the company's (owner_id NULL, managed by administrators) or
-- one user's. Names are unique per owner, compared by name_key (the name in
-- lower case with its spaces collapsed, computed by hiretext.TemplateNameKey
-- so both databases compare alike).
CREATE TABLE message_templates (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES organizations(id),
	owner_id BIGINT REFERENCES users(id), -- NULL: a company template
	name TEXT NOT NULL,
	name_key TEXT NOT NULL,
	body TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX message_templates_company_name ON message_templates (org_id, name_key) WHERE owner_id IS NULL;
CREATE UNIQUE INDEX message_templates_personal_name ON message_templates (org_id, owner_id, name_key) WHERE owner_id IS NOT NULL;

-- A user's signature, added to the first text of each conversation or to
-- every text (every_text). No row: no signature.
CREATE TABLE user_signatures (
	user_id BIGINT PRIMARY KEY REFERENCES users(id),
	org_id BIGINT NOT NULL REFERENCES organizations(id),
	body TEXT NOT NULL,
	every_text BOOLEAN NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);

-- The template a recruiter's text came from, and its name when the text was
-- sent: a template may be renamed or deleted later without changing the
-- record, so template_id has no foreign key.
ALTER TABLE messages ADD COLUMN template_id BIGINT;
ALTER TABLE messages ADD COLUMN template_name TEXT NOT NULL DEFAULT '';
