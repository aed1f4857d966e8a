-- Inspections recorded by officers (docs/inspections.md): the full record in
-- inspection_records; the shop's public history (inspections) gets one row per
-- record, pointing back at it. A record entered by mistake is superseded by a
-- new one: both stay, the old one's history row is marked and no longer counts.
-- Scores may have decimals (89.9). SQLite keeps a non-integral value in an
-- INTEGER-affinity column as REAL, and the store reads scores as float64, so
-- the column needs no rebuild (a rebuild would also drop other migrations' columns).
ALTER TABLE inspections ADD COLUMN record_id INTEGER;
ALTER TABLE inspections ADD COLUMN superseded_by INTEGER;

CREATE TABLE inspection_records (
	id               INTEGER PRIMARY KEY,
	-- draft_key is the officer's name, a colon and the client's draft key:
	-- a form resubmitted after losing its connection finds its first record.
	draft_key        TEXT NOT NULL UNIQUE,
	-- draft_hash fingerprints the submitted content, so that a key reused
	-- for a different inspection is refused instead of answered with the first.
	draft_hash       TEXT NOT NULL,
	shop_id          INTEGER NOT NULL REFERENCES shops (id),
	type             TEXT NOT NULL CHECK (type IN ('routine', 'follow_up', 'complaint_verification', 'patrol')),
	date             TEXT NOT NULL,
	inspectors       TEXT NOT NULL,
	items            TEXT NOT NULL,
	overall          TEXT NOT NULL CHECK (overall IN ('compliant', 'mostly', 'non_compliant')),
	score            REAL,
	result           TEXT NOT NULL DEFAULT '',
	rectify_days     INTEGER NOT NULL DEFAULT 0,
	rectify_due      TEXT NOT NULL DEFAULT '',
	-- rectify_met: NULL while the order runs, then whether the follow-up found it met in time.
	rectify_met      INTEGER,
	rectify_met_by   INTEGER,
	follow_up_of     INTEGER REFERENCES inspection_records (id),
	case_id          INTEGER REFERENCES complaints (id),
	plan_id          INTEGER,
	photos           TEXT NOT NULL DEFAULT '[]',
	notes            TEXT NOT NULL DEFAULT '',
	district         TEXT NOT NULL,
	grid             TEXT NOT NULL DEFAULT '',
	recorded_by      TEXT NOT NULL,
	supersedes       INTEGER REFERENCES inspection_records (id),
	supersede_reason TEXT NOT NULL DEFAULT '',
	superseded_by    INTEGER,
	created_at       TIMESTAMP NOT NULL
);
CREATE INDEX inspection_records_shop ON inspection_records (shop_id, date);
CREATE INDEX inspection_records_due ON inspection_records (district, rectify_due) WHERE rectify_due <> '' AND rectify_met IS NULL;
CREATE INDEX inspection_records_case ON inspection_records (case_id) WHERE case_id IS NOT NULL;
