-- Cognito Sync: identity pools' settings (events), and datasets of key-value records per identity. A deleted dataset stays as a
-- marker without records (its sync count goes on rising). Records follow their dataset when
-- identities merge (the dataset is renamed and moved), and go with their identity.

CREATE TABLE sync_datasets (
    identity_id  TEXT NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    pool_id      TEXT NOT NULL,
    created_ms   INTEGER NOT NULL,
    modified_ms  INTEGER NOT NULL,
    modified_by  TEXT NOT NULL,
    sync_count   INTEGER NOT NULL,
    data_storage INTEGER NOT NULL,
    num_records  INTEGER NOT NULL,
    deleted      INTEGER NOT NULL,
    PRIMARY KEY (identity_id, name)
) STRICT, WITHOUT ROWID;
CREATE INDEX sync_datasets_pool ON sync_datasets(pool_id);

CREATE TABLE sync_records (
    identity_id        TEXT NOT NULL,
    dataset            TEXT NOT NULL,
    key                TEXT NOT NULL,
    value              TEXT,
    sync_count         INTEGER NOT NULL,
    modified_ms        INTEGER NOT NULL,
    modified_by        TEXT NOT NULL,
    device_modified_ms INTEGER,
    PRIMARY KEY (identity_id, dataset, key),
    FOREIGN KEY (identity_id, dataset) REFERENCES sync_datasets(identity_id, name) ON DELETE CASCADE ON UPDATE CASCADE
) STRICT, WITHOUT ROWID;
CREATE INDEX sync_records_since ON sync_records(identity_id, dataset, sync_count);

-- A JSON document: the events' Lambda functions.
CREATE TABLE sync_settings (
    pool_id  TEXT PRIMARY KEY REFERENCES identity_pools(id) ON DELETE CASCADE,
    settings TEXT NOT NULL
) STRICT;
