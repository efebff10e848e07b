-- The dispatcher's claim takes a number's due texts in the order
-- (next_attempt_at, id) (store.claimQuery). With the id in the index the
-- claim reads the first few entries in that order and stops; before, on
-- PostgreSQL, it read every queued text of the number with the same
-- next_attempt_at (a bulk send's thousand) and sorted them by id on each
-- claim. SQLite's indexes already end with the rowid, which is the id;
-- the index is the same in both for the schemas to match.
DROP INDEX messages_due;
CREATE INDEX messages_due ON messages (number_id, next_attempt_at, id) WHERE status = 'queued';
