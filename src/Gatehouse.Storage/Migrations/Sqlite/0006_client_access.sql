-- Users allowed on clients, and cached sign-in OTPs (version 6, SQLite).
CREATE TABLE user_clients (
    user_id TEXT NOT NULL REFERENCES users (id),
    client_id TEXT NOT NULL REFERENCES clients (client_id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, client_id)
);
CREATE INDEX ix_user_clients_client_id ON user_clients (client_id);

-- An OTP is stored only as SHA-256 over (user id, OTP), so equal OTPs of two users differ.
CREATE TABLE sign_in_otps (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    username TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    consumed_at INTEGER NULL
);
CREATE INDEX ix_sign_in_otps_user_id ON sign_in_otps (user_id);
