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
