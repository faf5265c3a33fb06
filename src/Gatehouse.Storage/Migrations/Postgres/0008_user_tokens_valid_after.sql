-- Access tokens issued before this instant (Unix milliseconds; compared to the second) no longer
-- speak for the user: set when an administrator changes their roles, disables or deletes them.
-- The bearer check reads it with the session's state (SqlSessionStateReader). NULL: no change yet.
ALTER TABLE users ADD COLUMN tokens_valid_after BIGINT NULL;
