//! `UserStore`: users, their searchable-attribute index, group membership, ListUsers.

use pooldesk_core::store::{FilterField, FilterOp, Group, INDEXED_ATTRIBUTES, Page, StoreError, StoreResult, User, UserFilter, UserStore};
use pooldesk_wire::cognito_idp::UserStatusType;
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Row, Transaction, params, params_from_iter};

use crate::SqliteStore;
use crate::error::{json_err, sql};
use crate::pool::execute;
use crate::secrets::text_as_bytes;
use crate::user_pools::{GROUP_COLUMNS, to_group};
use pooldesk_core::sealed::{self, Sealer};
use pooldesk_core::store_shared::{TOTP_FIELDS, cursor, open_user_data, places, prefix_end, seal_user_data};

const USER_COLUMNS: &str = "u.id, u.pool_id, u.key, u.username, u.sub, u.status, u.enabled, u.created_ms, u.modified_ms, u.version, u.data";

/// A user row with its row id (the position paging resumes after).
struct Row_ {
    id: i64,
    user: User,
}

/// The columns of a user row, before the status and document are parsed.
struct RawUser {
    id: i64,
    pool_id: String,
    key: String,
    username: String,
    sub: String,
    status: String,
    enabled: bool,
    created_ms: i64,
    modified_ms: i64,
    version: i64,
    data: String,
}

fn user_from(r: &Row<'_>) -> rusqlite::Result<RawUser> {
    Ok(RawUser {
        id: r.get(0)?,
        pool_id: r.get(1)?,
        key: r.get(2)?,
        username: r.get(3)?,
        sub: r.get(4)?,
        status: r.get(5)?,
        enabled: r.get(6)?,
        created_ms: r.get(7)?,
        modified_ms: r.get(8)?,
        version: r.get(9)?,
        data: r.get(10)?,
    })
}

fn finish(sealer: &Sealer, raw: RawUser) -> StoreResult<Row_> {
    let status = UserStatusType::parse(&raw.status).ok_or_else(|| StoreError::Corrupt(format!("unknown user status {}", raw.status)))?;
    let data = open_user_data(sealer, &raw.pool_id, &raw.sub, &raw.data)?;
    let user = User {
        pool_id: raw.pool_id,
        key: raw.key,
        username: raw.username,
        sub: raw.sub,
        status,
        enabled: raw.enabled,
        created_ms: raw.created_ms,
        modified_ms: raw.modified_ms,
        version: raw.version,
        data,
    };
    Ok(Row_ { id: raw.id, user })
}

fn query_users(sealer: &Sealer, c: &rusqlite::Connection, sql_text: &str, args: Vec<Value>) -> StoreResult<Vec<Row_>> {
    let mut s = c.prepare_cached(sql_text).map_err(sql)?;
    let rows = s.query_map(params_from_iter(args), user_from).map_err(sql)?;
    rows.map(|r| r.map_err(sql).and_then(|raw| finish(sealer, raw))).collect()
}

/// Rewrites the searchable-attribute rows of one user.
fn index_attributes(tx: &Transaction<'_>, id: i64, user: &User) -> StoreResult<()> {
    tx.prepare_cached("DELETE FROM user_attribute_index WHERE user_id = ?1").and_then(|mut s| s.execute([id])).map_err(sql)?;
    let mut insert =
        tx.prepare_cached("INSERT INTO user_attribute_index (pool_id, name, value, user_id) VALUES (?1, ?2, ?3, ?4)").map_err(sql)?;
    for name in INDEXED_ATTRIBUTES {
        if let Some(value) = user.data.attributes.get(name) {
            insert.execute(params![user.pool_id, name, value, id]).map_err(sql)?;
        }
    }
    Ok(())
}

fn insert_row(tx: &Transaction<'_>, user: &User, data: &str) -> StoreResult<()> {
    tx.prepare_cached(
        "INSERT INTO users (pool_id, key, username, sub, status, enabled, created_ms, modified_ms, version, data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )
    .and_then(|mut s| {
        s.execute(params![
            user.pool_id,
            user.key,
            user.username,
            user.sub,
            user.status.as_str(),
            user.enabled,
            user.created_ms,
            user.modified_ms,
            user.version,
            data
        ])
    })
    .map_err(sql)?;
    index_attributes(tx, tx.last_insert_rowid(), user)
}

/// [`crate::secrets::reseal`] for the authenticator secrets inside users' documents.
pub(crate) fn reseal_totp(tx: &Transaction<'_>, f: sealed::Reseal<'_>) -> StoreResult<usize> {
    let rows: Vec<(i64, String, String, String)> = {
        let mut s = tx.prepare("SELECT id, pool_id, sub, data FROM users WHERE data LIKE '%totp_secret%'").map_err(sql)?;
        s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).map_err(sql)?.collect::<Result<_, _>>().map_err(sql)?
    };
    let mut count = 0;
    for (id, pool_id, sub, data) in rows {
        let mut doc: serde_json::Value = serde_json::from_str(&data).map_err(json_err)?;
        let mut changed = false;
        for field in TOTP_FIELDS {
            let Some(serde_json::Value::String(stored)) = doc.pointer_mut(&format!("/mfa/{field}")) else { continue };
            if let Some(new) = f(&places::totp(&pool_id, &sub, field), &text_as_bytes(stored)?)? {
                *stored = sealed::text_of(&new);
                changed = true;
                count += 1;
            }
        }
        if changed {
            execute(tx, "UPDATE users SET data = ?2 WHERE id = ?1", params![id, doc.to_string()])?;
        }
    }
    Ok(count)
}

impl UserStore for SqliteStore {
    fn insert_user(&self, user: &User) -> StoreResult<()> {
        let data = seal_user_data(&self.sealer(), user)?;
        self.write(|tx| insert_row(tx, user, &data))
    }

    fn insert_users(&self, users: &[User]) -> StoreResult<Vec<usize>> {
        let sealer = self.sealer();
        let rows = users.iter().map(|u| seal_user_data(&sealer, u).map(|d| (u, d))).collect::<StoreResult<Vec<_>>>()?;
        self.write(|tx| {
            let mut conflicts = Vec::new();
            for (i, (user, data)) in rows.iter().enumerate() {
                // A failed INSERT undoes only itself, so one taken username does not cost the batch.
                match insert_row(tx, user, data) {
                    Ok(()) => {}
                    Err(StoreError::Conflict(_)) => conflicts.push(i),
                    Err(e) => return Err(e),
                }
            }
            Ok(conflicts)
        })
    }

    fn get_user(&self, pool_id: &str, key: &str) -> StoreResult<Option<User>> {
        self.read(|c| {
            let rows = query_users(
                &self.sealer(),
                c,
                &format!("SELECT {USER_COLUMNS} FROM users u WHERE u.pool_id = ?1 AND u.key = ?2"),
                vec![pool_id.to_owned().into(), key.to_owned().into()],
            )?;
            Ok(rows.into_iter().next().map(|r| r.user))
        })
    }

    fn get_user_by_sub(&self, pool_id: &str, sub: &str) -> StoreResult<Option<User>> {
        self.read(|c| {
            let rows = query_users(
                &self.sealer(),
                c,
                &format!("SELECT {USER_COLUMNS} FROM users u WHERE u.pool_id = ?1 AND u.sub = ?2"),
                vec![pool_id.to_owned().into(), sub.to_owned().into()],
            )?;
            Ok(rows.into_iter().next().map(|r| r.user))
        })
    }

    fn find_users_by_attribute(&self, pool_id: &str, name: &str, value: &str) -> StoreResult<Vec<User>> {
        self.read(|c| {
            let rows = query_users(
                &self.sealer(),
                c,
                &format!(
                    "SELECT {USER_COLUMNS} FROM user_attribute_index i JOIN users u ON u.id = i.user_id
                     WHERE i.pool_id = ?1 AND i.name = ?2 AND i.value = ?3 ORDER BY i.user_id LIMIT 100"
                ),
                vec![pool_id.to_owned().into(), name.to_owned().into(), value.to_owned().into()],
            )?;
            Ok(rows.into_iter().map(|r| r.user).collect())
        })
    }

    fn update_user(&self, user: &User) -> StoreResult<()> {
        let data = seal_user_data(&self.sealer(), user)?;
        self.write(|tx| {
            let id: Option<i64> = tx
                .prepare_cached(
                    "UPDATE users SET username = ?3, status = ?4, enabled = ?5, modified_ms = ?6, version = version + 1, data = ?7
                     WHERE pool_id = ?1 AND sub = ?2 AND version = ?8 RETURNING id",
                )
                .and_then(|mut s| {
                    s.query_row(
                        params![
                            user.pool_id,
                            user.sub,
                            user.username,
                            user.status.as_str(),
                            user.enabled,
                            user.modified_ms,
                            data,
                            user.version
                        ],
                        |r| r.get(0),
                    )
                    .optional()
                })
                .map_err(sql)?;
            let id = id.ok_or_else(|| StoreError::Conflict("the user changed since it was read".into()))?;
            index_attributes(tx, id, user)
        })
    }

    fn delete_user(&self, pool_id: &str, key: &str) -> StoreResult<bool> {
        self.write(|tx| {
            let sub: Option<String> = tx
                .query_row("DELETE FROM users WHERE pool_id = ?1 AND key = ?2 RETURNING sub", [pool_id, key], |r| r.get(0))
                .optional()
                .map_err(sql)?;
            match sub {
                Some(sub) => {
                    execute(tx, "DELETE FROM sessions WHERE pool_id = ?1 AND sub = ?2", [pool_id, sub.as_str()])?;
                    execute(tx, "DELETE FROM provider_links WHERE pool_id = ?1 AND user_sub = ?2", [pool_id, sub.as_str()])?;
                    Ok(true)
                }
                None => Ok(false),
            }
        })
    }

    fn list_users(&self, pool_id: &str, filter: Option<&UserFilter>, token: Option<&str>, limit: usize) -> StoreResult<Page<User>> {
        let pool: Value = pool_id.to_owned().into();
        let fetch = (limit + 1) as i64;
        // Every query pages in a total order that its index delivers, and the token records
        // where the last page stopped in that order.
        let (sql_text, args, by_attribute) = match filter {
            Some(UserFilter { field: FilterField::Attribute(name), op, value }) => {
                let (value_lo, value_hi) = match op {
                    FilterOp::Equals => (value.clone(), value.clone()),
                    FilterOp::StartsWith => (value.clone(), prefix_end(value)),
                };
                let (after_value, after_id) = match token {
                    Some(t) => {
                        let p = cursor::decode(t, 2)?;
                        (p[0].clone(), p[1].parse::<i64>().map_err(|_| StoreError::BadCursor)?)
                    }
                    None => (String::new(), -1),
                };
                // The scan starts at the cursor, not at the prefix: the row-value comparison
                // alone would make SQLite walk every earlier entry of the prefix on each page.
                let value_lo = if *op == FilterOp::StartsWith && after_value > value_lo { after_value.clone() } else { value_lo };
                let cmp = if *op == FilterOp::Equals { "i.value = ?3" } else { "i.value >= ?3 AND i.value < ?4" };
                (
                    format!(
                        "SELECT {USER_COLUMNS} FROM user_attribute_index i JOIN users u ON u.id = i.user_id
                         WHERE i.pool_id = ?1 AND i.name = ?2 AND {cmp} AND (i.value, i.user_id) > (?5, ?6)
                         ORDER BY i.value, i.user_id LIMIT ?7"
                    ),
                    vec![pool, name.clone().into(), value_lo.into(), value_hi.into(), after_value.into(), after_id.into(), fetch.into()],
                    true,
                )
            }
            other => {
                let after = match token {
                    Some(t) => cursor::decode(t, 1)?.remove(0),
                    None => String::new(),
                };
                let (cond, extra): (String, Vec<Value>) = match other {
                    None => ("1".into(), vec![]),
                    Some(f) => {
                        let column = match f.field {
                            FilterField::Username => "u.key",
                            FilterField::Sub => "u.sub",
                            FilterField::UserStatus => "u.status",
                            FilterField::Enabled => "u.enabled",
                            FilterField::Attribute(_) => unreachable_attribute(),
                        };
                        if f.field == FilterField::Enabled {
                            let wanted: Vec<i64> = [("Enabled", 1), ("Disabled", 0)]
                                .iter()
                                .filter(|(name, _)| match f.op {
                                    FilterOp::Equals => *name == f.value,
                                    FilterOp::StartsWith => name.starts_with(&f.value),
                                })
                                .map(|(_, v)| *v)
                                .collect();
                            let list = if wanted.is_empty() {
                                "-1".to_owned()
                            } else {
                                wanted.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
                            };
                            (format!("u.enabled IN ({list})"), vec![])
                        } else {
                            match f.op {
                                FilterOp::Equals => (format!("{column} = ?4"), vec![f.value.clone().into()]),
                                FilterOp::StartsWith => {
                                    (format!("{column} >= ?4 AND {column} < ?5"), vec![f.value.clone().into(), prefix_end(&f.value).into()])
                                }
                            }
                        }
                    }
                };
                let mut args = vec![pool, after.into(), fetch.into()];
                args.extend(extra);
                (
                    format!("SELECT {USER_COLUMNS} FROM users u WHERE u.pool_id = ?1 AND u.key > ?2 AND {cond} ORDER BY u.key LIMIT ?3"),
                    args,
                    false,
                )
            }
        };
        let mut rows = self.read(|c| query_users(&self.sealer(), c, &sql_text, args))?;
        let next = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|r| {
                if by_attribute {
                    let name = match filter.map(|f| &f.field) {
                        Some(FilterField::Attribute(n)) => n.as_str(),
                        _ => "",
                    };
                    let value = r.user.data.attributes.get(name).map(String::as_str).unwrap_or("");
                    cursor::encode(&[value, &r.id.to_string()])
                } else {
                    cursor::encode(&[&r.user.key])
                }
            })
        } else {
            None
        };
        Ok(Page { items: rows.into_iter().map(|r| r.user).collect(), next })
    }

    fn add_to_group(&self, pool_id: &str, group: &str, sub: &str) -> StoreResult<()> {
        self.write(|tx| {
            execute(
                tx,
                "INSERT OR IGNORE INTO group_members (pool_id, group_name, user_id)
                 SELECT ?1, ?2, id FROM users WHERE pool_id = ?1 AND sub = ?3",
                [pool_id, group, sub],
            )?;
            Ok(())
        })
    }

    fn remove_from_group(&self, pool_id: &str, group: &str, sub: &str) -> StoreResult<()> {
        self.write(|tx| {
            execute(
                tx,
                "DELETE FROM group_members WHERE pool_id = ?1 AND group_name = ?2
                 AND user_id = (SELECT id FROM users WHERE pool_id = ?1 AND sub = ?3)",
                [pool_id, group, sub],
            )?;
            Ok(())
        })
    }

    fn groups_of_user(&self, pool_id: &str, sub: &str) -> StoreResult<Vec<Group>> {
        self.read(|c| {
            let mut s = c
                .prepare_cached(&format!(
                    "SELECT {GROUP_COLUMNS} FROM users u JOIN group_members m ON m.user_id = u.id
                     JOIN groups g ON g.pool_id = m.pool_id AND g.name = m.group_name
                     WHERE u.pool_id = ?1 AND u.sub = ?2 ORDER BY g.name"
                ))
                .map_err(sql)?;
            let rows = s.query_map([pool_id, sub], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))).map_err(sql)?;
            rows.map(|r| r.map_err(sql).and_then(to_group)).collect()
        })
    }

    fn users_in_group(&self, pool_id: &str, group: &str, token: Option<&str>, limit: usize) -> StoreResult<Page<User>> {
        let after = match token {
            Some(t) => cursor::decode(t, 1)?.remove(0),
            None => String::new(),
        };
        let mut rows = self.read(|c| {
            query_users(
                &self.sealer(),
                c,
                &format!(
                    "SELECT {USER_COLUMNS} FROM group_members m JOIN users u ON u.id = m.user_id
                     WHERE m.pool_id = ?1 AND m.group_name = ?2 AND u.key > ?3 ORDER BY u.key LIMIT ?4"
                ),
                vec![pool_id.to_owned().into(), group.to_owned().into(), after.into(), ((limit + 1) as i64).into()],
            )
        })?;
        let next = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|r| cursor::encode(&[&r.user.key]))
        } else {
            None
        };
        Ok(Page { items: rows.into_iter().map(|r| r.user).collect(), next })
    }
}

/// Attribute filters take the index branch above; this arm cannot be reached.
fn unreachable_attribute() -> &'static str {
    "NULL"
}
