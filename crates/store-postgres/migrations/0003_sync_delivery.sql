-- Cognito Sync's deliveries: what Streams owes Kinesis and push sync owes devices, queued with
-- the change they report. A notice waits until `due_ms` (its lease while a server delivers
-- it, or its next try after a failure); those sharing a key go out one after another.

CREATE TABLE sync_outbox (
    seq        BIGSERIAL PRIMARY KEY,
    pool_id    TEXT COLLATE "C" NOT NULL REFERENCES identity_pools(id) ON DELETE CASCADE,
    key        TEXT COLLATE "C" NOT NULL,
    target     TEXT NOT NULL,
    body       TEXT NOT NULL,
    bulk       BOOLEAN NOT NULL,
    attempts   BIGINT NOT NULL DEFAULT 0,
    due_ms     BIGINT NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX sync_outbox_key ON sync_outbox(key, seq);
CREATE INDEX sync_outbox_pool ON sync_outbox(pool_id, bulk);
CREATE INDEX sync_outbox_due ON sync_outbox(due_ms);

-- Devices registered for push sync, and the datasets they follow.
CREATE TABLE sync_devices (
    device_id       TEXT COLLATE "C" PRIMARY KEY,
    identity_id     TEXT COLLATE "C" NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
    platform        TEXT NOT NULL,
    token           TEXT NOT NULL,
    application_arn TEXT NOT NULL,
    UNIQUE (identity_id, platform, token)
);

CREATE TABLE sync_subscriptions (
    device_id TEXT COLLATE "C" NOT NULL REFERENCES sync_devices(device_id) ON DELETE CASCADE,
    dataset   TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (device_id, dataset)
);

-- Each identity pool's last bulk publish (one at a time, one a day).
CREATE TABLE sync_bulk_publish (
    pool_id      TEXT COLLATE "C" PRIMARY KEY REFERENCES identity_pools(id) ON DELETE CASCADE,
    started_ms   BIGINT NOT NULL,
    completed_ms BIGINT
);
