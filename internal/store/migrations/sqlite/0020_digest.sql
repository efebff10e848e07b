-- A user's time zone ('' for the company's) and the daily digest: an email
-- at 8 a.m. there listing the conversations that need a reply which the user
-- can see. digest_day is the user's local day (YYYY-MM-DD) whose digest was
-- handled: the instance that moves it on, with a compare-and-set in the
-- transaction that queues the email, is the only one to queue that day's
-- digest, so several instances and restarts send it once.
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN notify_digest BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE users ADD COLUMN digest_day TEXT NOT NULL DEFAULT '';
