-- The directory's generation (migration 0018) also moves on whenever
-- something a search matches on changes: the words of a listing, its
-- services and other terms, the municipalities it serves, its search
-- keys and its rotation. The store keeps the ids a search found while
-- the generation stays the same and no listing has expired since; with
-- these triggers an edit is seen by the very next search, from whatever
-- process it is made.
CREATE TRIGGER directory_generation_words_insert AFTER INSERT ON directory_listing_words
BEGIN
    UPDATE directory_generation SET n = n + 1;
END;

CREATE TRIGGER directory_generation_words_delete AFTER DELETE ON directory_listing_words
BEGIN
    UPDATE directory_generation SET n = n + 1;
END;

CREATE TRIGGER directory_generation_terms_insert AFTER INSERT ON directory_listing_terms
BEGIN
    UPDATE directory_generation SET n = n + 1;
END;

CREATE TRIGGER directory_generation_terms_delete AFTER DELETE ON directory_listing_terms
BEGIN
    UPDATE directory_generation SET n = n + 1;
END;

CREATE TRIGGER directory_generation_places_insert AFTER INSERT ON directory_listing_places
BEGIN
    UPDATE directory_generation SET n = n + 1;
END;

CREATE TRIGGER directory_generation_places_delete AFTER DELETE ON directory_listing_places
BEGIN
    UPDATE directory_generation SET n = n + 1;
END;

CREATE TRIGGER directory_generation_keys_update AFTER UPDATE OF search_key, text_key, rotation ON directory_listings
    WHEN OLD.search_key IS NOT NEW.search_key OR OLD.text_key IS NOT NEW.text_key OR OLD.rotation IS NOT NEW.rotation
BEGIN
    UPDATE directory_generation SET n = n + 1;
END;

-- Rows of these tables are written and deleted, not changed; should one
-- ever be changed, that moves the generation on too.
CREATE TRIGGER directory_generation_words_update AFTER UPDATE ON directory_listing_words
BEGIN
    UPDATE directory_generation SET n = n + 1;
END;

CREATE TRIGGER directory_generation_terms_update AFTER UPDATE ON directory_listing_terms
BEGIN
    UPDATE directory_generation SET n = n + 1;
END;

CREATE TRIGGER directory_generation_places_update AFTER UPDATE ON directory_listing_places
BEGIN
    UPDATE directory_generation SET n = n + 1;
END;
