-- The login pages' branding (SetUICustomization): a stylesheet and a logo for a pool's clients
-- (`ALL`) or one client, which overrides the pool's.
CREATE TABLE ui_customizations (
    pool_id     TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    client_id   TEXT NOT NULL,
    css         TEXT,
    image       BLOB,
    created_ms  INTEGER NOT NULL,
    modified_ms INTEGER NOT NULL,
    PRIMARY KEY (pool_id, client_id)
) STRICT, WITHOUT ROWID;
