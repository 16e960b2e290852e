//! `SyncStore`: Cognito Sync's datasets and records.

use pooldesk_core::store::{
    BulkDataset, BulkPublishState, BulkStart, BulkStep, DatasetRecord, NoticeTarget, Page, QueuedNotice, StoreError, StoreResult,
    SyncDevice, SyncNotice, SyncRecord, SyncSettings, SyncStore, SyncUsage, SyncWrite,
};
use pooldesk_core::store_shared::page;
use pooldesk_core::store_shared::{from_json, to_json};
use rusqlite::{OptionalExtension, Row, params, params_from_iter};

use crate::SqliteStore;
use crate::error::sql;
use crate::pool::execute;

const DATASET_COLUMNS: &str =
    "identity_id, name, pool_id, created_ms, modified_ms, modified_by, sync_count, data_storage, num_records, deleted";
const RECORD_COLUMNS: &str = "key, value, sync_count, modified_ms, modified_by, device_modified_ms";

fn dataset_from(r: &Row<'_>) -> rusqlite::Result<DatasetRecord> {
    Ok(DatasetRecord {
        identity_id: r.get(0)?,
        name: r.get(1)?,
        pool_id: r.get(2)?,
        created_ms: r.get(3)?,
        modified_ms: r.get(4)?,
        modified_by: r.get(5)?,
        sync_count: r.get(6)?,
        data_storage: r.get(7)?,
        num_records: r.get(8)?,
        deleted: r.get(9)?,
    })
}

fn record_from(r: &Row<'_>) -> rusqlite::Result<SyncRecord> {
    Ok(SyncRecord {
        key: r.get(0)?,
        value: r.get(1)?,
        sync_count: r.get(2)?,
        modified_ms: r.get(3)?,
        modified_by: r.get(4)?,
        device_modified_ms: r.get(5)?,
    })
}

impl SyncStore for SqliteStore {
    fn get_dataset(&self, identity_id: &str, name: &str) -> StoreResult<Option<DatasetRecord>> {
        self.read(|c| {
            c.prepare_cached(&format!("SELECT {DATASET_COLUMNS} FROM sync_datasets WHERE identity_id = ?1 AND name = ?2"))
                .and_then(|mut s| s.query_row([identity_id, name], dataset_from).optional())
                .map_err(sql)
        })
    }

    fn list_datasets(&self, identity_id: &str, deleted_too: bool, after: Option<&str>, limit: usize) -> StoreResult<Page<DatasetRecord>> {
        let items = self.read(|c| {
            let mut s = c
                .prepare_cached(&format!(
                    "SELECT {DATASET_COLUMNS} FROM sync_datasets WHERE identity_id = ?1 AND name > ?2 AND (?4 OR NOT deleted) ORDER BY name LIMIT ?3"
                ))
                .map_err(sql)?;
            let rows = s.query_map(params![identity_id, after.unwrap_or(""), (limit + 1) as i64, deleted_too], dataset_from).map_err(sql)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(sql)
        })?;
        Ok(page(items, limit, |d| d.name.clone()))
    }

    fn get_sync_records(&self, identity_id: &str, dataset: &str, keys: &[&str]) -> StoreResult<Vec<SyncRecord>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        self.read(|c| {
            let statement = format!(
                "SELECT {RECORD_COLUMNS} FROM sync_records WHERE identity_id = ? AND dataset = ? AND key IN ({})",
                vec!["?"; keys.len()].join(", ")
            );
            let mut s = c.prepare(&statement).map_err(sql)?;
            let values = [identity_id, dataset].into_iter().chain(keys.iter().copied());
            let rows = s.query_map(params_from_iter(values), record_from).map_err(sql)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(sql)
        })
    }

    fn list_sync_records(
        &self,
        identity_id: &str,
        dataset: &str,
        since: i64,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<SyncRecord>> {
        let items = self.read(|c| {
            let mut s = c
                .prepare_cached(&format!(
                    "SELECT {RECORD_COLUMNS} FROM sync_records WHERE identity_id = ?1 AND dataset = ?2 AND sync_count > ?3 AND key > ?4 \
                     ORDER BY key LIMIT ?5"
                ))
                .map_err(sql)?;
            let rows =
                s.query_map(params![identity_id, dataset, since, after.unwrap_or(""), (limit + 1) as i64], record_from).map_err(sql)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(sql)
        })?;
        Ok(page(items, limit, |r| r.key.clone()))
    }

    fn write_dataset(
        &self,
        d: &DatasetRecord,
        expected: Option<i64>,
        records: &[SyncRecord],
        max_datasets: usize,
        notices: &[SyncNotice],
    ) -> StoreResult<SyncWrite> {
        self.write(|tx| {
            let found: Option<(i64, bool)> = tx
                .prepare_cached("SELECT sync_count, deleted FROM sync_datasets WHERE identity_id = ?1 AND name = ?2")
                .and_then(|mut s| s.query_row([&d.identity_id, &d.name], |r| Ok((r.get(0)?, r.get(1)?))).optional())
                .map_err(sql)?;
            if found.map(|(count, _)| count) != expected {
                return Ok(SyncWrite::Conflict);
            }
            if !d.deleted && found.is_none_or(|(_, deleted)| deleted) {
                let live: i64 = tx
                    .prepare_cached("SELECT count(*) FROM sync_datasets WHERE identity_id = ?1 AND NOT deleted")
                    .and_then(|mut s| s.query_row([&d.identity_id], |r| r.get(0)))
                    .map_err(sql)?;
                if live >= i64::try_from(max_datasets).unwrap_or(i64::MAX) {
                    return Ok(SyncWrite::TooManyDatasets);
                }
            }
            execute(
                tx,
                &format!(
                    "INSERT INTO sync_datasets ({DATASET_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
                     ON CONFLICT (identity_id, name) DO UPDATE SET modified_ms = excluded.modified_ms, \
                     modified_by = excluded.modified_by, sync_count = excluded.sync_count, data_storage = excluded.data_storage, \
                     num_records = excluded.num_records, deleted = excluded.deleted, created_ms = excluded.created_ms"
                ),
                params![
                    d.identity_id,
                    d.name,
                    d.pool_id,
                    d.created_ms,
                    d.modified_ms,
                    d.modified_by,
                    d.sync_count,
                    d.data_storage,
                    d.num_records,
                    d.deleted
                ],
            )?;
            if d.deleted {
                execute(tx, "DELETE FROM sync_records WHERE identity_id = ?1 AND dataset = ?2", [&d.identity_id, &d.name])?;
            }
            for r in records {
                execute(
                    tx,
                    &format!(
                        "INSERT OR REPLACE INTO sync_records (identity_id, dataset, {RECORD_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                    ),
                    params![d.identity_id, d.name, r.key, r.value, r.sync_count, r.modified_ms, r.modified_by, r.device_modified_ms],
                )?;
            }
            queue(tx, notices)?;
            Ok(SyncWrite::Written)
        })
    }

    fn sync_usage(&self, pool_id: &str) -> StoreResult<SyncUsage> {
        self.read(|c| {
            c.prepare_cached(
                "SELECT coalesce(sum(sync_count), 0), coalesce(sum(data_storage), 0), max(modified_ms) FROM sync_datasets WHERE pool_id = ?1",
            )
            .and_then(|mut s| {
                s.query_row([pool_id], |r| Ok(SyncUsage { writes: r.get(0)?, data_storage: r.get(1)?, modified_ms: r.get(2)? }))
            })
            .map_err(sql)
        })
    }

    fn get_sync_settings(&self, pool_id: &str) -> StoreResult<Option<SyncSettings>> {
        let text: Option<String> = self.read(|c| {
            c.prepare_cached("SELECT settings FROM sync_settings WHERE pool_id = ?1")
                .and_then(|mut s| s.query_row([pool_id], |r| r.get(0)).optional())
                .map_err(sql)
        })?;
        text.map(|t| from_json(&t)).transpose()
    }

    fn put_sync_settings(&self, pool_id: &str, settings: &SyncSettings) -> StoreResult<()> {
        let text = to_json(settings)?;
        self.write(|tx| {
            execute(
                tx,
                "INSERT INTO sync_settings (pool_id, settings) VALUES (?1, ?2) ON CONFLICT (pool_id) DO UPDATE SET settings = excluded.settings",
                [pool_id, text.as_str()],
            )
            .map(drop)
        })
    }

    fn queue_sync_notices(&self, notices: &[SyncNotice]) -> StoreResult<()> {
        self.write(|tx| queue(tx, notices))
    }

    fn claim_sync_notices(&self, now_ms: i64, lease_until_ms: i64, limit: usize) -> StoreResult<Vec<QueuedNotice>> {
        // Asked several times a second: the single writer is only taken when something is due.
        let due: bool = self.read(|c| {
            c.prepare_cached("SELECT EXISTS (SELECT 1 FROM sync_outbox WHERE due_ms <= ?1)")
                .and_then(|mut s| s.query_row([now_ms], |r| r.get(0)))
                .map_err(sql)
        })?;
        if !due {
            return Ok(vec![]);
        }
        self.write(|tx| {
            let claimed = tx
                .prepare_cached(
                    "SELECT seq, pool_id, key, target, body, bulk, attempts FROM sync_outbox o WHERE due_ms <= ?1 \
                     AND NOT EXISTS (SELECT 1 FROM sync_outbox p WHERE p.key = o.key AND p.seq < o.seq) ORDER BY due_ms, seq LIMIT ?2",
                )
                .and_then(|mut s| {
                    s.query_map(params![now_ms, i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
                        Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?, r.get::<_, String>(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
                    })?
                    .collect::<rusqlite::Result<Vec<(i64, String, String, String, String, bool, i64)>>>()
                })
                .map_err(sql)?;
            let mut out = Vec::with_capacity(claimed.len());
            for (seq, pool_id, key, target, body, bulk, attempts) in claimed {
                // The key's later notices wait as long as it does (so they are not due, and not
                // looked at, while it is out).
                execute(tx, "UPDATE sync_outbox SET due_ms = ?2 WHERE key = ?1", params![key, lease_until_ms])?;
                let target = NoticeTarget::parse(&target).ok_or_else(|| StoreError::Corrupt(format!("notice target {target}")))?;
                out.push(QueuedNotice { seq, notice: SyncNotice { pool_id, key, target, body, bulk }, attempts });
            }
            Ok(out)
        })
    }

    fn finish_sync_notice(&self, seq: i64, lease_ms: i64) -> StoreResult<()> {
        self.write(|tx| finish(tx, seq, lease_ms).map(drop))
    }

    fn retry_sync_notice(&self, seq: i64, lease_ms: i64, retry_ms: i64, error: &str) -> StoreResult<()> {
        self.write(|tx| {
            let held = execute(
                tx,
                "UPDATE sync_outbox SET attempts = attempts + 1, last_error = ?3 WHERE seq = ?1 AND due_ms = ?2",
                params![seq, lease_ms, error],
            )?;
            if held == 1 {
                execute(
                    tx,
                    "UPDATE sync_outbox SET due_ms = ?2 WHERE key = (SELECT key FROM sync_outbox WHERE seq = ?1)",
                    params![seq, retry_ms],
                )?;
            }
            Ok(())
        })
    }

    fn pending_sync_notices(&self, pool_id: &str, bulk: bool) -> StoreResult<(i64, Option<String>)> {
        self.read(|c| {
            c.prepare_cached(
                "SELECT count(*), (SELECT last_error FROM sync_outbox WHERE pool_id = ?1 AND (bulk OR NOT ?2) AND last_error IS NOT NULL \
                 ORDER BY seq LIMIT 1) FROM sync_outbox WHERE pool_id = ?1 AND (bulk OR NOT ?2)",
            )
            .and_then(|mut s| s.query_row(params![pool_id, bulk], |r| Ok((r.get(0)?, r.get(1)?))))
            .map_err(sql)
        })
    }

    fn get_bulk_publish(&self, pool_id: &str) -> StoreResult<Option<BulkPublishState>> {
        self.read(|c| bulk_state(c, pool_id))
    }

    fn start_bulk_publish(&self, pool_id: &str, now_ms: i64, every_ms: i64, marker: &SyncNotice) -> StoreResult<BulkStart> {
        self.write(|tx| {
            match bulk_state(tx, pool_id)? {
                Some(BulkPublishState { completed_ms: None, .. }) => return Ok(BulkStart::InProgress),
                Some(BulkPublishState { completed_ms: Some(done), .. }) if now_ms - done < every_ms => return Ok(BulkStart::TooSoon(done)),
                _ => {}
            }
            execute(
                tx,
                "INSERT INTO sync_bulk_publish (pool_id, started_ms, completed_ms) VALUES (?1, ?2, NULL) \
                 ON CONFLICT (pool_id) DO UPDATE SET started_ms = excluded.started_ms, completed_ms = NULL",
                params![pool_id, now_ms],
            )?;
            queue(tx, std::slice::from_ref(marker))?;
            Ok(BulkStart::Started)
        })
    }

    fn settle_bulk_publish(&self, pool_id: &str, now_ms: i64) -> StoreResult<Option<BulkPublishState>> {
        match self.get_bulk_publish(pool_id)? {
            Some(BulkPublishState { completed_ms: None, .. }) => self.write(|tx| {
                execute(
                    tx,
                    "UPDATE sync_bulk_publish SET completed_ms = ?2 WHERE pool_id = ?1 AND completed_ms IS NULL \
                     AND NOT EXISTS (SELECT 1 FROM sync_outbox WHERE pool_id = ?1 AND bulk)",
                    params![pool_id, now_ms],
                )?;
                bulk_state(tx, pool_id)
            }),
            other => Ok(other),
        }
    }

    fn bulk_publish_step(&self, seq: i64, lease_ms: i64, datasets: &[BulkDataset], next: Option<&SyncNotice>) -> StoreResult<BulkStep> {
        self.write(|tx| {
            let held: bool = tx
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM sync_outbox WHERE seq = ?1 AND due_ms = ?2)")
                .and_then(|mut s| s.query_row([seq, lease_ms], |r| r.get(0)))
                .map_err(sql)?;
            if !held {
                return Ok(BulkStep::Lost);
            }
            for d in datasets {
                let count: Option<i64> = tx
                    .prepare_cached("SELECT sync_count FROM sync_datasets WHERE identity_id = ?1 AND name = ?2 AND NOT deleted")
                    .and_then(|mut s| s.query_row([&d.identity_id, &d.name], |r| r.get(0)).optional())
                    .map_err(sql)?;
                if count != Some(d.sync_count) {
                    return Ok(BulkStep::Changed);
                }
            }
            for d in datasets {
                queue(tx, &d.notices)?;
            }
            if let Some(next) = next {
                queue(tx, std::slice::from_ref(next))?;
            }
            finish(tx, seq, lease_ms)?;
            Ok(BulkStep::Done)
        })
    }

    fn register_sync_device(&self, device: &SyncDevice) -> StoreResult<SyncDevice> {
        self.write(|tx| {
            execute(
                tx,
                "INSERT INTO sync_devices (device_id, identity_id, platform, token, application_arn) VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (identity_id, platform, token) DO UPDATE SET application_arn = excluded.application_arn",
                params![device.device_id, device.identity_id, device.platform, device.token, device.application_arn],
            )?;
            tx.prepare_cached(&format!("SELECT {DEVICE_COLUMNS} FROM sync_devices WHERE identity_id = ?1 AND platform = ?2 AND token = ?3"))
                .and_then(|mut s| s.query_row([&device.identity_id, &device.platform, &device.token], device_from))
                .map_err(sql)
        })
    }

    fn get_sync_device(&self, device_id: &str) -> StoreResult<Option<SyncDevice>> {
        self.read(|c| {
            c.prepare_cached(&format!("SELECT {DEVICE_COLUMNS} FROM sync_devices WHERE device_id = ?1"))
                .and_then(|mut s| s.query_row([device_id], device_from).optional())
                .map_err(sql)
        })
    }

    fn set_sync_subscription(&self, device_id: &str, dataset: &str, subscribed: bool) -> StoreResult<()> {
        let statement = if subscribed {
            "INSERT OR IGNORE INTO sync_subscriptions (device_id, dataset) VALUES (?1, ?2)"
        } else {
            "DELETE FROM sync_subscriptions WHERE device_id = ?1 AND dataset = ?2"
        };
        self.write(|tx| execute(tx, statement, [device_id, dataset]).map(drop))
    }

    fn list_sync_devices(&self, identity_id: &str) -> StoreResult<Vec<(SyncDevice, Vec<String>)>> {
        self.read(|c| {
            let devices: Vec<SyncDevice> = c
                .prepare_cached(&format!("SELECT {DEVICE_COLUMNS} FROM sync_devices WHERE identity_id = ?1 ORDER BY device_id"))
                .and_then(|mut s| s.query_map([identity_id], device_from)?.collect())
                .map_err(sql)?;
            devices
                .into_iter()
                .map(|d| {
                    let datasets = c
                        .prepare_cached("SELECT dataset FROM sync_subscriptions WHERE device_id = ?1 ORDER BY dataset")
                        .and_then(|mut s| s.query_map([&d.device_id], |r| r.get(0))?.collect())
                        .map_err(sql)?;
                    Ok((d, datasets))
                })
                .collect()
        })
    }

    fn list_sync_notices(&self, after_seq: i64, limit: usize) -> StoreResult<Vec<QueuedNotice>> {
        let rows: Vec<(i64, String, String, String, String, bool, i64)> = self.read(|c| {
            c.prepare_cached("SELECT seq, pool_id, key, target, body, bulk, attempts FROM sync_outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2")
                .and_then(|mut s| {
                    s.query_map(params![after_seq, i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
                    })?
                    .collect()
                })
                .map_err(sql)
        })?;
        rows.into_iter()
            .map(|(seq, pool_id, key, target, body, bulk, attempts)| {
                let target = NoticeTarget::parse(&target).ok_or_else(|| StoreError::Corrupt(format!("notice target {target}")))?;
                Ok(QueuedNotice { seq, notice: SyncNotice { pool_id, key, target, body, bulk }, attempts })
            })
            .collect()
    }

    fn sync_subscribers(&self, identity_id: &str, dataset: &str) -> StoreResult<Vec<SyncDevice>> {
        self.read(|c| {
            c.prepare_cached(&format!(
                "SELECT {DEVICE_COLUMNS} FROM sync_devices d JOIN sync_subscriptions s USING (device_id) \
                 WHERE d.identity_id = ?1 AND s.dataset = ?2 ORDER BY d.device_id"
            ))
            .and_then(|mut s| s.query_map([identity_id, dataset], device_from)?.collect())
            .map_err(sql)
        })
    }
}

const DEVICE_COLUMNS: &str = "device_id, identity_id, platform, token, application_arn";

fn device_from(r: &Row<'_>) -> rusqlite::Result<SyncDevice> {
    Ok(SyncDevice { device_id: r.get(0)?, identity_id: r.get(1)?, platform: r.get(2)?, token: r.get(3)?, application_arn: r.get(4)? })
}

fn bulk_state(c: &rusqlite::Connection, pool_id: &str) -> StoreResult<Option<BulkPublishState>> {
    c.prepare_cached("SELECT started_ms, completed_ms FROM sync_bulk_publish WHERE pool_id = ?1")
        .and_then(|mut s| s.query_row([pool_id], |r| Ok(BulkPublishState { started_ms: r.get(0)?, completed_ms: r.get(1)? })).optional())
        .map_err(sql)
}

/// Removes a delivered notice still held under `lease_ms` and makes the next of its key due;
/// answers whether it was held.
fn finish(tx: &rusqlite::Transaction<'_>, seq: i64, lease_ms: i64) -> StoreResult<bool> {
    let key: Option<String> = tx
        .prepare_cached("DELETE FROM sync_outbox WHERE seq = ?1 AND due_ms = ?2 RETURNING key")
        .and_then(|mut s| s.query_row([seq, lease_ms], |r| r.get(0)).optional())
        .map_err(sql)?;
    let Some(key) = key else { return Ok(false) };
    execute(tx, "UPDATE sync_outbox SET due_ms = 0 WHERE seq = (SELECT min(seq) FROM sync_outbox WHERE key = ?1)", [key])?;
    Ok(true)
}

fn queue(tx: &rusqlite::Transaction<'_>, notices: &[SyncNotice]) -> StoreResult<()> {
    for n in notices {
        execute(
            tx,
            // Behind others of its key, it waits as they do.
            "INSERT INTO sync_outbox (pool_id, key, target, body, bulk, due_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5, coalesce((SELECT max(due_ms) FROM sync_outbox WHERE key = ?2), 0))",
            params![n.pool_id, n.key, n.target.as_str(), n.body, n.bulk],
        )?;
    }
    Ok(())
}
