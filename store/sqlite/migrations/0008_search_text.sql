-- The text index of the store-backed (degraded) search. shops.keywords holds
-- the shop's search text as tokens (each Chinese character alone, then
-- words: see shian.TextTokens); FTS5 indexes it, kept in step by triggers.
-- unicode61 makes each spaced character a token, so a query of any length,
-- one character (粥) included, is an index lookup; a trigram tokenizer
-- cannot look up queries shorter than three characters.
CREATE VIRTUAL TABLE shops_fts USING fts5(keywords, content='shops', content_rowid='id',
	tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER shops_fts_insert AFTER INSERT ON shops BEGIN
	INSERT INTO shops_fts (rowid, keywords) VALUES (new.id, new.keywords);
END;
CREATE TRIGGER shops_fts_delete AFTER DELETE ON shops BEGIN
	INSERT INTO shops_fts (shops_fts, rowid, keywords) VALUES ('delete', old.id, old.keywords);
END;
CREATE TRIGGER shops_fts_update AFTER UPDATE OF keywords ON shops WHEN old.keywords IS NOT new.keywords BEGIN
	INSERT INTO shops_fts (shops_fts, rowid, keywords) VALUES ('delete', old.id, old.keywords);
	INSERT INTO shops_fts (rowid, keywords) VALUES (new.id, new.keywords);
END;
-- Rows written before this migration hold the old keywords: the store
-- rewrites them on the first Migrate that applies this file (see
-- sqlstore.DB.RefreshSearchText), and the triggers index the new text.
INSERT INTO shops_fts (shops_fts) VALUES ('rebuild');
-- Exact identifiers: a credit code or its prefix goes straight to the shop.
CREATE INDEX shops_credit_code ON shops (credit_code);
-- Ranking and facet counts read these narrow columns of the matching
-- shops, not their wide rows (see sqlstore.SearchShops).
CREATE INDEX shops_search ON shops (id, name, status, grade_rank, district, dynamic_grade, category, annual_grade);
