-- One person, one record: the foundation joins two accounts of one person
-- into one. The attempts, practice, module progress and certificates of
-- the closed account move to the kept one; the closed account stays, so
-- that the audit log and old links still name it, but it no longer signs
-- in or opens a session. Its e-mail address stays on it (email_norm is
-- still UNIQUE), so that address cannot register a separate person again.

ALTER TABLE users ADD COLUMN closed_at INTEGER;
ALTER TABLE users ADD COLUMN merged_into INTEGER REFERENCES users (id)
    CHECK (merged_into IS NULL OR (closed_at IS NOT NULL AND merged_into <> id));

CREATE INDEX users_merged_into ON users (merged_into) WHERE merged_into IS NOT NULL;
