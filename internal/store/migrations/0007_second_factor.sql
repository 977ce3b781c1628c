-- The administrators' second factor.
--
-- An authenticator's TOTP secret is stored sealed (AES-256-GCM with a key
-- kept in DATA/keys, not in this file), so a copy of the database alone
-- cannot produce codes. Recovery codes are stored only as SHA-256 hashes:
-- they are 80 random bits, too many to guess from a hash.

CREATE TABLE totp_authenticators (
    user_id     INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret      BLOB    NOT NULL,
    enrolled_at INTEGER NOT NULL,
    -- The time step of the last code accepted: a code is good only once.
    last_step   INTEGER NOT NULL DEFAULT 0 CHECK (last_step >= 0)
);

-- An authenticator shown to its owner but not yet confirmed with a code
-- from it; it replaces the enrolled one only when confirmed.
CREATE TABLE totp_enrolments (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret     BLOB    NOT NULL,
    started_at INTEGER NOT NULL
);

CREATE TABLE recovery_codes (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    used_at    INTEGER,
    PRIMARY KEY (user_id, code_hash)
) WITHOUT ROWID;

-- Wrong codes (and wrong passwords at a re-check) in a row, per account:
-- past a few, the account waits longer and longer before the next try.
CREATE TABLE verification_failures (
    user_id         INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    failures        INTEGER NOT NULL CHECK (failures > 0),
    last_failure_at INTEGER NOT NULL
);

-- A sign-in whose password was right, waiting for the second factor. It
-- is not a session: nothing but the code pages accepts it.
CREATE TABLE sign_in_challenges (
    token_hash BLOB    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    ip         TEXT    NOT NULL DEFAULT ''
) WITHOUT ROWID;

CREATE INDEX sign_in_challenges_created ON sign_in_challenges (created_at);

-- When the session passed a second factor (NULL: never, and the console
-- stays closed to it), and when its owner last proved who they are with a
-- password or a code (NULL: at sign-in, created_at).
ALTER TABLE sessions ADD COLUMN second_factor_at INTEGER;
ALTER TABLE sessions ADD COLUMN checked_at INTEGER;
