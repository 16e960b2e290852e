-- Terms documents of app clients (CreateTerms): links shown on managed login's sign-up page.
-- `config` is the TermsType document; a client has at most one document of each name.
CREATE TABLE terms (
    id          TEXT PRIMARY KEY,
    pool_id     TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    client_id   TEXT NOT NULL REFERENCES user_pool_clients(client_id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    config      TEXT NOT NULL,
    created_ms  INTEGER NOT NULL,
    modified_ms INTEGER NOT NULL,
    UNIQUE (client_id, name)
) STRICT;
CREATE INDEX terms_pool ON terms(pool_id, id);
