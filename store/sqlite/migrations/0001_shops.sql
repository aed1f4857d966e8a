-- Shops, their inspections and annual grades, and the search outbox.
CREATE TABLE shops (
	id              INTEGER PRIMARY KEY,
	licence         TEXT NOT NULL UNIQUE,
	credit_code     TEXT NOT NULL DEFAULT '',
	name            TEXT NOT NULL,
	name_en         TEXT NOT NULL DEFAULT '',
	name_ru         TEXT NOT NULL DEFAULT '',
	aliases         TEXT NOT NULL DEFAULT '[]',
	category        TEXT NOT NULL,
	address         TEXT NOT NULL,
	district        TEXT NOT NULL,
	grid            TEXT NOT NULL DEFAULT '',
	lat             REAL,
	lng             REAL,
	phone           TEXT NOT NULL DEFAULT '',
	status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'suspended', 'closed')),
	licensed_on     TEXT NOT NULL DEFAULT '',
	haccp           INTEGER NOT NULL DEFAULT 0,
	sticker_version INTEGER NOT NULL DEFAULT 1,
	keywords        TEXT NOT NULL DEFAULT '',
	dynamic_grade   TEXT NOT NULL DEFAULT 'not_graded',
	dynamic_date    TEXT NOT NULL DEFAULT '',
	annual_grade    TEXT NOT NULL DEFAULT '',
	annual_year     INTEGER NOT NULL DEFAULT 0,
	annual_supplied INTEGER NOT NULL DEFAULT 0,
	grade_rank      INTEGER NOT NULL DEFAULT 0,
	created_at      TIMESTAMP NOT NULL,
	updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX shops_district ON shops (district, category);
CREATE INDEX shops_geo ON shops (lat, lng);

CREATE TABLE inspections (
	id           INTEGER PRIMARY KEY,
	shop_id      INTEGER NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
	date         TEXT NOT NULL,
	result       TEXT NOT NULL,
	score        INTEGER,
	items_failed TEXT NOT NULL DEFAULT '[]',
	notes        TEXT NOT NULL DEFAULT '',
	inspector    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX inspections_shop ON inspections (shop_id, date);

CREATE TABLE annual_grades (
	shop_id INTEGER NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
	year    INTEGER NOT NULL,
	grade   TEXT NOT NULL,
	PRIMARY KEY (shop_id, year)
);

CREATE TABLE outbox (
	id         INTEGER PRIMARY KEY,
	shop_id    INTEGER NOT NULL,
	licence    TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	attempts   INTEGER NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT ''
);
