-- Linking a new complaint looks for earlier ones about the same shop, in the
-- same category and, unless it is about illness, from the same phone. The
-- shop index lacked the phone, so a shop with hundreds of complaints in two
-- days (an outbreak, a busy stall) had every one of them read and filtered
-- for each new filing. With the phone in the index the lookup reads only
-- the rows it returns; illness lookups still use the (shop, category) prefix.
DROP INDEX complaints_shop;
CREATE INDEX complaints_shop ON complaints (shop_key, category, phone_hash, created_at);
