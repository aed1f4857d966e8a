-- What the shop page shows of supervision (docs/transparency.md): on-site
-- checks linked to complaints, the shop's replies, and published
-- enforcement decisions (行政处罚信息公示). No personal ID numbers are stored.
CREATE TABLE case_inspections (
	complaint_id INTEGER NOT NULL REFERENCES complaints (id),
	record_id    INTEGER NOT NULL REFERENCES inspection_records (id),
	created_at   TIMESTAMP NOT NULL,
	PRIMARY KEY (complaint_id, record_id)
);

CREATE TABLE shop_replies (
	complaint_id INTEGER PRIMARY KEY REFERENCES complaints (id),
	shop_id      INTEGER NOT NULL REFERENCES shops (id),
	text         TEXT NOT NULL,
	attached_by  TEXT NOT NULL,
	created_at   TIMESTAMP NOT NULL
);

CREATE TABLE enforcement_decisions (
	id          INTEGER PRIMARY KEY,
	number      TEXT NOT NULL UNIQUE,
	decided_on  TEXT NOT NULL,
	published_on TEXT NOT NULL,
	shop_id     INTEGER REFERENCES shops (id),
	licence     TEXT NOT NULL DEFAULT '',
	party_name  TEXT NOT NULL,
	credit_code TEXT NOT NULL DEFAULT '',
	violation   TEXT NOT NULL,
	legal_basis TEXT NOT NULL,
	penalties   TEXT NOT NULL,
	fine_yuan   REAL NOT NULL DEFAULT 0,
	authority   TEXT NOT NULL,
	source      TEXT NOT NULL,
	recorded_by TEXT NOT NULL DEFAULT '',
	created_at  TIMESTAMP NOT NULL
);
CREATE INDEX enforcement_decisions_shop ON enforcement_decisions (shop_id, decided_on);
CREATE INDEX enforcement_decisions_credit ON enforcement_decisions (credit_code);
