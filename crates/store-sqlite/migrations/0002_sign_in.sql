-- Sign-in beyond one password check: multi-step challenges, MFA settings of pools, refresh
-- token rotation, and a record of sign-in attempts.

-- A pending challenge (SRP verifier step, MFA code, ...), keyed by the Session the client
-- holds. Deleting the row is what makes a challenge single-use.
CREATE TABLE auth_challenges (
    id         TEXT PRIMARY KEY,
    pool_id    TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    state      TEXT NOT NULL,
    expires_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX auth_challenges_expiry ON auth_challenges(expires_ms);

-- GetUserPoolMfaConfig's document (software token, SMS and e-mail MFA settings).
ALTER TABLE user_pools ADD COLUMN mfa_config TEXT NOT NULL DEFAULT '{}';

-- Refresh token rotation: the token replaced last, still accepted within the grace period.
ALTER TABLE sessions ADD COLUMN previous_refresh_hash TEXT;
ALTER TABLE sessions ADD COLUMN rotated_ms INTEGER;
CREATE INDEX sessions_previous_refresh ON sessions(previous_refresh_hash);

CREATE TABLE auth_events (
    id         INTEGER PRIMARY KEY,
    pool_id    TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    sub        TEXT NOT NULL,
    event      TEXT NOT NULL,
    created_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX auth_events_user ON auth_events(pool_id, sub, id);
