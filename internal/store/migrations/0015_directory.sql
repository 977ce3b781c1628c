-- The public directory of certified technicians. A listing belongs to one
-- person (one listing per account) and is shown only while it is
-- published, not hidden by the foundation, and its owner holds a
-- certificate that is valid at the moment of the request: that last
-- condition is a join made at read time, never a stored flag, so a
-- revoked, expired or superseded certificate hides the listing at once,
-- and a re-issued one (a corrected name) shows it again under the new
-- name.
--
-- Deleting a listing deletes its row and, by cascade, its services,
-- modes, languages and places: nothing of it is kept.

CREATE TABLE directory_listings (
    id             INTEGER PRIMARY KEY,
    user_id        INTEGER NOT NULL UNIQUE REFERENCES users (id),
    consent_at     INTEGER NOT NULL,                 -- when the person accepted the privacy notice
    notice_version TEXT    NOT NULL,                 -- which notice they accepted
    business_name  TEXT    NOT NULL DEFAULT '',
    state          TEXT    NOT NULL CHECK (length(state) = 2),  -- INEGI key of the entidad
    description    TEXT    NOT NULL DEFAULT '',      -- plain text, escaped wherever shown
    -- Contact: each value is optional and shown only when its show_ flag
    -- says so; a value not shown never leaves the server.
    whatsapp       TEXT    NOT NULL DEFAULT '',      -- ten digits
    show_whatsapp  INTEGER NOT NULL DEFAULT 0 CHECK (show_whatsapp IN (0, 1)),
    phone          TEXT    NOT NULL DEFAULT '',      -- ten digits
    show_phone     INTEGER NOT NULL DEFAULT 0 CHECK (show_phone IN (0, 1)),
    email          TEXT    NOT NULL DEFAULT '',
    show_email     INTEGER NOT NULL DEFAULT 0 CHECK (show_email IN (0, 1)),
    website        TEXT    NOT NULL DEFAULT '',      -- https URL
    show_website   INTEGER NOT NULL DEFAULT 0 CHECK (show_website IN (0, 1)),
    published      INTEGER NOT NULL DEFAULT 0 CHECK (published IN (0, 1)),
    -- Hidden by the foundation (moderation), with its reason.
    hidden_at      INTEGER,
    hidden_reason  TEXT,
    hidden_by      INTEGER REFERENCES users (id),
    -- text_key: business name, state, municipalities and description,
    -- folded (internal/fold), written with the listing. search_key:
    -- the holder's name (from the current certificate), folded, then
    -- text_key; NULL means "to be written" (see the triggers below).
    text_key       TEXT    NOT NULL DEFAULT '',
    search_key     TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    CHECK ((hidden_at IS NULL) = (hidden_reason IS NULL))
);

-- What the public search reads: the visible listings, by state.
CREATE INDEX directory_listings_public ON directory_listings (state, id)
    WHERE published = 1 AND hidden_at IS NULL;
CREATE INDEX directory_listings_stale ON directory_listings (id) WHERE search_key IS NULL;

-- The services, modes and languages of a listing: ids from the content's
-- directorio/servicios.yaml. Keyed for the filter "listings offering X".
CREATE TABLE directory_listing_terms (
    listing_id INTEGER NOT NULL REFERENCES directory_listings (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('service', 'mode', 'language')),
    term       TEXT    NOT NULL,
    PRIMARY KEY (kind, term, listing_id)
) WITHOUT ROWID;
CREATE INDEX directory_listing_terms_listing ON directory_listing_terms (listing_id);

-- The municipalities a listing serves: INEGI keys (five digits).
CREATE TABLE directory_listing_places (
    listing_id INTEGER NOT NULL REFERENCES directory_listings (id) ON DELETE CASCADE,
    municipio  TEXT    NOT NULL CHECK (length(municipio) = 5),
    PRIMARY KEY (municipio, listing_id)
) WITHOUT ROWID;
CREATE INDEX directory_listing_places_listing ON directory_listing_places (listing_id);

-- The holder's name is part of search_key and comes from the
-- certificate: a new certificate (a re-issue under a corrected name), a
-- change of status (revoked, reinstated) or a merge of accounts makes the
-- owner's key stale, whoever writes it. The store writes stale keys
-- before each search.
CREATE TRIGGER directory_name_stale_insert AFTER INSERT ON certificates
BEGIN
    UPDATE directory_listings SET search_key = NULL WHERE user_id = NEW.user_id;
END;

CREATE TRIGGER directory_name_stale_update AFTER UPDATE OF holder_name, status, user_id ON certificates
BEGIN
    UPDATE directory_listings SET search_key = NULL WHERE user_id IN (OLD.user_id, NEW.user_id);
END;

CREATE TRIGGER directory_owner_stale AFTER UPDATE OF user_id ON directory_listings
BEGIN
    UPDATE directory_listings SET search_key = NULL WHERE id = NEW.id;
END;
