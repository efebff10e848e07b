-- Consent beyond keywords (issue 19): Spanish automatic replies, a consent
-- ledger whose personal values can be erased while it stays verifiable, a
-- per-company hash chain over it, erasure and retention.

-- Spanish versions of the automatic replies, sent when the candidate wrote in
-- Spanish (BAJA, "no me escriban"). The defaults are hiretext's.
ALTER TABLE texting_settings ADD COLUMN optout_confirmation_es TEXT NOT NULL DEFAULT 'Cancelaste los mensajes de {Company}. No recibirás más mensajes. Responde COMENZAR para volver a recibirlos.';
ALTER TABLE texting_settings ADD COLUMN optin_confirmation_es TEXT NOT NULL DEFAULT 'Volverás a recibir mensajes de {Company}. Responde BAJA para cancelarlos.';
ALTER TABLE texting_settings ADD COLUMN help_reply_es TEXT NOT NULL DEFAULT '{Company}: mensajes sobre tu solicitud de empleo. Escríbenos a {Contact}. Pueden aplicar tarifas de mensajes y datos. Responde BAJA para cancelar.';

-- The ledger keeps no personal value. What an entry says about a person (the
-- phone number, an applicant's address and browser, the note, which may
-- quote their text) moves to consent_evidence, which erasure may delete; the
-- ledger keeps their keyed hashes in consent_chain. This is the one time the
-- ledger's rows change: the columns leave the table (dropping a column fires
-- no trigger), the copies land in consent_evidence first, and the triggers
-- that refuse UPDATE and DELETE stay as they were.
CREATE TABLE consent_evidence (
	event_id BIGINT PRIMARY KEY REFERENCES consent_events(id),
	org_id BIGINT NOT NULL REFERENCES organizations(id),
	phone_number TEXT NOT NULL DEFAULT '',
	ip TEXT NOT NULL DEFAULT '',
	user_agent TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT ''
);
INSERT INTO consent_evidence (event_id, org_id, phone_number, ip, user_agent, note)
	SELECT id, org_id, COALESCE(phone_number, ''), COALESCE(ip, ''), COALESCE(user_agent, ''), COALESCE(note, '')
	FROM consent_events;
ALTER TABLE consent_events DROP COLUMN phone_number, DROP COLUMN ip, DROP COLUMN user_agent, DROP COLUMN note;
-- The rule that read a text as an opt-out ("keyword BAJA", "phrase no me
-- escriba|…"), or why hiretext itself recorded the entry ("erasure").
ALTER TABLE consent_events ADD COLUMN rule TEXT NOT NULL DEFAULT '';

-- The hash chain: one row per consent event, numbered per company in the
-- order they committed (seq), each hash covering the previous one, the
-- event, and the keyed hashes of its phone and evidence (see
-- hiretext.LedgerEntry). Rows written by a migration are sealed by hiretext
-- when it migrates (the key is not known to SQL). Append-only like the
-- ledger. consent_chain_heads holds each company's last seq and hash; its
-- row is locked while an entry is appended, so concurrent appends chain one
-- after the other.
CREATE TABLE consent_chain (
	event_id BIGINT PRIMARY KEY REFERENCES consent_events(id),
	org_id BIGINT NOT NULL REFERENCES organizations(id),
	seq BIGINT NOT NULL,
	phone_hash TEXT NOT NULL,
	evidence_hash TEXT NOT NULL,
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL,
	UNIQUE (org_id, seq)
);
-- An opt-out outlives erasure: a phone's newest entry is found by its hash.
CREATE INDEX consent_chain_phone ON consent_chain (org_id, phone_hash, seq);
CREATE TABLE consent_chain_heads (
	org_id BIGINT PRIMARY KEY REFERENCES organizations(id),
	seq BIGINT NOT NULL,
	hash TEXT NOT NULL
);
CREATE FUNCTION consent_chain_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'consent_chain is append-only';
END
$$;
CREATE TRIGGER consent_chain_append_only BEFORE UPDATE OR DELETE ON consent_chain
	FOR EACH ROW EXECUTE FUNCTION consent_chain_append_only();

-- Phones that answered "wrong number": marked on every profile that holds
-- them, by keyed hash so the mark outlives erasure. A START from the phone
-- lifts it.
CREATE TABLE wrong_numbers (
	org_id BIGINT NOT NULL REFERENCES organizations(id),
	phone_hash TEXT NOT NULL,
	message_id BIGINT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (org_id, phone_hash)
);

-- Erasure keeps a candidate's row (its id is what the ledger, the texts and
-- the counts refer to) without any personal value; the pool and every
-- lookup skip it. A text's body is erased by itself too (retention).
ALTER TABLE candidates ADD COLUMN erased_at TIMESTAMPTZ;
ALTER TABLE messages ADD COLUMN erased_at TIMESTAMPTZ;

-- Retention, off (NULL) by default: erase texts' bodies older than
-- message_months; erase candidates with no application and no text for
-- candidate_months.
CREATE TABLE retention_settings (
	org_id BIGINT PRIMARY KEY REFERENCES organizations(id),
	message_months INTEGER CHECK (message_months > 0),
	candidate_months INTEGER CHECK (candidate_months > 0),
	updated_at TIMESTAMPTZ NOT NULL,
	updated_by BIGINT REFERENCES users(id)
);
