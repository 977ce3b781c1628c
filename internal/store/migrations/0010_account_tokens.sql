-- Confirmed e-mail addresses and single-use links (verify an address,
-- reset a password, change the address).

-- When the account's address was confirmed by following a link sent to
-- it; NULL until then. Accounts that exist before this migration count as
-- confirmed: they were made by the operator (mxcert user create, who
-- vouches for the address) or registered before addresses were checked,
-- and taking the exam away from them now would punish nobody but them.
ALTER TABLE users ADD COLUMN email_verified_at INTEGER;
UPDATE users SET email_verified_at = created_at;

-- A link's token is 256 random bits; only its SHA-256 is kept, so a copy
-- of the database (a backup) opens no account. A token is used once
-- (used_at) and refused after expires_at.
CREATE TABLE account_tokens (
    token_hash BLOB    PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT    NOT NULL CHECK (purpose IN ('verify_email', 'reset_password', 'change_email')),
    new_email  TEXT    NOT NULL DEFAULT '' CHECK ((purpose = 'change_email') = (new_email <> '')),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
) WITHOUT ROWID;

CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose);
