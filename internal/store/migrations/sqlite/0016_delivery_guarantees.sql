-- Delivery guarantees: a send whose outcome is unknown is looked up at the
-- provider before it is sent again.
--
-- doubt_since is when the first provider call of a message started whose
-- outcome is not known to be "not sent" (set by every claim, cleared by a
-- failure the provider certainly answered); in_doubt says, for the claim
-- that holds the message now, that an earlier call may have reached the
-- provider, so the dispatcher looks it up before sending.
ALTER TABLE messages ADD COLUMN doubt_since TIMESTAMP;
ALTER TABLE messages ADD COLUMN in_doubt BOOLEAN NOT NULL DEFAULT 0;

-- The simulator no longer deduplicates sends by our reference: carriers
-- have no such key, and the guarantees must hold without it.
DROP INDEX sim_handset_messages_reference;

-- Reconciliation reads a simulator number's texts since its checkpoint.
CREATE INDEX sim_handset_messages_counterpart ON sim_handset_messages (counterpart, created_at);

-- Reconciliation: each number's history at the provider is imported up to
-- checked_at; missing is how many messages or statuses the last check
-- imported. One instance at a time runs it: the one holding the lease.
CREATE TABLE reconcile_checkpoints (
	number_id INTEGER PRIMARY KEY REFERENCES numbers(id),
	org_id INTEGER NOT NULL REFERENCES organizations(id),
	checked_at TIMESTAMP NOT NULL,
	missing INTEGER NOT NULL
);
CREATE INDEX reconcile_checkpoints_org ON reconcile_checkpoints (org_id);

CREATE TABLE reconcile_lease (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	holder TEXT NOT NULL,
	lease_until TIMESTAMP NOT NULL
);

-- The texts of a number still waiting for a final status, which
-- reconciliation looks back to.
CREATE INDEX messages_open ON messages (number_id, created_at) WHERE status IN ('sending', 'sent');
