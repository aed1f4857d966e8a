-- Bot conversation state (one row per channel user, 30-minute idle expiry)
-- and delivery de-duplication (WeChat retries a message up to three times).
-- Keys hold a hash of the user, never the OpenID itself; times are Unix
-- milliseconds so that both databases compare them the same way.
CREATE TABLE bot_state (
	key        TEXT PRIMARY KEY,
	data       TEXT NOT NULL,
	expires_ms BIGINT NOT NULL
);
CREATE INDEX bot_state_expires ON bot_state (expires_ms);

CREATE TABLE bot_messages (
	key        TEXT PRIMARY KEY,
	reply      TEXT,
	expires_ms BIGINT NOT NULL
);
CREATE INDEX bot_messages_expires ON bot_messages (expires_ms);
