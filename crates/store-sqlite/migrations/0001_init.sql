-- PoolDesk's first schema. Settings that Cognito describes as documents (pool, client and
-- group configuration, a user's attributes and pending codes) are stored as JSON; what is
-- searched or constrained is a column with an index.

CREATE TABLE user_pools (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    config      TEXT NOT NULL,
    created_ms  INTEGER NOT NULL,
    modified_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE signing_keys (
    kid         TEXT PRIMARY KEY,
    pool_id     TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    alg         TEXT NOT NULL,
    private_der BLOB NOT NULL,
    created_ms  INTEGER NOT NULL
) STRICT;
CREATE INDEX signing_keys_pool ON signing_keys(pool_id);

CREATE TABLE user_pool_clients (
    client_id   TEXT PRIMARY KEY,
    pool_id     TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    secret      TEXT,
    config      TEXT NOT NULL,
    created_ms  INTEGER NOT NULL,
    modified_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX user_pool_clients_pool ON user_pool_clients(pool_id, client_id);

CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    pool_id     TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    username    TEXT NOT NULL,
    sub         TEXT NOT NULL,
    status      TEXT NOT NULL,
    enabled     INTEGER NOT NULL,
    created_ms  INTEGER NOT NULL,
    modified_ms INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    data        TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX users_key ON users(pool_id, key);
CREATE UNIQUE INDEX users_sub ON users(pool_id, sub);
CREATE INDEX users_status ON users(pool_id, status, key);
CREATE INDEX users_enabled ON users(pool_id, enabled, key);

-- The searchable attributes (core::store::INDEXED_ATTRIBUTES), one row per user and attribute.
CREATE TABLE user_attribute_index (
    pool_id TEXT NOT NULL,
    name    TEXT NOT NULL,
    value   TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (pool_id, name, value, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX user_attribute_index_user ON user_attribute_index(user_id);

CREATE TABLE groups (
    pool_id     TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    config      TEXT NOT NULL,
    created_ms  INTEGER NOT NULL,
    modified_ms INTEGER NOT NULL,
    PRIMARY KEY (pool_id, name)
) STRICT;

CREATE TABLE group_members (
    pool_id    TEXT NOT NULL,
    group_name TEXT NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (pool_id, group_name, user_id),
    FOREIGN KEY (pool_id, group_name) REFERENCES groups(pool_id, name) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE INDEX group_members_user ON group_members(user_id);

CREATE TABLE sessions (
    origin_jti   TEXT PRIMARY KEY,
    pool_id      TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    client_id    TEXT NOT NULL,
    sub          TEXT NOT NULL,
    refresh_hash TEXT NOT NULL UNIQUE,
    auth_time    INTEGER NOT NULL,
    created_ms   INTEGER NOT NULL,
    expires_ms   INTEGER NOT NULL,
    revoked      INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX sessions_user ON sessions(pool_id, sub);

CREATE TABLE access_keys (
    id          TEXT PRIMARY KEY,
    secret      TEXT NOT NULL,
    description TEXT NOT NULL,
    created_ms  INTEGER NOT NULL
) STRICT;

-- The outbox outlives the pool it came from, as a record of what was sent.
CREATE TABLE messages (
    id          INTEGER PRIMARY KEY,
    pool_id     TEXT NOT NULL,
    username    TEXT NOT NULL,
    medium      TEXT NOT NULL,
    destination TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    code        TEXT,
    created_ms  INTEGER NOT NULL,
    delivery    TEXT NOT NULL
) STRICT;
CREATE INDEX messages_pool ON messages(pool_id, id);
