-- Supervision: staff accounts, console sessions and API tokens (only
-- hashes of secrets), the append-only hash-chained audit log, what case
-- handling records on complaints, per-status counts for the queue, and the
-- indexes of the queue and the dashboard.
CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	name          TEXT NOT NULL UNIQUE,
	role          TEXT NOT NULL CHECK (role IN ('admin', 'officer', 'viewer')),
	district      TEXT NOT NULL DEFAULT '',
	grid          TEXT NOT NULL DEFAULT '',
	password_hash TEXT NOT NULL,
	disabled      INTEGER NOT NULL DEFAULT 0,
	created_at    TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
	hash       TEXT PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	csrf       TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	expires_at TIMESTAMP NOT NULL,
	last_seen  TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
	id         INTEGER PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	hash       TEXT NOT NULL UNIQUE,
	label      TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL,
	revoked_at TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE audit_log (
	seq       INTEGER PRIMARY KEY,
	at        TEXT NOT NULL,
	actor     TEXT NOT NULL,
	action    TEXT NOT NULL,
	target    TEXT NOT NULL DEFAULT '',
	detail    TEXT NOT NULL DEFAULT '',
	prev_hash TEXT NOT NULL UNIQUE,
	hash      TEXT NOT NULL UNIQUE
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

ALTER TABLE complaints ADD COLUMN decided_at TIMESTAMP;
ALTER TABLE complaints ADD COLUMN outcome_at TIMESTAMP;
ALTER TABLE complaints ADD COLUMN accept_wdays INTEGER;
ALTER TABLE complaints ADD COLUMN resolve_wdays INTEGER;
ALTER TABLE complaints ADD COLUMN accept_on_time INTEGER;
ALTER TABLE complaints ADD COLUMN resolve_on_time INTEGER;
ALTER TABLE complaints ADD COLUMN rejection_ground TEXT NOT NULL DEFAULT '';
ALTER TABLE complaints ADD COLUMN reopened INTEGER NOT NULL DEFAULT 0;

-- The queue: open cases (a deadline running) by priority then deadline.
CREATE INDEX complaints_open_rank ON complaints (priority_rank DESC, due_at, id)
	WHERE status IN ('received', 'accepted', 'mediating', 'verifying');
CREATE INDEX complaints_open_district ON complaints (district, priority_rank DESC, due_at, id)
	WHERE status IN ('received', 'accepted', 'mediating', 'verifying');
CREATE INDEX complaints_open_due ON complaints (district, due_at)
	WHERE status IN ('received', 'accepted', 'mediating', 'verifying');
CREATE INDEX complaints_duplicate_of ON complaints (duplicate_of) WHERE duplicate_of IS NOT NULL;
-- Cases per district, grid and status, kept by triggers, so that the
-- queue's status counts do not scan every complaint ever filed.
CREATE TABLE complaint_counts (
	district TEXT NOT NULL,
	grid     TEXT NOT NULL,
	status   TEXT NOT NULL,
	n        INTEGER NOT NULL,
	PRIMARY KEY (district, grid, status)
);
INSERT INTO complaint_counts (district, grid, status, n)
	SELECT district, grid, status, COUNT(*) FROM complaints GROUP BY district, grid, status;
CREATE TRIGGER complaint_counts_ins AFTER INSERT ON complaints BEGIN
	INSERT INTO complaint_counts (district, grid, status, n) VALUES (NEW.district, NEW.grid, NEW.status, 1)
		ON CONFLICT (district, grid, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER complaint_counts_upd AFTER UPDATE OF status, district, grid ON complaints
	WHEN OLD.status IS NOT NEW.status OR OLD.district IS NOT NEW.district OR OLD.grid IS NOT NEW.grid BEGIN
	UPDATE complaint_counts SET n = n - 1 WHERE district = OLD.district AND grid = OLD.grid AND status = OLD.status;
	INSERT INTO complaint_counts (district, grid, status, n) VALUES (NEW.district, NEW.grid, NEW.status, 1)
		ON CONFLICT (district, grid, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER complaint_counts_del AFTER DELETE ON complaints BEGIN
	UPDATE complaint_counts SET n = n - 1 WHERE district = OLD.district AND grid = OLD.grid AND status = OLD.status;
END;

-- The dashboard's figures per filing day (CST), district and category, and
-- the histograms of working days to decide ('a') and to an outcome ('r'),
-- kept by triggers: a period's dashboard sums a few thousand rows instead
-- of scanning every complaint filed in it.
CREATE TABLE complaint_daily (
	day             TEXT NOT NULL,
	district        TEXT NOT NULL,
	category        TEXT NOT NULL,
	n               INTEGER NOT NULL,
	decided         INTEGER NOT NULL,
	decided_ontime  INTEGER NOT NULL,
	outcomes        INTEGER NOT NULL,
	outcomes_ontime INTEGER NOT NULL,
	rated           INTEGER NOT NULL,
	rating_sum      INTEGER NOT NULL,
	PRIMARY KEY (day, district, category)
);
CREATE TABLE complaint_daily_days (
	day      TEXT NOT NULL,
	district TEXT NOT NULL,
	which    TEXT NOT NULL CHECK (which IN ('a', 'r')),
	wdays    INTEGER NOT NULL,
	n        INTEGER NOT NULL,
	PRIMARY KEY (day, district, which, wdays)
);
INSERT INTO complaint_daily (day, district, category, n, decided, decided_ontime, outcomes, outcomes_ontime, rated, rating_sum)
	SELECT date(substr(created_at, 1, 19), '+8 hours'), district, category, COUNT(*), COUNT(accept_on_time),
		COALESCE(SUM(accept_on_time), 0), COUNT(resolve_on_time), COALESCE(SUM(resolve_on_time), 0), COUNT(rating),
		COALESCE(SUM(rating), 0)
	FROM complaints GROUP BY 1, 2, 3;
INSERT INTO complaint_daily_days (day, district, which, wdays, n)
	SELECT date(substr(created_at, 1, 19), '+8 hours'), district, 'a', accept_wdays, COUNT(*) FROM complaints
	WHERE accept_wdays IS NOT NULL GROUP BY 1, 2, 4;
INSERT INTO complaint_daily_days (day, district, which, wdays, n)
	SELECT date(substr(created_at, 1, 19), '+8 hours'), district, 'r', resolve_wdays, COUNT(*) FROM complaints
	WHERE resolve_wdays IS NOT NULL GROUP BY 1, 2, 4;
CREATE TRIGGER complaint_daily_ins AFTER INSERT ON complaints BEGIN
	INSERT INTO complaint_daily (day, district, category, n, decided, decided_ontime, outcomes, outcomes_ontime, rated, rating_sum)
		VALUES (date(substr(NEW.created_at, 1, 19), '+8 hours'), NEW.district, NEW.category, 1, (NEW.accept_on_time IS NOT NULL), COALESCE(NEW.accept_on_time, 0), (NEW.resolve_on_time IS NOT NULL), COALESCE(NEW.resolve_on_time, 0), (NEW.rating IS NOT NULL), COALESCE(NEW.rating, 0))
		ON CONFLICT (day, district, category) DO UPDATE SET n = n + excluded.n, decided = decided + excluded.decided,
		decided_ontime = decided_ontime + excluded.decided_ontime, outcomes = outcomes + excluded.outcomes,
		outcomes_ontime = outcomes_ontime + excluded.outcomes_ontime, rated = rated + excluded.rated,
		rating_sum = rating_sum + excluded.rating_sum;
	INSERT INTO complaint_daily_days (day, district, which, wdays, n)
		SELECT date(substr(NEW.created_at, 1, 19), '+8 hours'), NEW.district, 'a', NEW.accept_wdays, 1 WHERE NEW.accept_wdays IS NOT NULL
		ON CONFLICT (day, district, which, wdays) DO UPDATE SET n = n + 1;
	INSERT INTO complaint_daily_days (day, district, which, wdays, n)
		SELECT date(substr(NEW.created_at, 1, 19), '+8 hours'), NEW.district, 'r', NEW.resolve_wdays, 1 WHERE NEW.resolve_wdays IS NOT NULL
		ON CONFLICT (day, district, which, wdays) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER complaint_daily_upd AFTER UPDATE OF district, category, accept_wdays, resolve_wdays, accept_on_time, resolve_on_time, rating, created_at ON complaints
	WHEN OLD.district IS NOT NEW.district OR OLD.category IS NOT NEW.category OR OLD.accept_wdays IS NOT NEW.accept_wdays OR OLD.resolve_wdays IS NOT NEW.resolve_wdays OR OLD.accept_on_time IS NOT NEW.accept_on_time OR OLD.resolve_on_time IS NOT NEW.resolve_on_time OR OLD.rating IS NOT NEW.rating OR OLD.created_at IS NOT NEW.created_at BEGIN
	UPDATE complaint_daily SET n = n - 1, decided = decided - (OLD.accept_on_time IS NOT NULL),
		decided_ontime = decided_ontime - COALESCE(OLD.accept_on_time, 0), outcomes = outcomes - (OLD.resolve_on_time IS NOT NULL),
		outcomes_ontime = outcomes_ontime - COALESCE(OLD.resolve_on_time, 0), rated = rated - (OLD.rating IS NOT NULL),
		rating_sum = rating_sum - COALESCE(OLD.rating, 0)
		WHERE day = date(substr(OLD.created_at, 1, 19), '+8 hours') AND district = OLD.district AND category = OLD.category;
	UPDATE complaint_daily_days SET n = n - 1
		WHERE day = date(substr(OLD.created_at, 1, 19), '+8 hours') AND district = OLD.district AND which = 'a' AND wdays = OLD.accept_wdays;
	UPDATE complaint_daily_days SET n = n - 1
		WHERE day = date(substr(OLD.created_at, 1, 19), '+8 hours') AND district = OLD.district AND which = 'r' AND wdays = OLD.resolve_wdays;
	INSERT INTO complaint_daily (day, district, category, n, decided, decided_ontime, outcomes, outcomes_ontime, rated, rating_sum)
		VALUES (date(substr(NEW.created_at, 1, 19), '+8 hours'), NEW.district, NEW.category, 1, (NEW.accept_on_time IS NOT NULL), COALESCE(NEW.accept_on_time, 0), (NEW.resolve_on_time IS NOT NULL), COALESCE(NEW.resolve_on_time, 0), (NEW.rating IS NOT NULL), COALESCE(NEW.rating, 0))
		ON CONFLICT (day, district, category) DO UPDATE SET n = n + excluded.n, decided = decided + excluded.decided,
		decided_ontime = decided_ontime + excluded.decided_ontime, outcomes = outcomes + excluded.outcomes,
		outcomes_ontime = outcomes_ontime + excluded.outcomes_ontime, rated = rated + excluded.rated,
		rating_sum = rating_sum + excluded.rating_sum;
	INSERT INTO complaint_daily_days (day, district, which, wdays, n)
		SELECT date(substr(NEW.created_at, 1, 19), '+8 hours'), NEW.district, 'a', NEW.accept_wdays, 1 WHERE NEW.accept_wdays IS NOT NULL
		ON CONFLICT (day, district, which, wdays) DO UPDATE SET n = n + 1;
	INSERT INTO complaint_daily_days (day, district, which, wdays, n)
		SELECT date(substr(NEW.created_at, 1, 19), '+8 hours'), NEW.district, 'r', NEW.resolve_wdays, 1 WHERE NEW.resolve_wdays IS NOT NULL
		ON CONFLICT (day, district, which, wdays) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER complaint_daily_del AFTER DELETE ON complaints BEGIN
	UPDATE complaint_daily SET n = n - 1, decided = decided - (OLD.accept_on_time IS NOT NULL),
		decided_ontime = decided_ontime - COALESCE(OLD.accept_on_time, 0), outcomes = outcomes - (OLD.resolve_on_time IS NOT NULL),
		outcomes_ontime = outcomes_ontime - COALESCE(OLD.resolve_on_time, 0), rated = rated - (OLD.rating IS NOT NULL),
		rating_sum = rating_sum - COALESCE(OLD.rating, 0)
		WHERE day = date(substr(OLD.created_at, 1, 19), '+8 hours') AND district = OLD.district AND category = OLD.category;
	UPDATE complaint_daily_days SET n = n - 1
		WHERE day = date(substr(OLD.created_at, 1, 19), '+8 hours') AND district = OLD.district AND which = 'a' AND wdays = OLD.accept_wdays;
	UPDATE complaint_daily_days SET n = n - 1
		WHERE day = date(substr(OLD.created_at, 1, 19), '+8 hours') AND district = OLD.district AND which = 'r' AND wdays = OLD.resolve_wdays;
END;
