-- The version of the exam bank an attempt was drawn from, when the exam
-- pools come from a folder apart from the content (serve --bank): its git
-- commit or a hash of its files. Empty when the pools were the content's
-- own, which content_version already covers.

ALTER TABLE attempts ADD COLUMN bank_version TEXT NOT NULL DEFAULT '';
