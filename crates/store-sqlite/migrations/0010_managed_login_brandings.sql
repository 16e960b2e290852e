-- Managed login branding styles (CreateManagedLoginBranding): one per app client, for domains
-- with managed login version 2. `settings` is the style's JSON document (NULL with Cognito's
-- defaults), `assets` the JSON list of its images (each with its bytes in base64).
CREATE TABLE managed_login_brandings (
    id                          TEXT PRIMARY KEY,
    pool_id                     TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    client_id                   TEXT NOT NULL REFERENCES user_pool_clients(client_id) ON DELETE CASCADE,
    use_cognito_provided_values INTEGER NOT NULL,
    settings                    TEXT,
    assets                      TEXT NOT NULL,
    created_ms                  INTEGER NOT NULL,
    modified_ms                 INTEGER NOT NULL,
    UNIQUE (client_id)
) STRICT;
