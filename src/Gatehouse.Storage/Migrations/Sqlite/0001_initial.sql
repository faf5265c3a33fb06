-- Gatehouse schema, version 1 (SQLite). Times are Unix milliseconds (INTEGER).
CREATE TABLE users (
    number INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    email TEXT NULL,
    normalized_email TEXT NULL,
    email_confirmed INTEGER NOT NULL DEFAULT 0,
    username TEXT NULL,
    normalized_username TEXT NULL,
    password_hash TEXT NULL,
    first_name TEXT NULL,
    middle_name TEXT NULL,
    last_name TEXT NULL,
    phone TEXT NULL,
    bio TEXT NULL,
    location TEXT NULL,
    birth_date TEXT NULL,
    timezone TEXT NULL,
    locale TEXT NULL,
    gender TEXT NULL,
    company TEXT NULL,
    job_title TEXT NULL,
    picture_id TEXT NULL,
    status INTEGER NOT NULL,
    roles TEXT NOT NULL DEFAULT '',
    failed_sign_ins INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    last_sign_in_at INTEGER NULL
);
CREATE UNIQUE INDEX ux_users_normalized_email ON users (normalized_email);
CREATE UNIQUE INDEX ux_users_normalized_username ON users (normalized_username);

CREATE TABLE sessions (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    client_id TEXT NULL,
    surface TEXT NOT NULL,
    device_id TEXT NULL,
    user_agent TEXT NULL,
    ip_address TEXT NULL,
    generation INTEGER NOT NULL DEFAULT 0,
    second_factor_pending INTEGER NOT NULL DEFAULT 0,
    team_id TEXT NULL,
    rotate_refresh_tokens INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    ended_at INTEGER NULL,
    end_reason TEXT NULL
);
CREATE INDEX ix_sessions_user_id ON sessions (user_id);

CREATE TABLE refresh_tokens (
    hash TEXT NOT NULL PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    generation INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    consumed_at INTEGER NULL
);
CREATE INDEX ix_refresh_tokens_session_id ON refresh_tokens (session_id);

CREATE TABLE one_time_tokens (
    hash TEXT NOT NULL PRIMARY KEY,
    purpose TEXT NOT NULL,
    user_id TEXT NULL,
    email TEXT NULL,
    payload TEXT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    consumed_at INTEGER NULL
);
CREATE INDEX ix_one_time_tokens_user_id ON one_time_tokens (user_id, purpose);

CREATE TABLE outbox_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    intent TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    protected_body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    sent_at INTEGER NULL,
    failed_at INTEGER NULL,
    last_error TEXT NULL
);
CREATE INDEX ix_outbox_messages_due ON outbox_messages (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;

CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    type TEXT NOT NULL,
    user_id TEXT NULL,
    actor_id TEXT NULL,
    client_id TEXT NULL,
    ip_address TEXT NULL,
    detail TEXT NULL
);
CREATE INDEX ix_audit_events_user_id ON audit_events (user_id);

CREATE TABLE clients (
    number INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    protected_secret TEXT NULL,
    protected_code_secret TEXT NULL,
    redirect_uris TEXT NOT NULL DEFAULT '',
    access_token_lifetime_seconds INTEGER NULL,
    refresh_token_lifetime_seconds INTEGER NULL,
    authorization_code_lifetime_seconds INTEGER NULL,
    rotate_refresh_tokens INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER NULL,
    deleted_by TEXT NULL
);

CREATE TABLE signing_keys (
    key_id TEXT NOT NULL PRIMARY KEY,
    algorithm TEXT NOT NULL,
    public_jwk TEXT NOT NULL,
    protected_private_key TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    retires_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE data_protection_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    friendly_name TEXT NULL,
    xml TEXT NOT NULL
);
