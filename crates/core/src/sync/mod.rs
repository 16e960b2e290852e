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
//!
//! Cognito Events: an identity pool's `SyncTrigger` Lambda function sees each identity's
//! patch (old and new values) before it is stored, and may change, add or drop records; a
//! developer's writes do not call it, as in AWS.
//!
//! Cognito Streams and push sync: [`delivery`].

mod delivery;

pub use delivery::{StreamRecord, SyncOutbound};

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use pooldesk_wire::cognito_sync::{self as w, RecordOperation};

use crate::clock::{Clock, to_wire};
use crate::error::{Error, Result};
use crate::random::Random;
use crate::store::{DatasetRecord, IdentityRecord, Store, SyncRecord, SyncSettings, SyncWrite};
use crate::user_pools::{InvokeFailure, LambdaInvoker, UserPools};

/// Cognito Sync's limits (the developer guide's "Quotas").
const MAX_DATASETS: usize = 20;
const MAX_RECORDS: i64 = 1024;
const MAX_DATASET_BYTES: i64 = 1024 * 1024;
/// How long a sync session token from ListRecords is good for UpdateRecords.
const SESSION_TTL_MS: i64 = 3600 * 1000;
/// The only event Cognito Events raises.
const SYNC_TRIGGER: &str = "SyncTrigger";
/// How long the sync trigger may take (the device waits for it).
const TRIGGER_TIMEOUT: Duration = Duration::from_secs(5);

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
    region: String,
    lambda: Option<Arc<dyn LambdaInvoker>>,
    /// Kinesis and SNS, for Cognito Streams and push sync.
    outbound: Option<Arc<dyn SyncOutbound>>,
    random: Arc<dyn Random>,
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
        Ok(Sync {
            store,
            clock,
            region: user_pools.config().region.clone(),
            lambda: user_pools.lambda_invoker(),
            outbound: None,
            random: random.clone(),
            session_key: hmac::Key::new(hmac::HMAC_SHA256, &secret),
        })
    }

    /// Sends Cognito Streams' records and push sync's notifications through `outbound`
    /// (without it they wait in the store).
    pub fn with_outbound(mut self, outbound: Arc<dyn SyncOutbound>) -> Self {
        self.outbound = Some(outbound);
        self
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

/// `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`.
fn lambda_function_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.split(':').collect();
    matches!(parts.as_slice(), ["arn", partition, "lambda", region, account, "function", name, ..]
        if partition.starts_with("aws") && !region.is_empty() && account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())
            && !name.is_empty() && parts.len() <= 8)
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

/// A record's new value (`None`: removed), as a patch asks or the sync trigger decided.
struct Change {
    key: String,
    value: Option<String>,
    device_modified_ms: Option<i64>,
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

    fn update_records(&self, caller: &SyncCaller, mut r: w::UpdateRecordsRequest) -> Result<w::UpdateRecordsResponse> {
        self.identity(caller, &r.identity_pool_id, &r.identity_id, Error::ResourceNotFound)?;
        check_dataset_name(&r.dataset_name)?;
        self.check_session_token(&r.sync_session_token, &r.identity_id, &r.dataset_name)?;
        let patches = r.record_patches.take().unwrap_or_default();
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
        let mut current: HashMap<String, SyncRecord> =
            self.store.get_sync_records(&r.identity_id, &r.dataset_name, &keys)?.into_iter().map(|rec| (rec.key.clone(), rec)).collect();
        let mut changes = Vec::with_capacity(patches.len());
        for p in patches {
            let known = current.get(&p.key).map_or(0, |o| o.sync_count);
            if p.sync_count != known {
                return Err(Error::ResourceConflict(format!(
                    "Record '{}' has sync count {known}, not {}: another device changed it. List the records and try again.",
                    p.key, p.sync_count
                )));
            }
            changes.push(Change {
                value: match p.op {
                    RecordOperation::Replace => p.value,
                    RecordOperation::Remove => None,
                },
                key: p.key,
                device_modified_ms: p.device_last_modified_date.map(|secs| (secs * 1000.0) as i64),
            });
        }
        // Cognito Events: the pool's trigger sees an identity's changes before they are stored.
        if matches!(caller, SyncCaller::Identity(_))
            && let Some(function) = self.settings(&r.identity_pool_id)?.events.remove(SYNC_TRIGGER)
        {
            changes = self.sync_trigger(&function, &r, &current, changes)?;
            let added: Vec<&str> = changes.iter().map(|c| c.key.as_str()).filter(|k| !current.contains_key(*k)).collect();
            for record in self.store.get_sync_records(&r.identity_id, &r.dataset_name, &added)? {
                current.insert(record.key.clone(), record);
            }
            if changes.is_empty() {
                return Ok(w::UpdateRecordsResponse { records: Some(vec![]) });
            }
        }
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
        let mut written = Vec::with_capacity(changes.len());
        for change in changes {
            let old_value = current.get(&change.key).and_then(|o| o.value.as_deref());
            dataset.data_storage += size_of(&change.key, change.value.as_deref()) - size_of(&change.key, old_value);
            dataset.num_records += i64::from(change.value.is_some()) - i64::from(old_value.is_some());
            written.push(SyncRecord {
                key: change.key,
                value: change.value,
                sync_count: dataset.sync_count,
                modified_ms: now,
                modified_by: dataset.modified_by.clone(),
                device_modified_ms: change.device_modified_ms,
            });
        }
        if dataset.num_records > MAX_RECORDS {
            return Err(Error::LimitExceeded(format!("A dataset holds at most {MAX_RECORDS} records.")));
        }
        if dataset.data_storage > MAX_DATASET_BYTES {
            return Err(Error::LimitExceeded(format!("A dataset holds at most {MAX_DATASET_BYTES} bytes of keys and values.")));
        }
        let change = delivery::Change { dataset: &dataset, records: &written, removed: false, device_id: r.device_id.as_deref() };
        let notices = self.notices(&change)?;
        match self.store.write_dataset(&dataset, before.as_ref().map(|d| d.sync_count), &written, MAX_DATASETS, &notices)? {
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
        let notices = self.notices(&delivery::Change { dataset: &gone, records: &[], removed: true, device_id: None })?;
        match self.store.write_dataset(&gone, Some(dataset.sync_count), &[], MAX_DATASETS, &notices)? {
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
        self.known_pool(&r.identity_pool_id)?;
        Ok(w::DescribeIdentityPoolUsageResponse { identity_pool_usage: Some(self.pool_usage(&r.identity_pool_id)?) })
    }

    fn get_cognito_events(&self, caller: &SyncCaller, r: w::GetCognitoEventsRequest) -> Result<w::GetCognitoEventsResponse> {
        Self::developer(caller)?;
        self.known_pool(&r.identity_pool_id)?;
        Ok(w::GetCognitoEventsResponse { events: Some(self.settings(&r.identity_pool_id)?.events) })
    }

    /// Sets the events named (an empty function removes one) and leaves the others.
    fn set_cognito_events(&self, caller: &SyncCaller, r: w::SetCognitoEventsRequest) -> Result<()> {
        Self::developer(caller)?;
        self.known_pool(&r.identity_pool_id)?;
        let mut settings = self.settings(&r.identity_pool_id)?;
        for (event, function) in r.events {
            if event != SYNC_TRIGGER {
                return Err(Error::InvalidParameter(format!(
                    "'{event}' is not an event of Cognito Events: the one there is is {SYNC_TRIGGER}."
                )));
            }
            if function.is_empty() {
                settings.events.remove(&event);
            } else if lambda_function_arn(&function) {
                settings.events.insert(event, function);
            } else {
                return Err(Error::InvalidParameter(format!(
                    "'{function}' is not a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>)."
                )));
            }
        }
        self.store.put_sync_settings(&r.identity_pool_id, &settings)?;
        Ok(())
    }

    fn get_identity_pool_configuration(
        &self,
        caller: &SyncCaller,
        r: w::GetIdentityPoolConfigurationRequest,
    ) -> Result<w::GetIdentityPoolConfigurationResponse> {
        Self::developer(caller)?;
        self.known_pool(&r.identity_pool_id)?;
        let (push_sync, cognito_streams) = delivery::wire_configuration(&self.settings(&r.identity_pool_id)?);
        Ok(w::GetIdentityPoolConfigurationResponse { identity_pool_id: Some(r.identity_pool_id), push_sync, cognito_streams })
    }

    fn set_identity_pool_configuration(
        &self,
        caller: &SyncCaller,
        r: w::SetIdentityPoolConfigurationRequest,
    ) -> Result<w::SetIdentityPoolConfigurationResponse> {
        self.configure(caller, r)
    }

    fn bulk_publish(&self, caller: &SyncCaller, r: w::BulkPublishRequest) -> Result<w::BulkPublishResponse> {
        self.start_bulk_publish(caller, r)
    }

    fn get_bulk_publish_details(
        &self,
        caller: &SyncCaller,
        r: w::GetBulkPublishDetailsRequest,
    ) -> Result<w::GetBulkPublishDetailsResponse> {
        self.bulk_publish_details(caller, r)
    }

    fn register_device(&self, caller: &SyncCaller, r: w::RegisterDeviceRequest) -> Result<w::RegisterDeviceResponse> {
        self.register(caller, r)
    }

    fn subscribe_to_dataset(&self, caller: &SyncCaller, r: w::SubscribeToDatasetRequest) -> Result<w::SubscribeToDatasetResponse> {
        self.subscribe(caller, &r.identity_pool_id, &r.identity_id, &r.dataset_name, &r.device_id, true)?;
        Ok(w::SubscribeToDatasetResponse {})
    }

    fn unsubscribe_from_dataset(
        &self,
        caller: &SyncCaller,
        r: w::UnsubscribeFromDatasetRequest,
    ) -> Result<w::UnsubscribeFromDatasetResponse> {
        self.subscribe(caller, &r.identity_pool_id, &r.identity_id, &r.dataset_name, &r.device_id, false)?;
        Ok(w::UnsubscribeFromDatasetResponse {})
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
    fn settings(&self, pool_id: &str) -> Result<SyncSettings> {
        Ok(self.store.get_sync_settings(pool_id)?.unwrap_or_default())
    }

    fn known_pool(&self, pool_id: &str) -> Result<()> {
        match self.store.get_identity_pool(pool_id)? {
            Some(_) => Ok(()),
            None => Err(Error::ResourceNotFound(format!("Identity pool '{pool_id}' not found."))),
        }
    }

    /// Calls the pool's sync trigger with the changes (each with the stored value it replaces)
    /// and returns what it decided: its `datasetRecords`, changed, added to or dropped from.
    fn sync_trigger(
        &self,
        function: &str,
        r: &w::UpdateRecordsRequest,
        current: &HashMap<String, SyncRecord>,
        changes: Vec<Change>,
    ) -> Result<Vec<Change>> {
        let invalid = |why: String| Error::InvalidLambdaFunctionOutput(format!("The sync trigger {function} {why}"));
        let records: serde_json::Map<String, serde_json::Value> = changes
            .iter()
            .map(|c| {
                let mut record = serde_json::Map::new();
                if let Some(old) = current.get(&c.key).and_then(|o| o.value.as_deref()) {
                    record.insert("oldValue".into(), old.into());
                }
                if let Some(new) = &c.value {
                    record.insert("newValue".into(), new.as_str().into());
                }
                record.insert("op".into(), if c.value.is_some() { "replace" } else { "remove" }.into());
                (c.key.clone(), record.into())
            })
            .collect();
        let event = serde_json::json!({
            "version": 2,
            "eventType": SYNC_TRIGGER,
            "region": self.region,
            "identityPoolId": r.identity_pool_id,
            "identityId": r.identity_id,
            "datasetName": r.dataset_name,
            "datasetRecords": records,
        });
        let Some(invoker) = &self.lambda else {
            return Err(invalid("cannot be called: this PoolDesk was built without a way to call AWS Lambda.".into()));
        };
        let payload = serde_json::to_vec(&event).map_err(Error::internal)?;
        let invoked = match invoker.invoke(function, &payload, TRIGGER_TIMEOUT) {
            Ok(invoked) => invoked,
            Err(InvokeFailure::Throttled(why)) => {
                return Err(Error::LambdaThrottled(format!("The sync trigger {function} was throttled: {why}")));
            }
            Err(InvokeFailure::Timeout) => return Err(invalid(format!("did not answer within {} s.", TRIGGER_TIMEOUT.as_secs()))),
            Err(InvokeFailure::Service(why)) => return Err(invalid(format!("could not be called: {why}"))),
        };
        let answer: serde_json::Value = serde_json::from_slice(&invoked.payload).unwrap_or_default();
        if invoked.function_error.is_some() {
            let message = answer.get("errorMessage").and_then(serde_json::Value::as_str).unwrap_or("(no message)");
            return Err(invalid(format!("failed: {message}")));
        }
        let Some(decided) = answer.get("datasetRecords").and_then(serde_json::Value::as_object) else {
            return Err(invalid("answered without datasetRecords: it must return the event it was given, changed or not.".into()));
        };
        let device_modified: HashMap<String, Option<i64>> = changes.into_iter().map(|c| (c.key, c.device_modified_ms)).collect();
        let mut out = Vec::with_capacity(decided.len());
        for (key, record) in decided {
            if key.is_empty() || key.len() > 1024 {
                return Err(invalid(format!("answered a record key of {} characters (1 to 1024).", key.len())));
            }
            let value = match (record.get("op").and_then(serde_json::Value::as_str), record.get("newValue")) {
                (Some("remove"), _) => None,
                (Some("replace"), Some(serde_json::Value::String(v))) if v.len() < 1024 * 1024 => Some(v.clone()),
                _ => return Err(invalid(format!("answered record '{key}' without a replace op and a newValue, or a remove op."))),
            };
            out.push(Change { key: key.clone(), value, device_modified_ms: device_modified.get(key).copied().flatten() });
        }
        Ok(out)
    }

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
