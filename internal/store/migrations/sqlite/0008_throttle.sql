-- Failed logins and public applications are counted here, not in each
-- process's memory, so that several instances throttle together: behind a
-- load balancer a guesser gets 5 tries per 15 minutes, not 5 per instance.
--
-- One row per key, locked while it is counted so concurrent failures all
-- count. The key is a SHA-256 of what is throttled (the scope and a client
-- address or an email): the table holds no addresses or emails.
CREATE TABLE throttle_keys (
	key TEXT PRIMARY KEY,
	window_start TIMESTAMP NOT NULL, -- the first failure of the current window
	failures INTEGER NOT NULL,
	blocked_until TIMESTAMP, -- set while the key is blocked
	expires_at TIMESTAMP NOT NULL -- when nothing about the key matters any more
);
CREATE INDEX throttle_keys_expiry ON throttle_keys (expires_at);
