-- Terms documents of app clients (CreateTerms): links shown on managed login's sign-up page.
-- `config` is the TermsType document; a client has at most one document of each name.
CREATE TABLE terms (
    id          TEXT COLLATE "C" PRIMARY KEY,
    pool_id     TEXT COLLATE "C" NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    client_id   TEXT COLLATE "C" NOT NULL REFERENCES user_pool_clients(client_id) ON DELETE CASCADE,
    name        TEXT COLLATE "C" NOT NULL,
    config      TEXT NOT NULL,
    created_ms  BIGINT NOT NULL,
    modified_ms BIGINT NOT NULL,
    UNIQUE (client_id, name)
);
CREATE INDEX terms_pool ON terms(pool_id, id);
