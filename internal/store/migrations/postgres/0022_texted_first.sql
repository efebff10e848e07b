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
