-- 双随机 plans (docs/inspections.md#plans): the seed is recorded before the
-- draw (status seeded), the draw stores its inputs and their hash so that
-- anyone can recompute it (shian plan verify), and a published month is final.
CREATE TABLE inspection_plans (
	id           INTEGER PRIMARY KEY,
	district     TEXT NOT NULL,
	month        TEXT NOT NULL,
	seed         TEXT NOT NULL,
	status       TEXT NOT NULL CHECK (status IN ('seeded', 'drawn', 'published')),
	inputs       TEXT NOT NULL DEFAULT '',
	inputs_hash  TEXT NOT NULL DEFAULT '',
	result_hash  TEXT NOT NULL DEFAULT '',
	created_by   TEXT NOT NULL,
	seeded_at    TIMESTAMP NOT NULL,
	drawn_at     TIMESTAMP,
	published_at TIMESTAMP,
	UNIQUE (district, month)
);

CREATE TABLE plan_items (
	plan_id     INTEGER NOT NULL REFERENCES inspection_plans (id),
	pos         INTEGER NOT NULL,
	shop_id     INTEGER NOT NULL REFERENCES shops (id),
	licence     TEXT NOT NULL,
	inspector_a TEXT NOT NULL,
	inspector_b TEXT NOT NULL,
	risk        REAL NOT NULL,
	low_risk    INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (plan_id, pos)
);
