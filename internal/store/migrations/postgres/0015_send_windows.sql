-- Send windows: a company's send policy, a candidate's own time zone, and
-- texts held until their minute.
--
-- A company without a send_policies row has the default policy
-- (hiretext.DefaultSendPolicy). quiet_hours is the allowed window of each
-- weekday as JSON, {"mon": ["09:00", "20:00"], …, "sun": null};
-- state_windows the preset states applied, comma-separated ("FL,TX").
CREATE TABLE send_policies (
	org_id BIGINT PRIMARY KEY REFERENCES organizations(id),
	quiet_hours TEXT NOT NULL,
	state_windows TEXT NOT NULL,
	reply_grace_minutes INTEGER NOT NULL,
	attempt_limit INTEGER NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL,
	updated_by BIGINT REFERENCES users(id)
);

-- The IANA zone a user with profiles set for the candidate; '' derives it
-- from the texting phone.
ALTER TABLE candidates ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';

-- A text that waits for its minute has status 'scheduled' and send_at;
-- hold says why it waits: 'schedule' (a user chose the time) or
-- 'quiet_hours' (written outside the window). It holds no allowance until
-- it goes (counted false; period is the month it is expected to count
-- against). send_at stays once it has gone, for the record.
ALTER TABLE messages ADD COLUMN send_at TIMESTAMPTZ;
ALTER TABLE messages ADD COLUMN hold TEXT NOT NULL DEFAULT '';
-- The dispatcher releases due texts of every company by this index: a range
-- on the due time however many texts wait for later (so it cannot lead with
-- org_id).
CREATE INDEX messages_scheduled ON messages (send_at, id) WHERE status = 'scheduled';
-- A company's (and a user's) list of scheduled texts.
CREATE INDEX messages_org_scheduled ON messages (org_id, send_at, id) WHERE status = 'scheduled';
