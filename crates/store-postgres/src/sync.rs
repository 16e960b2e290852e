//! `SyncStore`: Cognito Sync's datasets and records.

use pooldesk_core::store::{
    BulkDataset, BulkPublishState, BulkStart, BulkStep, DatasetRecord, NoticeTarget, Page, QueuedNotice, StoreError, StoreResult,
    SyncDevice, SyncNotice, SyncRecord, SyncSettings, SyncStore, SyncUsage, SyncWrite,
};
use pooldesk_core::store_shared::{from_json, page, to_json};
use postgres::Row;

use crate::PostgresStore;
use crate::pool::get;

const DATASET_COLUMNS: &str =
    "identity_id, name, pool_id, created_ms, modified_ms, modified_by, sync_count, data_storage, num_records, deleted";
const RECORD_COLUMNS: &str = "key, value, sync_count, modified_ms, modified_by, device_modified_ms";

fn to_dataset(r: &Row) -> StoreResult<DatasetRecord> {
    Ok(DatasetRecord {
        identity_id: get(r, 0)?,
        name: get(r, 1)?,
        pool_id: get(r, 2)?,
        created_ms: get(r, 3)?,
        modified_ms: get(r, 4)?,
        modified_by: get(r, 5)?,
        sync_count: get(r, 6)?,
        data_storage: get(r, 7)?,
        num_records: get(r, 8)?,
        deleted: get(r, 9)?,
    })
}

fn to_record(r: &Row) -> StoreResult<SyncRecord> {
    Ok(SyncRecord {
        key: get(r, 0)?,
        value: get(r, 1)?,
        sync_count: get(r, 2)?,
        modified_ms: get(r, 3)?,
        modified_by: get(r, 4)?,
        device_modified_ms: get(r, 5)?,
    })
}

impl SyncStore for PostgresStore {
    fn get_dataset(&self, identity_id: &str, name: &str) -> StoreResult<Option<DatasetRecord>> {
        self.read(|c| {
            c.opt(&format!("SELECT {DATASET_COLUMNS} FROM sync_datasets WHERE identity_id = $1 AND name = $2"), &[&identity_id, &name])?
                .as_ref()
                .map(to_dataset)
                .transpose()
        })
    }

    fn list_datasets(&self, identity_id: &str, deleted_too: bool, after: Option<&str>, limit: usize) -> StoreResult<Page<DatasetRecord>> {
        let rows = self.read(|c| {
            c.query(
                &format!(
                    "SELECT {DATASET_COLUMNS} FROM sync_datasets WHERE identity_id = $1 AND name > $2 AND ($4 OR NOT deleted) ORDER BY name LIMIT $3"
                ),
                &[&identity_id, &after.unwrap_or(""), &((limit + 1) as i64), &deleted_too],
            )
        })?;
        Ok(page(rows.iter().map(to_dataset).collect::<StoreResult<_>>()?, limit, |d| d.name.clone()))
    }

    fn get_sync_records(&self, identity_id: &str, dataset: &str, keys: &[&str]) -> StoreResult<Vec<SyncRecord>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let rows = self.read(|c| {
            c.query(
                &format!("SELECT {RECORD_COLUMNS} FROM sync_records WHERE identity_id = $1 AND dataset = $2 AND key = ANY($3)"),
                &[&identity_id, &dataset, &keys],
            )
        })?;
        rows.iter().map(to_record).collect()
    }

    fn list_sync_records(
        &self,
        identity_id: &str,
        dataset: &str,
        since: i64,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<SyncRecord>> {
        let rows = self.read(|c| {
            c.query(
                &format!(
                    "SELECT {RECORD_COLUMNS} FROM sync_records WHERE identity_id = $1 AND dataset = $2 AND sync_count > $3 AND key > $4 \
                     ORDER BY key LIMIT $5"
                ),
                &[&identity_id, &dataset, &since, &after.unwrap_or(""), &((limit + 1) as i64)],
            )
        })?;
        Ok(page(rows.iter().map(to_record).collect::<StoreResult<_>>()?, limit, |r| r.key.clone()))
    }

    fn write_dataset(
        &self,
        d: &DatasetRecord,
        expected: Option<i64>,
        records: &[SyncRecord],
        max_datasets: usize,
        notices: &[SyncNotice],
    ) -> StoreResult<SyncWrite> {
        self.write(|c| {
            let was = c.opt("SELECT deleted FROM sync_datasets WHERE identity_id = $1 AND name = $2", &[&d.identity_id, &d.name])?;
            let was_live = was.as_ref().map(|r| get::<bool>(r, 0)).transpose()?.is_some_and(|deleted| !deleted);
            if !d.deleted && !was_live {
                // Servers making datasets for one identity at once take turns, so the count holds.
                c.execute("SELECT 1 FROM identities WHERE id = $1 FOR UPDATE", &[&d.identity_id])?;
                let live: i64 =
                    get(&c.one("SELECT count(*) FROM sync_datasets WHERE identity_id = $1 AND NOT deleted", &[&d.identity_id])?, 0)?;
                if live >= i64::try_from(max_datasets).unwrap_or(i64::MAX) {
                    return Ok(SyncWrite::TooManyDatasets);
                }
            }
            let params: [&(dyn postgres::types::ToSql + Sync); 10] = [
                &d.identity_id,
                &d.name,
                &d.pool_id,
                &d.created_ms,
                &d.modified_ms,
                &d.modified_by,
                &d.sync_count,
                &d.data_storage,
                &d.num_records,
                &d.deleted,
            ];
            // Compare and set: a concurrent writer that got there first leaves no row changed.
            let written = match expected {
                None => c.execute(
                    &format!(
                        "INSERT INTO sync_datasets ({DATASET_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                         ON CONFLICT (identity_id, name) DO NOTHING"
                    ),
                    &params,
                )?,
                Some(count) => c.execute(
                    "UPDATE sync_datasets SET pool_id = $3, created_ms = $4, modified_ms = $5, modified_by = $6, sync_count = $7, \
                     data_storage = $8, num_records = $9, deleted = $10 WHERE identity_id = $1 AND name = $2 AND sync_count = $11",
                    &[&d.identity_id, &d.name, &d.pool_id, &d.created_ms, &d.modified_ms, &d.modified_by, &d.sync_count, &d.data_storage, &d.num_records, &d.deleted, &count],
                )?,
            };
            if written == 0 {
                return Ok(SyncWrite::Conflict);
            }
            if d.deleted {
                c.execute("DELETE FROM sync_records WHERE identity_id = $1 AND dataset = $2", &[&d.identity_id, &d.name])?;
            }
            for r in records {
                c.execute(
                    &format!(
                        "INSERT INTO sync_records (identity_id, dataset, {RECORD_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                         ON CONFLICT (identity_id, dataset, key) DO UPDATE SET value = excluded.value, sync_count = excluded.sync_count, \
                         modified_ms = excluded.modified_ms, modified_by = excluded.modified_by, device_modified_ms = excluded.device_modified_ms"
                    ),
                    &[&d.identity_id, &d.name, &r.key, &r.value, &r.sync_count, &r.modified_ms, &r.modified_by, &r.device_modified_ms],
                )?;
            }
            queue(c, notices)?;
            Ok(SyncWrite::Written)
        })
    }

    fn sync_usage(&self, pool_id: &str) -> StoreResult<SyncUsage> {
        self.read(|c| {
            let r = c.one(
                "SELECT coalesce(sum(sync_count), 0)::BIGINT, coalesce(sum(data_storage), 0)::BIGINT, max(modified_ms) FROM sync_datasets \
                 WHERE pool_id = $1",
                &[&pool_id],
            )?;
            Ok(SyncUsage { writes: get(&r, 0)?, data_storage: get(&r, 1)?, modified_ms: get(&r, 2)? })
        })
    }

    fn get_sync_settings(&self, pool_id: &str) -> StoreResult<Option<SyncSettings>> {
        let row = self.read(|c| c.opt("SELECT settings FROM sync_settings WHERE pool_id = $1", &[&pool_id]))?;
        row.map(|r| from_json(get::<&str>(&r, 0)?)).transpose()
    }

    fn put_sync_settings(&self, pool_id: &str, settings: &SyncSettings) -> StoreResult<()> {
        let text = to_json(settings)?;
        self.write_one(
            "INSERT INTO sync_settings (pool_id, settings) VALUES ($1, $2) ON CONFLICT (pool_id) DO UPDATE SET settings = excluded.settings",
            &[&pool_id, &text],
        )
        .map(drop)
    }

    fn queue_sync_notices(&self, notices: &[SyncNotice]) -> StoreResult<()> {
        self.write(|c| queue(c, notices))
    }

    fn claim_sync_notices(&self, now_ms: i64, lease_until_ms: i64, limit: usize) -> StoreResult<Vec<QueuedNotice>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.write(|c| {
            // Another server's claims are skipped, and their keys' later notices wait behind them.
            let rows = c.query(
                "SELECT seq, pool_id, key, target, body, bulk, attempts FROM sync_outbox o WHERE due_ms <= $1 \
                 AND NOT EXISTS (SELECT 1 FROM sync_outbox p WHERE p.key = o.key AND p.seq < o.seq) \
                 ORDER BY due_ms, seq LIMIT $2 FOR UPDATE SKIP LOCKED",
                &[&now_ms, &limit],
            )?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                let seq: i64 = get(&r, 0)?;
                let key: String = get(&r, 2)?;
                // The key's later notices wait as long as it does (so they are not due, and not
                // looked at, while it is out).
                c.execute("UPDATE sync_outbox SET due_ms = $2 WHERE key = $1", &[&key, &lease_until_ms])?;
                let target: String = get(&r, 3)?;
                let target = NoticeTarget::parse(&target).ok_or_else(|| StoreError::Corrupt(format!("notice target {target}")))?;
                let notice = SyncNotice { pool_id: get(&r, 1)?, key, target, body: get(&r, 4)?, bulk: get(&r, 5)? };
                out.push(QueuedNotice { seq, notice, attempts: get(&r, 6)? });
            }
            Ok(out)
        })
    }

    fn finish_sync_notice(&self, seq: i64, lease_ms: i64) -> StoreResult<()> {
        self.write(|c| finish(c, seq, lease_ms).map(drop))
    }

    fn retry_sync_notice(&self, seq: i64, lease_ms: i64, retry_ms: i64, error: &str) -> StoreResult<()> {
        self.write(|c| {
            let held = c.execute(
                "UPDATE sync_outbox SET attempts = attempts + 1, last_error = $3 WHERE seq = $1 AND due_ms = $2",
                &[&seq, &lease_ms, &error],
            )?;
            if held == 1 {
                c.execute(
                    "UPDATE sync_outbox SET due_ms = $2 WHERE key = (SELECT key FROM sync_outbox WHERE seq = $1)",
                    &[&seq, &retry_ms],
                )?;
            }
            Ok(())
        })
    }

    fn pending_sync_notices(&self, pool_id: &str, bulk: bool) -> StoreResult<(i64, Option<String>)> {
        self.read(|c| {
            let r = c.one(
                "SELECT count(*), (SELECT last_error FROM sync_outbox WHERE pool_id = $1 AND (bulk OR NOT $2) AND last_error IS NOT NULL \
                 ORDER BY seq LIMIT 1) FROM sync_outbox WHERE pool_id = $1 AND (bulk OR NOT $2)",
                &[&pool_id, &bulk],
            )?;
            Ok((get(&r, 0)?, get(&r, 1)?))
        })
    }

    fn get_bulk_publish(&self, pool_id: &str) -> StoreResult<Option<BulkPublishState>> {
        self.read(|c| bulk_state(c, pool_id))
    }

    fn start_bulk_publish(&self, pool_id: &str, now_ms: i64, every_ms: i64, marker: &SyncNotice) -> StoreResult<BulkStart> {
        self.write(|c| {
            // Servers starting one for the same pool at once take turns.
            c.execute("SELECT 1 FROM identity_pools WHERE id = $1 FOR UPDATE", &[&pool_id])?;
            match bulk_state(c, pool_id)? {
                Some(BulkPublishState { completed_ms: None, .. }) => return Ok(BulkStart::InProgress),
                Some(BulkPublishState { completed_ms: Some(done), .. }) if now_ms - done < every_ms => return Ok(BulkStart::TooSoon(done)),
                _ => {}
            }
            c.execute(
                "INSERT INTO sync_bulk_publish (pool_id, started_ms, completed_ms) VALUES ($1, $2, NULL) \
                 ON CONFLICT (pool_id) DO UPDATE SET started_ms = excluded.started_ms, completed_ms = NULL",
                &[&pool_id, &now_ms],
            )?;
            queue(c, std::slice::from_ref(marker))?;
            Ok(BulkStart::Started)
        })
    }

    fn settle_bulk_publish(&self, pool_id: &str, now_ms: i64) -> StoreResult<Option<BulkPublishState>> {
        match self.get_bulk_publish(pool_id)? {
            Some(BulkPublishState { completed_ms: None, .. }) => self.write(|c| {
                c.execute(
                    "UPDATE sync_bulk_publish SET completed_ms = $2 WHERE pool_id = $1 AND completed_ms IS NULL \
                     AND NOT EXISTS (SELECT 1 FROM sync_outbox WHERE pool_id = $1 AND bulk)",
                    &[&pool_id, &now_ms],
                )?;
                bulk_state(c, pool_id)
            }),
            other => Ok(other),
        }
    }

    fn bulk_publish_step(&self, seq: i64, lease_ms: i64, datasets: &[BulkDataset], next: Option<&SyncNotice>) -> StoreResult<BulkStep> {
        self.write(|c| {
            if c.opt("SELECT 1 FROM sync_outbox WHERE seq = $1 AND due_ms = $2 FOR UPDATE", &[&seq, &lease_ms])?.is_none() {
                return Ok(BulkStep::Lost);
            }
            // The datasets stay as read until this commits: a write to one waits, so its own
            // notice comes after the copy.
            for d in datasets {
                let row = c.opt(
                    "SELECT sync_count FROM sync_datasets WHERE identity_id = $1 AND name = $2 AND NOT deleted FOR SHARE",
                    &[&d.identity_id, &d.name],
                )?;
                if row.map(|r| get::<i64>(&r, 0)).transpose()? != Some(d.sync_count) {
                    return Ok(BulkStep::Changed);
                }
            }
            for d in datasets {
                queue(c, &d.notices)?;
            }
            if let Some(next) = next {
                queue(c, std::slice::from_ref(next))?;
            }
            finish(c, seq, lease_ms)?;
            Ok(BulkStep::Done)
        })
    }

    fn register_sync_device(&self, device: &SyncDevice) -> StoreResult<SyncDevice> {
        self.write(|c| {
            let r = c.one(
                &format!(
                    "INSERT INTO sync_devices ({DEVICE_COLUMNS}) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (identity_id, platform, token) \
                     DO UPDATE SET application_arn = excluded.application_arn RETURNING {DEVICE_COLUMNS}"
                ),
                &[&device.device_id, &device.identity_id, &device.platform, &device.token, &device.application_arn],
            )?;
            to_device(&r)
        })
    }

    fn get_sync_device(&self, device_id: &str) -> StoreResult<Option<SyncDevice>> {
        self.read(|c| {
            c.opt(&format!("SELECT {DEVICE_COLUMNS} FROM sync_devices WHERE device_id = $1"), &[&device_id])?
                .as_ref()
                .map(to_device)
                .transpose()
        })
    }

    fn set_sync_subscription(&self, device_id: &str, dataset: &str, subscribed: bool) -> StoreResult<()> {
        let statement = if subscribed {
            "INSERT INTO sync_subscriptions (device_id, dataset) VALUES ($1, $2) ON CONFLICT DO NOTHING"
        } else {
            "DELETE FROM sync_subscriptions WHERE device_id = $1 AND dataset = $2"
        };
        self.write_one(statement, &[&device_id, &dataset]).map(drop)
    }

    fn list_sync_devices(&self, identity_id: &str) -> StoreResult<Vec<(SyncDevice, Vec<String>)>> {
        self.read(|c| {
            let rows = c.query(
                &format!(
                    "SELECT {DEVICE_COLUMNS}, coalesce((SELECT array_agg(dataset ORDER BY dataset) FROM sync_subscriptions s \
                     WHERE s.device_id = d.device_id), '{{}}') FROM sync_devices d WHERE identity_id = $1 ORDER BY device_id"
                ),
                &[&identity_id],
            )?;
            rows.iter().map(|r| Ok((to_device(r)?, get(r, 5)?))).collect()
        })
    }

    fn list_sync_notices(&self, after_seq: i64, limit: usize) -> StoreResult<Vec<QueuedNotice>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(|c| {
            c.query(
                "SELECT seq, pool_id, key, target, body, bulk, attempts FROM sync_outbox WHERE seq > $1 ORDER BY seq LIMIT $2",
                &[&after_seq, &limit],
            )?
            .iter()
            .map(|r| {
                let target: String = get(r, 3)?;
                let target = NoticeTarget::parse(&target).ok_or_else(|| StoreError::Corrupt(format!("notice target {target}")))?;
                let notice = SyncNotice { pool_id: get(r, 1)?, key: get(r, 2)?, target, body: get(r, 4)?, bulk: get(r, 5)? };
                Ok(QueuedNotice { seq: get(r, 0)?, notice, attempts: get(r, 6)? })
            })
            .collect()
        })
    }

    fn sync_subscribers(&self, identity_id: &str, dataset: &str) -> StoreResult<Vec<SyncDevice>> {
        self.read(|c| {
            c.query(
                &format!(
                    "SELECT {DEVICE_COLUMNS} FROM sync_devices d JOIN sync_subscriptions s USING (device_id) \
                     WHERE d.identity_id = $1 AND s.dataset = $2 ORDER BY d.device_id"
                ),
                &[&identity_id, &dataset],
            )?
            .iter()
            .map(to_device)
            .collect()
        })
    }
}

const DEVICE_COLUMNS: &str = "device_id, identity_id, platform, token, application_arn";

fn to_device(r: &Row) -> StoreResult<SyncDevice> {
    Ok(SyncDevice { device_id: get(r, 0)?, identity_id: get(r, 1)?, platform: get(r, 2)?, token: get(r, 3)?, application_arn: get(r, 4)? })
}

fn bulk_state(c: &mut crate::pool::Conn, pool_id: &str) -> StoreResult<Option<BulkPublishState>> {
    c.opt("SELECT started_ms, completed_ms FROM sync_bulk_publish WHERE pool_id = $1", &[&pool_id])?
        .map(|r| Ok(BulkPublishState { started_ms: get(&r, 0)?, completed_ms: get(&r, 1)? }))
        .transpose()
}

/// Removes a delivered notice still held under `lease_ms` and makes the next of its key due;
/// answers whether it was held.
fn finish(c: &mut crate::pool::Conn, seq: i64, lease_ms: i64) -> StoreResult<bool> {
    let Some(r) = c.opt("DELETE FROM sync_outbox WHERE seq = $1 AND due_ms = $2 RETURNING key", &[&seq, &lease_ms])? else {
        return Ok(false);
    };
    let key: String = get(&r, 0)?;
    c.execute("UPDATE sync_outbox SET due_ms = 0 WHERE seq = (SELECT min(seq) FROM sync_outbox WHERE key = $1)", &[&key])?;
    Ok(true)
}

fn queue(c: &mut crate::pool::Conn, notices: &[SyncNotice]) -> StoreResult<()> {
    for n in notices {
        c.execute(
            // Behind others of its key, it waits as they do.
            "INSERT INTO sync_outbox (pool_id, key, target, body, bulk, due_ms) \
             VALUES ($1, $2, $3, $4, $5, coalesce((SELECT max(due_ms) FROM sync_outbox WHERE key = $2), 0))",
            &[&n.pool_id, &n.key, &n.target.as_str(), &n.body, &n.bulk],
        )?;
    }
    Ok(())
}
