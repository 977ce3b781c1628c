-- What the public search of the directory needs to find a page of
-- listings without reading all of them (internal/store/directory_search.go).
--
-- valid_until: until when the owner's certificates keep the listing
-- visible, in ms: the latest expiry among the owner's certificates whose
-- status is 'valid' (4611686018427387904, 2^62, when one never expires);
-- NULL when the owner has none. A listing is visible at t while it is
-- published, not hidden and valid_until > t, which is exactly "its owner
-- holds a certificate valid at t". Expiry needs no job: it is compared at
-- read time, on an indexed column. The triggers below keep the column in
-- the same transaction as any change of a certificate (issue, revocation,
-- reinstatement, re-issue under a corrected name, which supersedes the old
-- one, a merge of accounts) or of the listing's owner: a revoked
-- certificate hides the listing at the commit that revokes it, from
-- whatever process.
--
-- rotation: a fixed 32-bit key of the listing, ((id & (2^31 - 1)) *
-- 2654435761) mod 2^32 (a bijection of ids below 2^31; consecutive ids
-- spread evenly round the circle). The daily rotation orders equals by
-- (rotation - seed of the day) mod 2^32: a walk along an index on
-- rotation from the seed, wrapping round once.
ALTER TABLE directory_listings ADD COLUMN valid_until INTEGER;
ALTER TABLE directory_listings ADD COLUMN rotation INTEGER NOT NULL DEFAULT 0;

UPDATE directory_listings SET
    rotation = ((id & 2147483647) * 2654435761) & 4294967295,
    valid_until = (SELECT max(coalesce(c.expires_at, 4611686018427387904)) FROM certificates c
        WHERE c.user_id = directory_listings.user_id AND c.status = 'valid');

CREATE TRIGGER directory_listing_new AFTER INSERT ON directory_listings
BEGIN
    UPDATE directory_listings SET
        rotation = ((NEW.id & 2147483647) * 2654435761) & 4294967295,
        valid_until = (SELECT max(coalesce(c.expires_at, 4611686018427387904)) FROM certificates c
            WHERE c.user_id = NEW.user_id AND c.status = 'valid')
    WHERE id = NEW.id;
END;

CREATE TRIGGER directory_listing_new_owner AFTER UPDATE OF user_id ON directory_listings
BEGIN
    UPDATE directory_listings SET valid_until = (SELECT max(coalesce(c.expires_at, 4611686018427387904)) FROM certificates c
        WHERE c.user_id = NEW.user_id AND c.status = 'valid')
    WHERE id = NEW.id;
END;

CREATE TRIGGER directory_valid_insert AFTER INSERT ON certificates
BEGIN
    UPDATE directory_listings SET valid_until = (SELECT max(coalesce(c.expires_at, 4611686018427387904)) FROM certificates c
        WHERE c.user_id = directory_listings.user_id AND c.status = 'valid')
    WHERE user_id = NEW.user_id;
END;

CREATE TRIGGER directory_valid_update AFTER UPDATE OF status, expires_at, user_id ON certificates
BEGIN
    UPDATE directory_listings SET valid_until = (SELECT max(coalesce(c.expires_at, 4611686018427387904)) FROM certificates c
        WHERE c.user_id = directory_listings.user_id AND c.status = 'valid')
    WHERE user_id IN (OLD.user_id, NEW.user_id);
END;

CREATE TRIGGER directory_valid_delete AFTER DELETE ON certificates
BEGIN
    UPDATE directory_listings SET valid_until = (SELECT max(coalesce(c.expires_at, 4611686018427387904)) FROM certificates c
        WHERE c.user_id = directory_listings.user_id AND c.status = 'valid')
    WHERE user_id = OLD.user_id;
END;

-- The walks of the search: every listing that can be visible, in
-- rotation order, overall and by state, holding every column the
-- search asks about, so that expiry is checked without reading the row.
-- (They replace the index by state and id.)
DROP INDEX directory_listings_public;
CREATE INDEX directory_listings_rotation ON directory_listings (rotation, valid_until, published, hidden_at)
    WHERE published = 1 AND hidden_at IS NULL AND valid_until IS NOT NULL;
CREATE INDEX directory_listings_state_rotation ON directory_listings (state, rotation, valid_until, published, hidden_at)
    WHERE published = 1 AND hidden_at IS NULL AND valid_until IS NOT NULL;
-- Whether a listing found by another index (a word, a service, a
-- municipality) is visible, with its state and rotation key, read from
-- the index alone.
CREATE INDEX directory_listings_visible ON directory_listings (id, valid_until, state, rotation, published, hidden_at)
    WHERE published = 1 AND hidden_at IS NULL AND valid_until IS NOT NULL;
-- The next expiry among them (how long a count by state stays right).
CREATE INDEX directory_listings_expiry ON directory_listings (valid_until, published, hidden_at)
    WHERE published = 1 AND hidden_at IS NULL AND valid_until IS NOT NULL;
-- The listings offering a service, and those serving a municipality, in
-- rotation order (the same expression on listing_id).
CREATE INDEX directory_listing_terms_rotation ON directory_listing_terms
    (kind, term, ((listing_id & 2147483647) * 2654435761) & 4294967295);
CREATE INDEX directory_listing_places_rotation ON directory_listing_places
    (municipio, ((listing_id & 2147483647) * 2654435761) & 4294967295);

-- A counter that every change of which listings are visible, or where,
-- moves on (in the same transaction): the counts by state are computed
-- again only when it has moved or a listing has expired since.
CREATE TABLE directory_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO directory_generation (id, n) VALUES (1, 0);

CREATE TRIGGER directory_generation_insert AFTER INSERT ON directory_listings
BEGIN
    UPDATE directory_generation SET n = n + 1;
END;

CREATE TRIGGER directory_generation_delete AFTER DELETE ON directory_listings
BEGIN
    UPDATE directory_generation SET n = n + 1;
END;

CREATE TRIGGER directory_generation_update AFTER UPDATE OF published, hidden_at, valid_until, state ON directory_listings
    WHEN OLD.published IS NOT NEW.published OR (OLD.hidden_at IS NULL) IS NOT (NEW.hidden_at IS NULL)
        OR OLD.valid_until IS NOT NEW.valid_until OR OLD.state IS NOT NEW.state
BEGIN
    UPDATE directory_generation SET n = n + 1;
END;
