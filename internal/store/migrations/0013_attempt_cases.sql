-- Settling disputes and helping mid-exam: the foundation may extend a
-- running exam (its deadline moves; extended_minutes says by how much in
-- all) or cancel it with a reason (status and finish reason 'cancelled';
-- no score, no certificate, no cool-down), and keeps notes on a candidate.
--
-- SQLite cannot change a CHECK constraint in place, and attempts is the
-- parent of attempt_items and certificates: the three tables are rebuilt
-- (https://www.sqlite.org/lang_altertable.html, "making other kinds of
-- table schema changes"). The new children point at attempts_new, so
-- dropping the old tables orphans nothing; renaming attempts_new to
-- attempts updates their references.

PRAGMA defer_foreign_keys = ON;

CREATE TABLE attempts_new (
    id               TEXT    PRIMARY KEY,
    user_id          INTEGER NOT NULL REFERENCES users (id),
    track_id         TEXT    NOT NULL,
    track_title      TEXT    NOT NULL,
    track_version    TEXT    NOT NULL,
    content_version  TEXT    NOT NULL,
    bank_version     TEXT    NOT NULL DEFAULT '',
    seed             INTEGER NOT NULL,
    holder_name      TEXT    NOT NULL,          -- the name the candidate confirmed at the start
    started_at       INTEGER NOT NULL,
    deadline         INTEGER NOT NULL,
    extra_minutes    INTEGER NOT NULL DEFAULT 0, -- the accommodation at the start
    extended_minutes INTEGER NOT NULL DEFAULT 0 CHECK (extended_minutes >= 0), -- added by the foundation while it ran
    pass_percent     INTEGER NOT NULL CHECK (pass_percent BETWEEN 1 AND 100),
    total            INTEGER NOT NULL CHECK (total > 0),
    seq              INTEGER NOT NULL DEFAULT 0, -- bumped by every accepted change
    status           TEXT    NOT NULL DEFAULT 'in_progress' CHECK (status IN ('in_progress', 'passed', 'failed', 'cancelled')),
    finished_at      INTEGER,
    finish_reason    TEXT    CHECK (finish_reason IN ('submitted', 'expired', 'cancelled')),
    cancel_reason    TEXT,                       -- why the foundation cancelled it, as the candidate reads it
    score            INTEGER,
    percent          INTEGER,
    cooldown_waived  INTEGER NOT NULL DEFAULT 0 CHECK (cooldown_waived IN (0, 1)),
    CHECK ((status = 'in_progress') = (finished_at IS NULL)),
    CHECK ((status = 'cancelled') = (finish_reason IS 'cancelled')),
    CHECK ((status = 'cancelled') = (cancel_reason IS NOT NULL)),
    CHECK (deadline > started_at)
);

INSERT INTO attempts_new (id, user_id, track_id, track_title, track_version, content_version, bank_version, seed, holder_name,
    started_at, deadline, extra_minutes, pass_percent, total, seq, status, finished_at, finish_reason, score, percent, cooldown_waived)
SELECT id, user_id, track_id, track_title, track_version, content_version, bank_version, seed, holder_name,
    started_at, deadline, extra_minutes, pass_percent, total, seq, status, finished_at, finish_reason, score, percent, cooldown_waived
FROM attempts;

CREATE TABLE attempt_items_new (
    attempt_id  TEXT    NOT NULL REFERENCES attempts_new (id),
    position    INTEGER NOT NULL CHECK (position >= 0),
    question_id TEXT    NOT NULL,
    domain      TEXT    NOT NULL,
    item        TEXT    NOT NULL CHECK (json_valid(item)), -- stem, options and key as served
    answer      TEXT    CHECK (answer IS NULL OR json_valid(answer)),
    flagged     INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1)),
    seq         INTEGER NOT NULL DEFAULT 0,  -- the attempt's seq when this item last changed
    answered_at INTEGER,
    correct     INTEGER CHECK (correct IN (0, 1)), -- set when the attempt is finalised
    PRIMARY KEY (attempt_id, position)
) WITHOUT ROWID;

INSERT INTO attempt_items_new SELECT attempt_id, position, question_id, domain, item, answer, flagged, seq, answered_at, correct FROM attempt_items;

CREATE TABLE certificates_new (
    id                TEXT    PRIMARY KEY,
    code              TEXT    NOT NULL UNIQUE,
    code_norm         TEXT    NOT NULL UNIQUE,
    user_id           INTEGER NOT NULL REFERENCES users (id),
    attempt_id        TEXT    NOT NULL REFERENCES attempts_new (id),
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
DROP TABLE attempt_items;
DROP TABLE attempts;
ALTER TABLE attempts_new RENAME TO attempts;
ALTER TABLE attempt_items_new RENAME TO attempt_items;
ALTER TABLE certificates_new RENAME TO certificates;

CREATE UNIQUE INDEX attempts_one_open ON attempts (user_id, track_id) WHERE status = 'in_progress';
CREATE INDEX attempts_user ON attempts (user_id, track_id, started_at);
CREATE INDEX attempts_open_deadline ON attempts (deadline) WHERE status = 'in_progress';
CREATE INDEX attempts_finished ON attempts (finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX attempt_items_question ON attempt_items (question_id);
CREATE UNIQUE INDEX certificates_one_valid ON certificates (user_id, track_id) WHERE status = 'valid';
CREATE UNIQUE INDEX certificates_one_current_per_attempt ON certificates (attempt_id) WHERE status <> 'superseded';
CREATE INDEX certificates_user ON certificates (user_id);
CREATE INDEX certificates_issued ON certificates (issued_at);

-- Notes the foundation keeps on a candidate: who wrote them and when.
CREATE TABLE candidate_notes (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    author_id  INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    body       TEXT    NOT NULL CHECK (length(body) BETWEEN 1 AND 2000)
);

CREATE INDEX candidate_notes_user ON candidate_notes (user_id, created_at);
