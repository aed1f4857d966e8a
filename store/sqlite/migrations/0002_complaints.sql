-- Complaints and reports, their timeline and photos, idempotency keys and
-- Open311 partner keys. Contact data is only stored sealed (AES-GCM) with a
-- keyed hash of the phone for duplicate lookup.
CREATE TABLE complaints (
	id                 INTEGER PRIMARY KEY,
	ticket             TEXT NOT NULL UNIQUE,
	kind               TEXT NOT NULL CHECK (kind IN ('complaint', 'report')),
	status             TEXT NOT NULL DEFAULT 'received',
	category           TEXT NOT NULL,
	submitted_category TEXT NOT NULL,
	priority           TEXT NOT NULL,
	priority_rank      INTEGER NOT NULL,
	district           TEXT NOT NULL DEFAULT '',
	grid               TEXT NOT NULL DEFAULT '',
	office             TEXT NOT NULL,
	routed_by          TEXT NOT NULL DEFAULT '',
	shop_id            INTEGER REFERENCES shops (id),
	licence            TEXT NOT NULL DEFAULT '',
	shop_key           TEXT NOT NULL DEFAULT '',
	shop_name          TEXT NOT NULL DEFAULT '',
	shop_address       TEXT NOT NULL DEFAULT '',
	description        TEXT NOT NULL,
	occurred_at        TIMESTAMP,
	lat                REAL,
	lng                REAL,
	order_no           TEXT NOT NULL DEFAULT '',
	lang               TEXT NOT NULL DEFAULT 'zh',
	channel            TEXT NOT NULL,
	partner            TEXT NOT NULL DEFAULT '',
	contact_sealed     TEXT NOT NULL DEFAULT '',
	phone_hash         TEXT NOT NULL DEFAULT '',
	phone_masked       TEXT NOT NULL DEFAULT '',
	last4_hash         TEXT NOT NULL DEFAULT '',
	receipt_hash       TEXT NOT NULL,
	proof_failures     INTEGER NOT NULL DEFAULT 0,
	proof_window_start TIMESTAMP,
	accept_due         TIMESTAMP,
	verify_due         TIMESTAMP,
	mediation_due      TIMESTAMP,
	-- due_at is the deadline the queue sorts by: accept_due or verify_due at
	-- filing, mediation_due once accepted, NULL when none is running.
	due_at             TIMESTAMP,
	claimed_by         TEXT NOT NULL DEFAULT '',
	claimed_at         TIMESTAMP,
	cluster_id         INTEGER REFERENCES complaints (id),
	duplicate_of       INTEGER REFERENCES complaints (id),
	flagged            INTEGER NOT NULL DEFAULT 0,
	rating             INTEGER CHECK (rating BETWEEN 1 AND 5),
	rating_note        TEXT NOT NULL DEFAULT '',
	rated_at           TIMESTAMP,
	contact_purged_at  TIMESTAMP,
	created_at         TIMESTAMP NOT NULL,
	updated_at         TIMESTAMP NOT NULL
);
CREATE INDEX complaints_queue ON complaints (district, status, priority_rank DESC, due_at);
CREATE INDEX complaints_office_queue ON complaints (office, status, priority_rank DESC, due_at);
CREATE INDEX complaints_due ON complaints (status, due_at);
CREATE INDEX complaints_shop ON complaints (shop_key, category, created_at);
CREATE INDEX complaints_phone ON complaints (phone_hash) WHERE phone_hash <> '';
CREATE INDEX complaints_cluster ON complaints (cluster_id) WHERE cluster_id IS NOT NULL;
CREATE INDEX complaints_partner ON complaints (partner, created_at) WHERE partner <> '';
CREATE INDEX complaints_created ON complaints (created_at);

CREATE TABLE complaint_events (
	id           INTEGER PRIMARY KEY,
	complaint_id INTEGER NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
	at           TIMESTAMP NOT NULL,
	type         TEXT NOT NULL,
	status       TEXT NOT NULL,
	public       INTEGER NOT NULL DEFAULT 0,
	actor        TEXT NOT NULL DEFAULT '',
	note         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX complaint_events_complaint ON complaint_events (complaint_id, at);

CREATE TABLE complaint_photos (
	id           INTEGER PRIMARY KEY,
	complaint_id INTEGER NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
	path         TEXT NOT NULL,
	type         TEXT NOT NULL,
	width        INTEGER NOT NULL,
	height       INTEGER NOT NULL,
	size         INTEGER NOT NULL
);
CREATE INDEX complaint_photos_complaint ON complaint_photos (complaint_id);

CREATE TABLE idempotency_keys (
	idem_key     TEXT PRIMARY KEY,
	request_hash TEXT NOT NULL,
	owner        TEXT NOT NULL,
	state        TEXT NOT NULL CHECK (state IN ('pending', 'done')),
	response     TEXT NOT NULL DEFAULT '',
	locked_until TIMESTAMP NOT NULL,
	expires_at   TIMESTAMP NOT NULL
);
CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);

CREATE TABLE api_keys (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	key_hash   TEXT NOT NULL UNIQUE,
	created_at TIMESTAMP NOT NULL,
	revoked_at TIMESTAMP
);
