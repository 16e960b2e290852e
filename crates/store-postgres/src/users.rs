//! `UserStore`: users, their searchable-attribute index, group membership, ListUsers.
//!
//! A user's row, its index rows and its pool's user count change in one statement (common
//! table expressions), so AdminCreateUser or an update costs one round trip, not five.

use std::collections::HashMap;

use pooldesk_core::sealed::Sealer;
use pooldesk_core::store::{FilterField, FilterOp, Group, INDEXED_ATTRIBUTES, Page, StoreError, StoreResult, User, UserFilter, UserStore};
use pooldesk_core::store_shared::{cursor, open_user_data, prefix_end, seal_user_data};
use pooldesk_wire::cognito_idp::UserStatusType;
use postgres::Row;
use postgres::types::ToSql;

use crate::PostgresStore;
use crate::pool::{Conn, get};
use crate::user_pools::{GROUP_COLUMNS, fetch, to_group};

const USER_COLUMNS: &str = "u.id, u.pool_id, u.key, u.username, u.sub, u.status, u.enabled, u.created_ms, u.modified_ms, u.version, u.data";

/// A user and its row id (the position an attribute-filtered page resumes after).
struct Found {
    id: i64,
    user: User,
}

fn to_user(sealer: &Sealer, r: &Row) -> StoreResult<Found> {
    let status: &str = get(r, 5)?;
    let status = UserStatusType::parse(status).ok_or_else(|| StoreError::Corrupt(format!("unknown user status {status}")))?;
    let (pool_id, sub): (String, String) = (get(r, 1)?, get(r, 4)?);
    let data = open_user_data(sealer, &pool_id, &sub, get(r, 10)?)?;
    let user = User {
        pool_id,
        key: get(r, 2)?,
        username: get(r, 3)?,
        sub,
        status,
        enabled: get(r, 6)?,
        created_ms: get(r, 7)?,
        modified_ms: get(r, 8)?,
        version: get(r, 9)?,
        data,
    };
    Ok(Found { id: get(r, 0)?, user })
}

/// The user's searchable attributes as two parallel arrays (names, values).
fn indexed(user: &User) -> (Vec<&str>, Vec<&str>) {
    INDEXED_ATTRIBUTES.iter().filter_map(|name| user.data.attributes.get(*name).map(|v| (*name, v.as_str()))).unzip()
}

impl PostgresStore {
    fn query_users(&self, c: &mut Conn, text: &str, params: &[&(dyn ToSql + Sync)]) -> StoreResult<Vec<Found>> {
        let sealer = self.sealer();
        c.query(text, params)?.iter().map(|r| to_user(&sealer, r)).collect()
    }

    fn users(&self, text: &str, params: &[&(dyn ToSql + Sync)]) -> StoreResult<Vec<Found>> {
        self.read(|c| self.query_users(c, text, params))
    }
}

impl UserStore for PostgresStore {
    fn insert_user(&self, user: &User) -> StoreResult<()> {
        let data = seal_user_data(&self.sealer(), user)?;
        let (names, values) = indexed(user);
        self.write_one(
            "WITH u AS (
                 INSERT INTO users (pool_id, key, username, sub, status, enabled, created_ms, modified_ms, version, data)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id),
             i AS (INSERT INTO user_attribute_index (pool_id, name, value, user_id)
                   SELECT $1, a.n, a.v, u.id FROM u, unnest($11::text[], $12::text[]) AS a(n, v))
             UPDATE user_pools SET user_count = user_count + 1 WHERE id = $1",
            &[
                &user.pool_id,
                &user.key,
                &user.username,
                &user.sub,
                &user.status.as_str(),
                &user.enabled,
                &user.created_ms,
                &user.modified_ms,
                &user.version,
                &data,
                &names,
                &values,
            ],
        )
        .map(drop)
    }

    fn insert_users(&self, users: &[User]) -> StoreResult<Vec<usize>> {
        let sealer = self.sealer();
        let data = users.iter().map(|u| seal_user_data(&sealer, u)).collect::<StoreResult<Vec<_>>>()?;
        let column = |f: fn(&User) -> &str| users.iter().map(f).collect::<Vec<_>>();
        let (pools, keys, names, subs) = (column(|u| &u.pool_id), column(|u| &u.key), column(|u| &u.username), column(|u| &u.sub));
        let statuses = column(|u| u.status.as_str());
        let enabled: Vec<bool> = users.iter().map(|u| u.enabled).collect();
        let created: Vec<i64> = users.iter().map(|u| u.created_ms).collect();
        let modified: Vec<i64> = users.iter().map(|u| u.modified_ms).collect();
        let versions: Vec<i64> = users.iter().map(|u| u.version).collect();
        self.write(|c| {
            // A row whose username or sub is taken (in the pool, or earlier in the batch) is
            // skipped, not an error: the others are stored.
            let inserted = c.query(
                "INSERT INTO users (pool_id, key, username, sub, status, enabled, created_ms, modified_ms, version, data)
                 SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bool[], $7::bigint[], $8::bigint[],
                                      $9::bigint[], $10::text[])
                 ON CONFLICT DO NOTHING RETURNING id, pool_id, key, sub",
                &[&pools, &keys, &names, &subs, &statuses, &enabled, &created, &modified, &versions, &data],
            )?;
            let mut ids = HashMap::with_capacity(inserted.len());
            for r in &inserted {
                ids.insert((get::<String>(r, 1)?, get::<String>(r, 2)?, get::<String>(r, 3)?), get::<i64>(r, 0)?);
            }
            let (mut refused, mut per_pool) = (Vec::new(), HashMap::<&str, i64>::new());
            let (mut index_pools, mut index_names, mut index_values, mut index_users) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for (i, user) in users.iter().enumerate() {
                // The first of identical rows got the id; the others were refused.
                match ids.remove(&(user.pool_id.clone(), user.key.clone(), user.sub.clone())) {
                    Some(id) => {
                        *per_pool.entry(&user.pool_id).or_default() += 1;
                        let (names, values) = indexed(user);
                        for (name, value) in names.into_iter().zip(values) {
                            index_pools.push(user.pool_id.as_str());
                            index_names.push(name);
                            index_values.push(value);
                            index_users.push(id);
                        }
                    }
                    None => refused.push(i),
                }
            }
            c.execute(
                "INSERT INTO user_attribute_index (pool_id, name, value, user_id) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])",
                &[&index_pools, &index_names, &index_values, &index_users],
            )?;
            for (pool, n) in per_pool {
                c.execute("UPDATE user_pools SET user_count = user_count + $2 WHERE id = $1", &[&pool, &n])?;
            }
            Ok(refused)
        })
    }

    fn get_user(&self, pool_id: &str, key: &str) -> StoreResult<Option<User>> {
        let found = self.users(&format!("SELECT {USER_COLUMNS} FROM users u WHERE u.pool_id = $1 AND u.key = $2"), &[&pool_id, &key])?;
        Ok(found.into_iter().next().map(|f| f.user))
    }

    fn get_user_by_sub(&self, pool_id: &str, sub: &str) -> StoreResult<Option<User>> {
        let found = self.users(&format!("SELECT {USER_COLUMNS} FROM users u WHERE u.pool_id = $1 AND u.sub = $2"), &[&pool_id, &sub])?;
        Ok(found.into_iter().next().map(|f| f.user))
    }

    fn find_users_by_attribute(&self, pool_id: &str, name: &str, value: &str) -> StoreResult<Vec<User>> {
        let found = self.users(
            &format!(
                "SELECT {USER_COLUMNS} FROM user_attribute_index i JOIN users u ON u.id = i.user_id
                 WHERE i.pool_id = $1 AND i.name = $2 AND i.value = $3 ORDER BY i.user_id LIMIT 100"
            ),
            &[&pool_id, &name, &value],
        )?;
        Ok(found.into_iter().map(|f| f.user).collect())
    }

    fn update_user(&self, user: &User) -> StoreResult<()> {
        let data = seal_user_data(&self.sealer(), user)?;
        let (names, values) = indexed(user);
        // Index rows that stay are neither deleted nor inserted: one statement may not delete
        // and insert the same key.
        let updated = self.conn()?.opt(
            "WITH u AS (
                 UPDATE users SET username = $3, status = $4, enabled = $5, modified_ms = $6, version = version + 1, data = $7
                 WHERE pool_id = $1 AND sub = $2 AND version = $8 RETURNING id),
             a AS (SELECT n, v FROM unnest($9::text[], $10::text[]) AS t(n, v)),
             d AS (DELETE FROM user_attribute_index x USING u
                   WHERE x.user_id = u.id AND (x.name, x.value) NOT IN (SELECT n, v FROM a)),
             i AS (INSERT INTO user_attribute_index (pool_id, name, value, user_id)
                   SELECT $1, a.n, a.v, u.id FROM u, a ON CONFLICT DO NOTHING)
             SELECT id FROM u",
            &[
                &user.pool_id,
                &user.sub,
                &user.username,
                &user.status.as_str(),
                &user.enabled,
                &user.modified_ms,
                &data,
                &user.version,
                &names,
                &values,
            ],
        )?;
        match updated {
            Some(_) => Ok(()),
            None => Err(StoreError::Conflict("the user changed since it was read".into())),
        }
    }

    fn delete_user(&self, pool_id: &str, key: &str) -> StoreResult<bool> {
        // Index rows and group memberships go with the row (ON DELETE CASCADE).
        let row = self.conn()?.one(
            "WITH u AS (DELETE FROM users WHERE pool_id = $1 AND key = $2 RETURNING sub),
             s AS (DELETE FROM sessions WHERE pool_id = $1 AND sub IN (SELECT sub FROM u)),
             l AS (DELETE FROM provider_links WHERE pool_id = $1 AND user_sub IN (SELECT sub FROM u)),
             c AS (UPDATE user_pools SET user_count = user_count - 1 WHERE id = $1 AND EXISTS (SELECT 1 FROM u))
             SELECT count(*) FROM u",
            &[&pool_id, &key],
        )?;
        Ok(get::<i64>(&row, 0)? > 0)
    }

    fn list_users(&self, pool_id: &str, filter: Option<&UserFilter>, token: Option<&str>, limit: usize) -> StoreResult<Page<User>> {
        let fetch = fetch(limit);
        // Every query pages in a total order its index delivers; the token records where the
        // last page stopped in that order.
        if let Some(UserFilter { field: FilterField::Attribute(name), op, value }) = filter {
            let (after_value, after_id) = match token {
                Some(t) => {
                    let p = cursor::decode(t, 2)?;
                    (p[0].clone(), p[1].parse::<i64>().map_err(|_| StoreError::BadCursor)?)
                }
                None => (String::new(), -1),
            };
            let hi = match op {
                FilterOp::Equals => value.clone(),
                FilterOp::StartsWith => prefix_end(value),
            };
            // Both lower bounds name the same start, the cursor or the filter's own value: given
            // different ones, the generic plan of the prepared statement began at the row
            // bound, ('', -1) on a first page, the pool's first e-mail (2.7 ms at 20,000 users
            // instead of 0.2).
            let (from_value, from_id) =
                if token.is_some() && after_value >= *value { (after_value, after_id) } else { (value.clone(), -1) };
            let upper = if *op == FilterOp::Equals { "i.value <= $4" } else { "i.value < $4" };
            let mut rows = self.users(
                &format!(
                    "SELECT {USER_COLUMNS} FROM user_attribute_index i JOIN users u ON u.id = i.user_id
                     WHERE i.pool_id = $1 AND i.name = $2 AND i.value >= $3 AND (i.value, i.user_id) > ($3, $5) AND {upper}
                     ORDER BY i.value, i.user_id LIMIT $6"
                ),
                &[&pool_id, name, &from_value, &hi, &from_id, &fetch],
            )?;
            let next = (rows.len() > limit).then(|| {
                rows.truncate(limit);
                rows.last().map(|f| cursor::encode(&[f.user.data.attributes.get(name).map_or("", String::as_str), &f.id.to_string()]))
            });
            return Ok(Page { items: rows.into_iter().map(|f| f.user).collect(), next: next.flatten() });
        }
        let after = match token {
            Some(t) => cursor::decode(t, 1)?.remove(0),
            None => String::new(),
        };
        let base = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.pool_id = $1 AND u.key > $2");
        let order = "ORDER BY u.key LIMIT $3";
        let rows = match filter {
            None => self.users(&format!("{base} {order}"), &[&pool_id, &after, &fetch])?,
            Some(f) if f.field == FilterField::Enabled => {
                let wanted: Vec<bool> = [("Enabled", true), ("Disabled", false)]
                    .into_iter()
                    .filter(|(name, _)| match f.op {
                        FilterOp::Equals => *name == f.value,
                        FilterOp::StartsWith => name.starts_with(&f.value),
                    })
                    .map(|(_, v)| v)
                    .collect();
                self.users(&format!("{base} AND u.enabled = ANY($4) {order}"), &[&pool_id, &after, &fetch, &wanted])?
            }
            Some(f) => {
                let column = match f.field {
                    FilterField::Username => "u.key",
                    FilterField::Sub => "u.sub",
                    FilterField::UserStatus => "u.status",
                    FilterField::Enabled | FilterField::Attribute(_) => return Err(StoreError::Other("unreachable filter".into())),
                };
                match f.op {
                    FilterOp::Equals => self.users(&format!("{base} AND {column} = $4 {order}"), &[&pool_id, &after, &fetch, &f.value])?,
                    // The username is the paged key itself: one lower bound, as above.
                    FilterOp::StartsWith if column == "u.key" && after < f.value => self.users(
                        &format!("SELECT {USER_COLUMNS} FROM users u WHERE u.pool_id = $1 AND u.key >= $2 AND u.key < $4 {order}"),
                        &[&pool_id, &f.value, &fetch, &prefix_end(&f.value)],
                    )?,
                    FilterOp::StartsWith if column == "u.key" => {
                        self.users(&format!("{base} AND u.key < $4 {order}"), &[&pool_id, &after, &fetch, &prefix_end(&f.value)])?
                    }
                    FilterOp::StartsWith => self.users(
                        &format!("{base} AND {column} >= $4 AND {column} < $5 {order}"),
                        &[&pool_id, &after, &fetch, &f.value, &prefix_end(&f.value)],
                    )?,
                }
            }
        };
        let mut users: Vec<User> = rows.into_iter().map(|f| f.user).collect();
        let next = (users.len() > limit).then(|| {
            users.truncate(limit);
            users.last().map(|u| cursor::encode(&[&u.key]))
        });
        Ok(Page { items: users, next: next.flatten() })
    }

    fn add_to_group(&self, pool_id: &str, group: &str, sub: &str) -> StoreResult<()> {
        self.write_one(
            "INSERT INTO group_members (pool_id, group_name, user_id) SELECT $1, $2, id FROM users WHERE pool_id = $1 AND sub = $3
             ON CONFLICT DO NOTHING",
            &[&pool_id, &group, &sub],
        )
        .map(drop)
    }

    fn remove_from_group(&self, pool_id: &str, group: &str, sub: &str) -> StoreResult<()> {
        self.write_one(
            "DELETE FROM group_members WHERE pool_id = $1 AND group_name = $2
             AND user_id = (SELECT id FROM users WHERE pool_id = $1 AND sub = $3)",
            &[&pool_id, &group, &sub],
        )
        .map(drop)
    }

    fn groups_of_user(&self, pool_id: &str, sub: &str) -> StoreResult<Vec<Group>> {
        let rows = self.read(|c| {
            c.query(
                &format!(
                    "SELECT {GROUP_COLUMNS} FROM users u JOIN group_members m ON m.user_id = u.id
                     JOIN groups g ON g.pool_id = m.pool_id AND g.name = m.group_name
                     WHERE u.pool_id = $1 AND u.sub = $2 ORDER BY g.name"
                ),
                &[&pool_id, &sub],
            )
        })?;
        rows.iter().map(to_group).collect()
    }

    fn users_in_group(&self, pool_id: &str, group: &str, token: Option<&str>, limit: usize) -> StoreResult<Page<User>> {
        let after = match token {
            Some(t) => cursor::decode(t, 1)?.remove(0),
            None => String::new(),
        };
        let rows = self.users(
            &format!(
                "SELECT {USER_COLUMNS} FROM group_members m JOIN users u ON u.id = m.user_id
                 WHERE m.pool_id = $1 AND m.group_name = $2 AND u.key > $3 ORDER BY u.key LIMIT $4"
            ),
            &[&pool_id, &group, &after, &fetch(limit)],
        )?;
        let mut users: Vec<User> = rows.into_iter().map(|f| f.user).collect();
        let next = (users.len() > limit).then(|| {
            users.truncate(limit);
            users.last().map(|u| cursor::encode(&[&u.key]))
        });
        Ok(Page { items: users, next: next.flatten() })
    }
}
