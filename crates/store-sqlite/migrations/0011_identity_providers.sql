-- Identity providers a pool signs users in through (CreateIdentityProvider), and the external
-- identities linked to the pool's users (a federated sign-in's own user, or a native user an
-- admin linked with AdminLinkProviderForUser). `config` is the provider as DescribeIdentityProvider
-- answers it less its secrets (client_secret, private_key), which `secrets` keeps sealed.
CREATE TABLE identity_providers (
    id          TEXT PRIMARY KEY, -- pool_id/name
    pool_id     TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    config      TEXT NOT NULL,
    secrets     TEXT,
    created_ms  INTEGER NOT NULL,
    modified_ms INTEGER NOT NULL,
    UNIQUE (pool_id, name)
) STRICT;

CREATE TABLE provider_links (
    pool_id     TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    provider    TEXT NOT NULL,
    subject     TEXT NOT NULL,
    user_sub    TEXT NOT NULL,
    created_ms  INTEGER NOT NULL,
    PRIMARY KEY (pool_id, provider, subject)
) STRICT, WITHOUT ROWID;
CREATE INDEX provider_links_user ON provider_links(pool_id, user_sub);
