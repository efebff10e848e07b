-- Notifications (issue 14): each user's allowance alerts, listed in the bell and the API until
-- dismissed. A threshold fires once per number and month (number_usage.warned_at / maxed_at);
-- this index makes the rule the table's too: one notification per user, number, kind and month,
-- however many transactions cross the threshold at once.
CREATE UNIQUE INDEX notifications_once ON notifications (org_id, user_id, number_id, kind, period);
