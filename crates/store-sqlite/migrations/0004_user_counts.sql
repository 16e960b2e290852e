-- DescribeUserPool's EstimatedNumberOfUsers, kept by triggers instead of a COUNT(*) over the
-- pool's users on every call (a scan of a million index entries at scale).
ALTER TABLE user_pools ADD COLUMN user_count INTEGER NOT NULL DEFAULT 0;
UPDATE user_pools SET user_count = (SELECT count(*) FROM users WHERE users.pool_id = user_pools.id);

CREATE TRIGGER users_count_insert AFTER INSERT ON users BEGIN
    UPDATE user_pools SET user_count = user_count + 1 WHERE id = NEW.pool_id;
END;
CREATE TRIGGER users_count_delete AFTER DELETE ON users BEGIN
    UPDATE user_pools SET user_count = user_count - 1 WHERE id = OLD.pool_id;
END;
