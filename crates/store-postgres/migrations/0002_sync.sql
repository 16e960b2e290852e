-- Cognito Sync: identity pools' settings (events), and datasets of key-value records per identity. A deleted dataset stays as a
-- marker without records (its sync count goes on rising). Records follow their dataset when
-- identities merge (the dataset is renamed and moved), and go with their identity.

CREATE TABLE sync_datasets (
    identity_id  TEXT COLLATE "C" NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
    name         TEXT COLLATE "C" NOT NULL,
    pool_id      TEXT COLLATE "C" NOT NULL,
    created_ms   BIGINT NOT NULL,
    modified_ms  BIGINT NOT NULL,
    modified_by  TEXT COLLATE "C" NOT NULL,
    sync_count   BIGINT NOT NULL,
    data_storage BIGINT NOT NULL,
    num_records  BIGINT NOT NULL,
    deleted      BOOLEAN NOT NULL,
    PRIMARY KEY (identity_id, name)
);
CREATE INDEX sync_datasets_pool ON sync_datasets(pool_id);

CREATE TABLE sync_records (
    identity_id        TEXT COLLATE "C" NOT NULL,
    dataset            TEXT COLLATE "C" NOT NULL,
    key                TEXT COLLATE "C" NOT NULL,
    value              TEXT,
    sync_count         BIGINT NOT NULL,
    modified_ms        BIGINT NOT NULL,
    modified_by        TEXT COLLATE "C" NOT NULL,
    device_modified_ms BIGINT,
    PRIMARY KEY (identity_id, dataset, key),
    FOREIGN KEY (identity_id, dataset) REFERENCES sync_datasets(identity_id, name) ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX sync_records_since ON sync_records(identity_id, dataset, sync_count);

-- A JSON document: the events' Lambda functions.
CREATE TABLE sync_settings (
    pool_id  TEXT COLLATE "C" PRIMARY KEY REFERENCES identity_pools(id) ON DELETE CASCADE,
    settings TEXT NOT NULL
);
