-- Every call of a pool's Lambda triggers, for the inspector: what was sent (secrets redacted),
-- what came back or why it failed, and how long it took. Goes with its pool.
CREATE TABLE trigger_invocations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    pool_id     TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
    trigger     TEXT NOT NULL,
    source      TEXT NOT NULL,
    function    TEXT NOT NULL,
    started_ms  INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    event       TEXT NOT NULL,
    response    TEXT,
    error       TEXT
) STRICT;
CREATE INDEX trigger_invocations_pool ON trigger_invocations(pool_id, id);
