-- Cookie sessions (CookieSessionService): the SHA-256 of the opaque secret a cookie carries.
-- NULL for token sessions; a unique index allows any number of NULLs.
ALTER TABLE sessions ADD COLUMN secret_hash TEXT NULL;
CREATE UNIQUE INDEX ux_sessions_secret_hash ON sessions (secret_hash);
