-- The text index of the store-backed (degraded) search. shops.keywords holds
-- the shop's search text as tokens (each Chinese character alone, then
-- words: see shian.TextTokens); a generated tsvector of it ('simple': no
-- stemming, no stop words) carries a GIN index. Each spaced character is a
-- lexeme, so a query of any length, one character (粥) included, is an index
-- lookup; pg_trgm cannot look up a LIKE pattern shorter than three
-- characters. Phrases use <->, prefixes :*.
ALTER TABLE shops ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', keywords)) STORED;
CREATE INDEX shops_search_tsv ON shops USING gin (search_tsv);
-- Exact identifiers: a credit code or its prefix goes straight to the shop.
CREATE INDEX shops_credit_code ON shops (credit_code);
-- Ranking and facet counts read these narrow columns of the matching
-- shops, not their wide rows (see sqlstore.SearchShops).
CREATE INDEX shops_search ON shops (id) INCLUDE (name, status, grade_rank, district, dynamic_grade, category, annual_grade);
