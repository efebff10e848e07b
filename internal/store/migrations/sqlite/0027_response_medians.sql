-- Response medians (issue 22): the report's median times to answer, in
-- clock hours over most of a company's answers, are found by the database
-- (store.answerMedians): it counts each user's and each number's answers of
-- the period and returns only the times around the median, walking these
-- indexes in time-to-answer order, instead of sending every answer of a
-- year to be sorted. See docs/architecture.md, "Response figures".
CREATE INDEX response_waits_user_time ON response_waits (org_id, user_id, (answered_at - since), since, answered_at, number_id)
	WHERE answered_at IS NOT NULL;
CREATE INDEX response_waits_number_time ON response_waits (org_id, number_id, (answered_at - since), since, answered_at, user_id)
	WHERE answered_at IS NOT NULL;

-- A conversation's waits in order: the report reads the last one that
-- began before the period (the only one that can go on into it) by one
-- look-up per conversation.
DROP INDEX response_waits_conversation;
CREATE INDEX response_waits_conversation ON response_waits (conversation_id, since);
