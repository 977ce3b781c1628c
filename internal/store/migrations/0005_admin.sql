-- Administration: a name correction re-issues a certificate, so one attempt
-- may have several certificates of which one at most is current (the
-- others are 'superseded'); and the foundation can waive a cool-down.
--
-- SQLite cannot drop a UNIQUE constraint in place: the table is rebuilt
-- (https://www.sqlite.org/lang_altertable.html, "making other kinds of
-- table schema changes"), inside this migration's transaction.

CREATE TABLE certificates_new (
    id                TEXT    PRIMARY KEY,
    code              TEXT    NOT NULL UNIQUE,
    code_norm         TEXT    NOT NULL UNIQUE,
    user_id           INTEGER NOT NULL REFERENCES users (id),
    attempt_id        TEXT    NOT NULL REFERENCES attempts (id),
    track_id          TEXT    NOT NULL,
    track_title       TEXT    NOT NULL,
    track_version     TEXT    NOT NULL,
    content_version   TEXT    NOT NULL,
    holder_name       TEXT    NOT NULL,
    issued_at         INTEGER NOT NULL,
    expires_at        INTEGER,
    status            TEXT    NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'revoked', 'superseded')),
    revoked_at        INTEGER,
    revocation_reason TEXT,
    replaced_by       TEXT    REFERENCES certificates_new (id),
    credential        TEXT    NOT NULL CHECK (json_valid(credential)),
    signature         TEXT    NOT NULL,
    key_id            TEXT    NOT NULL,
    pdf               BLOB,
    CHECK ((status = 'revoked') = (revoked_at IS NOT NULL)),
    CHECK ((status = 'superseded') = (replaced_by IS NOT NULL))
);

INSERT INTO certificates_new SELECT id, code, code_norm, user_id, attempt_id, track_id, track_title, track_version, content_version,
    holder_name, issued_at, expires_at, status, revoked_at, revocation_reason, replaced_by, credential, signature, key_id, pdf
FROM certificates;

DROP TABLE certificates;
ALTER TABLE certificates_new RENAME TO certificates;

CREATE UNIQUE INDEX certificates_one_valid ON certificates (user_id, track_id) WHERE status = 'valid';
CREATE UNIQUE INDEX certificates_one_current_per_attempt ON certificates (attempt_id) WHERE status <> 'superseded';
CREATE INDEX certificates_user ON certificates (user_id);
CREATE INDEX certificates_issued ON certificates (issued_at);

ALTER TABLE attempts ADD COLUMN cooldown_waived INTEGER NOT NULL DEFAULT 0 CHECK (cooldown_waived IN (0, 1));
CREATE INDEX attempts_finished ON attempts (finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX audit_log_actor ON audit_log (actor_id, at);
