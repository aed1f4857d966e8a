-- Visitors' names and addresses, and inspection findings mapped onto the
-- inspection item catalog (docs/names.md). address_en and address_ru spell
-- the registered Chinese address, which stays in address for a taxi
-- driver; name_*_generated mark names written from the Chinese name rather
-- than supplied; item_codes holds the catalog code of each items_failed
-- entry, index by index ('' where none matched).
ALTER TABLE shops ADD COLUMN address_en TEXT NOT NULL DEFAULT '';
ALTER TABLE shops ADD COLUMN address_ru TEXT NOT NULL DEFAULT '';
ALTER TABLE shops ADD COLUMN name_en_generated BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE shops ADD COLUMN name_ru_generated BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE inspections ADD COLUMN item_codes TEXT NOT NULL DEFAULT '[]';
