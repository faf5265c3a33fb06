-- Cached sign-in OTPs count the sign-in attempts of their user (after five they are void), and
-- are stored as an HMAC under a server secret instead of a plain SHA-256. Rows hashed the old way
-- could never match again; they live 15 minutes, so they are dropped.
DELETE FROM sign_in_otps;
ALTER TABLE sign_in_otps ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;

-- The server's own secrets (the OTP key), each encrypted with Data Protection like client secrets.
CREATE TABLE server_secrets (
    name TEXT NOT NULL PRIMARY KEY,
    protected_value TEXT NOT NULL
);
