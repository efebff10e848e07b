-- A number's send rate is kept here, not in each dispatcher's memory, so
-- that several hiretext instances on one database share it: two instances
-- must not send at twice the rate the carrier allows for the number.
--
-- next_free is the number's "theoretical arrival time" (the generic cell
-- rate algorithm): a text may go now if next_free is at most a burst's worth
-- of intervals ahead of now, and each text claimed moves it one interval on.
-- The claim updates the row in its own transaction, so claims of one number
-- take turns on it.
CREATE TABLE number_send_pace (
	number_id INTEGER PRIMARY KEY REFERENCES numbers(id),
	next_free TIMESTAMP NOT NULL
);
