//! Sessions, challenges, used-once keys, auth events, access keys, the outbox, the audit log
//! and the trigger inspector's log.

use pooldesk_core::store::{
    AccessKey, AccessKeyStore, AuditEvent, AuditQuery, AuditStore, AuthEventRecord, AuthEventStore, ChallengeRecord, ChallengeStore,
    Message, MessageQuery, MessageStore, Session, SessionStore, StoreError, StoreResult, TriggerInvocation, TriggerLogStore, TriggerQuery,
};
use pooldesk_core::store_shared::places;
use postgres::Row;

use crate::PostgresStore;
use crate::pool::get;

const SESSION_COLUMNS: &str = "origin_jti, pool_id, client_id, sub, refresh_hash, auth_time, created_ms, expires_ms, revoked, previous_refresh_hash, rotated_ms, scope";

fn to_session(r: &Row) -> StoreResult<Session> {
    Ok(Session {
        origin_jti: get(r, 0)?,
        pool_id: get(r, 1)?,
        client_id: get(r, 2)?,
        sub: get(r, 3)?,
        refresh_hash: get(r, 4)?,
        auth_time: get(r, 5)?,
        created_ms: get(r, 6)?,
        expires_ms: get(r, 7)?,
        revoked: get(r, 8)?,
        previous_refresh_hash: get(r, 9)?,
        rotated_ms: get(r, 10)?,
        scope: get(r, 11)?,
    })
}

/// A page size as a query parameter.
fn limit_of(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

impl SessionStore for PostgresStore {
    fn insert_session(&self, s: &Session) -> StoreResult<()> {
        self.write_one(
            &format!("INSERT INTO sessions ({SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"),
            &[
                &s.origin_jti,
                &s.pool_id,
                &s.client_id,
                &s.sub,
                &s.refresh_hash,
                &s.auth_time,
                &s.created_ms,
                &s.expires_ms,
                &s.revoked,
                &s.previous_refresh_hash,
                &s.rotated_ms,
                &s.scope,
            ],
        )
        .map(drop)
    }

    fn get_session(&self, origin_jti: &str) -> StoreResult<Option<Session>> {
        self.read(|c| c.opt(&format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE origin_jti = $1"), &[&origin_jti]))?
            .map(|r| to_session(&r))
            .transpose()
    }

    fn get_session_by_refresh_hash(&self, refresh_hash: &str) -> StoreResult<Option<Session>> {
        self.read(|c| {
            c.opt(
                &format!(
                    "SELECT {SESSION_COLUMNS} FROM sessions WHERE refresh_hash = $1
                     UNION ALL SELECT {SESSION_COLUMNS} FROM sessions WHERE previous_refresh_hash = $1 LIMIT 1"
                ),
                &[&refresh_hash],
            )
        })?
        .map(|r| to_session(&r))
        .transpose()
    }

    fn rotate_refresh_token(&self, origin_jti: &str, expected_hash: &str, new_hash: &str, now_ms: i64) -> StoreResult<()> {
        let n = self.write_one(
            "UPDATE sessions SET previous_refresh_hash = refresh_hash, refresh_hash = $3, rotated_ms = $4
             WHERE origin_jti = $1 AND refresh_hash = $2",
            &[&origin_jti, &expected_hash, &new_hash, &now_ms],
        )?;
        if n == 0 { Err(StoreError::Conflict("the refresh token was rotated concurrently".into())) } else { Ok(()) }
    }

    fn revoke_session(&self, origin_jti: &str) -> StoreResult<()> {
        self.write_one("UPDATE sessions SET revoked = TRUE WHERE origin_jti = $1", &[&origin_jti]).map(drop)
    }

    fn revoke_user_sessions(&self, pool_id: &str, sub: &str) -> StoreResult<()> {
        self.write_one("UPDATE sessions SET revoked = TRUE WHERE pool_id = $1 AND sub = $2", &[&pool_id, &sub]).map(drop)
    }

    fn list_sessions(&self, pool_id: &str, after: Option<&str>, limit: usize) -> StoreResult<Vec<Session>> {
        let rows = self.read(|c| {
            c.query(
                &format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE pool_id = $1 AND origin_jti > $2 ORDER BY origin_jti LIMIT $3"),
                &[&pool_id, &after.unwrap_or(""), &limit_of(limit)],
            )
        })?;
        rows.iter().map(to_session).collect()
    }
}

impl ChallengeStore for PostgresStore {
    fn put_challenge(&self, ch: &ChallengeRecord) -> StoreResult<()> {
        self.write_one(
            "INSERT INTO auth_challenges (id, pool_id, state, expires_ms) VALUES ($1, $2, $3, $4)
             ON CONFLICT (id) DO UPDATE SET pool_id = excluded.pool_id, state = excluded.state, expires_ms = excluded.expires_ms",
            &[&ch.id, &ch.pool_id, &ch.state, &ch.expires_ms],
        )
        .map(drop)
    }

    fn get_challenge(&self, id: &str) -> StoreResult<Option<ChallengeRecord>> {
        let row = self.read(|c| c.opt("SELECT id, pool_id, state, expires_ms FROM auth_challenges WHERE id = $1", &[&id]))?;
        row.map(|r| Ok(ChallengeRecord { id: get(&r, 0)?, pool_id: get(&r, 1)?, state: get(&r, 2)?, expires_ms: get(&r, 3)? })).transpose()
    }

    fn take_challenge(&self, id: &str, now_ms: i64) -> StoreResult<bool> {
        // The row's delete decides: of two servers answering the same challenge, one deletes it.
        let row = self.conn()?.one(
            "WITH swept AS (DELETE FROM auth_challenges WHERE expires_ms < $2 AND id <> $1),
             taken AS (DELETE FROM auth_challenges WHERE id = $1 RETURNING 1)
             SELECT count(*) FROM taken",
            &[&id, &now_ms],
        )?;
        Ok(get::<i64>(&row, 0)? > 0)
    }

    fn use_once(&self, key: &str, expires_ms: i64, now_ms: i64) -> StoreResult<bool> {
        self.write(|c| {
            c.execute("DELETE FROM used_once WHERE expires_ms <= $1", &[&now_ms])?;
            Ok(c.execute("INSERT INTO used_once (key, expires_ms) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING", &[&key, &expires_ms])? > 0)
        })
    }
}

impl AuthEventStore for PostgresStore {
    fn add_auth_event(&self, e: &AuthEventRecord) -> StoreResult<i64> {
        let row = self.conn()?.one(
            "INSERT INTO auth_events (pool_id, sub, event, created_ms) VALUES ($1, $2, $3, $4) RETURNING id",
            &[&e.pool_id, &e.sub, &e.event, &e.created_ms],
        )?;
        get(&row, 0)
    }

    fn list_auth_events(&self, pool_id: &str, sub: &str, before: Option<i64>, limit: usize) -> StoreResult<Vec<AuthEventRecord>> {
        let rows = self.read(|c| {
            c.query(
                "SELECT id, pool_id, sub, event, created_ms FROM auth_events
                 WHERE pool_id = $1 AND sub = $2 AND id < $3 ORDER BY id DESC LIMIT $4",
                &[&pool_id, &sub, &before.unwrap_or(i64::MAX), &limit_of(limit)],
            )
        })?;
        rows.iter()
            .map(|r| {
                Ok(AuthEventRecord { id: get(r, 0)?, pool_id: get(r, 1)?, sub: get(r, 2)?, event: get(r, 3)?, created_ms: get(r, 4)? })
            })
            .collect()
    }
}

impl PostgresStore {
    fn to_access_key(&self, r: &Row) -> StoreResult<AccessKey> {
        let id: String = get(r, 0)?;
        let secret = self.sealer().open_text(&places::access_key(&id), get(r, 1)?)?;
        Ok(AccessKey { id, secret, description: get(r, 2)?, created_ms: get(r, 3)? })
    }
}

impl AccessKeyStore for PostgresStore {
    fn put_access_key(&self, key: &AccessKey) -> StoreResult<()> {
        let secret = self.sealer().seal_text(&places::access_key(&key.id), &key.secret)?;
        self.write_one(
            "INSERT INTO access_keys (id, secret, description, created_ms) VALUES ($1, $2, $3, $4)
             ON CONFLICT (id) DO UPDATE SET secret = excluded.secret, description = excluded.description, created_ms = excluded.created_ms",
            &[&key.id, &secret, &key.description, &key.created_ms],
        )
        .map(drop)
    }

    fn get_access_key(&self, id: &str) -> StoreResult<Option<AccessKey>> {
        let row = self.read(|c| c.opt("SELECT id, secret, description, created_ms FROM access_keys WHERE id = $1", &[&id]))?;
        row.map(|r| self.to_access_key(&r)).transpose()
    }

    fn list_access_keys(&self) -> StoreResult<Vec<AccessKey>> {
        let rows = self.read(|c| c.query("SELECT id, secret, description, created_ms FROM access_keys ORDER BY created_ms, id", &[]))?;
        rows.iter().map(|r| self.to_access_key(r)).collect()
    }

    fn delete_access_key(&self, id: &str) -> StoreResult<bool> {
        Ok(self.write_one("DELETE FROM access_keys WHERE id = $1", &[&id])? > 0)
    }
}

impl MessageStore for PostgresStore {
    fn add_message(&self, m: &Message) -> StoreResult<i64> {
        let row = self.conn()?.one(
            "INSERT INTO messages (pool_id, username, medium, destination, subject, body, code, created_ms, delivery)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            &[&m.pool_id, &m.username, &m.medium, &m.destination, &m.subject, &m.body, &m.code, &m.created_ms, &m.delivery],
        )?;
        get(&row, 0)
    }

    fn list_messages(&self, q: &MessageQuery<'_>) -> StoreResult<Vec<Message>> {
        let rows = self.read(|c| {
            c.query(
                "SELECT id, pool_id, username, medium, destination, subject, body, code, created_ms, delivery FROM messages
                 WHERE ($1::text IS NULL OR pool_id = $1) AND ($2::text IS NULL OR username = $2)
                   AND ($3::text IS NULL OR strpos(lower(username), lower($3)) > 0 OR strpos(lower(destination), lower($3)) > 0)
                   AND id < $4
                 ORDER BY id DESC LIMIT $5",
                &[&q.pool_id, &q.username, &q.search, &q.before.unwrap_or(i64::MAX), &limit_of(q.limit)],
            )
        })?;
        rows.iter()
            .map(|r| {
                Ok(Message {
                    id: get(r, 0)?,
                    pool_id: get(r, 1)?,
                    username: get(r, 2)?,
                    medium: get(r, 3)?,
                    destination: get(r, 4)?,
                    subject: get(r, 5)?,
                    body: get(r, 6)?,
                    code: get(r, 7)?,
                    created_ms: get(r, 8)?,
                    delivery: get(r, 9)?,
                })
            })
            .collect()
    }
}

impl AuditStore for PostgresStore {
    fn append_audit(&self, e: &AuditEvent) -> StoreResult<()> {
        self.write_one(
            "INSERT INTO audit_log (at_ms, actor, source, operation, resource, outcome) VALUES ($1, $2, $3, $4, $5, $6)",
            &[&e.at_ms, &e.actor, &e.source, &e.operation, &e.resource, &e.outcome],
        )
        .map(drop)
    }

    fn list_audit(&self, q: &AuditQuery<'_>) -> StoreResult<Vec<AuditEvent>> {
        // `resource` reads `UserPoolId=…, Username=…`: a pool's id ends at a comma or the end.
        let rows = self.read(|c| {
            c.query(
                "SELECT id, at_ms, actor, source, operation, resource, outcome FROM audit_log
                 WHERE ($1::text IS NULL OR actor = $1)
                   AND ($2::text IS NULL OR operation = $2 OR substr(operation, strpos(operation, '.') + 1) = $2)
                   AND ($3::boolean IS NULL OR (outcome = 'OK') = $3)
                   AND ($4::text IS NULL OR strpos(resource || ',', 'PoolId=' || $4 || ',') > 0)
                   AND ($5::bigint IS NULL OR at_ms >= $5) AND ($6::bigint IS NULL OR at_ms < $6)
                   AND id < $7
                 ORDER BY id DESC LIMIT $8",
                &[
                    &q.actor,
                    &q.operation,
                    &q.succeeded,
                    &q.pool_id,
                    &q.start_ms,
                    &q.end_ms,
                    &q.before.unwrap_or(i64::MAX),
                    &limit_of(q.limit),
                ],
            )
        })?;
        rows.iter()
            .map(|r| {
                Ok(AuditEvent {
                    id: get(r, 0)?,
                    at_ms: get(r, 1)?,
                    actor: get(r, 2)?,
                    source: get(r, 3)?,
                    operation: get(r, 4)?,
                    resource: get(r, 5)?,
                    outcome: get(r, 6)?,
                })
            })
            .collect()
    }
}

impl TriggerLogStore for PostgresStore {
    fn add_trigger_invocation(&self, t: &TriggerInvocation) -> StoreResult<i64> {
        let row = self.conn()?.one(
            "INSERT INTO trigger_invocations (pool_id, trigger, source, function, started_ms, duration_ms, event, response, error)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            &[&t.pool_id, &t.trigger, &t.source, &t.function, &t.started_ms, &t.duration_ms, &t.event, &t.response, &t.error],
        )?;
        get(&row, 0)
    }

    fn list_trigger_invocations(&self, q: &TriggerQuery<'_>) -> StoreResult<Vec<TriggerInvocation>> {
        let rows = self.read(|c| {
            c.query(
                "SELECT id, pool_id, trigger, source, function, started_ms, duration_ms, event, response, error
                 FROM trigger_invocations
                 WHERE pool_id = $1 AND ($2::text IS NULL OR trigger = $2) AND ($3::boolean IS NULL OR (error IS NULL) = $3) AND id < $4
                 ORDER BY id DESC LIMIT $5",
                &[&q.pool_id, &q.trigger, &q.succeeded, &q.before.unwrap_or(i64::MAX), &limit_of(q.limit)],
            )
        })?;
        rows.iter()
            .map(|r| {
                Ok(TriggerInvocation {
                    id: get(r, 0)?,
                    pool_id: get(r, 1)?,
                    trigger: get(r, 2)?,
                    source: get(r, 3)?,
                    function: get(r, 4)?,
                    started_ms: get(r, 5)?,
                    duration_ms: get(r, 6)?,
                    event: get(r, 7)?,
                    response: get(r, 8)?,
                    error: get(r, 9)?,
                })
            })
            .collect()
    }
}
