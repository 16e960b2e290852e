-- Every admin action: who (access key id, or the local app), what (operation and the ids it
-- named), when, from where, and how it ended. Never a secret: only ids are recorded.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at_ms       INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    source      TEXT NOT NULL,
    operation   TEXT NOT NULL,
    resource    TEXT NOT NULL,
    outcome     TEXT NOT NULL
) STRICT;
CREATE INDEX audit_log_actor ON audit_log(actor, id);
