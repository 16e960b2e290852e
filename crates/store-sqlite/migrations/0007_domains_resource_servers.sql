-- OAuth 2.0 configuration of user pools: the domains their login pages and OAuth endpoints
-- are served under, and the resource servers whose custom scopes app clients are granted.

CREATE TABLE user_pool_domains (
    domain      TEXT PRIMARY KEY,
    pool_id     TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    config      TEXT NOT NULL,
    created_ms  INTEGER NOT NULL,
    modified_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX user_pool_domains_pool ON user_pool_domains(pool_id, domain);

CREATE TABLE resource_servers (
    pool_id     TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    identifier  TEXT NOT NULL,
    config      TEXT NOT NULL,
    created_ms  INTEGER NOT NULL,
    modified_ms INTEGER NOT NULL,
    PRIMARY KEY (pool_id, identifier)
) STRICT, WITHOUT ROWID;
