-- The inbox lists a number's conversations a page at a time: those with
-- unread texts first, then the others, each part newest first. This index
-- holds them in that order, so a page of either part reads just its rows
-- however many conversations the number has.
CREATE INDEX conversations_org_number_inbox ON conversations (org_id, number_id, (unread > 0), last_message_at, id);
