-- Certificates: issued with a passing attempt, verified by anyone.

CREATE TABLE certificates (
    id                TEXT    PRIMARY KEY,                  -- random UUID
    code              TEXT    NOT NULL UNIQUE,              -- as printed: SB-7K4Q-9XTP-M2HW
    code_norm         TEXT    NOT NULL UNIQUE,              -- lookup form: SB7K4Q9XTPM2HW
    user_id           INTEGER NOT NULL REFERENCES users (id),
    attempt_id        TEXT    NOT NULL UNIQUE REFERENCES attempts (id),
    track_id          TEXT    NOT NULL,
    track_title       TEXT    NOT NULL,
    track_version     TEXT    NOT NULL,
    content_version   TEXT    NOT NULL,
    holder_name       TEXT    NOT NULL,
    issued_at         INTEGER NOT NULL,
    expires_at        INTEGER,                              -- NULL: does not expire
    status            TEXT    NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'revoked', 'superseded')),
    revoked_at        INTEGER,
    revocation_reason TEXT,
    replaced_by       TEXT    REFERENCES certificates (id),
    credential        TEXT    NOT NULL CHECK (json_valid(credential)), -- canonical signed bytes
    signature         TEXT    NOT NULL,
    key_id            TEXT    NOT NULL,
    pdf               BLOB,                                 -- rendered once, on first download
    CHECK ((status = 'revoked') = (revoked_at IS NOT NULL))
);

-- At most one valid certificate per candidate and certification.
CREATE UNIQUE INDEX certificates_one_valid ON certificates (user_id, track_id) WHERE status = 'valid';
CREATE INDEX certificates_user ON certificates (user_id);
