-- An app client's secrets while one is rotated out (AddUserPoolClientSecret): the sealed JSON
-- list of them. `secret` keeps the oldest, as before, so a server of the previous version
-- sharing the database still accepts it.
ALTER TABLE user_pool_clients ADD COLUMN secrets TEXT;
