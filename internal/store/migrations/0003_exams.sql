-- Timed exams: attempts with the questions as served, answers saved one by
-- one, and accommodations (extra time) per candidate.

ALTER TABLE users ADD COLUMN extra_minutes INTEGER NOT NULL DEFAULT 0 CHECK (extra_minutes BETWEEN 0 AND 600);

CREATE TABLE attempts (
    id              TEXT    PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id),
    track_id        TEXT    NOT NULL,
    track_title     TEXT    NOT NULL,
    track_version   TEXT    NOT NULL,
    content_version TEXT    NOT NULL,
    seed            INTEGER NOT NULL,
    holder_name     TEXT    NOT NULL,          -- the name the candidate confirmed at the start
    started_at      INTEGER NOT NULL,
    deadline        INTEGER NOT NULL,
    extra_minutes   INTEGER NOT NULL DEFAULT 0,
    pass_percent    INTEGER NOT NULL CHECK (pass_percent BETWEEN 1 AND 100),
    total           INTEGER NOT NULL CHECK (total > 0),
    seq             INTEGER NOT NULL DEFAULT 0, -- bumped by every accepted change
    status          TEXT    NOT NULL DEFAULT 'in_progress' CHECK (status IN ('in_progress', 'passed', 'failed')),
    finished_at     INTEGER,
    finish_reason   TEXT    CHECK (finish_reason IN ('submitted', 'expired')),
    score           INTEGER,
    percent         INTEGER,
    CHECK ((status = 'in_progress') = (finished_at IS NULL)),
    CHECK (deadline > started_at)
);

-- One attempt in progress per candidate and certification.
CREATE UNIQUE INDEX attempts_one_open ON attempts (user_id, track_id) WHERE status = 'in_progress';
CREATE INDEX attempts_user ON attempts (user_id, track_id, started_at);
CREATE INDEX attempts_open_deadline ON attempts (deadline) WHERE status = 'in_progress';

CREATE TABLE attempt_items (
    attempt_id  TEXT    NOT NULL REFERENCES attempts (id),
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

CREATE INDEX attempt_items_question ON attempt_items (question_id);
