-- Understanding a complaint (issue 14, docs/complaints.md): how the shop of
-- a complaint filed without a licence was resolved (outcome, confidence,
-- the fields that agreed, candidate licences: JSON), the service's reading
-- of the words kept beside the submitted category (suggested category and
-- priority, signals with their words: JSON), and the district a complaint
-- routed nowhere probably belongs to, whose queue shows it marked probable.
ALTER TABLE complaints ADD COLUMN shop_resolution TEXT NOT NULL DEFAULT '{}';
ALTER TABLE complaints ADD COLUMN reading TEXT NOT NULL DEFAULT '{}';
ALTER TABLE complaints ADD COLUMN probable_district TEXT NOT NULL DEFAULT '';
CREATE INDEX complaints_probable ON complaints (probable_district, priority_rank) WHERE district = '' AND probable_district <> '';
