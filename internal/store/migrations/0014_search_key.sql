-- Search that understands Spanish names. SQLite's lower() and LIKE fold
-- only ASCII letters, so "nunez" never met "Ñúñez". Each account keeps
-- search_key: its name, e-mail and state without accents and in lower
-- case, one per line, written in Go (internal/fold) — the same rule that
-- folds what staff type. A search is then one scan of one column, with no
-- Go call per row, and it sorts by name through the key.
--
-- NULL means "to be written". The trigger clears the key whenever the
-- name, e-mail or state change, however they change; the store writes
-- the missing keys at start and before each search. So no writer can
-- leave a stale key behind, and existing accounts are filled in the first
-- time the store opens after this migration.

ALTER TABLE users ADD COLUMN search_key TEXT;

CREATE INDEX users_search_stale ON users (id) WHERE search_key IS NULL;

-- The list's orders: by name (the key starts with the folded name) and
-- by registration date, so a page deep in 100,000 accounts is read in
-- order instead of sorted each time.
CREATE INDEX users_search_key ON users (search_key, id);
CREATE INDEX users_created ON users (created_at, id);

CREATE TRIGGER users_search_key_stale AFTER UPDATE OF full_name, email, state ON users
WHEN NEW.search_key IS NOT NULL AND NEW.search_key IS OLD.search_key
BEGIN
    UPDATE users SET search_key = NULL WHERE id = NEW.id;
END;
