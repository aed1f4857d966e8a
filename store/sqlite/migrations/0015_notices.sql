-- Notices to complainants (docs/notices.md): each public status change of a
-- case enqueues one row in the transaction that changes it (event_id is
-- unique, so a retried change cannot enqueue twice); a worker sends them.
-- state: pending → sending → sent | undeliverable | failed | uncertain.
CREATE TABLE notices (
	id           INTEGER PRIMARY KEY,
	complaint_id INTEGER NOT NULL REFERENCES complaints (id),
	event_id     INTEGER NOT NULL UNIQUE,
	lang         TEXT NOT NULL,
	channel      TEXT NOT NULL,
	status       TEXT NOT NULL,
	kind         TEXT NOT NULL,
	state        TEXT NOT NULL DEFAULT 'pending',
	attempts     INTEGER NOT NULL DEFAULT 0,
	next_at      TIMESTAMP NOT NULL,
	leased_until TIMESTAMP,
	via          TEXT NOT NULL DEFAULT '',
	last_error   TEXT NOT NULL DEFAULT '',
	created_at   TIMESTAMP NOT NULL,
	done_at      TIMESTAMP
);
CREATE INDEX notices_due ON notices (state, next_at);

-- The WeChat user of a complaint filed through the Official Account, sealed
-- like contacts; last_inbound_at is their last message (the 48-hour window).
CREATE TABLE notice_recipients (
	complaint_id    INTEGER PRIMARY KEY REFERENCES complaints (id),
	openid_sealed   TEXT NOT NULL,
	last_inbound_at TIMESTAMP
);
