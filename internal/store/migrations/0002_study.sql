-- Self-paced study: modules marked as studied, and practice sessions
-- (domain quizzes and simulacros) with the questions as they were served.

CREATE TABLE module_progress (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    track_id    TEXT    NOT NULL,
    module_slug TEXT    NOT NULL,
    studied_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, track_id, module_slug)
) WITHOUT ROWID;

CREATE TABLE practice_sessions (
    id              TEXT    PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    track_id        TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('quiz', 'simulacro')),
    domain          TEXT    NOT NULL DEFAULT '',
    seed            INTEGER NOT NULL,
    content_version TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    deadline        INTEGER,          -- a timed simulacro; NULL when untimed
    finished_at     INTEGER
);

CREATE INDEX practice_sessions_user ON practice_sessions (user_id, track_id, created_at);

CREATE TABLE practice_items (
    session_id  TEXT    NOT NULL REFERENCES practice_sessions (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL CHECK (position >= 0),
    question_id TEXT    NOT NULL,
    domain      TEXT    NOT NULL,
    item        TEXT    NOT NULL CHECK (json_valid(item)), -- the question as served
    answer      TEXT    CHECK (answer IS NULL OR json_valid(answer)),
    correct     INTEGER CHECK (correct IN (0, 1)),
    answered_at INTEGER,
    PRIMARY KEY (session_id, position)
) WITHOUT ROWID;
