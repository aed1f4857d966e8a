-- Daily QR sticker scan counts per shop; nothing about who scanned.
CREATE TABLE shop_scans (
	shop_id INTEGER NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
	day     TEXT NOT NULL,
	scans   INTEGER NOT NULL,
	PRIMARY KEY (shop_id, day)
);
