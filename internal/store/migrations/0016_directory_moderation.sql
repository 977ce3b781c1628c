-- The directory's moderation: success stories that the foundation
-- approves before they are shown, visitors' reports of listings, the
-- partner programme's levels, and the searches that found nothing.
--
-- Stories and reports belong to a listing: deleting the listing deletes
-- them (ON DELETE CASCADE), so nothing of a deleted listing is kept. A
-- story is public only while it is approved AND its listing is visible
-- (the live check of 0015, made at read time), so it disappears with
-- its listing however that happens.

CREATE TABLE directory_stories (
    id          INTEGER PRIMARY KEY,
    listing_id  INTEGER NOT NULL REFERENCES directory_listings (id) ON DELETE CASCADE,
    title       TEXT    NOT NULL,
    client_kind TEXT    NOT NULL CHECK (client_kind IN ('hogar', 'pyme', 'escuela', 'gobierno', 'organizacion')),
    state       TEXT    NOT NULL CHECK (length(state) = 2),  -- INEGI key of the entidad
    work        TEXT    NOT NULL,                            -- what was done: plain text
    result      TEXT    NOT NULL,                            -- the result: plain text
    status      TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    reason      TEXT    NOT NULL DEFAULT '',                 -- why it was rejected, for its author
    decided_at  INTEGER,
    decided_by  INTEGER REFERENCES users (id),
    created_at  INTEGER NOT NULL,
    CHECK ((status = 'rejected') = (reason <> ''))
);
CREATE INDEX directory_stories_listing ON directory_stories (listing_id, id);
CREATE INDEX directory_stories_pending ON directory_stories (id) WHERE status = 'pending';
CREATE INDEX directory_stories_public ON directory_stories (id) WHERE status = 'approved';

-- Reports by visitors, who need no account. Nothing identifies the
-- visitor: no address, no account; the rate limit lives in memory.
CREATE TABLE directory_reports (
    id         INTEGER PRIMARY KEY,
    listing_id INTEGER NOT NULL REFERENCES directory_listings (id) ON DELETE CASCADE,
    reason     TEXT    NOT NULL CHECK (reason IN ('datos_falsos', 'no_es_la_persona', 'trato_indebido', 'contenido_inapropiado', 'otro')),
    details    TEXT    NOT NULL DEFAULT '',
    status     TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'dismissed', 'actioned')),
    closed_at  INTEGER,
    closed_by  INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL
);
CREATE INDEX directory_reports_open ON directory_reports (id) WHERE status = 'open';
CREATE INDEX directory_reports_listing ON directory_reports (listing_id);

-- The partner programme's levels, which the foundation edits. A level
-- in use by a listing cannot be deleted (the foreign key refuses it).
CREATE TABLE directory_partner_levels (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    description TEXT    NOT NULL DEFAULT '',
    position    INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
INSERT INTO directory_partner_levels (name, description, position, created_at) VALUES
    ('Socio de Servicios', 'Ofrece servicios de soporte de MxOS a hogares y negocios.', 1, 0),
    ('Socio de Formación', 'Forma a nuevas técnicas y técnicos en MxOS.', 2, 0),
    ('Socio Tecnológico', 'Desarrolla o integra tecnología con MxOS.', 3, 0);

ALTER TABLE directory_listings ADD COLUMN partner_level_id INTEGER REFERENCES directory_partner_levels (id);
CREATE INDEX directory_listings_partner ON directory_listings (partner_level_id) WHERE partner_level_id IS NOT NULL;

-- Searches that found nothing: what people look for and do not find.
-- Counted per day (in Mexico City) and per normalized search — the
-- folded words and the filters — never who searched or from where.
-- Bounded: rows older than the window are deleted as new ones come, and
-- a day keeps at most a fixed number of distinct searches (the store's
-- MissedSearchesPerDay).
CREATE TABLE directory_missed_searches (
    day       INTEGER NOT NULL,             -- days since 1970-01-01
    query     TEXT    NOT NULL,             -- folded words, space-separated
    state     TEXT    NOT NULL DEFAULT '',  -- INEGI key
    municipio TEXT    NOT NULL DEFAULT '',  -- INEGI key
    service   TEXT    NOT NULL DEFAULT '',  -- service id
    count     INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (day, query, state, municipio, service)
) WITHOUT ROWID;
