//! Cognito Sync: key-value datasets per identity, kept in step across a user's devices.
//!
//! A device lists a dataset's records changed since the sync count it last saw (and gets a sync
//! session token), then patches records, each with the sync count it last saw for that record
//! (0 for a new one). A stale count means another device wrote first: the whole patch is
//! refused with `ResourceConflictException`, and the device lists again and resolves. Every
//! successful write raises the dataset's sync count by one and stamps the records it wrote with
//! it. Removed records and deleted datasets leave markers, so devices that sync later learn of
//! them.
//!
//! Identities' temporary credentials reach their own datasets; developers' (admin) keys reach
//! any identity's, as in AWS.

use std::collections::HashMap;
use std::sync::Arc;

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use pooldesk_wire::cognito_sync::{self as w, RecordOperation};

use crate::clock::{Clock, to_wire};
use crate::error::{Error, Result};
use crate::store::{DatasetRecord, IdentityRecord, Store, SyncRecord, SyncWrite};
use crate::user_pools::UserPools;

/// Cognito Sync's limits (the developer guide's "Quotas").
const MAX_DATASETS: usize = 20;
const MAX_RECORDS: i64 = 1024;
const MAX_DATASET_BYTES: i64 = 1024 * 1024;
/// How long a sync session token from ListRecords is good for UpdateRecords.
const SESSION_TTL_MS: i64 = 3600 * 1000;

/// Who calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncCaller {
    /// A developer's (admin) access key: any identity of any pool.
    Developer(String),
    /// An identity's temporary credentials: its own datasets only.
    Identity(String),
}

impl SyncCaller {
    /// What `LastModifiedBy` records.
    fn name(&self) -> &str {
        match self {
            SyncCaller::Developer(key) | SyncCaller::Identity(key) => key,
        }
    }
}

/// The Cognito Sync operations over one store.
pub struct Sync {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    /// Signs sync session tokens, so any server of a cluster accepts another's.
    session_key: hmac::Key,
}

impl Sync {
    /// The datasets over `store`, drawing their token key from `user_pools`' random source.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, user_pools: &UserPools) -> Result<Self> {
        let random = user_pools.random();
        let secret = store.server_secret("sync-session-key", &|| random.bytes::<32>().map(|b| b.to_vec()).unwrap_or_default())?;
        if secret.len() < 32 {
            return Err(Error::internal(anyhow::anyhow!("the sync session key is missing")));
        }
        Ok(Sync { store, clock, session_key: hmac::Key::new(hmac::HMAC_SHA256, &secret) })
    }

    /// The identity a call names, if the caller may reach it. `missing` is the error for an
    /// identity that a developer names but the pool does not have.
    fn identity(&self, caller: &SyncCaller, pool_id: &str, identity_id: &str, missing: fn(String) -> Error) -> Result<IdentityRecord> {
        if let SyncCaller::Identity(own) = caller
            && own != identity_id
        {
            return Err(Error::NotAuthorized(format!("Access to identity '{identity_id}' is forbidden.")));
        }
        match self.store.get_identity(identity_id)? {
            Some(identity) if identity.pool_id == pool_id => Ok(identity),
            _ if matches!(caller, SyncCaller::Identity(_)) => {
                Err(Error::NotAuthorized(format!("Access to identity pool '{pool_id}' is forbidden.")))
            }
            _ => Err(missing(format!("Identity '{identity_id}' not found in identity pool '{pool_id}'."))),
        }
    }

    /// Identity-pool-wide operations are for developers.
    fn developer(caller: &SyncCaller) -> Result<()> {
        match caller {
            SyncCaller::Developer(_) => Ok(()),
            SyncCaller::Identity(_) => {
                Err(Error::NotAuthorized("Temporary credentials of an identity cannot call identity-pool-wide operations.".into()))
            }
        }
    }

    fn session_mac(&self, identity_id: &str, dataset: &str, issued_ms: i64) -> hmac::Tag {
        hmac::sign(&self.session_key, format!("{identity_id}\n{dataset}\n{issued_ms}").as_bytes())
    }

    fn session_token(&self, identity_id: &str, dataset: &str) -> String {
        let issued = self.clock.now_millis();
        format!("{issued}.{}", URL_SAFE_NO_PAD.encode(self.session_mac(identity_id, dataset, issued)))
    }

    /// Whether `token` came from a ListRecords of this identity's dataset within the hour.
    fn check_session_token(&self, token: &str, identity_id: &str, dataset: &str) -> Result<()> {
        let invalid =
            || Error::InvalidParameter("The sync session token is invalid or has expired: list the dataset's records again.".into());
        let (issued, mac) = token.split_once('.').ok_or_else(invalid)?;
        let issued: i64 = issued.parse().map_err(|_| invalid())?;
        let mac = URL_SAFE_NO_PAD.decode(mac).map_err(|_| invalid())?;
        let message = format!("{identity_id}\n{dataset}\n{issued}");
        hmac::verify(&self.session_key, message.as_bytes(), &mac).map_err(|_| invalid())?;
        let age = self.clock.now_millis() - issued;
        if !(0..SESSION_TTL_MS).contains(&age) {
            return Err(invalid());
        }
        Ok(())
    }

    fn live_dataset(&self, identity_id: &str, name: &str) -> Result<DatasetRecord> {
        match self.store.get_dataset(identity_id, name)? {
            Some(d) if !d.deleted => Ok(d),
            _ => Err(Error::ResourceNotFound(format!("Dataset '{name}' not found."))),
        }
    }
}

fn check_dataset_name(name: &str) -> Result<()> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '-');
    if name.is_empty() || name.len() > 128 || !name.chars().all(allowed) {
        return Err(Error::InvalidParameter(format!(
            "1 validation error detected: Value '{name}' at 'datasetName' failed to satisfy constraint: Member must satisfy regular \
             expression pattern: [a-zA-Z0-9_.:-]+"
        )));
    }
    Ok(())
}

fn page_size(max_results: Option<i32>, default: usize, most: usize) -> Result<usize> {
    match max_results {
        None => Ok(default),
        Some(n) if n >= 1 => Ok((n as usize).min(most)),
        Some(n) => Err(Error::InvalidParameter(format!("MaxResults must be at least 1, not {n}."))),
    }
}

fn encode_token(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(key)
}

fn decode_token(token: Option<&str>) -> Result<Option<String>> {
    token
        .map(|t| {
            URL_SAFE_NO_PAD
                .decode(t)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| Error::InvalidParameter("The NextToken is not one this service gave.".into()))
        })
        .transpose()
}

fn wire_dataset(d: &DatasetRecord) -> w::Dataset {
    w::Dataset {
        identity_id: Some(d.identity_id.clone()),
        dataset_name: Some(d.name.clone()),
        creation_date: Some(to_wire(d.created_ms)),
        last_modified_date: Some(to_wire(d.modified_ms)),
        last_modified_by: Some(d.modified_by.clone()),
        data_storage: Some(d.data_storage),
        num_records: Some(d.num_records),
    }
}

fn wire_record(r: &SyncRecord) -> w::Record {
    w::Record {
        key: Some(r.key.clone()),
        value: r.value.clone(),
        sync_count: Some(r.sync_count),
        last_modified_date: Some(to_wire(r.modified_ms)),
        last_modified_by: Some(r.modified_by.clone()),
        device_last_modified_date: r.device_modified_ms.map(to_wire),
    }
}

/// What a live record counts towards its dataset's storage.
fn size_of(key: &str, value: Option<&str>) -> i64 {
    value.map_or(0, |v| (key.len() + v.len()) as i64)
}

impl w::Service for Sync {
    type Context = SyncCaller;
    type Error = Error;

    fn list_datasets(&self, caller: &SyncCaller, r: w::ListDatasetsRequest) -> Result<w::ListDatasetsResponse> {
        self.identity(caller, &r.identity_pool_id, &r.identity_id, Error::InvalidParameter)?;
        let limit = page_size(r.max_results, 64, 64)?;
        let after = decode_token(r.next_token.as_deref())?;
        let page = self.store.list_datasets(&r.identity_id, false, after.as_deref(), limit)?;
        Ok(w::ListDatasetsResponse {
            count: Some(page.items.len() as i32),
            datasets: Some(page.items.iter().map(wire_dataset).collect()),
            next_token: page.next.as_deref().map(encode_token),
        })
    }

    fn describe_dataset(&self, caller: &SyncCaller, r: w::DescribeDatasetRequest) -> Result<w::DescribeDatasetResponse> {
        self.identity(caller, &r.identity_pool_id, &r.identity_id, Error::ResourceNotFound)?;
        check_dataset_name(&r.dataset_name)?;
        let dataset = self.live_dataset(&r.identity_id, &r.dataset_name)?;
        Ok(w::DescribeDatasetResponse { dataset: Some(wire_dataset(&dataset)) })
    }

    fn list_records(&self, caller: &SyncCaller, r: w::ListRecordsRequest) -> Result<w::ListRecordsResponse> {
        self.identity(caller, &r.identity_pool_id, &r.identity_id, Error::InvalidParameter)?;
        check_dataset_name(&r.dataset_name)?;
        let limit = page_size(r.max_results, 1024, 1024)?;
        let after = decode_token(r.next_token.as_deref())?;
        let since = r.last_sync_count.unwrap_or(0);
        let token = Some(self.session_token(&r.identity_id, &r.dataset_name));
        let dataset = match self.store.get_dataset(&r.identity_id, &r.dataset_name)? {
            Some(d) if !d.deleted => d,
            gone => {
                // Deleted since the device's last sync: it should drop its copy.
                let deleted_since = gone.is_some_and(|d| r.last_sync_count.is_some_and(|seen| seen < d.sync_count));
                return Ok(w::ListRecordsResponse {
                    records: Some(vec![]),
                    count: Some(0),
                    dataset_sync_count: Some(0),
                    dataset_exists: Some(false),
                    dataset_deleted_after_requested_sync_count: Some(deleted_since),
                    merged_dataset_names: Some(self.merged_into(&r.identity_id, &r.dataset_name)?),
                    sync_session_token: token,
                    ..Default::default()
                });
            }
        };
        let page = self.store.list_sync_records(&r.identity_id, &r.dataset_name, since, after.as_deref(), limit)?;
        Ok(w::ListRecordsResponse {
            count: Some(page.items.len() as i32),
            records: Some(page.items.iter().map(wire_record).collect()),
            next_token: page.next.as_deref().map(encode_token),
            dataset_sync_count: Some(dataset.sync_count),
            last_modified_by: Some(dataset.modified_by.clone()),
            merged_dataset_names: Some(self.merged_into(&r.identity_id, &r.dataset_name)?),
            dataset_exists: Some(true),
            dataset_deleted_after_requested_sync_count: Some(false),
            sync_session_token: token,
        })
    }

    fn update_records(&self, caller: &SyncCaller, r: w::UpdateRecordsRequest) -> Result<w::UpdateRecordsResponse> {
        self.identity(caller, &r.identity_pool_id, &r.identity_id, Error::ResourceNotFound)?;
        check_dataset_name(&r.dataset_name)?;
        self.check_session_token(&r.sync_session_token, &r.identity_id, &r.dataset_name)?;
        let patches = r.record_patches.unwrap_or_default();
        let mut seen = std::collections::HashSet::new();
        for p in &patches {
            if !seen.insert(p.key.as_str()) {
                return Err(Error::InvalidParameter(format!("Record '{}' is patched twice in one request.", p.key)));
            }
            if p.op == RecordOperation::Replace && p.value.is_none() {
                return Err(Error::InvalidParameter(format!("The replace patch of record '{}' has no Value.", p.key)));
            }
        }
        if patches.is_empty() {
            return Ok(w::UpdateRecordsResponse { records: Some(vec![]) });
        }
        let now = self.clock.now_millis();
        let before = self.store.get_dataset(&r.identity_id, &r.dataset_name)?;
        let keys: Vec<&str> = patches.iter().map(|p| p.key.as_str()).collect();
        let current: HashMap<String, SyncRecord> =
            self.store.get_sync_records(&r.identity_id, &r.dataset_name, &keys)?.into_iter().map(|rec| (rec.key.clone(), rec)).collect();
        let mut dataset = match &before {
            Some(d) if !d.deleted => d.clone(),
            // Made (again): the sync count goes on from where a deleted one left it.
            _ => DatasetRecord {
                identity_id: r.identity_id.clone(),
                name: r.dataset_name.clone(),
                pool_id: r.identity_pool_id.clone(),
                created_ms: now,
                modified_ms: now,
                modified_by: String::new(),
                sync_count: before.as_ref().map_or(0, |d| d.sync_count),
                data_storage: 0,
                num_records: 0,
                deleted: false,
            },
        };
        dataset.sync_count += 1;
        dataset.modified_ms = now;
        dataset.modified_by = caller.name().to_owned();
        let mut written = Vec::with_capacity(patches.len());
        for p in patches {
            let old = current.get(&p.key);
            let known = old.map_or(0, |o| o.sync_count);
            if p.sync_count != known {
                return Err(Error::ResourceConflict(format!(
                    "Record '{}' has sync count {known}, not {}: another device changed it. List the records and try again.",
                    p.key, p.sync_count
                )));
            }
            let old_value = old.and_then(|o| o.value.as_deref());
            let value = match p.op {
                RecordOperation::Replace => p.value,
                RecordOperation::Remove => None,
            };
            dataset.data_storage += size_of(&p.key, value.as_deref()) - size_of(&p.key, old_value);
            dataset.num_records += i64::from(value.is_some()) - i64::from(old_value.is_some());
            written.push(SyncRecord {
                key: p.key,
                value,
                sync_count: dataset.sync_count,
                modified_ms: now,
                modified_by: dataset.modified_by.clone(),
                device_modified_ms: p.device_last_modified_date.map(|secs| (secs * 1000.0) as i64),
            });
        }
        if dataset.num_records > MAX_RECORDS {
            return Err(Error::LimitExceeded(format!("A dataset holds at most {MAX_RECORDS} records.")));
        }
        if dataset.data_storage > MAX_DATASET_BYTES {
            return Err(Error::LimitExceeded(format!("A dataset holds at most {MAX_DATASET_BYTES} bytes of keys and values.")));
        }
        match self.store.write_dataset(&dataset, before.as_ref().map(|d| d.sync_count), &written, MAX_DATASETS)? {
            SyncWrite::Written => Ok(w::UpdateRecordsResponse { records: Some(written.iter().map(wire_record).collect()) }),
            SyncWrite::Conflict => {
                Err(Error::ResourceConflict("Another device changed the dataset at the same time. List the records and try again.".into()))
            }
            SyncWrite::TooManyDatasets => Err(Error::LimitExceeded(format!("An identity has at most {MAX_DATASETS} datasets."))),
        }
    }

    fn delete_dataset(&self, caller: &SyncCaller, r: w::DeleteDatasetRequest) -> Result<w::DeleteDatasetResponse> {
        self.identity(caller, &r.identity_pool_id, &r.identity_id, Error::ResourceNotFound)?;
        check_dataset_name(&r.dataset_name)?;
        let dataset = self.live_dataset(&r.identity_id, &r.dataset_name)?;
        let gone = DatasetRecord {
            modified_ms: self.clock.now_millis(),
            modified_by: caller.name().to_owned(),
            sync_count: dataset.sync_count + 1,
            data_storage: 0,
            num_records: 0,
            deleted: true,
            ..dataset.clone()
        };
        match self.store.write_dataset(&gone, Some(dataset.sync_count), &[], MAX_DATASETS)? {
            SyncWrite::Written => Ok(w::DeleteDatasetResponse { dataset: Some(wire_dataset(&dataset)) }),
            SyncWrite::Conflict | SyncWrite::TooManyDatasets => {
                Err(Error::ResourceConflict("Another device changed the dataset at the same time. Try again.".into()))
            }
        }
    }

    fn describe_identity_usage(&self, caller: &SyncCaller, r: w::DescribeIdentityUsageRequest) -> Result<w::DescribeIdentityUsageResponse> {
        let identity = self.identity(caller, &r.identity_pool_id, &r.identity_id, Error::ResourceNotFound)?;
        let datasets = self.all_datasets(&identity.id)?;
        Ok(w::DescribeIdentityUsageResponse {
            identity_usage: Some(w::IdentityUsage {
                identity_id: Some(identity.id),
                identity_pool_id: Some(identity.pool_id),
                last_modified_date: datasets.iter().map(|d| d.modified_ms).max().map(to_wire),
                dataset_count: Some(datasets.len() as i32),
                data_storage: Some(datasets.iter().map(|d| d.data_storage).sum()),
            }),
        })
    }

    fn describe_identity_pool_usage(
        &self,
        caller: &SyncCaller,
        r: w::DescribeIdentityPoolUsageRequest,
    ) -> Result<w::DescribeIdentityPoolUsageResponse> {
        Self::developer(caller)?;
        if self.store.get_identity_pool(&r.identity_pool_id)?.is_none() {
            return Err(Error::ResourceNotFound(format!("Identity pool '{}' not found.", r.identity_pool_id)));
        }
        Ok(w::DescribeIdentityPoolUsageResponse { identity_pool_usage: Some(self.pool_usage(&r.identity_pool_id)?) })
    }

    fn list_identity_pool_usage(
        &self,
        caller: &SyncCaller,
        r: w::ListIdentityPoolUsageRequest,
    ) -> Result<w::ListIdentityPoolUsageResponse> {
        Self::developer(caller)?;
        let limit = page_size(r.max_results, 60, 60)?;
        let after = decode_token(r.next_token.as_deref())?;
        let page = self.store.list_identity_pools(after.as_deref(), limit)?;
        let usages = page.items.iter().map(|p| self.pool_usage(&p.id)).collect::<Result<Vec<_>>>()?;
        Ok(w::ListIdentityPoolUsageResponse {
            count: Some(usages.len() as i32),
            identity_pool_usages: Some(usages),
            max_results: Some(limit as i32),
            next_token: page.next.as_deref().map(encode_token),
        })
    }
}

impl Sync {
    /// Every live dataset of an identity (at most 20, and the merged ones).
    fn all_datasets(&self, identity_id: &str) -> Result<Vec<DatasetRecord>> {
        let mut all = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = self.store.list_datasets(identity_id, false, after.as_deref(), 100)?;
            all.extend(page.items);
            match page.next {
                Some(next) => after = Some(next),
                None => return Ok(all),
            }
        }
    }

    /// The datasets merged into `name` from identities merged into this one
    /// (`<name>.<their identity id>`), for the device to fold in and delete.
    fn merged_into(&self, identity_id: &str, name: &str) -> Result<Vec<String>> {
        let prefix = format!("{name}.");
        Ok(self
            .all_datasets(identity_id)?
            .into_iter()
            .filter(|d| d.name.strip_prefix(&prefix).is_some_and(|rest| rest.contains(':')))
            .map(|d| d.name)
            .collect())
    }

    fn pool_usage(&self, pool_id: &str) -> Result<w::IdentityPoolUsage> {
        let usage = self.store.sync_usage(pool_id)?;
        Ok(w::IdentityPoolUsage {
            identity_pool_id: Some(pool_id.to_owned()),
            sync_sessions_count: Some(usage.writes),
            data_storage: Some(usage.data_storage),
            last_modified_date: usage.modified_ms.map(to_wire),
        })
    }
}
