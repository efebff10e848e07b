-- Daily counters of the SMS Activity report: the texts of each company per
-- day of its time zone, number, sender (0: the automatic replies, which
-- have none), direction and status, with their segments. The summary and
-- chart read these rows instead of every text of the period (a year of a
-- million texts is about 10,000 rows instead of 1,000,000). They are kept
-- in the transactions that insert texts or change their status (countTexts
-- in activity_count.go); a company's time zone never changes, so a text's
-- day does not either. The day is counted from 1970-01-01 like epochDay;
-- SQLite knows no time zones, so hiretext_local_day (registered by the
-- store, activity_count.go) computes it for the existing texts.
CREATE TABLE activity_daily (
	org_id INTEGER NOT NULL REFERENCES organizations(id),
	day INTEGER NOT NULL,
	number_id INTEGER NOT NULL,
	user_id INTEGER NOT NULL,
	direction TEXT NOT NULL,
	status TEXT NOT NULL,
	texts INTEGER NOT NULL,
	segments INTEGER NOT NULL,
	PRIMARY KEY (org_id, day, number_id, user_id, direction, status)
) WITHOUT ROWID;
INSERT INTO activity_daily (org_id, day, number_id, user_id, direction, status, texts, segments)
SELECT m.org_id, hiretext_local_day(unixepoch(m.created_at), o.timezone), m.number_id,
	COALESCE(m.user_id, 0), m.direction, m.status, COUNT(*), SUM(m.segments)
FROM messages m JOIN organizations o ON o.id = m.org_id
GROUP BY 1, 2, 3, 4, 5, 6;

-- The candidate pool's size per SMS status ("Showing 1–50 of N
-- candidates"), as changes: each candidate entering the pool (its first
-- application), leaving it (erasure) or changing status inserts a row of
-- +1 or -1, never updating a shared one, so concurrent applications and
-- opt-outs of a company do not queue on a counter row. The pool's count
-- adds them up; once a company's rows pass a few hundred they are folded
-- into one (pool_count.go), so counting costs the same at a million
-- candidates as at a thousand.
CREATE TABLE pool_count_deltas (
	id INTEGER PRIMARY KEY,
	org_id INTEGER NOT NULL REFERENCES organizations(id),
	sms_status TEXT NOT NULL,
	delta INTEGER NOT NULL
);
CREATE INDEX pool_count_deltas_org ON pool_count_deltas (org_id, sms_status, delta);
INSERT INTO pool_count_deltas (org_id, sms_status, delta)
SELECT org_id, sms_status, COUNT(*) FROM candidates WHERE last_application_id IS NOT NULL GROUP BY org_id, sms_status;
