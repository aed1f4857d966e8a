-- Counters without a hot row. complaint_counts, complaint_daily and
-- complaint_daily_days are kept by triggers, and every filing added one to
-- the same few rows (a district's "received" count, today's row of a
-- district and category): concurrent filings then waited for one another's
-- commit on those rows. Each row is now split into 16 shards; a transaction
-- writes the shard its transaction id picks, and readers already SUM. A
-- decrement may land on a shard that has no row yet, so both directions are
-- upserts, and a shard may hold a negative count: only sums mean anything.
ALTER TABLE complaint_counts ADD COLUMN shard SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE complaint_counts DROP CONSTRAINT complaint_counts_pkey;
ALTER TABLE complaint_counts ADD PRIMARY KEY (district, grid, status, shard);
ALTER TABLE complaint_daily ADD COLUMN shard SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE complaint_daily DROP CONSTRAINT complaint_daily_pkey;
ALTER TABLE complaint_daily ADD PRIMARY KEY (day, district, category, shard);
ALTER TABLE complaint_daily_days ADD COLUMN shard SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE complaint_daily_days DROP CONSTRAINT complaint_daily_days_pkey;
ALTER TABLE complaint_daily_days ADD PRIMARY KEY (day, district, which, wdays, shard);

CREATE OR REPLACE FUNCTION complaint_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE s SMALLINT := (txid_current() % 16)::smallint;
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') THEN
		INSERT INTO complaint_counts (district, grid, status, shard, n) VALUES (OLD.district, OLD.grid, OLD.status, s, -1)
			ON CONFLICT (district, grid, status, shard) DO UPDATE SET n = complaint_counts.n - 1;
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') THEN
		INSERT INTO complaint_counts (district, grid, status, shard, n) VALUES (NEW.district, NEW.grid, NEW.status, s, 1)
			ON CONFLICT (district, grid, status, shard) DO UPDATE SET n = complaint_counts.n + 1;
	END IF;
	RETURN NULL;
END $$;

-- complaint_daily_add adds one complaint's figures, times sign (1 or -1),
-- to its day's shard.
CREATE FUNCTION complaint_daily_add(c complaints, sign INTEGER) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	d TEXT := to_char((c.created_at AT TIME ZONE 'UTC') + interval '8 hours', 'YYYY-MM-DD');
	s SMALLINT := (txid_current() % 16)::smallint;
BEGIN
	INSERT INTO complaint_daily AS t (day, district, category, shard, n, decided, decided_ontime, outcomes, outcomes_ontime, rated, rating_sum)
		VALUES (d, c.district, c.category, s, sign, sign * (c.accept_on_time IS NOT NULL)::int, sign * COALESCE(c.accept_on_time, 0),
			sign * (c.resolve_on_time IS NOT NULL)::int, sign * COALESCE(c.resolve_on_time, 0),
			sign * (c.rating IS NOT NULL)::int, sign * COALESCE(c.rating, 0))
		ON CONFLICT (day, district, category, shard) DO UPDATE SET n = t.n + EXCLUDED.n,
			decided = t.decided + EXCLUDED.decided, decided_ontime = t.decided_ontime + EXCLUDED.decided_ontime,
			outcomes = t.outcomes + EXCLUDED.outcomes, outcomes_ontime = t.outcomes_ontime + EXCLUDED.outcomes_ontime,
			rated = t.rated + EXCLUDED.rated, rating_sum = t.rating_sum + EXCLUDED.rating_sum;
	IF c.accept_wdays IS NOT NULL THEN
		INSERT INTO complaint_daily_days AS t (day, district, which, wdays, shard, n) VALUES (d, c.district, 'a', c.accept_wdays, s, sign)
			ON CONFLICT (day, district, which, wdays, shard) DO UPDATE SET n = t.n + EXCLUDED.n;
	END IF;
	IF c.resolve_wdays IS NOT NULL THEN
		INSERT INTO complaint_daily_days AS t (day, district, which, wdays, shard, n) VALUES (d, c.district, 'r', c.resolve_wdays, s, sign)
			ON CONFLICT (day, district, which, wdays, shard) DO UPDATE SET n = t.n + EXCLUDED.n;
	END IF;
END $$;

CREATE OR REPLACE FUNCTION complaint_daily_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') THEN
		PERFORM complaint_daily_add(OLD, -1);
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') THEN
		PERFORM complaint_daily_add(NEW, 1);
	END IF;
	RETURN NULL;
END $$;
