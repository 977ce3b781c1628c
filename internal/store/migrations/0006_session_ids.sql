-- Each session gets a public id: the account page lists a person's open
-- sessions and ends one by this id. The token's hash stays the key and
-- never leaves the server; the id cannot be used to sign in.
ALTER TABLE sessions ADD COLUMN public_id TEXT NOT NULL DEFAULT '';
UPDATE sessions SET public_id = lower(hex(randomblob(16)));
CREATE UNIQUE INDEX sessions_public_id ON sessions (public_id);
