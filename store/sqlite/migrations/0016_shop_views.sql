-- The read model of public shop pages (docs/read-model.md).
--
-- shop_views holds one precomputed public view per shop: the shop with its
-- history as JSON (body) and the date its grade was computed for, so that
-- a read is one lookup by licence or by id. A change to anything a view
-- shows marks it stale in the same transaction (body NULL, seq raised),
-- through the triggers below; the next read recomputes it, and its write
-- is refused when a newer change has marked the row meanwhile (seq).
--
-- shop_changes is the change sequence every replica polls to drop its
-- cached answers (views.Poller): one row per change, monotonic seq.
CREATE TABLE shop_views (
	shop_id      INTEGER PRIMARY KEY,
	licence      TEXT NOT NULL UNIQUE,
	seq          INTEGER NOT NULL DEFAULT 0,
	computed_for TEXT NOT NULL DEFAULT '',
	body         TEXT
);

CREATE TABLE shop_changes (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	shop_id    INTEGER NOT NULL,
	licence    TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- Every write of a shop's public record (import, upsert, an officer's
-- inspection) enqueues an outbox row for search in its transaction: the
-- view follows the same rows, so no writer can forget it.
CREATE TRIGGER shop_changes_outbox AFTER INSERT ON outbox BEGIN
	INSERT INTO shop_changes (shop_id, licence) VALUES (NEW.shop_id, NEW.licence);
	INSERT INTO shop_views (shop_id, licence, seq, body) VALUES (NEW.shop_id, NEW.licence, last_insert_rowid(), NULL)
		ON CONFLICT (shop_id) DO UPDATE SET seq = excluded.seq, licence = excluded.licence, body = NULL;
END;

-- A new sticker makes the older ones "outdated" on the landing page, and
-- search does not care, so it has its own trigger.
CREATE TRIGGER shop_changes_sticker AFTER UPDATE OF sticker_version ON shops
WHEN NEW.sticker_version <> OLD.sticker_version BEGIN
	INSERT INTO shop_changes (shop_id, licence) VALUES (NEW.id, NEW.licence);
	INSERT INTO shop_views (shop_id, licence, seq, body) VALUES (NEW.id, NEW.licence, last_insert_rowid(), NULL)
		ON CONFLICT (shop_id) DO UPDATE SET seq = excluded.seq, licence = excluded.licence, body = NULL;
END;
