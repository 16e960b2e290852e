-- A value that changes with every change to a user pool or app client, made by any process
-- (the server, the CLI, the desktop app): while it stays the same, a server keeps the pools
-- and clients it decoded instead of reading and parsing their JSON on every call.
-- A random value rather than a counter, so a restored backup never brings back one it had.
CREATE TABLE config_generation (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
) STRICT;
INSERT INTO config_generation (id, value) VALUES (1, random());

CREATE TRIGGER user_pools_config_insert AFTER INSERT ON user_pools BEGIN
    UPDATE config_generation SET value = random();
END;
-- Not on `user_count`, which every new or deleted user changes.
CREATE TRIGGER user_pools_config_update AFTER UPDATE OF id, name, config, mfa_config, created_ms, modified_ms ON user_pools BEGIN
    UPDATE config_generation SET value = random();
END;
CREATE TRIGGER user_pools_config_delete AFTER DELETE ON user_pools BEGIN
    UPDATE config_generation SET value = random();
END;

CREATE TRIGGER user_pool_clients_config_insert AFTER INSERT ON user_pool_clients BEGIN
    UPDATE config_generation SET value = random();
END;
CREATE TRIGGER user_pool_clients_config_update AFTER UPDATE ON user_pool_clients BEGIN
    UPDATE config_generation SET value = random();
END;
CREATE TRIGGER user_pool_clients_config_delete AFTER DELETE ON user_pool_clients BEGIN
    UPDATE config_generation SET value = random();
END;
