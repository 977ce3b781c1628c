-- The words of each listing's search key (the holder's name and the
-- listing's text, folded), one row per distinct word: the free-text search
-- reads the listings holding a word, or a word that starts with what was
-- typed, from this index instead of reading every listing's text. The
-- store writes a listing's words with its search key (stale keys are
-- written before each search); deleting the listing deletes them.
CREATE TABLE directory_listing_words (
    word       TEXT    NOT NULL,
    listing_id INTEGER NOT NULL REFERENCES directory_listings (id) ON DELETE CASCADE,
    PRIMARY KEY (word, listing_id)
) WITHOUT ROWID;
CREATE INDEX directory_listing_words_listing ON directory_listing_words (listing_id, word);

-- Every key is written again, words included, before the next search.
UPDATE directory_listings SET search_key = NULL;
