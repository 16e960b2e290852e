-- Identity pools: identities, the logins linked to them, and server-held secrets (the keys
-- that seal session tokens and sign OpenID tokens; to be encrypted under a master key later).

CREATE TABLE identity_pools (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    config      TEXT NOT NULL,
    roles       TEXT NOT NULL DEFAULT '{}',
    tag_maps    TEXT NOT NULL DEFAULT '{}',
    created_ms  INTEGER NOT NULL,
    modified_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE identities (
    id          TEXT PRIMARY KEY,
    pool_id     TEXT NOT NULL REFERENCES identity_pools(id) ON DELETE CASCADE,
    created_ms  INTEGER NOT NULL,
    modified_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX identities_pool ON identities(pool_id, id);

-- A login (provider + the subject it names) belongs to at most one identity in a pool.
CREATE TABLE identity_logins (
    pool_id     TEXT NOT NULL,
    provider    TEXT NOT NULL,
    subject     TEXT NOT NULL,
    identity_id TEXT NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
    PRIMARY KEY (pool_id, provider, subject)
) STRICT, WITHOUT ROWID;
CREATE INDEX identity_logins_identity ON identity_logins(identity_id);

CREATE TABLE server_secrets (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
) STRICT;
