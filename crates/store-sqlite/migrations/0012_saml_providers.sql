-- IAM's SAML providers (CreateSAMLProvider): the identity providers whose assertions identity
-- pools (SamlProviderARNs) and STS AssumeRoleWithSAML trust. `tags` is a JSON list of
-- [key, value] pairs in the order they were given.
CREATE TABLE saml_providers (
    arn         TEXT PRIMARY KEY,
    metadata    TEXT NOT NULL,
    tags        TEXT NOT NULL DEFAULT '[]',
    uuid        TEXT NOT NULL,
    created_ms  INTEGER NOT NULL,
    modified_ms INTEGER NOT NULL
) STRICT;

-- Things that may be used once (a SAML assertion's ID, ...) until they expire: inserting the
-- key is the check, so two servers or threads presenting the same one cannot both succeed.
CREATE TABLE used_once (
    key        TEXT PRIMARY KEY,
    expires_ms INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX used_once_expiry ON used_once(expires_ms);
