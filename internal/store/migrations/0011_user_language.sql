-- The language a person reads the site in, for the e-mails sent to them:
-- set at registration from the page's language and changed with the
-- language switch while signed in. Spanish (es-MX) unless they chose
-- English.

ALTER TABLE users ADD COLUMN lang TEXT NOT NULL DEFAULT 'es' CHECK (lang IN ('es', 'en'));
