-- Each question of an exam as served (stem, options in the served order,
-- key, explanation: about 1 KB) was stored in every attempt's own rows:
-- some 100 KB of database per attempt, 10 GB at 100,000 attempts, and
-- every start, answer and score read and wrote pages full of copies of the
-- same text. A question served in the same option order is the same
-- bytes, so it is now stored once, in served_items, and attempt_items
-- points at it. A served item is never changed nor deleted: an attempt
-- still shows and scores exactly what it served.
--
-- attempt_items is rebuilt (SQLite cannot drop a column that is NOT
-- NULL); nothing references it, so no other table changes.

CREATE TABLE served_items (
    id   INTEGER PRIMARY KEY,
    -- How the application finds an item it serves again: the SHA-256 of
    -- the item's JSON, in hexadecimal. Items moved here by this migration
    -- get a key of their own that no hash equals (SQL has no SHA-256 in
    -- SQLite); serving one of them again stores one more copy, once.
    hash TEXT    NOT NULL UNIQUE,
    item TEXT    NOT NULL CHECK (json_valid(item)) -- stem, options and key as served
);

INSERT INTO served_items (hash, item)
SELECT 'migrated:' || row_number() OVER (ORDER BY item), item FROM (SELECT DISTINCT item FROM attempt_items);

CREATE INDEX served_items_migrating ON served_items (item);

CREATE TABLE attempt_items_new (
    attempt_id  TEXT    NOT NULL REFERENCES attempts (id),
    position    INTEGER NOT NULL CHECK (position >= 0),
    question_id TEXT    NOT NULL,
    domain      TEXT    NOT NULL,
    served_id   INTEGER NOT NULL REFERENCES served_items (id),
    answer      TEXT    CHECK (answer IS NULL OR json_valid(answer)),
    flagged     INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1)),
    seq         INTEGER NOT NULL DEFAULT 0,  -- the attempt's seq when this item last changed
    answered_at INTEGER,
    correct     INTEGER CHECK (correct IN (0, 1)), -- set when the attempt is finalised
    PRIMARY KEY (attempt_id, position)
) WITHOUT ROWID;

INSERT INTO attempt_items_new (attempt_id, position, question_id, domain, served_id, answer, flagged, seq, answered_at, correct)
SELECT i.attempt_id, i.position, i.question_id, i.domain, s.id, i.answer, i.flagged, i.seq, i.answered_at, i.correct
FROM attempt_items i JOIN served_items s ON s.item = i.item;

DROP INDEX served_items_migrating;
DROP TABLE attempt_items;
ALTER TABLE attempt_items_new RENAME TO attempt_items;

-- The index attempt_items_question (question_id) is not made again. No
-- query looks items up by question: its one reader, the console's item
-- exposure, read all of it in order, which a scan of the table and a
-- sort over some hundred questions does as well. It cost every exam start
-- 40 writes at random places of a B-tree as large as the table (220 MB at
-- 100,000 attempts).
