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
-- The dashboard: filings of a period with the figures it sums.
CREATE INDEX complaints_filed ON complaints (created_at, district, category, accept_on_time, resolve_on_time,
	accept_wdays, resolve_wdays, rating);

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
