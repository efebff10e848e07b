-- Unknown senders made candidates: a candidate made from a conversation they
-- started "texted us first" from texted_first_at on, until their consent
-- changes (setConsent clears it). They are not opted in: only a one-to-one
-- answer in that conversation may reach them, and only while the company's
-- send policy allows it (answer_texted_first, on by default).
ALTER TABLE candidates ADD COLUMN texted_first_at TIMESTAMPTZ;
ALTER TABLE send_policies ADD COLUMN answer_texted_first BOOLEAN NOT NULL DEFAULT TRUE;

-- Such a candidate has no email until they apply: the empty email is
-- nobody's, so it no longer has to be unique.
DROP INDEX candidates_org_email;
CREATE UNIQUE INDEX candidates_org_email ON candidates (org_id, email) WHERE email <> '';

-- Candidates who have not applied (made from a conversation) are listed
-- beside the pool, which walks applications; erased candidates, who have
-- no application either, are left out of this index so as not to be read.
CREATE INDEX candidates_from_texts ON candidates (org_id, id) WHERE last_application_id IS NULL AND erased_at IS NULL;
