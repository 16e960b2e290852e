-- PoolDesk's schema on PostgreSQL: the SQLite schema at its version 13, in one step. Settings
-- Cognito describes as documents are JSON in TEXT columns (parsed by PoolDesk, never by SQL);
-- what is searched or constrained is a column with an index.
--
-- Keys that are paged through or range-scanned compare byte by byte (COLLATE "C"), as SQLite's
-- do, whatever the database's locale: page tokens and prefix scans depend on that order.
-- Counters and the config generation are kept by PoolDesk's own statements in the same
-- transaction, not by triggers, so the schema also runs where triggers are missing.

CREATE TABLE user_pools (
    id          TEXT COLLATE "C" PRIMARY KEY,
    name        TEXT NOT NULL,
    config      TEXT NOT NULL,
    mfa_config  TEXT NOT NULL DEFAULT '{}',
    -- DescribeUserPool's EstimatedNumberOfUsers, kept with every insert and delete of a user.
    user_count  BIGINT NOT NULL DEFAULT 0,
    created_ms  BIGINT NOT NULL,
    modified_ms BIGINT NOT NULL
);

CREATE TABLE signing_keys (
    kid         TEXT PRIMARY KEY,
    pool_id     TEXT COLLATE "C" NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    alg         TEXT NOT NULL,
    private_der BYTEA NOT NULL,
    created_ms  BIGINT NOT NULL
);
CREATE INDEX signing_keys_pool ON signing_keys(pool_id);

CREATE TABLE user_pool_clients (
    client_id   TEXT COLLATE "C" PRIMARY KEY,
    pool_id     TEXT COLLATE "C" NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    secret      TEXT,
    config      TEXT NOT NULL,
    created_ms  BIGINT NOT NULL,
    modified_ms BIGINT NOT NULL
);
CREATE INDEX user_pool_clients_pool ON user_pool_clients(pool_id, client_id);

-- Changes with every write to user_pools or user_pool_clients (a random value, so a restored
-- dump never brings back one a server had): while it stays the same, servers keep the pools and
-- clients they decoded.
CREATE TABLE config_generation (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value BIGINT NOT NULL
);
INSERT INTO config_generation (id, value) VALUES (1, (random() * 9e18)::bigint);

CREATE TABLE users (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pool_id     TEXT COLLATE "C" NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    key         TEXT COLLATE "C" NOT NULL,
    username    TEXT NOT NULL,
    sub         TEXT COLLATE "C" NOT NULL,
    status      TEXT COLLATE "C" NOT NULL,
    enabled     BOOLEAN NOT NULL,
    created_ms  BIGINT NOT NULL,
    modified_ms BIGINT NOT NULL,
    version     BIGINT NOT NULL,
    data        TEXT NOT NULL
);
CREATE UNIQUE INDEX users_key ON users(pool_id, key);
CREATE UNIQUE INDEX users_sub ON users(pool_id, sub);
CREATE INDEX users_status ON users(pool_id, status, key);
CREATE INDEX users_enabled ON users(pool_id, enabled, key);

-- The searchable attributes (core::store::INDEXED_ATTRIBUTES), one row per user and attribute.
CREATE TABLE user_attribute_index (
    pool_id TEXT COLLATE "C" NOT NULL,
    name    TEXT COLLATE "C" NOT NULL,
    value   TEXT COLLATE "C" NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (pool_id, name, value, user_id)
);
CREATE INDEX user_attribute_index_user ON user_attribute_index(user_id);

CREATE TABLE groups (
    pool_id     TEXT COLLATE "C" NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    name        TEXT COLLATE "C" NOT NULL,
    config      TEXT NOT NULL,
    created_ms  BIGINT NOT NULL,
    modified_ms BIGINT NOT NULL,
    PRIMARY KEY (pool_id, name)
);

CREATE TABLE group_members (
    pool_id    TEXT COLLATE "C" NOT NULL,
    group_name TEXT COLLATE "C" NOT NULL,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (pool_id, group_name, user_id),
    FOREIGN KEY (pool_id, group_name) REFERENCES groups(pool_id, name) ON DELETE CASCADE
);
CREATE INDEX group_members_user ON group_members(user_id);

CREATE TABLE sessions (
    origin_jti            TEXT PRIMARY KEY,
    pool_id               TEXT COLLATE "C" NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    client_id             TEXT NOT NULL,
    sub                   TEXT COLLATE "C" NOT NULL,
    refresh_hash          TEXT NOT NULL UNIQUE,
    previous_refresh_hash TEXT,
    rotated_ms            BIGINT,
    scope                 TEXT,
    auth_time             BIGINT NOT NULL,
    created_ms            BIGINT NOT NULL,
    expires_ms            BIGINT NOT NULL,
    revoked               BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX sessions_user ON sessions(pool_id, sub);
CREATE INDEX sessions_previous_refresh ON sessions(previous_refresh_hash);

CREATE TABLE access_keys (
    id          TEXT COLLATE "C" PRIMARY KEY,
    secret      TEXT NOT NULL,
    description TEXT NOT NULL,
    created_ms  BIGINT NOT NULL
);

-- The outbox outlives the pool it came from, as a record of what was sent.
CREATE TABLE messages (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pool_id     TEXT COLLATE "C" NOT NULL,
    username    TEXT NOT NULL,
    medium      TEXT NOT NULL,
    destination TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    code        TEXT,
    created_ms  BIGINT NOT NULL,
    delivery    TEXT NOT NULL
);
CREATE INDEX messages_pool ON messages(pool_id, id);

-- A pending challenge, keyed by the Session the client holds; deleting the row is what makes
-- it single-use.
CREATE TABLE auth_challenges (
    id         TEXT PRIMARY KEY,
    pool_id    TEXT COLLATE "C" NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    state      TEXT NOT NULL,
    expires_ms BIGINT NOT NULL
);
CREATE INDEX auth_challenges_expiry ON auth_challenges(expires_ms);

CREATE TABLE auth_events (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pool_id    TEXT COLLATE "C" NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    sub        TEXT COLLATE "C" NOT NULL,
    event      TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);
CREATE INDEX auth_events_user ON auth_events(pool_id, sub, id);

CREATE TABLE identity_pools (
    id          TEXT COLLATE "C" PRIMARY KEY,
    name        TEXT NOT NULL,
    config      TEXT NOT NULL,
    roles       TEXT NOT NULL DEFAULT '{}',
    tag_maps    TEXT NOT NULL DEFAULT '{}',
    created_ms  BIGINT NOT NULL,
    modified_ms BIGINT NOT NULL
);

CREATE TABLE identities (
    id          TEXT COLLATE "C" PRIMARY KEY,
    pool_id     TEXT COLLATE "C" NOT NULL REFERENCES identity_pools(id) ON DELETE CASCADE,
    created_ms  BIGINT NOT NULL,
    modified_ms BIGINT NOT NULL
);
CREATE INDEX identities_pool ON identities(pool_id, id);

-- A login (provider + the subject it names) belongs to at most one identity in a pool.
CREATE TABLE identity_logins (
    pool_id     TEXT COLLATE "C" NOT NULL,
    provider    TEXT COLLATE "C" NOT NULL,
    subject     TEXT COLLATE "C" NOT NULL,
    identity_id TEXT COLLATE "C" NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
    PRIMARY KEY (pool_id, provider, subject)
);
CREATE INDEX identity_logins_identity ON identity_logins(identity_id);

CREATE TABLE server_secrets (
    name  TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);

-- Every admin action: who, what, when, from where, and how it ended. Never a secret.
CREATE TABLE audit_log (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at_ms       BIGINT NOT NULL,
    actor       TEXT NOT NULL,
    source      TEXT NOT NULL,
    operation   TEXT NOT NULL,
    resource    TEXT NOT NULL,
    outcome     TEXT NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log(actor, id);

CREATE TABLE user_pool_domains (
    domain      TEXT COLLATE "C" PRIMARY KEY,
    pool_id     TEXT COLLATE "C" NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    config      TEXT NOT NULL,
    created_ms  BIGINT NOT NULL,
    modified_ms BIGINT NOT NULL
);
CREATE INDEX user_pool_domains_pool ON user_pool_domains(pool_id, domain);

CREATE TABLE resource_servers (
    pool_id     TEXT COLLATE "C" NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    identifier  TEXT COLLATE "C" NOT NULL,
    config      TEXT NOT NULL,
    created_ms  BIGINT NOT NULL,
    modified_ms BIGINT NOT NULL,
    PRIMARY KEY (pool_id, identifier)
);

CREATE TABLE ui_customizations (
    pool_id     TEXT COLLATE "C" NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    client_id   TEXT COLLATE "C" NOT NULL,
    css         TEXT,
    image       BYTEA,
    created_ms  BIGINT NOT NULL,
    modified_ms BIGINT NOT NULL,
    PRIMARY KEY (pool_id, client_id)
);

CREATE TABLE managed_login_brandings (
    id                          TEXT PRIMARY KEY,
    pool_id                     TEXT COLLATE "C" NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    client_id                   TEXT COLLATE "C" NOT NULL UNIQUE REFERENCES user_pool_clients(client_id) ON DELETE CASCADE,
    use_cognito_provided_values BOOLEAN NOT NULL,
    settings                    TEXT,
    assets                      TEXT NOT NULL,
    created_ms                  BIGINT NOT NULL,
    modified_ms                 BIGINT NOT NULL
);

-- `config` is the provider less its secrets, which `secrets` keeps sealed.
CREATE TABLE identity_providers (
    pool_id     TEXT COLLATE "C" NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    name        TEXT COLLATE "C" NOT NULL,
    config      TEXT NOT NULL,
    secrets     TEXT,
    created_ms  BIGINT NOT NULL,
    modified_ms BIGINT NOT NULL,
    PRIMARY KEY (pool_id, name)
);

CREATE TABLE provider_links (
    pool_id     TEXT COLLATE "C" NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    provider    TEXT COLLATE "C" NOT NULL,
    subject     TEXT COLLATE "C" NOT NULL,
    user_sub    TEXT COLLATE "C" NOT NULL,
    created_ms  BIGINT NOT NULL,
    PRIMARY KEY (pool_id, provider, subject)
);
CREATE INDEX provider_links_user ON provider_links(pool_id, user_sub);

-- IAM's SAML providers; `tags` is a JSON list of [key, value] pairs in the order given.
CREATE TABLE saml_providers (
    arn         TEXT COLLATE "C" PRIMARY KEY,
    metadata    TEXT NOT NULL,
    tags        TEXT NOT NULL DEFAULT '[]',
    uuid        TEXT NOT NULL,
    created_ms  BIGINT NOT NULL,
    modified_ms BIGINT NOT NULL
);

-- Things used once (a SAML assertion's ID, ...) until they expire: inserting the key is the
-- check, so two servers presenting the same one cannot both succeed.
CREATE TABLE used_once (
    key        TEXT PRIMARY KEY,
    expires_ms BIGINT NOT NULL
);
CREATE INDEX used_once_expiry ON used_once(expires_ms);

CREATE TABLE trigger_invocations (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pool_id     TEXT COLLATE "C" NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    trigger     TEXT NOT NULL,
    source      TEXT NOT NULL,
    function    TEXT NOT NULL,
    started_ms  BIGINT NOT NULL,
    duration_ms BIGINT NOT NULL,
    event       TEXT NOT NULL,
    response    TEXT,
    error       TEXT
);
CREATE INDEX trigger_invocations_pool ON trigger_invocations(pool_id, id);
