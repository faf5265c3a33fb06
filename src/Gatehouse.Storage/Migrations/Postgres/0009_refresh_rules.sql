-- What a refresh of a session must present besides the refresh token (RefreshRules flags: 1 the
-- access token issued with it, 2 the session's client id, 4 any client id), fixed when the
-- session starts so that the rules follow the session to every surface.
ALTER TABLE sessions ADD COLUMN refresh_rules INTEGER NOT NULL DEFAULT 0;

-- Sessions started before this version keep the rules their surface applied: arc refreshed only
-- with the bound access token, keymetrics only with a client id (its client is now public).
UPDATE sessions SET refresh_rules = 1 WHERE surface = 'arc' AND client_id IS NOT NULL;
UPDATE sessions SET refresh_rules = 4 WHERE surface = 'keymetrics' AND client_id IS NOT NULL;

-- A consumed refresh token keeps its successor, sealed under a key that lives in the server's
-- memory for the reuse grace only (SuccessorVault), so a replay within the grace gets that
-- successor back. NULL for live tokens and for rows written before this version.
ALTER TABLE refresh_tokens ADD COLUMN sealed_successor TEXT NULL;
