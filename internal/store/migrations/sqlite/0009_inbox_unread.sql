-- The inbox lists a number's conversations a page at a time: those with
-- unread texts first, then the others, each part newest first (ties by id).
--
-- The unread part walks a partial index that holds unread conversations
-- only: texts sent to conversations that are read (nearly all of a bulk
-- send's) do not touch it. An index over every conversation ordered by
-- "unread first" cost a 1,000-candidate first-contact send 65% more time.
-- The read part walks conversations_org_number_recent, which gains id for
-- the ties, and steps over the few unread conversations on the way.
CREATE INDEX conversations_org_number_unread ON conversations (org_id, number_id, last_message_at, id) WHERE unread > 0;
DROP INDEX conversations_org_number_recent;
CREATE INDEX conversations_org_number_recent ON conversations (org_id, number_id, last_message_at, id);
