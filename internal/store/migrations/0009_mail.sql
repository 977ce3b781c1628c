-- Outgoing e-mail, queued in the same transaction as the event that causes
-- it (a registration, a certificate…), so that a message is never lost: a
-- worker sends what is due and marks it sent. A crash between the commit
-- and the send only delays it; a duplicate is possible, a loss is not.

CREATE TABLE mail_outbox (
    id          INTEGER PRIMARY KEY,
    message_id  TEXT    NOT NULL UNIQUE,       -- stable across retries: receivers drop duplicates
    to_addr     TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    text_body   TEXT    NOT NULL,
    html_body   TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_try_at INTEGER NOT NULL,
    sent_at     INTEGER,
    last_error  TEXT
);

CREATE INDEX mail_outbox_due ON mail_outbox (next_try_at) WHERE sent_at IS NULL;
