//! `SessionStore`, `AccessKeyStore`, `MessageStore`.

use pooldesk_core::store::{
    AccessKey, AccessKeyStore, AuditEvent, AuditQuery, AuditStore, AuthEventRecord, AuthEventStore, ChallengeRecord, ChallengeStore,
    Message, MessageQuery, MessageStore, Session, SessionStore, StoreError, StoreResult, TriggerInvocation, TriggerLogStore, TriggerQuery,
};
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::SqliteStore;
use crate::error::sql;
use crate::pool::execute;
use pooldesk_core::store_shared::places;

const SESSION_COLUMNS: &str = "origin_jti, pool_id, client_id, sub, refresh_hash, auth_time, created_ms, expires_ms, revoked, previous_refresh_hash, rotated_ms, scope";

fn session_from(r: &Row<'_>) -> rusqlite::Result<Session> {
    Ok(Session {
        origin_jti: r.get(0)?,
        pool_id: r.get(1)?,
        client_id: r.get(2)?,
        sub: r.get(3)?,
        refresh_hash: r.get(4)?,
        auth_time: r.get(5)?,
        created_ms: r.get(6)?,
        expires_ms: r.get(7)?,
        revoked: r.get(8)?,
        previous_refresh_hash: r.get(9)?,
        rotated_ms: r.get(10)?,
        scope: r.get(11)?,
    })
}

impl SessionStore for SqliteStore {
    fn insert_session(&self, s: &Session) -> StoreResult<()> {
        self.write(|tx| {
            execute(
                tx,
                &format!("INSERT INTO sessions ({SESSION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"),
                params![
                    s.origin_jti,
                    s.pool_id,
                    s.client_id,
                    s.sub,
                    s.refresh_hash,
                    s.auth_time,
                    s.created_ms,
                    s.expires_ms,
                    s.revoked,
                    s.previous_refresh_hash,
                    s.rotated_ms,
                    s.scope
                ],
            )?;
            Ok(())
        })
    }

    fn get_session(&self, origin_jti: &str) -> StoreResult<Option<Session>> {
        self.read(|c| {
            c.prepare_cached(&format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE origin_jti = ?1"))
                .and_then(|mut s| s.query_row([origin_jti], session_from).optional())
                .map_err(sql)
        })
    }

    fn get_session_by_refresh_hash(&self, refresh_hash: &str) -> StoreResult<Option<Session>> {
        self.read(|c| {
            c.prepare_cached(&format!(
                "SELECT {SESSION_COLUMNS} FROM sessions WHERE refresh_hash = ?1
                 UNION ALL SELECT {SESSION_COLUMNS} FROM sessions WHERE previous_refresh_hash = ?1 LIMIT 1"
            ))
            .and_then(|mut s| s.query_row([refresh_hash], session_from).optional())
            .map_err(sql)
        })
    }

    fn rotate_refresh_token(&self, origin_jti: &str, expected_hash: &str, new_hash: &str, now_ms: i64) -> StoreResult<()> {
        self.write(|tx| {
            let n = tx
                .execute(
                    "UPDATE sessions SET previous_refresh_hash = refresh_hash, refresh_hash = ?3, rotated_ms = ?4
                     WHERE origin_jti = ?1 AND refresh_hash = ?2",
                    params![origin_jti, expected_hash, new_hash, now_ms],
                )
                .map_err(sql)?;
            if n == 0 { Err(StoreError::Conflict("the refresh token was rotated concurrently".into())) } else { Ok(()) }
        })
    }

    fn revoke_session(&self, origin_jti: &str) -> StoreResult<()> {
        self.write(|tx| {
            execute(tx, "UPDATE sessions SET revoked = 1 WHERE origin_jti = ?1", [origin_jti])?;
            Ok(())
        })
    }

    fn revoke_user_sessions(&self, pool_id: &str, sub: &str) -> StoreResult<()> {
        self.write(|tx| {
            execute(tx, "UPDATE sessions SET revoked = 1 WHERE pool_id = ?1 AND sub = ?2", [pool_id, sub])?;
            Ok(())
        })
    }

    fn list_sessions(&self, pool_id: &str, after: Option<&str>, limit: usize) -> StoreResult<Vec<Session>> {
        self.read(|c| {
            let mut s = c
                .prepare_cached(&format!(
                    "SELECT {SESSION_COLUMNS} FROM sessions WHERE pool_id = ?1 AND origin_jti > ?2 ORDER BY origin_jti LIMIT ?3"
                ))
                .map_err(sql)?;
            let rows = s.query_map(params![pool_id, after.unwrap_or(""), limit as i64], session_from).map_err(sql)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(sql)
        })
    }
}

impl ChallengeStore for SqliteStore {
    fn put_challenge(&self, c: &ChallengeRecord) -> StoreResult<()> {
        self.write(|tx| {
            execute(
                tx,
                "INSERT OR REPLACE INTO auth_challenges (id, pool_id, state, expires_ms) VALUES (?1, ?2, ?3, ?4)",
                params![c.id, c.pool_id, c.state, c.expires_ms],
            )?;
            Ok(())
        })
    }

    fn get_challenge(&self, id: &str) -> StoreResult<Option<ChallengeRecord>> {
        self.read(|c| {
            c.prepare_cached("SELECT id, pool_id, state, expires_ms FROM auth_challenges WHERE id = ?1")
                .and_then(|mut s| {
                    s.query_row([id], |r| {
                        Ok(ChallengeRecord { id: r.get(0)?, pool_id: r.get(1)?, state: r.get(2)?, expires_ms: r.get(3)? })
                    })
                    .optional()
                })
                .map_err(sql)
        })
    }

    fn take_challenge(&self, id: &str, now_ms: i64) -> StoreResult<bool> {
        self.write(|tx| {
            execute(tx, "DELETE FROM auth_challenges WHERE expires_ms < ?1", [now_ms])?;
            Ok(execute(tx, "DELETE FROM auth_challenges WHERE id = ?1", [id])? > 0)
        })
    }

    fn use_once(&self, key: &str, expires_ms: i64, now_ms: i64) -> StoreResult<bool> {
        self.write(|tx| {
            execute(tx, "DELETE FROM used_once WHERE expires_ms <= ?1", [now_ms])?;
            Ok(execute(tx, "INSERT OR IGNORE INTO used_once (key, expires_ms) VALUES (?1, ?2)", params![key, expires_ms])? > 0)
        })
    }
}

impl AuthEventStore for SqliteStore {
    fn add_auth_event(&self, e: &AuthEventRecord) -> StoreResult<i64> {
        self.write(|tx| {
            execute(
                tx,
                "INSERT INTO auth_events (pool_id, sub, event, created_ms) VALUES (?1, ?2, ?3, ?4)",
                params![e.pool_id, e.sub, e.event, e.created_ms],
            )?;
            Ok(tx.last_insert_rowid())
        })
    }

    fn list_auth_events(&self, pool_id: &str, sub: &str, before: Option<i64>, limit: usize) -> StoreResult<Vec<AuthEventRecord>> {
        self.read(|c| {
            let mut s = c
                .prepare_cached(
                    "SELECT id, pool_id, sub, event, created_ms FROM auth_events
                     WHERE pool_id = ?1 AND sub = ?2 AND id < ?3 ORDER BY id DESC LIMIT ?4",
                )
                .map_err(sql)?;
            let rows = s
                .query_map(params![pool_id, sub, before.unwrap_or(i64::MAX), limit as i64], |r| {
                    Ok(AuthEventRecord { id: r.get(0)?, pool_id: r.get(1)?, sub: r.get(2)?, event: r.get(3)?, created_ms: r.get(4)? })
                })
                .map_err(sql)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(sql)
        })
    }
}

/// An access key row, its secret still sealed.
fn access_key_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<AccessKey> {
    Ok(AccessKey { id: r.get(0)?, secret: r.get(1)?, description: r.get(2)?, created_ms: r.get(3)? })
}

impl SqliteStore {
    fn open_access_key(&self, mut key: AccessKey) -> StoreResult<AccessKey> {
        key.secret = self.sealer().open_text(&places::access_key(&key.id), &key.secret)?;
        Ok(key)
    }
}

impl AccessKeyStore for SqliteStore {
    fn put_access_key(&self, key: &AccessKey) -> StoreResult<()> {
        let secret = self.sealer().seal_text(&places::access_key(&key.id), &key.secret)?;
        self.write(|tx| {
            execute(
                tx,
                "INSERT OR REPLACE INTO access_keys (id, secret, description, created_ms) VALUES (?1, ?2, ?3, ?4)",
                params![key.id, secret, key.description, key.created_ms],
            )?;
            Ok(())
        })
    }

    fn get_access_key(&self, id: &str) -> StoreResult<Option<AccessKey>> {
        let key = self.read(|c| {
            c.prepare_cached("SELECT id, secret, description, created_ms FROM access_keys WHERE id = ?1")
                .and_then(|mut s| s.query_row([id], access_key_from).optional())
                .map_err(sql)
        })?;
        key.map(|k| self.open_access_key(k)).transpose()
    }

    fn list_access_keys(&self) -> StoreResult<Vec<AccessKey>> {
        let keys = self.read(|c| {
            let mut s =
                c.prepare_cached("SELECT id, secret, description, created_ms FROM access_keys ORDER BY created_ms, id").map_err(sql)?;
            let rows = s.query_map([], access_key_from).map_err(sql)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(sql)
        })?;
        keys.into_iter().map(|k| self.open_access_key(k)).collect()
    }

    fn delete_access_key(&self, id: &str) -> StoreResult<bool> {
        self.write(|tx| Ok(execute(tx, "DELETE FROM access_keys WHERE id = ?1", [id])? > 0))
    }
}

impl MessageStore for SqliteStore {
    fn add_message(&self, m: &Message) -> StoreResult<i64> {
        self.write(|tx| {
            execute(
                tx,
                "INSERT INTO messages (pool_id, username, medium, destination, subject, body, code, created_ms, delivery)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![m.pool_id, m.username, m.medium, m.destination, m.subject, m.body, m.code, m.created_ms, m.delivery],
            )?;
            Ok(tx.last_insert_rowid())
        })
    }

    fn list_messages(&self, q: &MessageQuery<'_>) -> StoreResult<Vec<Message>> {
        self.read(|c| {
            let mut s = c
                .prepare_cached(
                    "SELECT id, pool_id, username, medium, destination, subject, body, code, created_ms, delivery FROM messages
                     WHERE (?1 IS NULL OR pool_id = ?1) AND (?2 IS NULL OR username = ?2)
                       AND (?3 IS NULL OR instr(lower(username), lower(?3)) > 0 OR instr(lower(destination), lower(?3)) > 0)
                       AND id < ?4
                     ORDER BY id DESC LIMIT ?5",
                )
                .map_err(sql)?;
            let rows = s
                .query_map(params![q.pool_id, q.username, q.search, q.before.unwrap_or(i64::MAX), q.limit as i64], |r| {
                    Ok(Message {
                        id: r.get(0)?,
                        pool_id: r.get(1)?,
                        username: r.get(2)?,
                        medium: r.get(3)?,
                        destination: r.get(4)?,
                        subject: r.get(5)?,
                        body: r.get(6)?,
                        code: r.get(7)?,
                        created_ms: r.get(8)?,
                        delivery: r.get(9)?,
                    })
                })
                .map_err(sql)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(sql)
        })
    }
}

/// Writes `e` as a new audit row (its `id` is the database's to give).
pub(crate) fn insert_audit(conn: &Connection, e: &AuditEvent) -> StoreResult<()> {
    execute(
        conn,
        "INSERT INTO audit_log (at_ms, actor, source, operation, resource, outcome) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![e.at_ms, e.actor, e.source, e.operation, e.resource, e.outcome],
    )?;
    Ok(())
}

impl AuditStore for SqliteStore {
    fn append_audit(&self, e: &AuditEvent) -> StoreResult<()> {
        self.write(|tx| insert_audit(tx, e))
    }

    fn list_audit(&self, q: &AuditQuery<'_>) -> StoreResult<Vec<AuditEvent>> {
        self.read(|c| {
            // `resource` reads `UserPoolId=…, Username=…`: a pool's id ends at a comma or the end.
            let mut s = c
                .prepare_cached(
                    "SELECT id, at_ms, actor, source, operation, resource, outcome FROM audit_log
                     WHERE (?1 IS NULL OR actor = ?1)
                       AND (?2 IS NULL OR operation = ?2 OR substr(operation, instr(operation, '.') + 1) = ?2)
                       AND (?3 IS NULL OR (outcome = 'OK') = ?3)
                       AND (?4 IS NULL OR instr(resource || ',', 'PoolId=' || ?4 || ',') > 0)
                       AND (?5 IS NULL OR at_ms >= ?5) AND (?6 IS NULL OR at_ms < ?6)
                       AND id < ?7
                     ORDER BY id DESC LIMIT ?8",
                )
                .map_err(sql)?;
            let rows = s
                .query_map(
                    params![
                        q.actor,
                        q.operation,
                        q.succeeded,
                        q.pool_id,
                        q.start_ms,
                        q.end_ms,
                        q.before.unwrap_or(i64::MAX),
                        q.limit as i64
                    ],
                    |r| {
                        Ok(AuditEvent {
                            id: r.get(0)?,
                            at_ms: r.get(1)?,
                            actor: r.get(2)?,
                            source: r.get(3)?,
                            operation: r.get(4)?,
                            resource: r.get(5)?,
                            outcome: r.get(6)?,
                        })
                    },
                )
                .map_err(sql)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(sql)
        })
    }
}

impl TriggerLogStore for SqliteStore {
    fn add_trigger_invocation(&self, t: &TriggerInvocation) -> StoreResult<i64> {
        self.write(|tx| {
            execute(
                tx,
                "INSERT INTO trigger_invocations (pool_id, trigger, source, function, started_ms, duration_ms, event, response, error)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![t.pool_id, t.trigger, t.source, t.function, t.started_ms, t.duration_ms, t.event, t.response, t.error],
            )?;
            Ok(tx.last_insert_rowid())
        })
    }

    fn list_trigger_invocations(&self, q: &TriggerQuery<'_>) -> StoreResult<Vec<TriggerInvocation>> {
        self.read(|c| {
            let mut s = c
                .prepare_cached(
                    "SELECT id, pool_id, trigger, source, function, started_ms, duration_ms, event, response, error
                     FROM trigger_invocations
                     WHERE pool_id = ?1 AND (?2 IS NULL OR trigger = ?2) AND (?3 IS NULL OR (error IS NULL) = ?3) AND id < ?4
                     ORDER BY id DESC LIMIT ?5",
                )
                .map_err(sql)?;
            let rows = s
                .query_map(params![q.pool_id, q.trigger, q.succeeded, q.before.unwrap_or(i64::MAX), q.limit as i64], |r| {
                    Ok(TriggerInvocation {
                        id: r.get(0)?,
                        pool_id: r.get(1)?,
                        trigger: r.get(2)?,
                        source: r.get(3)?,
                        function: r.get(4)?,
                        started_ms: r.get(5)?,
                        duration_ms: r.get(6)?,
                        event: r.get(7)?,
                        response: r.get(8)?,
                        error: r.get(9)?,
                    })
                })
                .map_err(sql)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(sql)
        })
    }
}
